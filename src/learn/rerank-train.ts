/**
 * Training of the re-ranker (core/rerank): the neighbour index from the training questions, the
 * trees from the validation questions' candidates.
 *
 * The trees learn on validation (the head's scores on its own training questions are too good to
 * learn from), so the validation scores the thresholds are tuned on must not come from trees that
 * saw those questions: they are cross-fitted (two halves, each scored by trees trained on the other
 * half), and the shipped trees are then trained on all of validation.
 */
import type { GbdtModel } from '../core/gbdt';
import { float16BitsToFloat32, float32ToFloat16Bits } from '../core/head';
import { candidateRows, NeighbourIndex, NON_CANDIDATE_SCALE, RERANK_FEATURES, Reranker, tagWords, type RerankSettings } from '../core/rerank';
import { kmeans } from 'ml-kmeans';
import { fitPca } from './pca';
import { GBDT_DEFAULTS, trainGbdt, type GbdtOptions } from './gbdt';

export interface RerankOptions extends RerankSettings {
  /** Principal components kept per training embedding (int8 each). */
  components: number;
  /** k-means lists of the inverted file. */
  lists: number;
  gbdt?: Partial<GbdtOptions>;
}

/** Validation questions the trees need at the least (each half trains trees for the other). */
export const MIN_VALIDATION = 10;

export const RERANK_DEFAULTS: RerankOptions = { components: 32, lists: 256, probe: 32, k: 30, power: 4, headCandidates: 20, neighbourCandidates: 10 };

export interface RerankInput {
  tags: readonly string[];
  /** Training questions per tag (the vocabulary's counts). */
  tagCounts: readonly number[];
  trainEmbeddings: Float32Array[];
  trainLabels: number[][];
  validationEmbeddings: Float32Array[];
  validationHeadScores: Float32Array[];
  validationTexts: string[];
  validationLabels: number[][];
}

export interface RerankResult {
  reranker: Reranker;
  /** Cross-fitted scores of the validation questions (for the thresholds). */
  validationScores: Float32Array[];
  /** Rows the trees were trained on (candidates of all validation questions) and their positives. */
  rows: number;
  positives: number;
  /** Share of validation gold tags (in the vocabulary) that are among the candidates. */
  candidateRecall: number;
  /** Variance share of the kept components. */
  explainedVariance: number;
  /** The trees' options as trained (defaults filled in). */
  gbdt: GbdtOptions;
}

/**
 * The compressed neighbour index of `embeddings` (rows) with their `labels`: PCA to `components`,
 * unit length, k-means (`lists` lists, ml-kmeans, seeded), items stored list after list as int8
 * codes with one scale per component.
 */
export function buildNeighbourIndex(
  embeddings: Float32Array[],
  labels: number[][],
  components: number,
  lists = 1,
): { index: NeighbourIndex; explainedVariance: number } {
  const dim = embeddings[0].length;
  const d = components;
  const pca = fitPca(embeddings, d);
  const mean = Float32Array.from(pca.mean);
  const proj = new Float32Array(dim * d);
  for (let c = 0; c < d; c++) for (let j = 0; j < dim; j++) proj[j * d + c] = pca.components[c][j];
  const n = embeddings.length;
  // unit-length projections
  const unitRows: number[][] = embeddings.map((e) => {
    const q = new Float64Array(d);
    for (let j = 0; j < dim; j++) {
      const v = e[j] - mean[j];
      for (let c = 0; c < d; c++) q[c] += v * proj[j * d + c];
    }
    const norm = Math.hypot(...q) || 1;
    return Array.from(q, (v) => v / norm);
  });
  const k = Math.max(1, Math.min(lists, Math.floor(n / 8)));
  const clusters = k === 1 ? new Array<number>(n).fill(0) : kmeans(unitRows, k, { seed: 42, initialization: 'kmeans++', maxIterations: 30 }).clusters;
  const centroids = new Float32Array(k * d);
  const sizes = new Uint32Array(k);
  unitRows.forEach((row, i) => {
    sizes[clusters[i]]++;
    for (let c = 0; c < d; c++) centroids[clusters[i] * d + c] += row[c];
  });
  for (let l = 0; l < k; l++) for (let c = 0; c < d; c++) centroids[l * d + c] /= sizes[l] || 1;
  const order = [...unitRows.keys()].sort((a, b) => clusters[a] - clusters[b] || a - b);
  const listPtr = new Uint32Array(k + 1);
  for (let l = 0; l < k; l++) listPtr[l + 1] = listPtr[l] + sizes[l];
  const maxAbs = new Float64Array(d);
  for (const row of unitRows) for (let c = 0; c < d; c++) maxAbs[c] = Math.max(maxAbs[c], Math.abs(row[c]));
  const scale = Float32Array.from(maxAbs, (m) => (m > 0 ? m / 127 : 1));
  const codes = new Int8Array(n * d);
  const invNorm = new Float32Array(n);
  const labelCounts = new Uint8Array(n);
  const labelIds: number[] = [];
  order.forEach((i, at) => {
    let norm = 0;
    for (let c = 0; c < d; c++) {
      const q = Math.max(-127, Math.min(127, Math.round(unitRows[i][c] / scale[c])));
      codes[at * d + c] = q;
      norm += (q * scale[c]) ** 2;
    }
    // stored as float16: rounded here already, so the trained index scores as the loaded one
    invNorm[at] = norm > 0 ? float16BitsToFloat32(float32ToFloat16Bits(1 / Math.sqrt(norm))) : 0;
    if (labels[i].length > 255) throw new Error(`rerank: training question ${i} has ${labels[i].length} tags (at most 255)`);
    labelCounts[at] = labels[i].length;
    labelIds.push(...labels[i]);
  });
  const explainedVariance = pca.explainedVarianceRatio.reduce((s, v) => s + v, 0);
  return {
    index: new NeighbourIndex(mean, proj, scale, centroids, listPtr, codes, invNorm, labelCounts, Uint16Array.from(labelIds)),
    explainedVariance,
  };
}

/** Trees over the candidate rows of `questions` (indices into the prepared lists). */
function fitTrees(cands: { x: Float32Array; y: Uint8Array }[], questions: number[], gbdt?: Partial<GbdtOptions>): GbdtModel {
  const f = RERANK_FEATURES.length;
  const total = questions.reduce((s, q) => s + cands[q].y.length, 0);
  const x = new Float32Array(total * f);
  const y = new Uint8Array(total);
  let at = 0;
  for (const q of questions) {
    x.set(cands[q].x, at * f);
    y.set(cands[q].y, at);
    at += cands[q].y.length;
  }
  return trainGbdt(x, y, f, gbdt);
}

export function trainReranker(input: RerankInput, options: Partial<RerankOptions> = {}): RerankResult {
  const o = { ...RERANK_DEFAULTS, ...options };
  if (input.validationHeadScores.length < MIN_VALIDATION) {
    throw new Error(
      `the re-ranker learns from validation questions and there are ${input.validationHeadScores.length} (at least ${MIN_VALIDATION} needed): train on more questions or pass --no-rerank`,
    );
  }
  const settings: RerankSettings = { headCandidates: o.headCandidates, neighbourCandidates: o.neighbourCandidates, k: o.k, power: o.power, probe: o.probe };
  // a tiny training set cannot give more components than questions
  const components = Math.min(o.components, input.trainEmbeddings.length - 1, input.trainEmbeddings[0]?.length ?? 0);
  const { index, explainedVariance } = buildNeighbourIndex(input.trainEmbeddings, input.trainLabels, components, o.lists);
  const priors = input.tagCounts.map((c) => Math.log1p(c));
  const f = RERANK_FEATURES.length;
  // candidates and features once (as Reranker.apply makes them); the trees do not change them
  const words = input.tags.map(tagWords);
  const priorsF32 = Float32Array.from(priors);
  let gold = 0;
  let found = 0;
  const cands = input.validationHeadScores.map((scores, q) => {
    const votes = index.vote(input.validationEmbeddings[q], input.tags.length, settings.k, settings.power, settings.probe);
    const c = candidateRows(scores, votes, input.validationTexts[q], settings, priorsF32, words);
    const labels = new Set(input.validationLabels[q]);
    gold += labels.size;
    const y = Uint8Array.from(c.tags, (t) => (labels.has(t) ? 1 : 0));
    found += y.reduce((s, v) => s + v, 0);
    return { ...c, y };
  });
  const rows = cands.reduce((s, c) => s + c.y.length, 0);
  // two halves by position (validation is already a seeded random sample)
  const halves = [cands.map((_, q) => q).filter((q) => q % 2 === 0), cands.map((_, q) => q).filter((q) => q % 2 === 1)];
  const validationScores = input.validationHeadScores.map((s) => s.map((v) => v * NON_CANDIDATE_SCALE));
  for (let h = 0; h < 2; h++) {
    const trees = fitTrees(cands, halves[1 - h], o.gbdt);
    for (const q of halves[h]) cands[q].tags.forEach((t, r) => (validationScores[q][t] = trees.probability(cands[q].x, r * f)));
  }
  const trees = fitTrees(cands, cands.map((_, q) => q), o.gbdt);
  return {
    reranker: new Reranker(settings, priors, trees, index, input.tags),
    validationScores,
    rows,
    positives: found,
    candidateRecall: gold > 0 ? found / gold : 0,
    explainedVariance,
    gbdt: { ...GBDT_DEFAULTS, ...o.gbdt },
  };
}
