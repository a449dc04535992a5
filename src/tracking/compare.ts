/**
 * Comparing tracked runs (Node-only): the metric table as CSV and as a sortable HTML table, bar plots
 * across runs, and the small self-contained HTML page kit (CSS + sorting script) shared by the
 * `npm run experiment` comparison and the `tagsmith runs` page.
 */
import { metricComparisonChart, type Chart } from '../charts/tracking';
import { toCsv, type Cell } from './csv';

/** A run as compared: its name, params and latest metric values. */
export interface ComparedRun {
  runId: string;
  runName: string;
  status?: string;
  params: Record<string, string>;
  metrics: Record<string, number>;
}

/** The metrics of a training run worth comparing, in table order. */
export const COMPARE_METRICS: { key: string; label: string }[] = [
  { key: 'test_p_at_1', label: 'P@1' },
  { key: 'test_p_at_3', label: 'P@3' },
  { key: 'test_r_at_3', label: 'R@3' },
  { key: 'test_f1_at_3', label: 'F1@3' },
  { key: 'test_p_at_5', label: 'P@5' },
  { key: 'test_r_at_5', label: 'R@5' },
  { key: 'test_micro_f1', label: 'micro-F1' },
  { key: 'test_macro_f1', label: 'macro-F1' },
  { key: 'test_coverage', label: 'coverage' },
  { key: 'validation_micro_f1', label: 'val micro-F1' },
];
/** Timing metrics shown after the quality ones (seconds). */
export const COMPARE_TIMINGS: { key: string; label: string }[] = [
  { key: 'time_features_s', label: 'features s' },
  { key: 'time_head_s', label: 'head fit s' },
  { key: 'time_total_s', label: 'total s' },
];
/** Params shown in the table. */
export const COMPARE_PARAMS = ['vectorizer', 'vocab_size', 'C', 'epochs', 'split_train', 'split_test', 'model_id'];

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

const fmt = (v: number | undefined, digits = 3) => (v === undefined || !Number.isFinite(v) ? '' : v.toFixed(digits));

/** comparison.csv: one row per run: name, id, the compared params, metrics and timings. */
export function comparisonCsv(runs: readonly ComparedRun[]): string {
  const header: Cell[] = ['run', 'run_id', ...COMPARE_PARAMS, ...COMPARE_METRICS.map((m) => m.key), ...COMPARE_TIMINGS.map((m) => m.key)];
  const rows: Cell[][] = runs.map((r) => [
    r.runName,
    r.runId,
    ...COMPARE_PARAMS.map((p) => r.params[p] ?? ''),
    ...COMPARE_METRICS.map((m) => r.metrics[m.key]),
    ...COMPARE_TIMINGS.map((m) => r.metrics[m.key]),
  ]);
  return toCsv([header, ...rows]);
}

/** The comparison as a Markdown table (figures in %, as in the README). */
export function comparisonMarkdown(runs: readonly ComparedRun[]): string {
  const head = ['run', ...COMPARE_METRICS.map((m) => m.label), ...COMPARE_TIMINGS.map((m) => m.label)];
  const lines = [`| ${head.join(' | ')} |`, `|---|${head.slice(1).map(() => '---:').join('|')}|`];
  for (const r of runs) {
    const cells = [
      r.runName,
      ...COMPARE_METRICS.map((m) => (r.metrics[m.key] === undefined ? '' : (r.metrics[m.key] * 100).toFixed(1))),
      ...COMPARE_TIMINGS.map((m) => fmt(r.metrics[m.key], 1)),
    ];
    lines.push(`| ${cells.join(' | ')} |`);
  }
  return `${lines.join('\n')}\n`;
}

export interface TableColumn {
  label: string;
  /** Numeric columns sort numerically. */
  numeric: boolean;
  title?: string;
}
export interface TableCell {
  /** Shown HTML (already escaped). */
  html: string;
  /** Sort key. */
  sort: string | number;
}

/** A table whose columns sort when their header is clicked (see {@link SORT_SCRIPT}). */
export function sortableTable(columns: readonly TableColumn[], rows: readonly TableCell[][]): string {
  const th = columns
    .map((c) => `<th class="${c.numeric ? 'num' : ''}"${c.title ? ` title="${escapeHtml(c.title)}"` : ''} data-type="${c.numeric ? 'num' : 'text'}">${escapeHtml(c.label)}</th>`)
    .join('');
  const body = rows
    .map(
      (r) =>
        `<tr>${r
          .map((cell, i) => `<td class="${columns[i]?.numeric ? 'num' : ''}" data-sort="${escapeHtml(String(cell.sort))}">${cell.html}</td>`)
          .join('')}</tr>`,
    )
    .join('\n');
  return `<table class="sortable"><thead><tr>${th}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

/** The comparison as a sortable HTML table (run name, params, metrics). */
export function comparisonTable(runs: readonly ComparedRun[], runLink?: (r: ComparedRun) => string | undefined): string {
  const metricCols = [...COMPARE_METRICS, ...COMPARE_TIMINGS];
  const withStatus = runs.some((r) => r.status !== undefined);
  const columns: TableColumn[] = [
    { label: 'run', numeric: false },
    ...(withStatus ? [{ label: 'status', numeric: false }] : []),
    ...COMPARE_PARAMS.map((p) => ({ label: p, numeric: !['vectorizer', 'model_id'].includes(p) })),
    ...metricCols.map((m) => ({ label: m.label, numeric: true, title: m.key })),
  ];
  const rows: TableCell[][] = runs.map((r) => {
    const link = runLink?.(r);
    const name = escapeHtml(r.runName || r.runId);
    return [
      { html: link ? `<a href="${escapeHtml(link)}">${name}</a>` : name, sort: r.runName },
      ...(withStatus ? [{ html: `<span class="status-${escapeHtml(r.status ?? '')}">${escapeHtml(r.status ?? '')}</span>`, sort: r.status ?? '' }] : []),
      ...COMPARE_PARAMS.map((p) => {
        const v = r.params[p] ?? '';
        return { html: escapeHtml(v), sort: v !== '' && Number.isFinite(Number(v)) ? Number(v) : v };
      }),
      ...metricCols.map((m) => {
        const v = r.metrics[m.key];
        const timing = m.key.startsWith('time_');
        return { html: fmt(v, timing ? 1 : 3), sort: v === undefined || !Number.isFinite(v) ? '' : v };
      }),
    ];
  });
  return sortableTable(columns, rows);
}

/** Bar plots across runs: the test ranking/F1 metrics per run, and micro-F1 test vs validation per run. */
export async function comparisonCharts(runs: readonly ComparedRun[]): Promise<Record<string, Chart>> {
  const metricKeys = ['test_p_at_1', 'test_p_at_3', 'test_r_at_5', 'test_f1_at_3', 'test_micro_f1', 'test_macro_f1'];
  const label = (k: string) => COMPARE_METRICS.find((m) => m.key === k)?.label ?? k;
  const withMetrics = runs.filter((r) => metricKeys.some((k) => r.metrics[k] !== undefined));
  const test = await metricComparisonChart(
    'Test metrics by run',
    'score',
    metricKeys.flatMap((k) =>
      withMetrics.filter((r) => r.metrics[k] !== undefined).map((r) => ({ label: label(k), value: r.metrics[k], group: r.runName })),
    ),
    `${withMetrics.length} run(s); ranking metrics at k, thresholded F1 at the per-tag thresholds`,
    { horizontal: false, format: '.2f' },
  );
  const f1 = await metricComparisonChart(
    'F1 micro by run',
    'F1 micro',
    withMetrics.flatMap((r) =>
      (['test', 'validation'] as const)
        .filter((s) => r.metrics[`${s}_micro_f1`] !== undefined)
        .map((s) => ({ label: r.runName, value: r.metrics[`${s}_micro_f1`], group: s })),
    ),
    'test and validation parts, at the per-tag thresholds tuned on validation',
  );
  return { compare_test_metrics: test, compare_f1_micro: f1 };
}

let svgCounter = 0;
/** An SVG to paste inline into HTML: ids (clip paths, gradients) made unique per figure. */
export function inlineSvg(svg: string): string {
  const p = `f${++svgCounter}-`;
  return svg
    .replace(/<\?xml[^>]*>\s*/, '')
    .replace(/\bid="([^"]+)"/g, `id="${p}$1"`)
    .replace(/url\(#([^)]+)\)/g, `url(#${p}$1)`)
    .replace(/href="#([^"]+)"/g, `href="#${p}$1"`);
}

export const PAGE_CSS = `
body{font-family:"DejaVu Sans",Helvetica,Arial,sans-serif;color:#232629;margin:24px;max-width:1400px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid #e3e6e8;padding-bottom:4px}
h3{font-size:15px;margin:18px 0 6px}.muted{color:#6a737c;font-size:13px}
table{border-collapse:collapse;font-size:13px;margin:8px 0}th,td{border-bottom:1px solid #e3e6e8;padding:4px 8px;text-align:left;white-space:nowrap}
th{background:#f6f8fa;cursor:pointer;user-select:none;position:sticky;top:0}th.num,td.num{text-align:right;font-variant-numeric:tabular-nums}
th[aria-sort=ascending]::after{content:" \\25B2"}th[aria-sort=descending]::after{content:" \\25BC"}
.status-FINISHED{color:#2f9e44}.status-FAILED{color:#d6336c;font-weight:600}.status-RUNNING{color:#e8a000}
.plots{display:flex;flex-wrap:wrap;gap:16px;align-items:flex-start}.plots svg{max-width:100%;height:auto}
details{margin:6px 0}summary{cursor:pointer}code{font-size:12px}ul.artifacts{columns:2;font-size:13px}
.scroll{overflow-x:auto}figure{margin:0}
`;

/** Click a header to sort its table (numbers numerically, empty cells last); click again to reverse. */
export const SORT_SCRIPT = `
document.querySelectorAll('table.sortable').forEach(function (table) {
  table.querySelectorAll('th').forEach(function (th, col) {
    th.addEventListener('click', function () {
      var asc = th.getAttribute('aria-sort') !== 'ascending';
      table.querySelectorAll('th').forEach(function (h) { h.removeAttribute('aria-sort'); });
      th.setAttribute('aria-sort', asc ? 'ascending' : 'descending');
      var num = th.getAttribute('data-type') === 'num';
      var body = table.querySelector('tbody');
      var rows = Array.prototype.slice.call(body.querySelectorAll('tr'));
      rows.sort(function (a, b) {
        var x = a.children[col].getAttribute('data-sort'), y = b.children[col].getAttribute('data-sort');
        if (x === '' || y === '') return x === y ? 0 : x === '' ? 1 : -1;
        var c = num ? Number(x) - Number(y) : x.localeCompare(y);
        return asc ? c : -c;
      });
      rows.forEach(function (r) { body.appendChild(r); });
    });
  });
});
`;

/** A complete self-contained page: inline CSS and script, no external reference. */
export function htmlPage(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title><style>${PAGE_CSS}</style></head>
<body>
${body}
<script>${SORT_SCRIPT}</script>
</body></html>
`;
}
