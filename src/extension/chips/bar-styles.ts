/** Styles of the suggestion row, inside its shadow root (the page's CSS cannot reach it, nor ours the page). Colours follow Stack Overflow's tag chips. */
export const BAR_CSS = `
:host { all: initial; display: block; }
.ts-bar { font: 13px/1.4 -apple-system, BlinkMacSystemFont, "Segoe UI Adjusted", "Segoe UI", "Liberation Sans", sans-serif;
  color: #3b4045; display: flex; flex-wrap: wrap; align-items: center; gap: 6px; margin: 6px 0 2px; min-height: 26px; }
.ts-label { color: #6a737c; font-size: 12px; margin-right: 2px; }
.ts-label b { color: #0a95ff; font-weight: 600; }
.ts-chips { display: contents; list-style: none; margin: 0; padding: 0; }
.ts-chip { font: inherit; font-size: 12px; line-height: 1; display: inline-flex; align-items: center; gap: 5px; cursor: pointer;
  color: #39739d; background: #e1ecf4; border: 1px solid transparent; border-radius: 3px; padding: 4px 6px; }
.ts-chip:hover { color: #2c5777; background: #d0e3f1; }
.ts-chip:focus-visible { outline: none; box-shadow: 0 0 0 3px rgba(0,116,204,.3); border-color: #6cbbf7; }
.ts-chip[disabled] { cursor: not-allowed; opacity: .55; }
.ts-chip .ts-plus { font-weight: 700; }
.ts-score { color: #6a737c; font-size: 11px; font-variant-numeric: tabular-nums; }
.ts-status { color: #6a737c; font-size: 12px; font-style: italic; }
.ts-error { color: #c02d2e; font-size: 12px; }
.ts-hide { margin-left: auto; font: inherit; font-size: 14px; line-height: 1; color: #9fa6ad; background: none; border: 0; cursor: pointer; padding: 2px 4px; border-radius: 3px; }
.ts-hide:hover, .ts-hide:focus-visible { color: #3b4045; background: #f1f2f3; outline: none; }
`;
