/**
 * Builds the extension (once per source change, shared by every test file that needs it) and runs
 * it in a real headless Chromium (Debian's /usr/bin/chromium driven by playwright-core) with the
 * ask page served by route fulfilment and every other http(s) request refused and recorded.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page, type Worker } from 'playwright-core';
import { PACKAGE_ROOT as REPO } from '../../src/node/paths';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const OUTPUT = join(REPO, '.output');
export const ASK_URL = 'https://stackoverflow.com/questions/ask';

const SOURCES = ['entrypoints', 'src', 'models', 'public', 'wxt.config.ts', 'package-lock.json'];

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  return Math.max(st.mtimeMs, ...readdirSync(path).map((n) => newestMtime(join(path, n))));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * `.output/<browser>-mv3/`, built by `wxt build` unless a build newer than every source exists.
 * A lock directory keeps two test files from building at once.
 */
/** True when the lock records a pid that no longer runs (a lock without a pid yet is being taken: not gone). */
function lockOwnerGone(lock: string): boolean {
  let pid: number;
  try {
    pid = Number(readFileSync(join(lock, 'pid'), 'utf8'));
  } catch {
    return false;
  }
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

export async function ensureBuilt(browser: 'chrome' | 'firefox'): Promise<string> {
  const dir = join(OUTPUT, `${browser}-mv3`);
  const stamp = join(OUTPUT, `.${browser}.built`);
  const lock = join(REPO, '.cache', `wxt-build-${browser}.lock`);
  mkdirSync(join(REPO, '.cache'), { recursive: true });
  for (let waited = 0; ; waited += 500) {
    try {
      mkdirSync(lock);
      writeFileSync(join(lock, 'pid'), String(process.pid));
      break;
    } catch {
      // A lock left by a killed process (its pid is gone) would otherwise stall every later run
      // for 10 minutes without a word: take it over.
      if (lockOwnerGone(lock)) {
        rmSync(lock, { recursive: true, force: true });
        continue;
      }
      if (waited > 600_000) throw new Error(`${lock} held for 10 minutes: remove it if no build is running`);
      await sleep(500);
    }
  }
  try {
    const built = existsSync(stamp) ? Number(readFileSync(stamp, 'utf8')) : 0;
    if (!existsSync(join(dir, 'manifest.json')) || built < Math.max(...SOURCES.map((s) => newestMtime(join(REPO, s))))) {
      const started = Date.now();
      execFileSync(process.execPath, [join(REPO, 'node_modules/wxt/bin/wxt.mjs'), 'build', '-b', browser], { cwd: REPO, stdio: 'pipe', env: { ...process.env, CI: 'true' } });
      writeFileSync(stamp, String(started));
    }
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
  return dir;
}

export interface ExtensionSession {
  context: BrowserContext;
  extensionId: string;
  serviceWorker: Worker;
  /** Every http(s) URL the browser tried to reach other than the routed ask page. */
  leaked: string[];
  /** Serves `html` at the ask page URL from now on. */
  servePage(html: string): void;
  close(): Promise<void>;
}

export async function launchWithExtension(extensionDir: string): Promise<ExtensionSession> {
  const profile = mkdtempSync(join(tmpdir(), 'tagsmith-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      `--disable-extensions-except=${extensionDir}`,
      `--load-extension=${extensionDir}`,
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
    ],
  });
  const leaked: string[] = [];
  let html = '<!doctype html><title>no page</title>';
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith(ASK_URL)) return route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: html });
    if (!/^https?:/i.test(url)) return route.continue(); // chrome-extension://, data:, blob: stay in the browser
    if (!leaked.includes(url)) leaked.push(url);
    return route.abort('blockedbyclient');
  });
  context.on('request', (req) => {
    const url = req.url();
    if (/^https?:/i.test(url) && !url.startsWith(ASK_URL) && !leaked.includes(url)) leaked.push(url);
  });
  let serviceWorker: Worker;
  try {
    serviceWorker = context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker', { timeout: 30_000 }));
  } catch (err) {
    // the extension never started: leave no browser or profile behind
    await context.close().catch(() => undefined);
    rmSync(profile, { recursive: true, force: true });
    throw err;
  }
  const extensionId = new URL(serviceWorker.url()).host;
  return {
    context,
    extensionId,
    serviceWorker,
    leaked,
    servePage(next) {
      html = next;
    },
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** The suggestion chips currently shown on `page` (inside the extension's shadow root). */
export async function chipNames(page: Page): Promise<string[]> {
  return page.locator('tagsmith-suggestions button.ts-chip').evaluateAll((els) => els.map((e) => e.getAttribute('data-tag') ?? ''));
}
