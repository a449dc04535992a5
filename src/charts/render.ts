/**
 * Charts without a browser: vega-lite specs compiled by vega-lite, rendered to SVG by vega's
 * headless View, rasterised to PNG by @resvg/resvg-js. One theme for every chart tagsmith draws
 * (tracking plots, drift reports), so they look like one product. Node-only (resvg is native).
 */
import { Resvg } from '@resvg/resvg-js';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

export type { TopLevelSpec } from 'vega-lite';

/** Colours and fonts shared by all charts (Stack Overflow-ish blue/orange, system sans). */
export const THEME = {
  font: 'DejaVu Sans, Helvetica, Arial, sans-serif',
  primary: '#0a95ff',
  accent: '#f48225',
  good: '#2f9e44',
  warn: '#e8a000',
  bad: '#d6336c',
  grey: '#6a737c',
  palette: ['#0a95ff', '#f48225', '#2f9e44', '#d6336c', '#7048e8', '#e8a000', '#1098ad', '#6a737c'],
} as const;

/** vega-lite `config` applied under every spec (a spec's own `config` wins). */
export const VEGA_LITE_CONFIG = {
  font: THEME.font,
  background: 'white',
  padding: 8,
  view: { stroke: 'transparent' },
  title: { fontSize: 14, fontWeight: 600, anchor: 'start', color: '#232629' },
  axis: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: 500, gridColor: '#e3e6e8', domainColor: '#9fa6ad', tickColor: '#9fa6ad', labelColor: '#3b4045', titleColor: '#3b4045' },
  legend: { labelFontSize: 11, titleFontSize: 12 },
  range: { category: [...THEME.palette] },
  mark: { color: THEME.primary },
  bar: { color: THEME.primary },
  line: { color: THEME.primary, strokeWidth: 2 },
  point: { color: THEME.primary },
} as const;

/** Renders a vega-lite spec to a standalone SVG document string (no external references). */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const merged = { ...spec, config: { ...VEGA_LITE_CONFIG, ...(spec.config ?? {}) } } as TopLevelSpec;
  const { spec: vgSpec } = compile(merged);
  const view = new vega.View(vega.parse(vgSpec), { renderer: 'none' });
  try {
    const svg = await view.toSVG();
    return svg;
  } finally {
    view.finalize();
  }
}

/** Rasterises an SVG (from {@link renderSvg}) to PNG bytes; `scale` 2 gives crisp images for READMEs. */
export function svgToPng(svg: string, scale = 2): Uint8Array {
  const resvg = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: scale },
    background: 'white',
    font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' },
  });
  return resvg.render().asPng();
}

export interface BarDatum {
  label: string;
  value: number;
  /** Optional group (colour + legend), e.g. the split or the run. */
  group?: string;
}

export interface BarChartOptions {
  title: string;
  data: BarDatum[];
  /** Axis title of the values (e.g. "F1 micro"). */
  valueTitle: string;
  /** Axis title of the labels. */
  labelTitle?: string;
  /** Horizontal bars (label on the y axis), better for long labels; default true. */
  horizontal?: boolean;
  /** Fixed value domain, e.g. [0, 1] for scores. */
  domain?: [number, number];
  /** Format of the value labels printed on the bars (d3-format), default ".3f". */
  format?: string;
  /** Keep the given order instead of sorting by value (descending). */
  keepOrder?: boolean;
  width?: number;
}

/** A bar chart spec with value labels; grouped bars when data carries `group`. */
export function barChartSpec(opts: BarChartOptions): TopLevelSpec {
  const horizontal = opts.horizontal ?? true;
  const grouped = opts.data.some((d) => d.group !== undefined);
  const labelOrder = opts.keepOrder ? [...new Set(opts.data.map((d) => d.label))] : '-x';
  const band = horizontal ? 'y' : 'x';
  const val = horizontal ? 'x' : 'y';
  const valueEnc = {
    field: 'value',
    type: 'quantitative' as const,
    title: opts.valueTitle,
    ...(opts.domain ? { scale: { domain: opts.domain } } : {}),
  };
  const labelEnc = {
    field: 'label',
    type: 'nominal' as const,
    title: opts.labelTitle ?? null,
    sort: opts.keepOrder ? labelOrder : horizontal ? '-x' : '-y',
    axis: { labelLimit: 220 },
  };
  const n = new Set(opts.data.map((d) => d.label)).size;
  const groups = grouped ? new Set(opts.data.map((d) => d.group)).size : 1;
  const step = grouped ? Math.max(8, 18 / Math.sqrt(groups)) : 18;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: opts.title,
    data: { values: opts.data },
    ...(horizontal
      ? { width: opts.width ?? 420, height: { step: step * groups } }
      : { width: opts.width ?? Math.max(240, n * 28 * groups), height: 260 }),
    encoding: {
      [band]: labelEnc,
      [val]: valueEnc,
      ...(grouped
        ? { color: { field: 'group', type: 'nominal', title: null }, [horizontal ? 'yOffset' : 'xOffset']: { field: 'group' } }
        : {}),
      tooltip: [{ field: 'label' }, { field: 'value', format: opts.format ?? '.3f' }],
    },
    layer: [
      { mark: { type: 'bar', ...(grouped ? {} : { color: THEME.primary }) } },
      {
        mark: { type: 'text', align: horizontal ? 'left' : 'center', baseline: horizontal ? 'middle' : 'bottom', dx: horizontal ? 3 : 0, dy: horizontal ? 0 : -3, fontSize: 10, color: '#3b4045' },
        encoding: { text: { field: 'value', type: 'quantitative', format: opts.format ?? '.3f' } },
      },
    ],
  } as TopLevelSpec;
}

/** Renders {@link barChartSpec} to SVG. */
export function barChart(opts: BarChartOptions): Promise<string> {
  return renderSvg(barChartSpec(opts));
}
