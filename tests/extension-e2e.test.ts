/**
 * End to end, in a real headless Chromium with the built extension loaded: stand-ins of the three
 * ask-page variants are served at the real URL (route fulfilment, no network), a question is typed
 * as a person would, the suggestion chips appear, a click (or Enter) adds the tag through the
 * page's own tag editor, and nothing leaves the browser. Also the popup and the options page.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ASK_URL, chipNames, ensureBuilt, launchWithExtension, type ExtensionSession } from '../scripts/lib/extension';
import { REPO } from './helpers/paths';

const PAGES = join(REPO, 'tests/fixtures/ask-pages');
const page = (name: string) => readFileSync(join(PAGES, name), 'utf8');
const MODEL_VERSION = JSON.parse(readFileSync(join(REPO, 'models/tagsmith.json'), 'utf8')).version as string;

const TITLE = 'How do I merge two dictionaries in a single expression in Python?';
const BODY = 'I have two dictionaries x and y and want a new dict z with the values of y replacing those of x, in one expression, without changing x.';

let s: ExtensionSession;
beforeAll(async () => {
  s = await launchWithExtension(await ensureBuilt('chrome'));
});
afterAll(async () => {
  await s?.close();
});

async function openAsk(html: string): Promise<Page> {
  s.servePage(html);
  const p = await s.context.newPage();
  await p.goto(ASK_URL);
  return p;
}

const CHIP = (tag: string) => `tagsmith-suggestions button.ts-chip[data-tag="${tag}"]`;

async function typeQuestion(p: Page, title: string, body: string) {
  await p.locator(title).click(); // the fields mount late: click waits for them
  await p.keyboard.type(TITLE);
  await p.locator(body).click();
  await p.keyboard.type(BODY);
}

describe('suggestions on the ask page (real Chromium, built extension)', () => {
  it('classic form, markdown textarea: chips appear, a click adds the tag, the 5-tag limit holds', async () => {
    const p = await openAsk(page('classic-textarea.html'));
    await typeQuestion(p, '#title', 'textarea#wmd-input');
    await p.locator(CHIP('python')).waitFor({ timeout: 60_000 });
    const chips = await chipNames(p);
    expect(chips.length).toBeGreaterThan(0);
    expect(chips.length).toBeLessThanOrEqual(5);
    expect(await p.locator('tagsmith-suggestions .ts-score').first().textContent()).toMatch(/^\d{1,3}%$/);

    await p.locator(CHIP('python')).click();
    await expect.poll(() => p.locator('#tagnames').inputValue()).toBe('python');
    await expect.poll(() => p.locator('.js-tag-editor .s-tag').allInnerTexts()).toEqual([expect.stringMatching(/^python/)]);
    await expect.poll(() => chipNames(p)).not.toContain('python'); // a tag on the question is not suggested

    // The page's own editor takes four more tags: the row then refuses to add a sixth.
    await p.locator('#tageditor-replacing-tagnames--input').click();
    for (const t of ['java', 'c#', 'php', 'ruby']) await p.keyboard.type(`${t} `);
    await expect.poll(() => p.locator('#tagnames').inputValue()).toBe('python java c# php ruby');
    await expect.poll(() => p.locator('tagsmith-suggestions .ts-bar').getAttribute('data-state')).toMatch(/chips|abstain/);
    await expect.poll(async () => (await p.locator('tagsmith-suggestions .ts-status').textContent()) ?? '').toMatch(/5 tags/);
    const enabled = await p.locator('tagsmith-suggestions button.ts-chip:not([disabled])').count();
    expect(enabled).toBe(0);
    await p.close();
  });

  it('classic form, Stacks Editor (backing field changes without events): chips appear, a click adds the tag', async () => {
    const p = await openAsk(page('classic-stacks-editor.html'));
    await typeQuestion(p, '#title', '.js-stacks-editor-container .js-editor.ProseMirror[contenteditable="true"]');
    await expect.poll(() => p.locator('textarea[name="post-text"]').inputValue()).toContain('two dictionaries');
    await p.locator(CHIP('python')).waitFor({ timeout: 60_000 });
    await p.locator(CHIP('python')).click();
    await expect.poll(() => p.locator('#tagnames').inputValue()).toBe('python');
    await p.close();
  });

  it('Ask Wizard (Svelte): chips appear, Enter on a focused chip adds the tag through the wizard', async () => {
    const p = await openAsk(page('wizard.html'));
    await typeQuestion(p, '#post-title-input', '#editor-container-question [contenteditable="true"]');
    await p.locator(CHIP('python')).waitFor({ timeout: 60_000 });
    await p.locator(CHIP('python')).focus();
    await p.keyboard.press('Enter');
    const chipText = () => p.locator('#text-input-container .s-tag').evaluateAll((els) => els.map((e) => e.firstChild?.textContent?.trim()));
    await expect.poll(chipText).toEqual(['python']);
    await expect.poll(() => chipNames(p)).not.toContain('python');
    await p.close();
  });

  it('the options page hides the row and brings it back', async () => {
    const p = await openAsk(page('classic-textarea.html'));
    await typeQuestion(p, '#title', 'textarea#wmd-input');
    await p.locator(CHIP('python')).waitFor({ timeout: 60_000 });
    const opts = await s.context.newPage();
    await opts.goto(`chrome-extension://${s.extensionId}/options.html`);
    await opts.locator('input[name="showPanel"]').uncheck();
    await expect.poll(() => p.locator('tagsmith-suggestions .ts-bar').count()).toBe(0);
    await opts.locator('input[name="showPanel"]').check();
    await p.locator('#title').press('End');
    await p.keyboard.type(' quickly');
    await p.locator(CHIP('python')).waitFor({ timeout: 30_000 });
    // The × on the row hides it too (and the options page shows it unticked).
    await p.locator('tagsmith-suggestions button.ts-hide').click();
    await expect.poll(() => p.locator('tagsmith-suggestions .ts-bar').count()).toBe(0);
    await opts.reload();
    expect(await opts.locator('input[name="showPanel"]').isChecked()).toBe(false);
    await opts.locator('input[name="showPanel"]').check();
    await opts.close();
    await p.close();
  });

  it('the popup form answers from the same worker, with the model version and timings', async () => {
    const p = await s.context.newPage();
    await p.goto(`chrome-extension://${s.extensionId}/popup.html`);
    await p.locator('input[name="title"]').fill(TITLE);
    await p.locator('textarea[name="body"]').fill(BODY);
    await p.getByRole('button', { name: 'Suggest tags' }).click();
    await expect.poll(() => p.locator('.ts-tag-name').allInnerTexts(), { timeout: 60_000 }).toContain('python');
    expect((await p.locator('.ts-tag-name').allInnerTexts())[0]).toBe('python');
    await expect.poll(() => p.locator('[data-testid="model-status"]').textContent()).toContain(`model ${MODEL_VERSION}`);
    expect(await p.locator('[data-testid="model-status"]').textContent()).toMatch(/loaded in \d+ ms/);
    expect(await p.locator('.ts-meta').textContent()).toMatch(/ms computing/);
    // A second question from the same popup (after it re-rendered with the model status) is answered too.
    await p.locator('input[name="title"]').fill('How do I center a div horizontally and vertically with CSS flexbox?');
    await p.locator('textarea[name="body"]').fill('My div stays at the top left of the page; I tried margin auto and text-align center.');
    await p.getByRole('button', { name: 'Suggest tags' }).click();
    await expect.poll(() => p.locator('.ts-tag-name').allInnerTexts(), { timeout: 30_000 }).toContain('css');
    expect(await p.locator('.ts-error').count()).toBe(0);
    await p.close();
  });

  it('the model survives a restart of the background service worker (it lives in the offscreen document)', async () => {
    const p = await s.context.newPage();
    await p.goto(`chrome-extension://${s.extensionId}/options.html`);
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

  it('sent nothing over the network (and the guard does catch a request)', async () => {
    expect(s.leaked).toEqual([]);
    const p = await openAsk('<!doctype html><title>probe</title>');
    await p.evaluate(() => fetch('https://example.com/probe').catch(() => undefined));
    expect(s.leaked).toEqual(['https://example.com/probe']);
    s.leaked.length = 0;
    await p.close();
  });
});
