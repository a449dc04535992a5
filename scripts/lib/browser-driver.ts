/**
 * One small driver over the two real browsers the extension ships for, so end-to-end scenarios are
 * written once: Chromium through playwright-core ({@link launchWithExtension}), Firefox ESR through
 * puppeteer-core over WebDriver BiDi ({@link launchFirefoxWithExtension}). Input is real (the
 * browser's own mouse and keyboard); reads run in the page. Selectors are CSS, with `>>>` stepping
 * into an element's open shadow root (where the suggestion row lives).
 */
import type { Page as PlaywrightPage } from 'playwright-core';
import type { Page as PuppeteerPage } from 'puppeteer-core';
import { ensureBuilt, launchWithExtension, type ExtensionSession } from './extension';
import { launchFirefoxWithExtension } from './firefox';

export type BrowserName = 'chromium' | 'firefox';
export const BROWSERS: readonly BrowserName[] = ['chromium', 'firefox'];

/** What a read sees of one matching element. */
export interface Found {
  text: string;
  value: string | null;
  checked: boolean;
  disabled: boolean;
  attrs: Record<string, string>;
}

export interface DriverPage {
  /** Navigates and waits for the page's load (extension pages included). */
  goto(url: string): Promise<void>;
  reload(): Promise<void>;
  /** A real mouse click on the first match, waiting for it to exist (up to `timeoutMs`). */
  click(selector: string, timeoutMs?: number): Promise<void>;
  focus(selector: string, timeoutMs?: number): Promise<void>;
  /** Replaces a form field's value as a user would (input events). */
  fill(selector: string, value: string): Promise<void>;
  /** Real key presses into whatever has the focus. */
  type(text: string): Promise<void>;
  press(key: 'Enter' | 'End'): Promise<void>;
  /** Every element matching `selector` now. */
  read(selector: string): Promise<Found[]>;
  /** Resolves once `selector` matches; throws after `timeoutMs`. */
  waitFor(selector: string, timeoutMs?: number): Promise<void>;
  /** Evaluates a JavaScript expression (a string: no transpiler helpers leak into the page). */
  evaluate<R>(expression: string): Promise<R>;
  close(): Promise<void>;
}

export interface ExtensionBrowser {
  readonly name: BrowserName;
  /** URL of one of the extension's own pages, e.g. `popup.html`. */
  extensionUrl(path: string): string;
  /** http(s) requests that tried to leave the browser (refused). */
  readonly leaked: string[];
  /** Serves `html` at the ask page URL from now on. */
  servePage(html: string): void;
  newPage(): Promise<DriverPage>;
  /** The Chromium session itself, for what only Chromium has (its service worker, CDP). */
  readonly chromium?: ExtensionSession;
  close(): Promise<void>;
}

const DEFAULT_WAIT_MS = 10_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** In the page: the elements matching a selector with `>>>` shadow steps, as {@link Found}. */
const READ = `(selector) => {
  let found = [document];
  selector.split('>>>').forEach((part, i) => {
    found = found.flatMap((el) => {
      const root = i === 0 ? el : el.shadowRoot;
      return root ? Array.from(root.querySelectorAll(part.trim())) : [];
    });
  });
  return found.map((el) => ({
    text: (el.textContent || '').trim(),
    value: typeof el.value === 'string' ? el.value : null,
    checked: !!el.checked,
    disabled: !!el.disabled,
    attrs: Object.fromEntries(Array.from(el.attributes, (a) => [a.name, a.value])),
  }));
}`;
const readExpr = (selector: string) => `(${READ})(${JSON.stringify(selector)})`;
const presentExpr = (selector: string) => `(${READ})(${JSON.stringify(selector)}).length > 0`;

function chromiumPage(p: PlaywrightPage): DriverPage {
  // Playwright's CSS engine already pierces open shadow roots.
  const loc = (selector: string) => p.locator(selector.replace(/\s*>>>\s*/g, ' ')).first();
  return {
    goto: async (url) => void (await p.goto(url)),
    reload: async () => void (await p.reload()),
    click: (selector, timeout = DEFAULT_WAIT_MS) => loc(selector).click({ timeout }),
    focus: (selector, timeout = DEFAULT_WAIT_MS) => loc(selector).focus({ timeout }),
    fill: (selector, value) => loc(selector).fill(value),
    type: (text) => p.keyboard.type(text),
    press: (key) => p.keyboard.press(key),
    read: (selector) => p.evaluate(readExpr(selector)) as Promise<Found[]>,
    waitFor: async (selector, timeout = DEFAULT_WAIT_MS) => void (await p.waitForFunction(presentExpr(selector), undefined, { timeout, polling: 100 })),
    evaluate: (expression) => p.evaluate(expression),
    close: () => p.close(),
  };
}

function firefoxPage(p: PuppeteerPage): DriverPage {
  // Puppeteer's own waits for `>>>` selectors watch DOM mutations, which do not see into a shadow
  // root: poll instead.
  const waitFor = async (selector: string, timeout = DEFAULT_WAIT_MS) => void (await p.waitForFunction(presentExpr(selector), { timeout, polling: 100 }));
  const handle = async (selector: string, timeout?: number) => {
    await waitFor(selector, timeout);
    const h = await p.$(selector);
    if (!h) throw new Error(`${selector}: gone before it could be used`);
    return h;
  };
  /**
   * Navigations to an extension page never report their end over BiDi: they are started, then
   * polled until `condition` holds in a loaded document (an evaluation that lands mid-navigation
   * fails inside Firefox's BiDi code, and is retried).
   */
  const loaded = async (condition: string) => {
    for (const end = Date.now() + DEFAULT_WAIT_MS; ; await sleep(100)) {
      if (await p.evaluate(`${condition} && document.readyState === 'complete'`).catch(() => false)) return;
      if (Date.now() > end) throw new Error(`${condition}: no such loaded document after ${DEFAULT_WAIT_MS} ms`);
    }
  };
  return {
    async goto(url) {
      if (!url.startsWith('moz-extension:')) return void (await p.goto(url));
      void p.goto(url).catch(() => undefined);
      await loaded(`location.href === ${JSON.stringify(url)}`);
    },
    async reload() {
      // (p.url() misses navigations to extension pages: ask the document.)
      if (!((await p.evaluate('location.href')) as string).startsWith('moz-extension:')) return void (await p.reload());
      await p.evaluate(`window.__driverOldDocument = true; setTimeout(() => location.reload())`);
      await loaded('!window.__driverOldDocument');
    },
    click: async (selector, timeout) => (await handle(selector, timeout)).click(),
    focus: async (selector, timeout) => (await handle(selector, timeout)).focus(),
    fill: (selector, value) => p.locator(selector).fill(value),
    type: (text) => p.keyboard.type(text),
    press: (key) => p.keyboard.press(key),
    read: (selector) => p.evaluate(readExpr(selector)) as Promise<Found[]>,
    waitFor,
    evaluate: (expression) => p.evaluate(expression) as Promise<never>,
    close: () => p.close(),
  };
}

/** Builds the extension for `name` if needed and starts that browser with it installed. */
export async function launchExtensionBrowser(name: BrowserName): Promise<ExtensionBrowser> {
  if (name === 'chromium') {
    const s = await launchWithExtension(await ensureBuilt('chrome'));
    return {
      name,
      chromium: s,
      extensionUrl: (path) => `chrome-extension://${s.extensionId}/${path}`,
      leaked: s.leaked,
      servePage: (html) => s.servePage(html),
      newPage: async () => chromiumPage(await s.context.newPage()),
      close: () => s.close(),
    };
  }
  const s = await launchFirefoxWithExtension(await ensureBuilt('firefox'));
  return {
    name,
    extensionUrl: (path) => `${s.extensionBase}${path}`,
    leaked: s.leaked,
    servePage: (html) => s.servePage(html),
    newPage: async () => firefoxPage(await s.newPage()),
    close: () => s.close(),
  };
}
