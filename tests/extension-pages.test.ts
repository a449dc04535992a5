/**
 * The ask-page adapters in a real browser, without the extension: each stand-in page is served at
 * https://stackoverflow.com/questions/ask (route fulfilment, no network), the adapter bundle is
 * injected, a question is typed with the keyboard, and `addTag` must get the tag through the
 * page's own scripts. Proves the adapters and the stand-ins agree in Chromium, not only in happy-dom.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { ASK_URL, CHROMIUM } from '../scripts/lib/extension';
import { pageAdaptersScript } from './helpers/page-adapters';
import { REPO } from './helpers/paths';

const PAGES = join(REPO, 'tests/fixtures/ask-pages');

let browser: Browser;
let bundle: string;

beforeAll(async () => {
  bundle = await pageAdaptersScript();
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
  });
});

afterAll(async () => {
  await browser?.close();
});

interface Opened {
  page: Page;
  /** Every request the page made that was not the routed ask page. */
  stray: string[];
  close(): Promise<void>;
}

async function open(file: string): Promise<Opened> {
  const context = await browser.newContext();
  const stray: string[] = [];
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith(ASK_URL)) return route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: readFileSync(join(PAGES, file), 'utf8') });
    stray.push(url);
    return route.abort();
  });
  await context.addInitScript({ content: bundle });
  const page = await context.newPage();
  await page.goto(ASK_URL);
  return { page, stray, close: () => context.close() };
}

declare global {
  interface Window {
    TagsmithPages: typeof import('../src/extension/page');
    __changes: number;
  }
}

/** Waits for the adapter, then counts its observe() callbacks in `window.__changes`. */
async function adapterReady(page: Page, variant: 'classic' | 'wizard'): Promise<void> {
  expect(await page.evaluate(() => window.TagsmithPages.detectAskPage(document))).toBeNull(); // not mounted yet
  await page.waitForFunction(() => window.TagsmithPages.detectAskPage(document) !== null);
  expect(await page.evaluate(() => window.TagsmithPages.detectAskPage(document)!.variant)).toBe(variant);
  await page.evaluate(() => {
    window.__changes = 0;
    window.TagsmithPages.detectAskPage(document)!.observe(() => window.__changes++);
  });
}

const read = (page: Page) => page.evaluate(() => window.TagsmithPages.detectAskPage(document)!.read());
const addTag = (page: Page, name: string) => page.evaluate((n) => window.TagsmithPages.detectAskPage(document)!.addTag(n), name);
const currentTags = (page: Page) => page.evaluate(() => window.TagsmithPages.detectAskPage(document)!.currentTags());
const changes = (page: Page) => page.evaluate(() => window.__changes);

describe('stand-in ask pages in Chromium', () => {
  it('classic form with the textarea: typing is seen, addTag goes through the jQuery-like tag editor', async () => {
    const { page, stray, close } = await open('classic-textarea.html');
    try {
      await adapterReady(page, 'classic');
      await page.click('#title');
      await page.keyboard.type('How to merge two dicts in Python?');
      await page.waitForFunction(() => window.__changes > 0);
      await page.click('#wmd-input');
      await page.keyboard.type('I have two dicts.');
      await page.keyboard.press('Enter');
      await page.keyboard.press('Enter');
      await page.keyboard.type('    z = {**x, **y}');
      expect(await read(page)).toEqual({ title: 'How to merge two dicts in Python?', body: 'I have two dicts.\n\n    z = {**x, **y}', bodyFormat: 'markdown' });

      expect(await addTag(page, 'Python')).toEqual({ accepted: true });
      expect(await addTag(page, 'dictionary')).toEqual({ accepted: true });
      expect(await page.inputValue('#tagnames')).toBe('python dictionary');
      expect(await page.locator('.js-tag-editor .s-tag').allTextContents()).toEqual(['python', 'dictionary']);
      // the author keeps typing tags by hand; the adapter sees them
      await page.click('#tageditor-replacing-tagnames--input');
      await page.keyboard.type('merge ');
      expect(await currentTags(page)).toEqual(['python', 'dictionary', 'merge']);
      for (const t of ['python-3.x', 'json']) expect((await addTag(page, t)).accepted).toBe(true);
      const full = await addTag(page, 'django');
      expect(full.accepted).toBe(false);
      expect(full.reason).toMatch(/5 tags/);
      expect(stray).toEqual([]);
    } finally {
      await close();
    }
  });

  it('classic form with the Stacks Editor: markdown from the silent backing field, mode switch, addTag', async () => {
    const { page, stray, close } = await open('classic-stacks-editor.html');
    try {
      await adapterReady(page, 'classic');
      await page.click('#title');
      await page.keyboard.type('Merge two dicts');
      await page.click('.js-stacks-editor-container .js-editor.ProseMirror[contenteditable="true"]');
      await page.keyboard.type('First paragraph.');
      await page.keyboard.press('Enter');
      await page.keyboard.type('Second paragraph.');
      const before = await changes(page);
      await page.waitForFunction(() => (document.querySelector('textarea[name="post-text"]') as HTMLTextAreaElement).value.includes('Second paragraph.'));
      expect(await read(page)).toEqual({ title: 'Merge two dicts', body: 'First paragraph.\n\nSecond paragraph.', bodyFormat: 'markdown' });
      await page.waitForFunction((n) => window.__changes > n, before);

      // markdown mode: a new ProseMirror holding the markdown source; typing there is seen too
      await page.click('.js-editor-toggle-state');
      await page.waitForSelector('.js-stacks-editor-container pre.s-code-block.markdown > code');
      await page.click('.js-stacks-editor-container pre.s-code-block.markdown > code');
      await page.keyboard.press('Control+End');
      await page.keyboard.type(' **More.**');
      await page.keyboard.press('Enter');
      await page.keyboard.press('Enter');
      await page.keyboard.type('- a list');
      await page.waitForFunction(() => (document.querySelector('textarea[name="post-text"]') as HTMLTextAreaElement).value.endsWith('- a list'));
      const markdown = 'First paragraph.\n\nSecond paragraph. **More.**\n\n- a list';
      expect(await page.inputValue('textarea[name="post-text"]')).toBe(markdown);
      expect(await read(page)).toEqual({ title: 'Merge two dicts', body: markdown, bodyFormat: 'markdown' });
      // and back to rich text: the markdown becomes blocks again, the backing field stays the same
      await page.click('.js-editor-toggle-state');
      await page.waitForSelector('.js-stacks-editor-container .js-editor.ProseMirror p');
      expect(await page.locator('.js-stacks-editor-container .js-editor.ProseMirror p').allTextContents()).toEqual(['First paragraph.', 'Second paragraph. **More.**', '- a list']);
      expect((await read(page)).body).toBe(markdown);

      expect(await addTag(page, 'dictionary')).toEqual({ accepted: true });
      expect(await page.inputValue('#tagnames')).toBe('dictionary');
      expect(stray).toEqual([]);
    } finally {
      await close();
    }
  });

  it('Ask Wizard: typing is seen, addTag goes through the Svelte-like search and chips', async () => {
    const { page, stray, close } = await open('wizard.html');
    try {
      await adapterReady(page, 'wizard');
      await page.click('#post-title-input');
      await page.keyboard.type('Sort a list of dicts by a key');
      await page.click('#editor-container-question [contenteditable="true"]');
      await page.keyboard.type('By one key.');
      await page.keyboard.press('Enter');
      await page.keyboard.type('Descending.');
      expect(await read(page)).toEqual({ title: 'Sort a list of dicts by a key', body: 'By one key.\nDescending.', bodyFormat: 'text' });

      expect(await addTag(page, 'python')).toEqual({ accepted: true });
      expect(await addTag(page, 'java')).toEqual({ accepted: true }); // exact result, not "javascript"
      expect(await page.locator('#text-input-container .s-tag').count()).toBe(2);
      expect(await currentTags(page)).toEqual(['python', 'java']);
      // by hand: type, pick the first result with Enter
      await page.click('#filterInput');
      await page.keyboard.type('sorting');
      await page.waitForSelector('#tag-searchResults [role="option"]');
      await page.keyboard.press('Enter');
      await page.waitForFunction(() => document.querySelectorAll('#text-input-container .s-tag').length === 3);
      expect(await currentTags(page)).toEqual(['python', 'java', 'sorting']);
      const unknown = await addTag(page, 'no-such-tag-xyz');
      expect(unknown.accepted).toBe(false);
      expect(stray).toEqual([]);
    } finally {
      await close();
    }
  });
});
