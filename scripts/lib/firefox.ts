/**
 * Runs the built Firefox extension in a real headless Firefox ESR (Debian's /usr/bin/firefox-esr),
 * driven by puppeteer-core over WebDriver BiDi: no geckodriver, no browser download. The unpacked
 * build is installed as a temporary add-on; the ask page is served by request interception at its
 * real URL; every other http(s) request, from a page or from the extension's background page and
 * worker (which no page interception sees), goes to a local recording proxy that refuses it.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { ASK_URL } from './extension';

export const FIREFOX = process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr';
/** The add-on id from wxt.config.ts (browser_specific_settings.gecko.id). */
export const GECKO_ID = 'tagsmith@tagsmith.dev';
/** Fixed moz-extension:// host (the pref `extensions.webextensions.uuids`), so tests can open the popup. */
export const FIREFOX_EXTENSION_UUID = '7a9c2b1e-4d3f-4e8a-9b6c-0d1e2f3a4b5c';

/**
 * Firefox's own services (remote settings, which it polls at start whatever the prefs say): the
 * browser's requests, not the extension's, so they are kept apart from `leaked`.
 */
const FIREFOX_OWN_HOST = /(^|\.)(mozilla\.(com|net|org)|firefox\.com)$/;

export interface FirefoxSession {
  browser: Browser;
  /** `moz-extension://<uuid>/` */
  extensionBase: string;
  /** Every http(s) URL (or proxied host) the browser tried to reach other than the served ask page. */
  leaked: string[];
  servePage(html: string): void;
  /** A new tab whose ask-page requests are served and whose other http(s) requests are refused. */
  newPage(): Promise<Page>;
  close(): Promise<void>;
}

/** A proxy that records where each request was going and refuses it. */
async function recordingProxy(record: (target: string) => void): Promise<Server> {
  const proxy = createServer((req, res) => {
    record(req.url ?? '');
    res.writeHead(403).end();
  });
  proxy.on('connect', (req, socket) => {
    record(`https://${req.url} (CONNECT)`);
    socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  return proxy;
}

export async function launchFirefoxWithExtension(extensionDir: string): Promise<FirefoxSession> {
  const leaked: string[] = [];
  const record = (url: string) => {
    let host = '';
    try {
      host = new URL(url.replace(/ \(CONNECT\)$/, '')).hostname;
    } catch {
      // not a URL: keep it as a leak, whatever it is
    }
    if (FIREFOX_OWN_HOST.test(host)) return; // Firefox's own services: refused by the proxy, not the extension's doing
    if (!leaked.includes(url)) leaked.push(url);
  };
  const proxy = await recordingProxy(record);
  const { port } = proxy.address() as AddressInfo;
  let html = '<!doctype html><title>no page</title>';
  let browser: Browser | undefined;
  try {
    browser = await puppeteer.launch({
      browser: 'firefox',
      executablePath: FIREFOX,
      protocol: 'webDriverBiDi',
      headless: true,
      // Lets a tab open the extension's own pages (popup.html, options.html).
      args: ['-remote-allow-system-access'],
      extraPrefsFirefox: {
        'extensions.webextensions.uuids': JSON.stringify({ [GECKO_ID]: FIREFOX_EXTENSION_UUID }),
        // The background page's and the worker's console on Firefox's stdout (TAGSMITH_FIREFOX_LOG=1 shows it).
        'devtools.console.stdout.content': true,
        'devtools.console.stdout.chrome': true,
        'browser.chrome.site_icons': false, // no /favicon.ico request from the browser itself
        'network.proxy.type': 1,
        'network.proxy.http': '127.0.0.1',
        'network.proxy.http_port': port,
        'network.proxy.ssl': '127.0.0.1',
        'network.proxy.ssl_port': port,
        'network.proxy.no_proxies_on': '',
        'network.proxy.allow_hijacking_localhost': true,
      },
      dumpio: process.env.TAGSMITH_FIREFOX_LOG === '1',
      timeout: 90_000, // a cold start on a busy 2-core box
    });
    await browser.installExtension(extensionDir);
  } catch (err) {
    try {
      await browser?.close();
    } finally {
      proxy.close();
    }
    throw err;
  }
  const started = browser;
  return {
    browser: started,
    extensionBase: `moz-extension://${FIREFOX_EXTENSION_UUID}/`,
    leaked,
    servePage(next) {
      html = next;
    },
    async newPage() {
      const page = await started.newPage();
      await page.setRequestInterception(true);
      page.on('request', (req) => {
        const url = req.url();
        if (url.startsWith(ASK_URL)) return void req.respond({ status: 200, contentType: 'text/html; charset=utf-8', body: html });
        if (!/^https?:/i.test(url)) return void req.continue(); // moz-extension:, data:, blob: stay in the browser
        record(url);
        return void req.abort('blockedbyclient');
      });
      return page;
    },
    async close() {
      await started.close();
      proxy.close();
    },
  };
}
