/**
 * Every CSS selector the page adapters use, one per line, so that a change on Stack Overflow's side
 * is a one-line fix here. None of them was read off the live page: they come from public userscripts,
 * browser-automation test suites and look-alike clones of the ask page (2024-2026) quoted in issue 3,
 * cross-checked against each other. Where a selector is our guess rather than a quote, it says so.
 */

/** Classic "Ask a question" form (jQuery tag editor, `textarea#wmd-input` or the Stacks Editor). */
export const CLASSIC = {
  /** Title field, `input#title.s-input.js-post-title-field` (userscripts, Selenium/Playwright page objects). */
  title: 'input#title',
  /** Plain markdown body, `textarea#wmd-input` (userscripts; the pre-Stacks-Editor form). */
  bodyTextarea: 'textarea#wmd-input',
  /** The Stacks Editor's hidden backing field: markdown, rewritten by the editor without any event. */
  bodyBacking: 'textarea[name="post-text"]',
  /** The Stacks Editor's rich-text view (ProseMirror), from Stacks Editor test suites and userscripts. */
  bodyRichText: '.js-stacks-editor-container .js-editor.ProseMirror[contenteditable="true"]',
  /** The Stacks Editor's markdown view: one code block holding the markdown source. */
  bodyMarkdownView: '.js-stacks-editor-container pre.s-code-block.markdown > code',
  /** The visible tag box: chips plus the text input; clicking it commits the typed tag. */
  tagEditor: '.js-tag-editor',
  /** The tag box's text input (the jQuery tag editor's replacement for `#tagnames`). */
  tagInput: '#tageditor-replacing-tagnames--input',
  /** Hidden field with the committed tags, space separated; this is what the form submits. */
  tagHidden: '#tagnames',
  /** Committed tag chips, `<span class="s-tag rendered-element">name<a class="js-delete-tag">`. */
  tagChips: '.js-tag-editor .s-tag',
} as const;

/** The Svelte "Ask Wizard" (2024-) at the same URL. */
export const WIZARD = {
  /** Title field (Selenium suites against the wizard, 2025). */
  title: '#post-title-input',
  /** The body: a Stacks Editor mounted in `#editor-container-question`. */
  bodyEditable: '#editor-container-question [contenteditable="true"]',
  /** A backing markdown field, if the wizard has one (our guess; read only when present). */
  bodyBacking: '#editor-container-question textarea, textarea[name="post-text"]',
  /** Its markdown view, if switched to markdown (same Stacks Editor markup as the classic form). */
  bodyMarkdownView: '#editor-container-question pre.s-code-block.markdown > code',
  /** Tag search input; Svelte reads it on bubbling `input` events only. */
  tagInput: '#filterInput',
  /** The visible tag box around the chips and `#filterInput`. */
  tagBox: '#text-input-container',
  /** Tag chips; their text also holds a visually hidden "Dismiss tag" label. */
  tagChips: '#text-input-container .s-tag',
  /** The tag search results popover (Selenium: `//div[@id='tag-searchResults']/div/div/div/span/span`). */
  tagResults: '#tag-searchResults',
  /** One clickable result inside it: the tag's own chip (the span the Selenium suites click). */
  tagResultItem: '#tag-searchResults .s-tag',
} as const;

/**
 * Parts of the Stacks Editor's rich-text view that are not the author's text: ProseMirror widgets
 * and node-view controls are `contenteditable="false"` (the code block's language button); the code
 * block's language search box is not, so it is named (read off @stackoverflow/stacks-editor 0.15.3,
 * `CodeBlockView`).
 */
export const EDITOR_CHROME = '[contenteditable="false"], .js-language-input';

/** Parts of a chip that are not the tag's name (dismiss buttons, screen-reader-only labels). */
export const CHIP_NOISE = 'button, a.js-delete-tag, .js-delete-tag, .s-tag--dismiss, .v-visible-sr, .sr-only, svg';
