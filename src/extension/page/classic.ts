/**
 * The classic "Ask a question" form: `input#title`, a markdown body (plain `textarea#wmd-input`, or
 * the Stacks Editor with its hidden backing textarea) and the jQuery tag editor that keeps the
 * committed tags in the hidden `#tagnames` field.
 */
import type { AddTagResult, AskPageAdapter, AskPageText } from './types';
import { CLASSIC as S } from './selectors';
import { chipName, clickLikeUser, MAX_TAGS, oneAtATime, pageSnapshot, pressEnter, readBody, typeValue, uniqueTags, waitFor, watchPage } from './dom';
import { precheckTag } from './precheck';

export class ClassicAskPage implements AskPageAdapter {
  readonly variant = 'classic' as const;
  readonly maxTags = MAX_TAGS;

  constructor(private readonly doc: Document) {}

  read(): AskPageText {
    const title = this.doc.querySelector<HTMLInputElement>(S.title)?.value ?? '';
    return {
      title,
      ...readBody(this.doc, { markdownView: S.bodyMarkdownView, markdownFields: [S.bodyTextarea, S.bodyBacking], richText: S.bodyRichText, empty: 'markdown' }),
    };
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
