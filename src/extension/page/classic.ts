/**
 * The classic "Ask a question" form: `input#title`, a markdown body (plain `textarea#wmd-input`, or
 * the Stacks Editor with its hidden backing textarea) and the jQuery tag editor that keeps the
 * committed tags in the hidden `#tagnames` field.
 */
import type { AddTagResult, AskPageAdapter, AskPageText } from './types';
import { CLASSIC as S } from './selectors';
import { blockText, chipName, clickLikeUser, MAX_TAGS, oneAtATime, pageSnapshot, pressEnter, typeValue, uniqueTags, waitFor, watchPage } from './dom';
import { precheckTag } from './precheck';

export class ClassicAskPage implements AskPageAdapter {
  readonly variant = 'classic' as const;
  readonly maxTags = MAX_TAGS;

  constructor(private readonly doc: Document) {}

  read(): AskPageText {
    const title = this.doc.querySelector<HTMLInputElement>(S.title)?.value ?? '';
    return { title, ...this.readBody() };
  }

  private readBody(): Pick<AskPageText, 'body' | 'bodyFormat'> {
    const d = this.doc;
    // The Stacks Editor's markdown view is the live markdown source; otherwise the textarea (plain
    // form, or the editor's hidden backing field) is the markdown the form will submit. The
    // rich-text view is the fallback for when that field is missing or not filled in yet.
    const markdownView = d.querySelector(S.bodyMarkdownView);
    if (markdownView) return { body: markdownView.textContent ?? '', bodyFormat: 'markdown' };
    const source = d.querySelector<HTMLTextAreaElement>(S.bodyTextarea) ?? d.querySelector<HTMLTextAreaElement>(S.bodyBacking);
    if (source && source.value) return { body: source.value, bodyFormat: 'markdown' };
    const rich = d.querySelector(S.bodyRichText);
    if (rich) return { body: blockText(rich), bodyFormat: 'text' };
    return { body: source?.value ?? '', bodyFormat: 'markdown' };
  }

  currentTags(): string[] {
    const hidden = this.doc.querySelector<HTMLInputElement>(S.tagHidden)?.value ?? '';
    const chips = Array.from(this.doc.querySelectorAll(S.tagChips), chipName);
    return uniqueTags([...hidden.split(/[\s,;]+/), ...chips]);
  }

  anchor(): Element | null {
    return this.doc.querySelector(S.tagEditor);
  }

  /** One at a time: each add sees the tags the previous one left. */
  readonly addTag = oneAtATime((raw: string) => this.addTagNow(raw));

  private async addTagNow(raw: string): Promise<AddTagResult> {
    const pre = precheckTag(raw, this.currentTags(), this.maxTags);
    if ('result' in pre) return pre.result;
    const name = pre.name;
    const input = this.doc.querySelector<HTMLInputElement>(S.tagInput);
    const editor = this.doc.querySelector<HTMLElement>(S.tagEditor);
    if (!input || !editor) return { accepted: false, reason: "Stack Overflow's tag field is not on the page (yet)." };
    if (input.disabled) return { accepted: false, reason: "Stack Overflow's tag field does not take more tags right now." };

    const has = () => this.currentTags().includes(name);
    // The known way: put the name in the input and click the tag box, which commits what is typed.
    input.focus();
    typeValue(input, name);
    clickLikeUser(editor);
    if (await waitFor(has, 400)) return { accepted: true };
    // Fallback: Enter in the input, as a user would (the editor may also still be validating).
    if (input.value.trim() !== name) typeValue(input, name);
    pressEnter(input);
    if (await waitFor(has, 1600)) return { accepted: true };
    return { accepted: false, reason: `Stack Overflow's tag editor did not accept "${name}".` };
  }

  observe(onChange: () => void): () => void {
    return watchPage(this.doc, onChange, {
      snapshot: () => pageSnapshot(this),
      anchor: () => this.anchor(),
    });
  }
}
