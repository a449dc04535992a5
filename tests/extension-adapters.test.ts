// @vitest-environment happy-dom
/**
 * The ask-page adapters against the stand-in pages (tests/fixtures/ask-pages), inline scripts and
 * all: the pages' own tag editors, Stacks Editor sync and Svelte-like tag field run here in
 * happy-dom, so `addTag` is verified against page behaviour, not against our own assumptions.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ClassicAskPage, WizardAskPage, blockText, chipName, detectAskPage, type AskPageAdapter } from '../src/extension/page';

// (not helpers/paths: happy-dom replaces the global URL, which that module uses)
const PAGES = join(dirname(fileURLToPath(import.meta.url)), 'fixtures/ask-pages');
type Page = 'classic-textarea' | 'classic-stacks-editor' | 'wizard';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(done: () => boolean, ms = 2000): Promise<void> {
  const end = Date.now() + ms;
  while (!done()) {
    if (Date.now() > end) throw new Error('timed out waiting for the page');
    await sleep(10);
  }
}

/** Replaces the document with a stand-in page and runs its inline script (fields mount after `mountDelay`). */
function open(page: Page, mountDelay = 0): void {
  const html = readFileSync(join(PAGES, `${page}.html`), 'utf8');
  const parsed = new DOMParser().parseFromString(html, 'text/html');
  document.documentElement.replaceChildren(document.importNode(parsed.head, true), document.importNode(parsed.body, true));
  document.documentElement.setAttribute('data-mount-delay', String(mountDelay));
  for (const script of Array.from(document.querySelectorAll('script'))) new Function(script.textContent ?? '')();
}

/** Opens a page and waits until its fields have mounted. */
async function mounted(page: Page): Promise<AskPageAdapter> {
  open(page);
  await until(() => detectAskPage(document) !== null && document.querySelector('#tagnames, #filterInput') !== null);
  return detectAskPage(document)!;
}

/** Types into a field the way the browser reports it: new value, then a bubbling input event. */
function type(el: HTMLInputElement | HTMLTextAreaElement, value: string): void {
  el.value = value;
  el.dispatchEvent(new Event('input', { bubbles: true }));
}

const $ = <T extends Element = HTMLElement>(sel: string) => document.querySelector<T>(sel)!;
const hiddenTags = () => $<HTMLInputElement>('#tagnames').value;

/** Calls recorded by an observe() callback. */
function recorder(adapter: AskPageAdapter) {
  const rec = { calls: 0, dispose: () => {} };
  rec.dispose = adapter.observe(() => rec.calls++);
  return rec;
}
let disposers: (() => void)[] = [];
afterEach(() => {
  for (const d of disposers) d();
  disposers = [];
});
function watch(adapter: AskPageAdapter) {
  const rec = recorder(adapter);
  disposers.push(rec.dispose);
  return rec;
}

describe('detectAskPage', () => {
  it('is null on a page without a title field, and before the ask form mounts', async () => {
    document.body.replaceChildren();
    const q = document.createElement('div');
    q.id = 'question-header';
    q.textContent = 'How do I parse JSON?';
    document.body.append(q);
    expect(detectAskPage(document)).toBeNull();

    open('classic-textarea', 150);
    expect(detectAskPage(document)).toBeNull();
    await until(() => detectAskPage(document) !== null);
    expect(detectAskPage(document)?.variant).toBe('classic');
  });

  it('tells the variants apart by their title field and returns the same adapter each time', async () => {
    expect((await mounted('classic-textarea')).variant).toBe('classic');
    expect((await mounted('classic-stacks-editor')).variant).toBe('classic');
    const wizard = await mounted('wizard');
    expect(wizard.variant).toBe('wizard');
    expect(wizard).toBeInstanceOf(WizardAskPage);
    expect(detectAskPage(document)).toBe(wizard);
    expect(wizard.maxTags).toBe(5);
  });
});

describe('classic form, markdown textarea', () => {
  it('reads the title and the markdown body', async () => {
    const page = await mounted('classic-textarea');
    expect(page.read()).toEqual({ title: '', body: '', bodyFormat: 'markdown' });
    type($('#title'), 'How to parse JSON in Python?');
    type($('#wmd-input'), 'I tried `json.loads`:\n\n    data = json.loads(s)');
    expect(page.read()).toEqual({ title: 'How to parse JSON in Python?', body: 'I tried `json.loads`:\n\n    data = json.loads(s)', bodyFormat: 'markdown' });
  });

  it('reads tags the author typed, from #tagnames and the chips', async () => {
    const page = await mounted('classic-textarea');
    const input = $<HTMLInputElement>('#tageditor-replacing-tagnames--input');
    input.value = 'Python';
    input.dispatchEvent(new KeyboardEvent('keydown', { key: ' ', bubbles: true, cancelable: true }));
    input.value = 'json';
    input.dispatchEvent(new KeyboardEvent('keydown', { key: ',', bubbles: true, cancelable: true }));
    expect(hiddenTags()).toBe('python json');
    expect(Array.from(document.querySelectorAll('.js-tag-editor .s-tag'), (c) => c.textContent)).toEqual(['python', 'json']);
    expect(page.currentTags()).toEqual(['python', 'json']);
    expect(page.anchor()).toBe($('.js-tag-editor'));
  });

  it('adds a tag through the page tag editor and verifies it', async () => {
    const page = await mounted('classic-textarea');
    expect(await page.addTag('Python')).toEqual({ accepted: true });
    expect(hiddenTags()).toBe('python');
    expect(document.querySelectorAll('.js-tag-editor .s-tag')).toHaveLength(1);
    expect($<HTMLInputElement>('#tageditor-replacing-tagnames--input').value).toBe('');
    // already there: a no-op success, no second chip
    expect(await page.addTag('python')).toEqual({ accepted: true });
    expect(hiddenTags()).toBe('python');
    expect(document.querySelectorAll('.js-tag-editor .s-tag')).toHaveLength(1);
  });

  it('refuses a sixth tag with a reason, and leaves the page alone', async () => {
    const page = await mounted('classic-textarea');
    for (const t of ['python', 'json', 'pandas', 'numpy', 'regex']) expect((await page.addTag(t)).accepted).toBe(true);
    expect(page.currentTags()).toEqual(['python', 'json', 'pandas', 'numpy', 'regex']);
    const r = await page.addTag('django');
    expect(r.accepted).toBe(false);
    expect(r.reason).toMatch(/5 tags/);
    expect(hiddenTags()).toBe('python json pandas numpy regex');
    expect($<HTMLInputElement>('#tageditor-replacing-tagnames--input').value).toBe('');
  });

  it('refuses names that are not tags', async () => {
    const page = await mounted('classic-textarea');
    const r = await page.addTag('machine learning');
    expect(r).toMatchObject({ accepted: false });
    expect(r.reason).toMatch(/not a valid tag/);
    expect(hiddenTags()).toBe('');
  });

  it('says so when the tag editor is missing or does not take the tag', async () => {
    const page = await mounted('classic-textarea');
    $('.js-tag-editor').remove();
    const missing = await page.addTag('python');
    expect(missing.accepted).toBe(false);
    expect(missing.reason).toMatch(/tag field is not on the page/);

    await mounted('classic-textarea');
    // A tag editor whose scripts are gone (a clone keeps no listeners): nothing commits the text.
    const box = $('.js-tag-editor');
    box.replaceWith(box.cloneNode(true));
    const dead = await new ClassicAskPage(document).addTag('python');
    expect(dead.accepted).toBe(false);
    expect(dead.reason).toMatch(/did not accept "python"/);
    expect(hiddenTags()).toBe('');
  });

  it('observe: fires for typing in the title and for new tags, and stops after dispose', async () => {
    const page = await mounted('classic-textarea');
    const rec = watch(page);
    await sleep(50);
    expect(rec.calls).toBe(0); // nothing changed yet
    type($('#title'), 'Parse JSON');
    await until(() => rec.calls === 1, 1000);
    await page.addTag('json');
    await until(() => rec.calls >= 2, 1000);
    rec.dispose();
    const seen = rec.calls;
    type($('#title'), 'Parse JSON in Python');
    $<HTMLTextAreaElement>('#wmd-input').value = 'changed';
    await sleep(700);
    expect(rec.calls).toBe(seen);
  });

  it('observe: fires when the form mounts late, with an anchor to mount on', async () => {
    open('classic-textarea', 200);
    const page = new ClassicAskPage(document);
    expect(page.anchor()).toBeNull();
    expect(page.read()).toEqual({ title: '', body: '', bodyFormat: 'markdown' });
    const rec = watch(page);
    await until(() => rec.calls > 0, 1500);
    expect(page.anchor()).toBe($('.js-tag-editor'));
  });
});

describe('classic form, Stacks Editor', () => {
  /** Types paragraphs into the rich-text view as DOM edits (what the browser does on typing). */
  function typeRich(paragraphs: string[], code?: string): void {
    const view = $('.js-stacks-editor-container .js-editor.ProseMirror[contenteditable="true"]');
    view.replaceChildren();
    for (const text of paragraphs) {
      const p = document.createElement('p');
      p.textContent = text;
      view.append(p);
    }
    if (code) {
      const pre = document.createElement('pre');
      pre.className = 's-code-block';
      const c = document.createElement('code');
      c.textContent = code;
      pre.append(c);
      view.append(pre);
    }
  }
  const backing = () => $<HTMLTextAreaElement>('textarea[name="post-text"]');

  it('reads the markdown from the hidden backing textarea the editor keeps in sync', async () => {
    const page = await mounted('classic-stacks-editor');
    type($('#title'), 'Merge two dicts');
    typeRich(['How do I merge two dicts?', 'I tried this:'], 'z = {**x, **y}');
    await until(() => backing().value !== '');
    const expected = 'How do I merge two dicts?\n\nI tried this:\n\n```\nz = {**x, **y}\n```';
    expect(backing().value).toBe(expected);
    expect(page.read()).toEqual({ title: 'Merge two dicts', body: expected, bodyFormat: 'markdown' });
  });

  it('falls back to the rich-text view as text when there is no backing field', async () => {
    const page = await mounted('classic-stacks-editor');
    backing().remove();
    typeRich(['First paragraph.', 'Second one.']);
    expect(page.read()).toEqual({ title: '', body: 'First paragraph.\nSecond one.', bodyFormat: 'text' });
  });

  it('reads the markdown view after a mode switch, which fires StacksEditor:view-change', async () => {
    const page = await mounted('classic-stacks-editor');
    typeRich(['Some **bold** text']);
    await until(() => backing().value !== '');
    const events: number[] = [];
    $('.js-stacks-editor-container').addEventListener('StacksEditor:view-change', (e) => events.push((e as CustomEvent).detail.editorType));
    $<HTMLInputElement>('.js-editor-toggle-state').click();
    expect(events).toEqual([1]);
    expect($('.js-stacks-editor-container pre.s-code-block.markdown > code').textContent).toBe('Some **bold** text');
    backing().remove();
    expect(page.read()).toEqual({ title: '', body: 'Some **bold** text', bodyFormat: 'markdown' });
  });

  it('prefers the live markdown view over a backing field that lags behind', async () => {
    const page = await mounted('classic-stacks-editor');
    typeRich(['old text']);
    await until(() => backing().value === 'old text');
    $<HTMLInputElement>('.js-editor-toggle-state').click();
    $('pre.s-code-block.markdown > code').textContent = 'new `text`';
    backing().value = 'old text'; // not synced yet
    expect(page.read()).toEqual({ title: '', body: 'new `text`', bodyFormat: 'markdown' });
  });

  it('observe: fires when the backing textarea changes without any event or DOM mutation', async () => {
    const page = await mounted('classic-stacks-editor');
    const rec = watch(page);
    await sleep(50);
    expect(rec.calls).toBe(0);
    backing().value = 'Written by the editor, silently';
    await until(() => rec.calls === 1, 1000);
    expect(page.read().body).toBe('Written by the editor, silently');
  });

  it('observe: fires on a mode switch and keeps working on the new view', async () => {
    const page = await mounted('classic-stacks-editor');
    backing().remove(); // make the views the only source, so the switch itself is visible
    typeRich(['hello']);
    const rec = watch(page);
    $<HTMLInputElement>('.js-editor-toggle-state').click();
    await until(() => rec.calls === 1, 1000);
    expect(page.read()).toEqual({ title: '', body: 'hello', bodyFormat: 'markdown' });
    $('pre.s-code-block.markdown > code').textContent = 'hello world';
    await until(() => rec.calls === 2, 1000);
    expect(page.read().body).toBe('hello world');
  });

  it('adds a tag through the same tag editor as the textarea form', async () => {
    const page = await mounted('classic-stacks-editor');
    expect(await page.addTag('dictionary')).toEqual({ accepted: true });
    expect(hiddenTags()).toBe('dictionary');
    expect(page.currentTags()).toEqual(['dictionary']);
  });
});

describe('Ask Wizard', () => {
  const input = () => $<HTMLInputElement>('#filterInput');
  const chips = () => Array.from(document.querySelectorAll('#text-input-container .s-tag'));

  it('reads the title and the rich-text body as text, or a backing field as markdown', async () => {
    const page = await mounted('wizard');
    type($('#post-title-input'), 'Sort a list of dicts');
    const view = $('#editor-container-question [contenteditable="true"]');
    const p1 = document.createElement('p');
    p1.textContent = 'By a key.';
    const p2 = document.createElement('p');
    p2.textContent = 'Descending.';
    view.replaceChildren(p1, p2);
    expect(page.read()).toEqual({ title: 'Sort a list of dicts', body: 'By a key.\nDescending.', bodyFormat: 'text' });
    const backing = document.createElement('textarea');
    backing.name = 'post-text';
    backing.hidden = true;
    backing.value = 'By a key.\n\nDescending.';
    $('#editor-container-question').append(backing);
    expect(page.read()).toEqual({ title: 'Sort a list of dicts', body: 'By a key.\n\nDescending.', bodyFormat: 'markdown' });
  });

  it('adds a tag the way Svelte sees typing, verifies the chip, and reads chips without "Dismiss tag"', async () => {
    const page = await mounted('wizard');
    expect(await page.addTag('Python')).toEqual({ accepted: true });
    expect(chips()).toHaveLength(1);
    expect(chips()[0].textContent).toBe('pythonDismiss tag'); // what a naive reader would get
    expect(page.currentTags()).toEqual(['python']);
    expect(input().value).toBe('');
    expect(await page.addTag('python')).toEqual({ accepted: true });
    expect(chips()).toHaveLength(1);
    // "java" is a prefix of other results: the exact one is added, not the first that matches.
    expect(await page.addTag('java')).toEqual({ accepted: true });
    expect(page.currentTags()).toEqual(['python', 'java']);
    expect(page.anchor()).toBe($('#text-input-container'));
  });

  it('adds tags one at a time when asked for several at once', async () => {
    const page = await mounted('wizard');
    const results = await Promise.all(['python', 'pandas', 'numpy'].map((t) => page.addTag(t)));
    expect(results).toEqual([{ accepted: true }, { accepted: true }, { accepted: true }]);
    expect(page.currentTags()).toEqual(['python', 'pandas', 'numpy']);
  });

  it('the stand-in, like Svelte, ignores a value set without an input event', async () => {
    const page = await mounted('wizard');
    input().value = 'python';
    input().dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true, cancelable: true }));
    await sleep(200);
    expect(page.currentTags()).toEqual([]);
  });

  it('refuses a sixth tag, and a tag the site does not offer', async () => {
    const page = await mounted('wizard');
    for (const t of ['python', 'pandas', 'numpy', 'dataframe', 'csv']) expect(await page.addTag(t)).toEqual({ accepted: true });
    const full = await page.addTag('json');
    expect(full.accepted).toBe(false);
    expect(full.reason).toMatch(/5 tags/);
    expect(chips()).toHaveLength(5);

    const fresh = await mounted('wizard');
    const unknown = await fresh.addTag('no-such-tag-xyz');
    expect(unknown.accepted).toBe(false);
    expect(unknown.reason).toMatch(/did not offer "no-such-tag-xyz"/);
    expect(fresh.currentTags()).toEqual([]);
    // Other tags on offer but not this one: Enter would add one of them, so it is not pressed.
    const partial = await fresh.addTag('pyth');
    expect(partial.accepted).toBe(false);
    expect(partial.reason).toMatch(/did not offer "pyth" as a tag \(it offers python/);
    expect(fresh.currentTags()).toEqual([]);
  });

  it('says so when the tag field is missing', async () => {
    const page = await mounted('wizard');
    input().remove();
    const r = await page.addTag('python');
    expect(r.accepted).toBe(false);
    expect(r.reason).toMatch(/tag field is not on the page/);
  });

  it('observe: fires for the title, the body editor and chips; dispose stops it', async () => {
    const page = await mounted('wizard');
    const rec = watch(page);
    type($('#post-title-input'), 'Sort');
    await until(() => rec.calls === 1, 1000);
    $('#editor-container-question [contenteditable="true"] p')!.textContent = 'body text';
    await until(() => rec.calls === 2, 1000);
    await page.addTag('sorting');
    await until(() => rec.calls >= 3, 1000);
    rec.dispose();
    const seen = rec.calls;
    type($('#post-title-input'), 'Sort a list');
    await sleep(500);
    expect(rec.calls).toBe(seen);
  });
});

describe('DOM helpers', () => {
  it('chipName drops dismiss buttons and screen-reader labels', () => {
    const chip = document.createElement('span');
    chip.className = 's-tag';
    const name = document.createElement('span');
    name.textContent = 'c++';
    const button = document.createElement('button');
    const sr = document.createElement('span');
    sr.className = 'v-visible-sr';
    sr.textContent = 'Dismiss tag';
    button.append(sr);
    chip.append(name, button);
    expect(chipName(chip)).toBe('c++');
  });

  it('blockText keeps paragraph and line breaks', () => {
    const root = document.createElement('div');
    const p = document.createElement('p');
    p.append('a', document.createElement('br'), 'b');
    const q = document.createElement('p');
    q.textContent = 'c';
    root.append(p, q);
    expect(blockText(root)).toBe('a\nb\nc');
  });
});

describe('page adapter sources', () => {
  it('never write page text as HTML', () => {
    const dir = join(dirname(fileURLToPath(import.meta.url)), '../src/extension/page');
    const files = readdirSync(dir).filter((f) => f.endsWith('.ts'));
    expect(files).toContain('classic.ts');
    const offenders = files.filter((f) => /innerHTML|outerHTML|insertAdjacentHTML|document\.write/.test(readFileSync(join(dir, f), 'utf8')));
    expect(offenders).toEqual([]);
  });
});
