/**
 * vega-lite specs of the drift reports (rendered to inline SVG by charts/render.ts with the shared
 * theme): metric trends over periods, the PCA scatter with densities, per-component drift bars,
 * rising/falling tags, questions per period.
 */
import { THEME, type TopLevelSpec } from './render';

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

export interface TrendRow {
  period: string;
  series: string;
  value: number;
}

export interface TrendOptions {
  title: string;
  rows: TrendRow[];
  /** Period order on the x axis. */
  periods: string[];
  yTitle: string;
  domain?: [number, number];
  /** A horizontal rule (e.g. a decision threshold) with its label. */
  rule?: { value: number; label: string };
  format?: string;
  width?: number;
}

/** Lines with points, one colour per series, periods in the given order. */
export function trendSpec(o: TrendOptions): TopLevelSpec {
  const layers: object[] = [
    {
      mark: { type: 'line', point: { filled: true, size: 40 } },
      encoding: {
        x: { field: 'period', type: 'ordinal', sort: o.periods, title: null, axis: { labelAngle: -40 } },
        y: { field: 'value', type: 'quantitative', title: o.yTitle, ...(o.domain ? { scale: { domain: o.domain } } : { scale: { zero: false } }) },
        color: { field: 'series', type: 'nominal', title: null, sort: [...new Set(o.rows.map((r) => r.series))] },
        tooltip: [{ field: 'period' }, { field: 'series' }, { field: 'value', format: o.format ?? '.3f' }],
      },
    },
  ];
  if (o.rule) {
    layers.push(
      { data: { values: [{ v: o.rule.value }] }, mark: { type: 'rule', color: THEME.bad, strokeDash: [4, 3] }, encoding: { y: { field: 'v', type: 'quantitative' } } },
      {
        data: { values: [{ v: o.rule.value, t: o.rule.label }] },
        mark: { type: 'text', color: THEME.bad, align: 'left', baseline: 'bottom', x: 4, dy: -2, fontSize: 10 },
        encoding: { y: { field: 'v', type: 'quantitative' }, text: { field: 't' } },
      },
    );
  }
  return {
    $schema: SCHEMA,
    title: o.title,
    width: o.width ?? Math.max(260, o.periods.length * 26),
    height: 200,
    data: { values: o.rows },
    layer: layers,
  } as TopLevelSpec;
}

export interface ScatterPoint {
  x: number;
  y: number;
  group: string;
}

/** PC1 x PC2 scatter of the groups, with PC1 and PC2 densities as marginal plots. */
export function scatterDensitySpec(title: string, points: ScatterPoint[], groups: string[]): TopLevelSpec {
  const color = { field: 'group', type: 'nominal', title: null, sort: groups, legend: { labelLimit: 240 }, scale: { domain: groups, range: [THEME.grey, THEME.primary, THEME.accent].slice(0, groups.length) } };
  const size = 300;
  return {
    $schema: SCHEMA,
    title,
    data: { values: points },
    vconcat: [
      {
        width: size,
        height: 70,
        transform: [{ density: 'x', groupby: ['group'], as: ['x', 'density'] }],
        mark: { type: 'area', opacity: 0.35, line: true },
        encoding: {
          x: { field: 'x', type: 'quantitative', title: null, axis: null },
          y: { field: 'density', type: 'quantitative', title: 'density', axis: { tickCount: 2 }, stack: null },
          color,
        },
      },
      {
        hconcat: [
          {
            width: size,
            height: size,
            mark: { type: 'circle', size: 14, opacity: 0.5 },
            encoding: {
              x: { field: 'x', type: 'quantitative', title: 'PC1 (fitted on the reference)' },
              y: { field: 'y', type: 'quantitative', title: 'PC2' },
              color,
            },
          },
          {
            width: 70,
            height: size,
            transform: [{ density: 'y', groupby: ['group'], as: ['y', 'density'] }],
            mark: { type: 'area', opacity: 0.35, line: true, orient: 'horizontal' },
            encoding: {
              y: { field: 'y', type: 'quantitative', title: null, axis: null },
              x: { field: 'density', type: 'quantitative', title: 'density', axis: { tickCount: 2 }, stack: null },
              color,
            },
          },
        ],
      },
    ],
  } as TopLevelSpec;
}

export interface ComponentBar {
  component: string;
  score: number;
  drifted: boolean;
}

/** Per-component drift score with the decision threshold. */
export function componentsSpec(title: string, bars: ComponentBar[], yTitle: string, threshold: number): TopLevelSpec {
  return {
    $schema: SCHEMA,
    title,
    width: Math.max(240, bars.length * 30),
    height: 180,
    layer: [
      {
        data: { values: bars },
        mark: { type: 'bar' },
        encoding: {
          x: { field: 'component', type: 'ordinal', sort: bars.map((b) => b.component), title: null },
          y: { field: 'score', type: 'quantitative', title: yTitle },
          color: {
            field: 'drifted',
            type: 'nominal',
            title: 'drifted',
            scale: { domain: [false, true], range: [THEME.good, THEME.bad] },
          },
          tooltip: [{ field: 'component' }, { field: 'score', format: '.4g' }, { field: 'drifted' }],
        },
      },
      { data: { values: [{ v: threshold }] }, mark: { type: 'rule', color: THEME.grey, strokeDash: [4, 3] }, encoding: { y: { field: 'v', type: 'quantitative' } } },
    ],
  } as TopLevelSpec;
}

export interface TagShiftBar {
  tag: string;
  change: number;
}

/** Diverging bars: change of a tag's share of questions (percentage points), rising and falling. */
export function tagShiftSpec(title: string, bars: TagShiftBar[]): TopLevelSpec {
  return {
    $schema: SCHEMA,
    title,
    width: 360,
    height: { step: 16 },
    data: { values: bars.map((b) => ({ ...b, pp: b.change * 100, dir: b.change >= 0 ? 'rising' : 'falling' })) },
    mark: { type: 'bar' },
    encoding: {
      y: { field: 'tag', type: 'nominal', sort: '-x', title: null, axis: { labelLimit: 180 } },
      x: { field: 'pp', type: 'quantitative', title: 'change of share of questions (points)' },
      color: { field: 'dir', type: 'nominal', title: null, scale: { domain: ['rising', 'falling'], range: [THEME.accent, THEME.primary] } },
      tooltip: [{ field: 'tag' }, { field: 'pp', format: '+.1f', title: 'points' }],
    },
  } as TopLevelSpec;
}

export interface CountBar {
  period: string;
  questions: number;
  status: string;
}

/** Questions per period, coloured by what happened to the period (reference, analysed, too few). */
export function countsSpec(title: string, bars: CountBar[]): TopLevelSpec {
  return {
    $schema: SCHEMA,
    title,
    width: Math.max(260, bars.length * 26),
    height: 160,
    data: { values: bars },
    mark: { type: 'bar' },
    encoding: {
      x: { field: 'period', type: 'ordinal', sort: bars.map((b) => b.period), title: null, axis: { labelAngle: -40 } },
      y: { field: 'questions', type: 'quantitative', title: 'questions' },
      color: {
        field: 'status',
        type: 'nominal',
        title: null,
        scale: { domain: ['reference', 'analysed', 'too few'], range: [THEME.grey, THEME.primary, THEME.warn] },
      },
      tooltip: [{ field: 'period' }, { field: 'questions' }, { field: 'status' }],
    },
  } as TopLevelSpec;
}
