/**
 * What the content script needs from an "Ask a question" page, whatever its variant (classic form
 * or the Svelte Ask Wizard) and body editor (plain textarea or the Stacks Editor). Browser-only,
 * no extension APIs: adapters are plain DOM code, unit-tested on static copies of the pages.
 */
import type { BodyFormat } from '../../core/types';

export type AskPageVariant = 'classic' | 'wizard';

/** What the author has written so far. */
export interface AskPageText {
  title: string;
  body: string;
  /** markdown when read from a markdown source (textarea, Stacks Editor backing field), text from a rich-text view. */
  bodyFormat: BodyFormat;
}

export interface AddTagResult {
  /** True only when the page's own tag editor shows the tag afterwards (hidden field / chips). */
  accepted: boolean;
  /** Why not, in words for the user (tag limit reached, editor not found, page rejected it...). */
  reason?: string;
}

export interface AskPageAdapter {
  readonly variant: AskPageVariant;
  /** Title and body as the author has them now ('' for fields not mounted yet). */
  read(): AskPageText;
  /** Tags already in the question, lower-case, in page order. */
  currentTags(): string[];
  /** The page's tag limit (5 on Stack Overflow). */
  readonly maxTags: number;
  /**
   * The element after which the suggestion row is mounted (the tag editor's container), or null
   * while the tag field has not mounted yet.
   */
  anchor(): Element | null;
  /** Adds a tag through the page's own tag editor, exactly as if typed, then verifies it took. */
  addTag(name: string): Promise<AddTagResult>;
  /**
   * Calls `onChange` (coalesced, at most once per animation frame / few ms) whenever the title, the
   * body, the tags or the anchor may have changed, including fields that mount late, editor mode
   * switches and the Stacks Editor's backing textarea changing without events. Returns a disposer.
   */
  observe(onChange: () => void): () => void;
}
