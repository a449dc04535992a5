/** Styles of the question form (class names `ts-*`), as a string a page or popup inlines. Browser-safe. */
export const QUESTION_FORM_CSS = `
.ts-form { display: flex; flex-direction: column; gap: .75rem; font: 14px/1.4 system-ui, sans-serif; color: #1f2328; }
.ts-label { display: flex; flex-direction: column; gap: .25rem; font-weight: 600; }
.ts-hint { font-weight: 400; color: #656d76; }
.ts-input { font: inherit; font-weight: 400; padding: .45rem .55rem; border: 1px solid #c9d1d9; border-radius: 6px; }
.ts-body { font-family: ui-monospace, monospace; resize: vertical; }
.ts-actions { display: flex; flex-wrap: wrap; gap: .5rem; }
.ts-button { font: inherit; padding: .4rem .9rem; border-radius: 6px; border: 1px solid #0a3069; background: #0969da; color: #fff; cursor: pointer; }
.ts-button:disabled { opacity: .55; cursor: default; }
.ts-secondary { background: #f6f8fa; color: #1f2328; border-color: #c9d1d9; }
.ts-error { color: #cf222e; margin: 0; }
.ts-tags { list-style: none; padding: 0; margin: 0; display: flex; flex-direction: column; gap: .35rem; }
.ts-tag { display: grid; grid-template-columns: 11rem 1fr 4rem; align-items: center; gap: .5rem; }
.ts-tag-name { font-family: ui-monospace, monospace; background: #ddf4ff; color: #0a3069; padding: .1rem .45rem; border-radius: 4px; justify-self: start; }
.ts-tag-unsure .ts-tag-name { background: #f6f8fa; color: #656d76; }
.ts-bar { height: .6rem; background: #eaeef2; border-radius: 3px; overflow: hidden; }
.ts-bar-fill { display: block; height: 100%; background: #2da44e; }
.ts-tag-unsure .ts-bar-fill { background: #afb8c1; }
.ts-tag-score { text-align: right; font-variant-numeric: tabular-nums; }
.ts-meta { color: #656d76; margin: .5rem 0 0; font-size: 12px; }
.ts-empty { color: #656d76; }
`;
