/**
 * The Svelte "Ask Wizard": `#post-title-input`, a Stacks Editor in `#editor-container-question`,
 * and a tag search box (`#filterInput`) whose chips live in `#text-input-container`. Svelte only
 * notices the search text through bubbling `input` events.
 */
import type { AddTagResult, AskPageAdapter, AskPageText } from './types';
import { WIZARD as S } from './selectors';
import { chipName, clickLikeUser, MAX_TAGS, oneAtATime, pageSnapshot, pressEnter, readBody, typeValue, uniqueTags, waitFor, watchPage } from './dom';
import { precheckTag } from './precheck';

export class WizardAskPage implements AskPageAdapter {
  readonly variant = 'wizard' as const;
  readonly maxTags = MAX_TAGS;

  constructor(private readonly doc: Document) {}

  read(): AskPageText {
    const title = this.doc.querySelector<HTMLInputElement>(S.title)?.value ?? '';
    return {
      title,
      ...readBody(this.doc, { markdownView: S.bodyMarkdownView, markdownFields: [S.bodyBacking], richText: S.bodyEditable, empty: 'text' }),
    };
  }

  currentTags(): string[] {
    return uniqueTags(Array.from(this.doc.querySelectorAll(S.tagChips), chipName));
  }

  anchor(): Element | null {
    return this.doc.querySelector(S.tagBox);
  }

  /** The tag names the search popover offers now, in its order. */
  private offered(): string[] {
    return Array.from(this.doc.querySelectorAll(S.tagResultItem), (item) => chipName(item).toLowerCase());
  }

  /** The search result for exactly this tag, if the popover shows one. */
  private resultFor(name: string): HTMLElement | null {
    for (const item of Array.from(this.doc.querySelectorAll<HTMLElement>(S.tagResultItem))) {
      if (chipName(item).toLowerCase() === name) return item;
    }
    return null;
  }

  /** One at a time: each add sees the tags the previous one left. */
  readonly addTag = oneAtATime((raw: string) => this.addTagNow(raw));

  private async addTagNow(raw: string): Promise<AddTagResult> {
    const pre = precheckTag(raw, this.currentTags(), this.maxTags);
    if ('result' in pre) return pre.result;
    const name = pre.name;
    const input = this.doc.querySelector<HTMLInputElement>(S.tagInput);
    if (!input) return { accepted: false, reason: "Stack Overflow's tag field is not on the page (yet)." };
    if (input.disabled) return { accepted: false, reason: "Stack Overflow's tag field does not take more tags right now." };

    const before = this.currentTags();
    const has = () => this.currentTags().includes(name);
    input.focus();
    typeValue(input, name);
    // The page looks tags up on the server; click the exact result once it shows.
    await waitFor(() => this.resultFor(name) !== null, 1500);
    const result = this.resultFor(name);
    if (result) {
      clickLikeUser(result);
      if (await waitFor(has, 1000)) return { accepted: true };
    }
    // Enter adds whatever result is highlighted: only press it when no other tag is on offer.
    const offered = this.offered();
    if (offered.every((t) => t === name)) {
      if (input.value !== name) typeValue(input, name);
      pressEnter(input);
      if (await waitFor(has, 1000)) return { accepted: true };
    }
    const other = this.currentTags().filter((t) => !before.includes(t));
    if (other.length) return { accepted: false, reason: `Stack Overflow added "${other.join('", "')}" instead of "${name}".` };
    if (result) return { accepted: false, reason: `Stack Overflow's tag field did not accept "${name}".` };
    const near = offered.length ? ` (it offers ${offered.slice(0, 3).join(', ')})` : '';
    return { accepted: false, reason: `Stack Overflow did not offer "${name}" as a tag${near}.` };
  }

  observe(onChange: () => void): () => void {
    return watchPage(this.doc, onChange, {
      snapshot: () => pageSnapshot(this),
      anchor: () => this.anchor(),
    });
  }
}
