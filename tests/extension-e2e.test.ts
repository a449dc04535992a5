/**
 * End to end, in both browsers the extension ships for, each real and headless with the built
 * extension installed: Chromium (playwright-core) and Firefox ESR (puppeteer-core over WebDriver
 * BiDi), one browser per suite, the same scenarios written once (scripts/lib/browser-driver.ts).
 * Stand-ins of the three ask-page variants are served at the real URL (no network), a question is
 * typed as a person would, the suggestion chips appear, a click (or Enter) adds the tag through
 * the page's own tag editor, and nothing leaves the browser. Also the popup, the options page, and
 * the lifecycle of a page or popup that comes back (reload, reopen).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BROWSERS, launchExtensionBrowser, type DriverPage, type ExtensionBrowser } from '../scripts/lib/browser-driver';
import { ASK_URL } from '../scripts/lib/extension';
import { REPO } from './helpers/paths';
import type { SuggestResponse } from '../src/extension/protocol';

const PAGES = join(REPO, 'tests/fixtures/ask-pages');
const askPage = (name: string) => readFileSync(join(PAGES, name), 'utf8');
const MODEL_VERSION = JSON.parse(readFileSync(join(REPO, 'models/tagsmith.json'), 'utf8')).version as string;

const TITLE = 'How do I merge two dictionaries in a single expression in Python?';
const BODY = 'I have two dictionaries x and y and want a new dict z with the values of y replacing those of x, in one expression, without changing x.';
const CSS_TITLE = 'How do I center a div horizontally and vertically with CSS flexbox?';
const CSS_BODY = 'My div stays at the top left of the page; I tried margin auto and text-align center.';

const ROW = 'tagsmith-suggestions >>>';
const CHIP = (tag: string) => `${ROW} button.ts-chip[data-tag="${tag}"]`;
const SUBMIT = 'button.ts-button[type="submit"]';
const CHIPS_MS = 60_000; // the first chips wait for the model to load (cold, on a busy 2-core CI box)
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** expect.poll with room for a slow machine (its default is 1 s). */
const poll = <T>(fn: () => Promise<T>, timeout = 10_000) => expect.poll(fn, { timeout, interval: 100 });

const chipNames = async (p: DriverPage) => (await p.read(`${ROW} button.ts-chip`)).map((f) => f.attrs['data-tag']);
const value = async (p: DriverPage, selector: string) => (await p.read(selector))[0]?.value;
const texts = async (p: DriverPage, selector: string) => (await p.read(selector)).map((f) => f.text);
const count = async (p: DriverPage, selector: string) => (await p.read(selector)).length;

describe.each(BROWSERS)('the extension in real %s', (browserName) => {
  let b: ExtensionBrowser;
  beforeAll(async () => {
    b = await launchExtensionBrowser(browserName);
  });
  afterAll(async () => {
    await b?.close();
  });

  async function openAsk(html: string): Promise<DriverPage> {
    b.servePage(html);
    const p = await b.newPage();
    await p.goto(ASK_URL);
    return p;
  }
  async function openExtensionPage(path: string): Promise<DriverPage> {
    const p = await b.newPage();
    await p.goto(b.extensionUrl(path));
    return p;
  }
  async function typeQuestion(p: DriverPage, title: string, body: string, text = { title: TITLE, body: BODY }) {
    await p.click(title); // the fields mount late: click waits for them
    await p.type(text.title);
    await p.click(body);
    await p.type(text.body);
  }
  async function askPopup(p: DriverPage, title: string, body: string, expected: string) {
    await p.fill('input[name="title"]', title);
    await p.fill('textarea[name="body"]', body);
    await p.click(SUBMIT);
    await poll(() => texts(p, '.ts-tag-name'), CHIPS_MS).toContain(expected);
    expect(await count(p, '.ts-error')).toBe(0);
  }

  // First, while the model is cold: the model worker answers from the head's files while the
  // encoder's own worker is still starting onnxruntime-web (~0.4 s against ~1.1 s in both browsers
  // on the test machine: bench:browser), then the whole model answers the same question.
  it('a fresh browser answers first from the TF-IDF block while the encoder loads, then with the full model', async () => {
    const p = await openExtensionPage('options.html');
    const send = (m: unknown) => p.evaluate(`(globalThis.browser || globalThis.chrome).runtime.sendMessage(${JSON.stringify(m)})`) as Promise<{ ok: boolean; value: SuggestResponse }>;
    const request = { title: TITLE, body: BODY, bodyFormat: 'markdown', k: 5, provisional: true };
    const first = await send({ target: 'background', type: 'suggest', instance: 'e2e-cold', seq: 1, request });
    expect(first).toMatchObject({ ok: true, value: { provisional: true, model: { version: MODEL_VERSION } } });
    expect(first.value.tags.map((t) => t.name)).toContain('python');
    expect(await send({ target: 'background', type: 'warmup' })).toMatchObject({ ok: true, value: { state: 'ready', phases: { headMs: expect.any(Number) } } });
    const full = await send({ target: 'background', type: 'suggest', instance: 'e2e-cold', seq: 2, request });
    expect(full.ok).toBe(true);
    expect(full.value.provisional).toBeUndefined();
    expect(full.value.tags[0].name).toBe('python');
    await p.close();
  });

  it('classic form, markdown textarea: chips appear, a click adds the tag, the 5-tag limit holds', async () => {
    const p = await openAsk(askPage('classic-textarea.html'));
    await typeQuestion(p, '#title', 'textarea#wmd-input');
    await p.waitFor(CHIP('python'), CHIPS_MS);
    await poll(async () => (await p.read(`${ROW} .ts-bar`))[0]?.attrs['data-state']).toBe('chips');
    expect((await p.read(`${ROW} .ts-bar`))[0].attrs['data-provisional']).toBeUndefined(); // the model is loaded: full answers
    const chips = await chipNames(p);
    expect(chips.length).toBeGreaterThan(0);
    expect(chips.length).toBeLessThanOrEqual(5);
    expect((await texts(p, `${ROW} .ts-score`))[0]).toMatch(/^\d{1,3}%$/);

    await p.click(CHIP('python'));
    await poll(() => value(p, '#tagnames')).toBe('python');
    await poll(() => texts(p, '.js-tag-editor .s-tag')).toEqual([expect.stringMatching(/^python/)]);
    await poll(() => chipNames(p)).not.toContain('python'); // a tag on the question is not suggested

    // The page's own editor takes four more tags: the row then refuses to add a sixth.
    await p.click('#tageditor-replacing-tagnames--input');
    for (const t of ['java', 'c#', 'php', 'ruby']) await p.type(`${t} `);
    await poll(() => value(p, '#tagnames')).toBe('python java c# php ruby');
    await poll(async () => (await p.read(`${ROW} .ts-bar`))[0]?.attrs['data-state']).toMatch(/chips|abstain/);
    await poll(async () => (await texts(p, `${ROW} .ts-status`))[0] ?? '').toMatch(/5 tags/);
    expect(await count(p, `${ROW} button.ts-chip:not([disabled])`)).toBe(0);
    await p.close();
  });

  it('classic form, Stacks Editor (backing field changes without events): chips appear, a click adds the tag', async () => {
    const p = await openAsk(askPage('classic-stacks-editor.html'));
    await typeQuestion(p, '#title', '.js-stacks-editor-container .js-editor.ProseMirror[contenteditable="true"]');
    await poll(() => value(p, 'textarea[name="post-text"]')).toContain('two dictionaries');
    await p.waitFor(CHIP('python'), CHIPS_MS);
    await p.click(CHIP('python'));
    await poll(() => value(p, '#tagnames')).toBe('python');
    await p.close();
  });

  it('Ask Wizard (Svelte): chips appear, Enter on a focused chip adds the tag through the wizard', async () => {
    const p = await openAsk(askPage('wizard.html'));
    await typeQuestion(p, '#post-title-input', '#editor-container-question [contenteditable="true"]');
    await p.waitFor(CHIP('python'), CHIPS_MS);
    await p.focus(CHIP('python'));
    await p.press('Enter');
    // The wizard's chip text is its first text node (the dismiss button's label follows).
    const wizardTags = () => p.evaluate<string[]>(`Array.from(document.querySelectorAll('#text-input-container .s-tag'), (e) => (e.firstChild && e.firstChild.textContent || '').trim())`);
    await poll(wizardTags).toEqual(['python']);
    await poll(() => chipNames(p)).not.toContain('python');
    await p.close();
  });

  it('the options page hides the row and brings it back', async () => {
    const p = await openAsk(askPage('classic-textarea.html'));
    await typeQuestion(p, '#title', 'textarea#wmd-input');
    await p.waitFor(CHIP('python'), CHIPS_MS);
    const showPanel = 'input[name="showPanel"]';
    const checked = async (page: DriverPage) => (await page.read(showPanel))[0]?.checked;
    let opts = await openExtensionPage('options.html');
    await poll(() => checked(opts)).toBe(true);
    await opts.click(showPanel);
    await poll(() => count(p, `${ROW} .ts-bar`)).toBe(0);
    await opts.click(showPanel);
    await poll(() => checked(opts)).toBe(true);
    await p.click('#title');
    await p.press('End');
    await p.type(' quickly');
    await p.waitFor(CHIP('python'), 30_000);
    // The × on the row hides it too (and the options page, opened afresh, shows it unticked).
    await p.click(`${ROW} button.ts-hide`);
    await poll(() => count(p, `${ROW} .ts-bar`)).toBe(0);
    await opts.close();
    opts = await openExtensionPage('options.html');
    await poll(() => checked(opts)).toBe(false);
    await opts.click(showPanel);
    await poll(() => checked(opts)).toBe(true);
    await opts.close();
    await p.close();
  });

  it('the popup form answers from the same worker, with the model version and timings', async () => {
    const p = await openExtensionPage('popup.html');
    await askPopup(p, TITLE, BODY, 'python');
    expect((await texts(p, '.ts-tag-name'))[0]).toBe('python');
    await poll(async () => (await texts(p, '[data-testid="model-status"]'))[0]).toContain(`model ${MODEL_VERSION}`);
    expect((await texts(p, '[data-testid="model-status"]'))[0]).toMatch(/loaded in \d+ ms/);
    // Chrome's extension pages are cross-origin isolated (manifest COOP/COEP): two WASM threads in
    // the offscreen document's Worker; Firefox ignores those keys: one thread.
    expect((await texts(p, '[data-testid="model-status"]'))[0]).toMatch(
      // Chrome: in the encoder's own worker; Firefox: in the model worker (src/extension/model/worker.ts, ENCODER_IN_MODEL_WORKER)
      browserName === 'firefox' ? /onnxruntime-web 1\.\d+\.\d+ \(wasm, 1 thread\)(?!, in its own worker)/ : /onnxruntime-web 1\.\d+\.\d+ \(wasm, 2 threads\), in its own worker/,
    );
    // the head's dense scores run in WebAssembly SIMD in the worker (the CSP allows 'wasm-unsafe-eval')
    expect((await texts(p, '[data-testid="model-status"]'))[0]).toContain('head wasm-simd');
    expect((await texts(p, '.ts-meta'))[0]).toMatch(/ms computing/);
    // A second question from the same popup (after it re-rendered with the model status) is answered too.
    await askPopup(p, CSS_TITLE, CSS_BODY, 'css');
    await p.close();
  });

  // Issue #13: requests are sequenced per page load / popup opening, so one that comes back starts a
  // fresh sequence instead of having every request dropped as overtaken by its predecessor's.
  it('a reloaded ask page gets chips again after its previous load sent many requests', async () => {
    const p = await openAsk(askPage('classic-textarea.html'));
    await p.click('#title');
    for (const word of TITLE.split(' ')) {
      await p.type(`${word} `);
      await sleep(300); // past the row's 250 ms debounce: one request per word
    }
    await p.waitFor(CHIP('python'), CHIPS_MS);
    await p.reload();
    await typeQuestion(p, '#title', 'textarea#wmd-input', { title: CSS_TITLE, body: CSS_BODY });
    await p.waitFor(CHIP('css'), 30_000);
    expect(await chipNames(p)).not.toContain('python');
    await p.close();
  });

  // The toolbar popup has no tab: the background knows it by its URL, the same for every opening.
  // Here the popup is a tab, known by its tab: reopening it in the same tab (a reload) is what gives
  // the background the same sender as before.
  it('a reopened popup answers after the previous one asked several questions', async () => {
    const p = await openExtensionPage('popup.html');
    await askPopup(p, TITLE, BODY, 'python');
    await askPopup(p, CSS_TITLE, CSS_BODY, 'css');
    await askPopup(p, TITLE, `${BODY} Python 3.`, 'python');
    await p.reload();
    expect(await texts(p, '.ts-tag-name')).toEqual([]); // a fresh popup
    await askPopup(p, CSS_TITLE, CSS_BODY, 'css');
    await p.close();
  });

  // Chromium only: there the background is a service worker that Chrome stops when idle, and the
  // model lives in an offscreen document to survive that. Firefox has neither: its background is an
  // event page that owns the model's Worker itself, so there is no separate restart to test.
  if (browserName === 'chromium') {
    it('the model survives a restart of the background service worker (it lives in the offscreen document)', async () => {
      const s = b.chromium!;
      const p = await s.context.newPage();
      await p.goto(b.extensionUrl('options.html'));
      const send = (m: unknown) => p.evaluate(`chrome.runtime.sendMessage(${JSON.stringify(m)})`) as Promise<{ ok: boolean; value: { state: string; loadMs?: number } }>;
      const before = await send({ target: 'background', type: 'warmup' });
      expect(before.value.state).toBe('ready');
      await s.serviceWorker.evaluate(() => {
        (globalThis as { __alive?: number }).__alive = 1;
      });
      const cdp = await s.context.newCDPSession(p);
      await cdp.send('ServiceWorker.enable');
      await cdp.send('ServiceWorker.stopAllWorkers');
      const after = await send({ target: 'background', type: 'status' }); // wakes a fresh service worker
      const sw = s.context.serviceWorkers().at(-1)!;
      expect(await sw.evaluate(() => (globalThis as { __alive?: number }).__alive)).toBeUndefined(); // really restarted
      expect(after.value).toEqual(before.value); // same model, same load: not loaded again
      await p.close();
    });
  }

  it('sent nothing over the network (and the guard does catch a request, from a page and from the extension)', async () => {
    expect(b.leaked).toEqual([]);
    const p = await openAsk('<!doctype html><title>probe</title>');
    await p.evaluate(`fetch('https://example.com/probe').catch(() => undefined)`);
    const opts = await openExtensionPage('options.html');
    await opts.evaluate(`fetch('https://example.org/probe').catch(() => undefined)`);
    expect(b.leaked).toEqual([expect.stringMatching(/^https:\/\/example\.com[:/]/), expect.stringMatching(/^https:\/\/example\.org[:/]/)]);
    b.leaked.length = 0;
    await opts.close();
    await p.close();
  });
});
