/**
 * The plots tagsmith logs with every tracked training run and with the vectoriser comparison:
 * micro F1 by tag-frequency band and split, tag coverage by vocabulary size and split, and metric
 * comparisons across runs. All are bar charts drawn by `render.ts` (one theme); each comes as SVG and PNG.
 */
import type { TagRow } from '../core/metrics';
import { barChartSpec, renderSvg, svgToPng, VEGA_LITE_CONFIG, type BarChartOptions, type BarDatum, type TopLevelSpec } from './render';

export interface Chart {
  svg: string;
  png: Uint8Array;
}

/** A bar chart with a subtitle line and untruncated legend labels, as SVG and PNG. */
async function chart(opts: BarChartOptions & { subtitle?: string; colourOnly?: boolean }): Promise<Chart> {
  const spec = barChartSpec(opts) as TopLevelSpec & { encoding?: Record<string, { axis?: Record<string, unknown> } | undefined> };
  // Headless vega estimates text widths generously: do not cut labels at render.ts' 220 px.
  for (const ch of ['x', 'y']) {
    const axis = spec.encoding?.[ch]?.axis;
    if (axis) axis.labelLimit = 400;
  }
  // Colour by group but one bar per label (labels unique to a group): no offset lanes.
  if (opts.colourOnly && spec.encoding) {
    delete spec.encoding.yOffset;
    delete spec.encoding.xOffset;
  }
  const withTitle = {
    ...spec,
    title: { text: opts.title, ...(opts.subtitle ? { subtitle: opts.subtitle, subtitleColor: '#6a737c', subtitleFontSize: 11 } : {}) },
    config: { legend: { ...VEGA_LITE_CONFIG.legend, labelLimit: 0, orient: 'bottom', direction: 'horizontal' } },
  } as TopLevelSpec;
  const svg = await renderSvg(withTitle);
  return { svg, png: svgToPng(svg, 2) };
}

/** Micro-averaged precision/recall/F1 over a set of per-tag rows (sklearn's micro average restricted to them). */
export function microF1(rows: readonly TagRow[]): number {
  let tp = 0;
  let pred = 0;
  let gold = 0;
  for (const r of rows) {
    tp += r.truePositives;
    pred += r.predicted;
    gold += r.support;
  }
  return pred + gold > 0 ? (2 * tp) / (pred + gold) : 0;
}

/**
 * Bands of the vocabulary by training frequency rank: top 10, 11-50, 51-200, ... (only the bands the
 * vocabulary reaches), so the plot shows where the model is good (frequent tags) and where it is not.
 */
export function frequencyBands(vocabSize: number): { label: string; from: number; to: number }[] {
  const edges = [0, 10, 50, 200, 1000, 5000].filter((e) => e < vocabSize);
  return edges.map((from, i) => {
    const to = Math.min(edges[i + 1] ?? vocabSize, vocabSize);
    return { label: `tags ${from + 1}-${to}`, from, to };
  });
}

/** The rows of one split's per-tag table, in vocabulary order (most frequent tag first). */
export interface SplitTagRows {
  split: string;
  perTag: readonly TagRow[];
}

/**
 * Bar plot of F1 micro: over all vocabulary tags and per frequency band, one bar per split.
 * `perTag` rows must be in vocabulary order (as `Evaluation.per_tag` is).
 */
export function f1MicroData(splits: readonly SplitTagRows[]): BarDatum[] {
  const out: BarDatum[] = [];
  for (const s of splits) {
    out.push({ label: `all ${s.perTag.length} tags`, value: microF1(s.perTag), group: s.split });
    for (const b of frequencyBands(s.perTag.length)) {
      if (b.from === 0 && b.to === s.perTag.length) continue; // same as "all"
      out.push({ label: b.label, value: microF1(s.perTag.slice(b.from, b.to)), group: s.split });
    }
  }
  return out;
}

export function f1MicroChart(splits: readonly SplitTagRows[], subtitle = ''): Promise<Chart> {
  return chart({
    title: 'F1 micro by tag frequency rank',
    subtitle: `at the per-tag thresholds${subtitle ? `; ${subtitle}` : ''}`,
    valueTitle: 'F1 micro',
    data: f1MicroData(splits),
    domain: [0, 1],
    keepOrder: true,
  });
}

export interface CoverageInput {
  /** Training frequency of each vocabulary tag, most frequent first. */
  counts: readonly number[];
  /** Share of training tag assignments covered by the whole vocabulary (to derive the total). */
  trainCoverage: number;
  /** Gold-assignment coverage per evaluated split, e.g. { test: 0.49, validation: 0.5 }. */
  splits: Record<string, number>;
  /** Share of vocabulary tags predicted at least once, per split. */
  predictedShare?: Record<string, number>;
}

/**
 * Bar plot of tag coverage: the share of training tag assignments covered by the top-N tags for growing N
 * (the cost of a smaller vocabulary), then the gold coverage of each evaluated split (the ceiling of
 * recall) and the share of the vocabulary each split ever predicts.
 */
const GOLD = 'gold tag assignments covered';
const PREDICTED = 'vocabulary tags ever predicted';

export function tagCoverageData(c: CoverageInput): BarDatum[] {
  const total = c.trainCoverage > 0 ? c.counts.reduce((a, b) => a + b, 0) / c.trainCoverage : 0;
  const out: BarDatum[] = [];
  const ns = [10, 25, 50, 100, 200, 500, 1000].filter((n) => n < c.counts.length);
  ns.push(c.counts.length);
  for (const n of ns) {
    const covered = c.counts.slice(0, n).reduce((a, b) => a + b, 0);
    out.push({ label: `train, top ${n} tags`, value: total ? covered / total : 0, group: GOLD });
  }
  for (const [split, v] of Object.entries(c.splits)) {
    out.push({ label: `${split}, in vocabulary`, value: v, group: GOLD });
  }
  for (const [split, v] of Object.entries(c.predictedShare ?? {})) {
    out.push({ label: `${split}, tags predicted`, value: v, group: PREDICTED });
  }
  return out;
}

export function tagCoverageChart(c: CoverageInput, subtitle = ''): Promise<Chart> {
  return chart({
    title: 'Tag coverage',
    subtitle,
    colourOnly: true,
    valueTitle: 'share',
    data: tagCoverageData(c),
    domain: [0, 1],
    keepOrder: true,
    format: '.1%',
  });
}

/** One metric across runs, e.g. test micro-F1 of tfidf / embeddings / hybrid, optionally per split. */
export function metricComparisonChart(
  title: string,
  valueTitle: string,
  data: BarDatum[],
  subtitle?: string,
  opts: { format?: string; horizontal?: boolean } = {},
): Promise<Chart> {
  return chart({ title, subtitle, valueTitle, data, domain: [0, 1], keepOrder: true, format: opts.format ?? '.3f', horizontal: opts.horizontal });
}
