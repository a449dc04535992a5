/**
 * Stack Overflow's real editor (`@stackoverflow/stacks-editor`, with Stacks CSS) in the classic
 * form stand-in (scripts/demo/ask-page.ts), served at the ask URL in real headless Chromium with
 * the built extension: the ClassicAskPage adapter (injected into the page as a bundle) reads the
 * body as the author types with the keyboard, in rich-text and markdown mode and across switches;
 * the suggestion row appears and a chip click adds the tag through the stand-in's tag editor.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { realStacksEditorPage } from '../scripts/demo/ask-page';
import { ASK_URL, chipNames, ensureBuilt, launchWithExtension, type ExtensionSession } from '../scripts/lib/extension';
import { CLASSIC } from '../src/extension/page/selectors';
import { pageAdaptersScript } from './helpers/page-adapters';

const RICH = CLASSIC.bodyRichText;
const MARKDOWN_CODE = CLASSIC.bodyMarkdownView;
const BACKING = 'textarea[name="post-text"]';
const toMode = (p: Page, mode: 'rich' | 'markdown') => p.locator(`label[for^="mode-toggle-${mode}-"]`).click();

let s: ExtensionSession;
let html: string;

beforeAll(async () => {
  const [dir, page, adapters] = await Promise.all([
    ensureBuilt('chrome'),
    realStacksEditorPage(),
    pageAdaptersScript(),
  ]);
  html = page;
  s = await launchWithExtension(dir);
  // the adapters in the page's own world, beside the extension's content script (isolated world)
  await s.context.addInitScript({ content: adapters });
});
afterAll(async () => {
  await s?.close();
});

declare global {
  interface Window {
    TagsmithPages: typeof import('../src/extension/page');
    __changes: number;
  }
}

async function openAsk(page: string): Promise<Page> {
  s.servePage(page);
  const p = await s.context.newPage();
  await p.goto(ASK_URL);
  await p.waitForFunction(() => window.TagsmithPages.detectAskPage(document)?.variant === 'classic');
  await p.evaluate(() => {
    window.__changes = 0;
    window.TagsmithPages.detectAskPage(document)!.observe(() => window.__changes++);
  });
  return p;
}

const read = (p: Page) => p.evaluate(() => window.TagsmithPages.detectAskPage(document)!.read());
const changes = (p: Page) => p.evaluate(() => window.__changes);

describe("Stack Overflow's real Stacks Editor on the classic form (Chromium)", () => {
  it('reads the body as it is typed, in rich text, in markdown and across mode switches', async () => {
    const p = await openAsk(html);
    await p.locator('#title').click();
    await p.keyboard.type('Merge two dicts');
    await p.locator(RICH).click();
    await p.keyboard.type('First paragraph.');
    await p.keyboard.press('Enter');
    await p.keyboard.type('Second paragraph.');
    // rich text: the editor writes the markdown to the hidden field, silently; observe() still fires
    await expect.poll(() => read(p)).toEqual({ title: 'Merge two dicts', body: 'First paragraph.\n\nSecond paragraph.', bodyFormat: 'markdown' });
    const seen = await changes(p);
    expect(seen).toBeGreaterThan(0);

    // markdown mode: the editor's own markdown view, then typed into
    await toMode(p, 'markdown');
    await p.locator(MARKDOWN_CODE).click();
    await p.keyboard.press('Control+End');
    await p.keyboard.type(' **More.**');
    await p.keyboard.press('Enter');
    await p.keyboard.press('Enter');
    await p.keyboard.type('- a list');
    const markdown = 'First paragraph.\n\nSecond paragraph. **More.**\n\n- a list';
    await expect.poll(() => read(p)).toEqual({ title: 'Merge two dicts', body: markdown, bodyFormat: 'markdown' });
    expect(await p.locator(BACKING).inputValue()).toBe(markdown);
    expect(await changes(p)).toBeGreaterThan(seen);

    // back to rich text: bold and a list item rendered, and typing there is read too
    await toMode(p, 'rich');
    await p.locator(`${RICH} li`).click();
    await p.keyboard.press('End');
    await p.keyboard.type(' item');
    await expect.poll(async () => (await read(p)).body).toBe('First paragraph.\n\nSecond paragraph. **More.**\n\n- a list item');
    expect(await p.locator(`${RICH} strong`).textContent()).toBe('More.');
    await p.close();
  });

  it("reads the rich-text view itself when the field is not kept up to date, without the code block's language picker", async () => {
    const p = await openAsk(html.replace('<html lang="en">', '<html lang="en" data-backing="none">'));
    await p.locator(RICH).click();
    await p.keyboard.type('My loop never ends:');
    await p.keyboard.press('Enter');
    await p.keyboard.type('```'); // the editor's input rule turns this into a code block
    await p.keyboard.type('while True: pass');
    await p.locator(`${RICH} pre.s-code-block`).waitFor();
    expect(await p.locator(BACKING).inputValue()).toBe('');
    await expect.poll(() => read(p)).toEqual({ title: '', body: 'My loop never ends:\nwhile True: pass', bodyFormat: 'text' });
    await p.close();
  });

  it('shows the suggestion row as a question is typed, and a chip click adds the tag through the tag editor', async () => {
    const p = await openAsk(html);
    await p.locator('#title').click();
    await p.keyboard.type('How do I merge two dictionaries in a single expression in Python?');
    await p.locator(RICH).click();
    await p.keyboard.type('I have two dictionaries x and y and want a new dict z with the values of y replacing those of x.');
    const chip = p.locator('tagsmith-suggestions button.ts-chip[data-tag="python"]');
    await chip.waitFor({ timeout: 60_000 });
    expect((await chipNames(p)).length).toBeLessThanOrEqual(5);
    await chip.click();
    await expect.poll(() => p.locator('#tagnames').inputValue()).toBe('python');
    await expect.poll(() => p.locator('.js-tag-editor .s-tag').allInnerTexts()).toEqual([expect.stringMatching(/^python/)]);
    await expect.poll(() => chipNames(p)).not.toContain('python');
    expect(s.leaked).toEqual([]);
    await p.close();
  });
});
