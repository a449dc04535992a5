/**
 * HTML building blocks of the drift reports: escaping, the page shell with its inline CSS, number
 * formats, tables. Every piece of data text goes through {@link esc}; charts are inline SVG made
 * by charts/render.ts. Hand-written (no template engine): the pages are a few tables and the
 * escaping rule is one function, which a dependency would not make safer.
 */

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for HTML element content and quoted attribute values. */
export function esc(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

/** Marks a string as already-safe HTML (built by these helpers). */
export interface Html {
  readonly html: string;
}
export const raw = (html: string): Html => ({ html });
const render = (v: unknown): string => (v && typeof v === 'object' && 'html' in (v as object) ? (v as Html).html : esc(v));

/** Tagged template: interpolated values are escaped unless they are {@link Html}; arrays are joined. */
export function h(strings: TemplateStringsArray, ...values: unknown[]): Html {
  let out = strings[0];
  values.forEach((v, i) => {
    out += Array.isArray(v) ? v.map(render).join('') : render(v);
    out += strings[i + 1];
  });
  return raw(out);
}

export const pct = (x: number | null | undefined, digits = 1): string => (x === null || x === undefined || !Number.isFinite(x) ? '–' : `${(x * 100).toFixed(digits)} %`);
export const num = (x: number | null | undefined, digits = 3): string => {
  if (x === null || x === undefined || !Number.isFinite(x)) return '–';
  const text = x.toFixed(digits);
  return /^-0\.?0*$/.test(text) ? text.slice(1) : text; // no "-0.0000"
};
export const int = (x: number): string => x.toLocaleString('en-US');
export const pvalue = (p: number): string => (p === 0 ? '0' : p < 1e-4 ? p.toExponential(1) : p.toFixed(4));

/** A table; `rows` cells are values (escaped) or Html. `numeric` columns are right-aligned. */
export function table(head: string[], rows: unknown[][], numeric: number[] = [], cls = ''): Html {
  const isNum = new Set(numeric);
  return h`<table class="${cls}"><thead><tr>${head.map((c, i) => h`<th class="${isNum.has(i) ? 'n' : ''}">${c}</th>`)}</tr></thead><tbody>${rows.map(
    (r) => h`<tr>${r.map((c, i) => h`<td class="${isNum.has(i) ? 'n' : ''}">${c as Html}</td>`)}</tr>`,
  )}</tbody></table>`;
}

export function badge(level: string): Html {
  return h`<span class="badge ${level}">${level}</span>`;
}

/** A figure holding an inline SVG chart. */
export function figure(svg: string, caption?: string): Html {
  // The SVG comes from vega's renderer (which escapes the text it draws), not from data directly.
  const clean = svg.replace(/^<\?xml[^>]*>\s*/, '');
  return h`<figure class="chart">${raw(clean)}${caption ? h`<figcaption>${caption}</figcaption>` : ''}</figure>`;
}

const CSS = `
:root{--fg:#232629;--muted:#6a737c;--line:#e3e6e8;--bg:#f8f9f9;--blue:#0a95ff}
*{box-sizing:border-box}
body{margin:0;font:14px/1.5 "DejaVu Sans",Helvetica,Arial,sans-serif;color:var(--fg);background:#fff}
header{background:var(--bg);border-bottom:1px solid var(--line);padding:16px 28px}
header h1{margin:0 0 4px;font-size:22px}
header p{margin:2px 0;color:var(--muted)}
main{padding:8px 28px 40px;max-width:1400px}
h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid var(--line);padding-bottom:4px}
h3{font-size:15px;margin:18px 0 6px}
a{color:#0063bf}
table{border-collapse:collapse;margin:8px 0 12px;font-size:13px}
th,td{border-bottom:1px solid var(--line);padding:4px 10px;text-align:left;vertical-align:top}
th{background:var(--bg);font-weight:600}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
table.periods td:last-child{font-size:12px;color:#3b4045;min-width:260px}
.badge{display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;font-weight:600;color:#fff}
.badge.stable{background:#2f9e44}.badge.watch{background:#e8a000}.badge.retrain{background:#d6336c}
.verdict{font-size:16px;margin:12px 0}
.charts{display:flex;flex-wrap:wrap;gap:18px;align-items:flex-start}
figure.chart{margin:0;padding:6px;border:1px solid var(--line);border-radius:6px;background:#fff}
figure.chart svg{display:block;max-width:100%;height:auto}
figcaption{color:var(--muted);font-size:12px;max-width:520px;padding:4px}
.note{color:var(--muted);font-size:13px;max-width:960px}
ul.reasons{margin:4px 0 12px}
nav.periods a{margin-right:10px}
dl.kv{display:grid;grid-template-columns:max-content auto;gap:2px 14px;margin:8px 0}
dl.kv dt{color:var(--muted)}dl.kv dd{margin:0}
`;

/** A whole self-contained page: inline CSS, no scripts, no external URLs. */
export function page(title: string, header: Html, body: Html): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(title)}</title><style>${CSS}</style></head>
<body><header>${header.html}</header><main>${body.html}</main></body></html>
`;
}
