/**
 * Drift monitoring of one reference period against current periods: the computing half of
 * `tagsmith drift` (the command loads data, embeds and scores; report/ renders). Every figure the
 * reports show comes from here and lands in drift.json. Pure and browser-safe: it takes
 * embeddings and model scores, it does not compute them.
 */
import { evaluateScores, topK, type Evaluation } from '../learn/evaluation';
import { centroid, cosineDistance, tagCountJensenShannon } from './distances';
import { columnDrift, datasetDrift, type ColumnDrift } from './decision';
import { fitPca, pcaTransform, type PcaModel } from '../learn/pca';
import { domainClassifierAuc, type DomainClassifierResult } from './domain';
import { DESCRIPTOR_NAMES, type Descriptors } from './descriptors';
import { decideVerdict, type Verdict } from './verdict';
import { mean } from './numeric';

/** One question as the monitor sees it. */
export interface MonitorItem {
  id: string;
  tags: readonly string[];
  /** Sentence embedding of the model text. */
  embedding: Float32Array;
  /** The model's sigmoid score of every vocabulary tag. */
  scores: Float32Array;
  /** True when the model never trained on (nor tuned thresholds on) this question. */
  unseen: boolean;
  descriptors: Descriptors;
}

export interface PeriodData {
  period: string;
  /** Questions the period holds in the data (before sampling). */
  total: number;
  /** The sample analysed. */
  items: MonitorItem[];
}

export interface MonitorOptions {
  tags: readonly string[];
  thresholds: ArrayLike<number>;
  /** PCA components fitted on the reference (default 10). */
  pcaComponents?: number;
  /** Points per side kept for the PCA scatter (default 300). */
  scatterPoints?: number;
  /** Unseen questions needed for the supervised metrics of a period (default 30). */
  minSupervised?: number;
  seed?: number;
  /** Tags listed as rising / falling (default 8 each). */
  topTags?: number;
}

/** The evaluation's figures a drift report shows per period (same names and meaning as `Evaluation`). */
export type SupervisedMetrics = Pick<Evaluation, 'n' | 'p_at_k' | 'r_at_k' | 'f1_at_k' | 'micro_precision' | 'micro_recall' | 'micro_f1' | 'macro_f1' | 'abstain_rate'>;

export interface TagShift {
  tag: string;
  reference: number;
  current: number;
  /** current - reference (share of questions carrying the tag). */
  change: number;
  inVocabulary: boolean;
}

export interface LabelMetrics {
  /** Share of gold tag assignments inside the vocabulary (all sampled questions). */
  coverage: number;
  goldAssignments: number;
  /**
   * Jensen-Shannon distance (base 2) of gold tag counts vs the reference over the vocabulary's tags,
   * every other tag pooled into one bucket (the long tail of rare tags would otherwise make two
   * samples of a few hundred questions look far apart even from the same month); 0 for the reference.
   */
  goldTagsJs: number;
  /** Jensen-Shannon distance of the model's top-1 tag counts vs the reference. */
  predictedTagsJs: number;
  rising: TagShift[];
  falling: TagShift[];
  /** Most frequent gold tags of the period (share of questions). */
  topGold: { tag: string; share: number }[];
}

export interface ComponentDrift extends ColumnDrift {
  component: number;
  explainedVarianceRatio: number;
  referenceMean: number;
  currentMean: number;
}

export interface DescriptorDrift {
  name: keyof Descriptors;
  referenceMean: number;
  currentMean: number;
  /** null when both samples hold one single value (nothing to test). */
  test: ColumnDrift | null;
  drifted: boolean;
}

export interface UnsupervisedMetrics {
  centroidCosineDistance: number;
  components: ComponentDrift[];
  driftShare: number;
  datasetDrift: boolean;
  domainAuc: number | null;
  /** Standard error of the AUC under no drift (Mann-Whitney), for these sample sizes. */
  domainNullSe: number | null;
  /** AUC > 0.55 and more than 2 null standard errors above 0.5. */
  domainDrifted: boolean;
  descriptors: DescriptorDrift[];
  /** PCA coordinates (PC1, PC2) of a few current questions, for the scatter. */
  scatter: [number, number][];
}

export interface PeriodResult {
  period: string;
  questions: number;
  sampled: number;
  unseen: number;
  /** null when fewer than minSupervised unseen questions. */
  supervised: SupervisedMetrics | null;
  labels: LabelMetrics;
  /** null for the reference itself. */
  unsupervised: UnsupervisedMetrics | null;
  descriptorMeans: Record<keyof Descriptors, number>;
  verdict: Verdict | null;
}

export interface ReferenceState {
  data: PeriodData;
  result: PeriodResult;
  pca: PcaModel;
  projected: Float64Array[];
  centroid: Float64Array;
  goldCounts: Map<string, number>;
  predictedCounts: Map<string, number>;
  coverage: { value: number; n: number };
  scatter: [number, number][];
}

const DEFAULTS = { pcaComponents: 10, scatterPoints: 300, minSupervised: 30, seed: 42, topTags: 8 };

function supervised(items: MonitorItem[], opts: MonitorOptions, minSupervised: number): SupervisedMetrics | null {
  const unseen = items.filter((i) => i.unseen && i.tags.length > 0);
  if (unseen.length < minSupervised) return null;
  const e = evaluateScores(
    unseen.map((i) => i.scores),
    unseen.map((i) => i.tags),
    opts.tags,
    opts.thresholds,
  );
  return {
    n: e.n,
    p_at_k: e.p_at_k,
    r_at_k: e.r_at_k,
    f1_at_k: e.f1_at_k,
    micro_precision: e.micro_precision,
    micro_recall: e.micro_recall,
    micro_f1: e.micro_f1,
    macro_f1: e.macro_f1,
    abstain_rate: e.abstain_rate,
  };
}

function goldCounts(items: MonitorItem[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const i of items) for (const t of new Set(i.tags)) m.set(t, (m.get(t) ?? 0) + 1);
  return m;
}

/** Tag counts with every tag outside the vocabulary pooled into one bucket (the JS distance's support). */
export const OUTSIDE_VOCABULARY = '(outside the vocabulary)';
export function pooledCounts(counts: ReadonlyMap<string, number>, vocab: ReadonlySet<string>): Map<string, number> {
  const m = new Map<string, number>();
  for (const [t, c] of counts) {
    const k = vocab.has(t) ? t : OUTSIDE_VOCABULARY;
    m.set(k, (m.get(k) ?? 0) + c);
  }
  return m;
}

function predictedCounts(items: MonitorItem[], tags: readonly string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const i of items) {
    const t = tags[topK(i.scores, 1)[0]];
    m.set(t, (m.get(t) ?? 0) + 1);
  }
  return m;
}

function coverageOf(items: MonitorItem[], vocab: ReadonlySet<string>): { value: number; n: number } {
  let n = 0;
  let inside = 0;
  for (const i of items) {
    for (const t of new Set(i.tags)) {
      n++;
      if (vocab.has(t)) inside++;
    }
  }
  return { value: n ? inside / n : 0, n };
}

function tagShifts(ref: Map<string, number>, refN: number, cur: Map<string, number>, curN: number, vocab: ReadonlySet<string>, top: number) {
  const shifts: TagShift[] = [...new Set([...ref.keys(), ...cur.keys()])].map((tag) => {
    const r = (ref.get(tag) ?? 0) / refN;
    const c = (cur.get(tag) ?? 0) / curN;
    return { tag, reference: r, current: c, change: c - r, inVocabulary: vocab.has(tag) };
  });
  const rising = shifts.filter((s) => s.change > 0).sort((a, b) => b.change - a.change || (a.tag < b.tag ? -1 : 1)).slice(0, top);
  const falling = shifts.filter((s) => s.change < 0).sort((a, b) => a.change - b.change || (a.tag < b.tag ? -1 : 1)).slice(0, top);
  return { rising, falling };
}

function topGold(counts: Map<string, number>, n: number, top: number) {
  return [...counts.entries()]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, top)
    .map(([tag, c]) => ({ tag, share: c / n }));
}

function descriptorMeans(items: MonitorItem[]): Record<keyof Descriptors, number> {
  const out = {} as Record<keyof Descriptors, number>;
  for (const name of DESCRIPTOR_NAMES) out[name] = mean(items.map((i) => i.descriptors[name]));
  return out;
}

function column(rows: readonly ArrayLike<number>[], j: number): Float64Array {
  return Float64Array.from(rows, (r) => r[j]);
}

/** A numeric column compared Evidently's way; null when both sides hold one single value. */
export function compareColumn(reference: ArrayLike<number>, current: ArrayLike<number>): ColumnDrift | null {
  const first = reference.length ? reference[0] : current[0];
  let constant = true;
  for (const s of [reference, current]) for (let i = 0; i < s.length && constant; i++) if (s[i] !== first) constant = false;
  return constant ? null : columnDrift(reference, current);
}

/** Fits everything the reference provides (PCA, centroid, tag counts) and its own figures. */
export function analyzeReference(ref: PeriodData, opts: MonitorOptions): ReferenceState {
  const o = { ...DEFAULTS, ...opts };
  if (ref.items.length < 3) throw new RangeError(`reference ${ref.period}: ${ref.items.length} questions; the reference needs at least 3`);
  const vocab = new Set(opts.tags);
  const embeddings = ref.items.map((i) => i.embedding);
  const k = Math.min(o.pcaComponents, embeddings.length - 1, embeddings[0].length);
  const pca = fitPca(embeddings, k);
  const projected = pcaTransform(pca, embeddings);
  const gold = goldCounts(ref.items);
  const pred = predictedCounts(ref.items, opts.tags);
  const coverage = coverageOf(ref.items, vocab);
  const result: PeriodResult = {
    period: ref.period,
    questions: ref.total,
    sampled: ref.items.length,
    unseen: ref.items.filter((i) => i.unseen).length,
    supervised: supervised(ref.items, opts, o.minSupervised),
    labels: {
      coverage: coverage.value,
      goldAssignments: coverage.n,
      goldTagsJs: 0,
      predictedTagsJs: 0,
      rising: [],
      falling: [],
      topGold: topGold(gold, ref.items.length, o.topTags),
    },
    unsupervised: null,
    descriptorMeans: descriptorMeans(ref.items),
    verdict: null,
  };
  return {
    data: ref,
    result,
    pca,
    projected,
    centroid: centroid(embeddings),
    goldCounts: gold,
    predictedCounts: pred,
    coverage,
    scatter: projected.slice(0, o.scatterPoints).map((p) => [p[0], p[1] ?? 0]),
  };
}

/** Everything about one current period against the reference, with its verdict. */
export function analyzePeriod(ref: ReferenceState, cur: PeriodData, opts: MonitorOptions): PeriodResult {
  const o = { ...DEFAULTS, ...opts };
  if (cur.items.length < 3) throw new RangeError(`period ${cur.period}: ${cur.items.length} questions; a period needs at least 3`);
  const vocab = new Set(opts.tags);
  const n = cur.items.length;
  const embeddings = cur.items.map((i) => i.embedding);

  // labels
  const gold = goldCounts(cur.items);
  const pred = predictedCounts(cur.items, opts.tags);
  const coverage = coverageOf(cur.items, vocab);
  const { rising, falling } = tagShifts(ref.goldCounts, ref.data.items.length, gold, n, vocab, o.topTags);

  // embeddings
  const projected = pcaTransform(ref.pca, embeddings);
  const components: ComponentDrift[] = ref.pca.explainedVarianceRatio.map((ratio, j) => {
    const r = column(ref.projected, j);
    const c = column(projected, j);
    return { component: j + 1, explainedVarianceRatio: ratio, referenceMean: mean(r), currentMean: mean(c), ...columnDrift(r, c) };
  });
  const dataset = datasetDrift(components);
  let domain: DomainClassifierResult | null = null;
  try {
    domain = domainClassifierAuc(ref.data.items.map((i) => i.embedding), embeddings, { seed: o.seed });
  } catch (err) {
    if (!(err instanceof RangeError)) throw err; // too few rows for the folds: reported as null
  }

  // descriptors
  const descriptors: DescriptorDrift[] = DESCRIPTOR_NAMES.map((name) => {
    const r = Float64Array.from(ref.data.items, (i) => i.descriptors[name]);
    const c = Float64Array.from(cur.items, (i) => i.descriptors[name]);
    const test = compareColumn(r, c);
    return { name, referenceMean: mean(r), currentMean: mean(c), test, drifted: test?.drifted ?? false };
  });

  const sup = supervised(cur.items, opts, o.minSupervised);
  const refSup = ref.result.supervised;
  const verdict = decideVerdict({
    p1: sup && refSup ? { reference: { value: refSup.p_at_k[0], n: refSup.n }, current: { value: sup.p_at_k[0], n: sup.n } } : undefined,
    coverage: { reference: ref.coverage, current: coverage },
    embeddingDrift: { share: dataset.share, drifted: dataset.drifted },
    domain: domain ? { auc: domain.auc, drifted: domain.drifted } : undefined,
  });

  return {
    period: cur.period,
    questions: cur.total,
    sampled: n,
    unseen: cur.items.filter((i) => i.unseen).length,
    supervised: sup,
    labels: {
      coverage: coverage.value,
      goldAssignments: coverage.n,
      goldTagsJs: tagCountJensenShannon(pooledCounts(ref.goldCounts, vocab), pooledCounts(gold, vocab)).distance,
      predictedTagsJs: tagCountJensenShannon(ref.predictedCounts, pred).distance,
      rising,
      falling,
      topGold: topGold(gold, n, o.topTags),
    },
    unsupervised: {
      centroidCosineDistance: cosineDistance(ref.centroid, centroid(embeddings)),
      components,
      driftShare: dataset.share,
      datasetDrift: dataset.drifted,
      domainAuc: domain?.auc ?? null,
      domainNullSe: domain?.nullSe ?? null,
      domainDrifted: domain?.drifted ?? false,
      descriptors,
      scatter: projected.slice(0, o.scatterPoints).map((p) => [p[0], p[1] ?? 0]),
    },
    descriptorMeans: descriptorMeans(cur.items),
    verdict,
  };
}
