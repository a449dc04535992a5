/**
 * Small DOM helpers shared by the page adapters: tag-name rules, reading chips and rich text,
 * typing into fields the way the page's own scripts expect, waiting, and the change watcher behind
 * `observe`. Plain DOM, no extension APIs; never writes page text as HTML.
 */
import { CHIP_NOISE, EDITOR_CHROME } from './selectors';
import type { AskPageAdapter, AskPageText } from './types';

/** Stack Overflow's tag limit. */
export const MAX_TAGS = 5;

/** Tag names as the site stores them: lower case, trimmed. */
export function normaliseTag(name: string): string {
  return name.trim().toLowerCase();
}

export { isValidTagName } from '../../core/tag-syntax';

/** Lower-cased, de-duplicated, order kept. */
export function uniqueTags(names: Iterable<string>): string[] {
  const out: string[] = [];
  for (const raw of names) {
    const n = normaliseTag(raw);
    if (n && !out.includes(n)) out.push(n);
  }
  return out;
}

/**
 * A chip's tag name: its own text without the dismiss button or screen-reader labels
 * ("python" from `<span class="s-tag"><span>python</span><button><span class="v-visible-sr">Dismiss tag</span></button></span>`).
 */
export function chipName(chip: Element): string {
  let text = '';
  for (const node of Array.from(chip.childNodes)) {
    if (node.nodeType === 3) text += node.nodeValue ?? '';
    else if (node.nodeType === 1 && !(node as Element).matches(CHIP_NOISE)) text += chipName(node as Element);
  }
  return text.trim();
}

const BLOCKS = new Set(['P', 'DIV', 'PRE', 'H1', 'H2', 'H3', 'H4', 'H5', 'H6', 'LI', 'UL', 'OL', 'BLOCKQUOTE', 'TABLE', 'TR', 'HR']);

/**
 * The text of a rich-text editor, one line per block (textContent would glue paragraphs together),
 * without the editor's own controls; blank lines (node views' markup whitespace) are dropped.
 */
export function blockText(root: Element): string {
  const lines: string[] = [];
  let line = '';
  const flush = () => {
    if (line.trim()) lines.push(line);
    line = '';
  };
  for (const node of Array.from(root.childNodes)) {
    if (node.nodeType === 3) line += node.nodeValue ?? '';
    else if (node.nodeType === 1) {
      const el = node as Element;
      if (el.matches(EDITOR_CHROME)) continue;
      if (el.tagName === 'BR') {
        flush();
      } else if (BLOCKS.has(el.tagName)) {
        flush();
        const inner = blockText(el);
        if (inner) lines.push(inner);
      } else line += blockText(el);
    }
  }
  flush();
  return lines.join('\n');
}

type Win = Window & typeof globalThis;

/**
 * Where to take DOM constructors from: the script's own globals for its own document (in a Firefox
 * content script those are the Xray-safe ones), else the window of the node's document.
 */
function windowOf(node: Node): Win {
  const doc = node.nodeType === 9 ? (node as Document) : node.ownerDocument;
  if (typeof document !== 'undefined' && doc === document) return globalThis as unknown as Win;
  return (doc?.defaultView ?? globalThis) as Win;
}

/**
 * Sets an input's value through the native setter (frameworks that track `value` see it as typed)
 * and dispatches a bubbling `input` event, which is all Svelte listens to.
 */
export function typeValue(input: HTMLInputElement, value: string): void {
  const win = windowOf(input);
  const setter = Object.getOwnPropertyDescriptor(win.HTMLInputElement.prototype, 'value')?.set;
  if (setter) setter.call(input, value);
  else input.value = value;
  let event: Event;
  try {
    event = new win.InputEvent('input', { bubbles: true, composed: true, inputType: 'insertText', data: value });
  } catch {
    event = new win.Event('input', { bubbles: true, composed: true });
  }
  input.dispatchEvent(event);
}

/** A real-looking Enter key press (keydown, keyup) on an element. */
export function pressEnter(el: Element): void {
  const win = windowOf(el);
  const init = { key: 'Enter', code: 'Enter', keyCode: 13, which: 13, bubbles: true, cancelable: true, composed: true };
  el.dispatchEvent(new win.KeyboardEvent('keydown', init));
  el.dispatchEvent(new win.KeyboardEvent('keyup', init));
}

/**
 * Wraps an async function so calls run one after another (two chips clicked quickly must not type
 * into the same tag field at the same time).
 */
export function oneAtATime<A extends unknown[], R>(fn: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
  let queue: Promise<unknown> = Promise.resolve();
  return (...args: A) => {
    const run = queue.then(() => fn(...args));
    queue = run.catch(() => undefined);
    return run;
  };
}

/**
 * A click as the page sees a real one: pointer and mouse down/up, then click. `view` is the
 * element's own window, not the script's global: in a Firefox content script the global is a
 * sandbox, which the event constructors refuse as a `view` (TypeError, and no click at all).
 */
export function clickLikeUser(el: HTMLElement): void {
  const win = windowOf(el);
  const init = { bubbles: true, cancelable: true, composed: true, button: 0, view: el.ownerDocument.defaultView };
  const Pointer = win.PointerEvent ?? win.MouseEvent;
  el.dispatchEvent(new Pointer('pointerdown', init));
  el.dispatchEvent(new win.MouseEvent('mousedown', init));
  el.dispatchEvent(new Pointer('pointerup', init));
  el.dispatchEvent(new win.MouseEvent('mouseup', init));
  el.click();
}

/** Resolves true as soon as `done()` holds, false after `timeoutMs`. */
export async function waitFor(done: () => boolean, timeoutMs: number, stepMs = 25): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (done()) return true;
    if (Date.now() >= end) return false;
    await new Promise((r) => setTimeout(r, stepMs));
  }
}

/** What `observe` compares: text, body format and tags, as one string. */
export function pageSnapshot(page: Pick<AskPageAdapter, 'read' | 'currentTags'>): string {
  const t = page.read();
  return [t.title, t.bodyFormat, t.body, page.currentTags().join(' ')].join('\u0000');
}

export interface WatchOptions {
  /** Everything `observe` reports on, as one string: a change in it means a change on the page. */
  snapshot(): string;
  /** The anchor element, compared by identity (the page may replace it with an equal-looking one). */
  anchor(): Element | null;
  /** How often to re-read while the page is visible, for fields that change without any event (ms). */
  pollMs?: number;
  /** Events (on the document, capture phase) after which to re-read soon. */
  events?: string[];
}

/**
 * Calls `onChange` when the snapshot or the anchor changes. Re-reads after input events, DOM
 * mutations (late mounts, chips, editor typing, mode switches) and on a poll while the page is
 * visible (the Stacks Editor's backing textarea changes without events). Coalesced: at most one
 * re-read per ~16 ms. Returns the disposer.
 */
export function watchPage(doc: Document, onChange: () => void, opts: WatchOptions): () => void {
  const events = opts.events ?? ['input', 'change', 'keyup', 'click', 'StacksEditor:view-change'];
  let lastSnapshot = opts.snapshot();
  let lastAnchor = opts.anchor();
  let pending: ReturnType<typeof setTimeout> | undefined;
  let disposed = false;

  const check = () => {
    pending = undefined;
    if (disposed) return;
    const snapshot = opts.snapshot();
    const anchor = opts.anchor();
    if (snapshot === lastSnapshot && anchor === lastAnchor) return;
    lastSnapshot = snapshot;
    lastAnchor = anchor;
    onChange();
  };
  const schedule = () => {
    if (pending === undefined && !disposed) pending = setTimeout(check, 16);
  };

  for (const type of events) doc.addEventListener(type, schedule, true);
  const mo = new (windowOf(doc).MutationObserver)(schedule);
  mo.observe(doc.documentElement, { childList: true, subtree: true, characterData: true });
  const poll = setInterval(() => {
    if (doc.visibilityState !== 'hidden') schedule();
  }, opts.pollMs ?? 300);

  return () => {
    disposed = true;
    for (const type of events) doc.removeEventListener(type, schedule, true);
    mo.disconnect();
    clearInterval(poll);
    if (pending !== undefined) clearTimeout(pending);
  };
}

/** Where an ask page keeps its body: the selectors of its editor's views, most trusted first. */
export interface BodySources {
  /** The Stacks Editor's markdown view: the live markdown source while that mode is on. */
  markdownView: string;
  /** Textareas holding markdown (a plain form's field, the editor's hidden backing field). */
  markdownFields: string[];
  /** The rich-text (ProseMirror) view: read as text when no markdown is there yet. */
  richText: string;
  /** The format of a body not written yet (the classic form only takes markdown; the wizard starts in rich text). */
  empty: AskPageText['bodyFormat'];
}

/**
 * The body as the author has it: the markdown view if shown, else the first markdown field with a
 * value (the backing field changes without events, which is why it is read, not listened to), else
 * the rich-text view's text.
 */
export function readBody(doc: Document, s: BodySources): Pick<AskPageText, 'body' | 'bodyFormat'> {
  const markdownView = doc.querySelector(s.markdownView);
  if (markdownView) return { body: markdownView.textContent ?? '', bodyFormat: 'markdown' };
  const fields = s.markdownFields.map((sel) => doc.querySelector<HTMLTextAreaElement>(sel)).filter((f): f is HTMLTextAreaElement => !!f);
  const filled = fields.find((f) => f.value);
  if (filled) return { body: filled.value, bodyFormat: 'markdown' };
  const rich = doc.querySelector(s.richText);
  if (rich) return { body: blockText(rich), bodyFormat: 'text' };
  return { body: '', bodyFormat: s.empty };
}
