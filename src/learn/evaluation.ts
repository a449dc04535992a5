/**
 * Evaluation of a tag model's scores against gold tags: ranking metrics at k = 1..5 (PTM4Tag
 * convention, over all gold tags, in or out of the vocabulary), thresholded micro/macro/samples
 * precision, recall and F1 over the vocabulary's tags at the model's per-tag thresholds, tag
 * coverage and a per-tag table. The metric functions themselves are core/metrics (checked
 * against scikit-learn).
 */
import { multilabelScores, perTagTable, rankingMetrics, tagCoverage, type TagRow } from '../core/metrics';

export interface Evaluation {
  /** Questions evaluated. */
  n: number;
  p_at_k: number[];
  r_at_k: number[];
  f1_at_k: number[];
  micro_precision: number;
  micro_recall: number;
  micro_f1: number;
  macro_f1: number;
  samples_f1: number;
  /** Share of gold tag assignments inside the vocabulary. */
  coverage: number;
  /** Share of vocabulary tags predicted at least once (at the thresholds). */
  vocabulary_predicted_share: number;
  /** Questions without any prediction above its tag's threshold (the model abstains). */
  abstain_rate: number;
  /** The same among questions with at least one gold tag in the vocabulary (where a suggestion was possible). */
  abstain_rate_in_vocabulary: number;
  per_tag: TagRow[];
}

/** Indices of the k best scores, best first (ties: lower index first). */
export function topK(scores: ArrayLike<number>, k: number): number[] {
  const idx: number[] = [];
  for (let t = 0; t < scores.length; t++) {
    if (idx.length < k) {
      idx.push(t);
      idx.sort((a, b) => scores[b] - scores[a] || a - b);
    } else if (scores[t] > scores[idx[k - 1]]) {
      idx[k - 1] = t;
      idx.sort((a, b) => scores[b] - scores[a] || a - b);
    }
  }
  return idx;
}

export function evaluateScores(
  scores: readonly ArrayLike<number>[],
  gold: readonly (readonly string[])[],
  tags: readonly string[],
  thresholds: ArrayLike<number>,
  maxK = 5,
): Evaluation {
  if (scores.length !== gold.length) throw new RangeError(`evaluateScores: ${scores.length} score rows for ${gold.length} questions`);
  const ranked = scores.map((s) => topK(s, maxK).map((t) => tags[t]));
  const ranking = rankingMetrics(ranked, gold, maxK);
  const tagIndex = new Map(tags.map((t, i) => [t, i]));
  const yTrue: Uint8Array[] = [];
  const yPred: Uint8Array[] = [];
  const predictedSets: string[][] = [];
  let abstained = 0;
  let inVocab = 0;
  let abstainedInVocab = 0;
  for (let i = 0; i < scores.length; i++) {
    const truth = new Uint8Array(tags.length);
    let known = false;
    for (const g of gold[i]) {
      const t = tagIndex.get(g);
      if (t !== undefined) {
        truth[t] = 1;
        known = true;
      }
    }
    const pred = new Uint8Array(tags.length);
    const names: string[] = [];
    for (let t = 0; t < tags.length; t++) {
      if (scores[i][t] >= thresholds[t]) {
        pred[t] = 1;
        names.push(tags[t]);
      }
    }
    if (names.length === 0) abstained++;
    if (known) {
      inVocab++;
      if (names.length === 0) abstainedInVocab++;
    }
    yTrue.push(truth);
    yPred.push(pred);
    predictedSets.push(names);
  }
  const micro = multilabelScores(yTrue, yPred, 'micro');
  const coverage = tagCoverage(gold, predictedSets, tags);
  return {
    n: scores.length,
    p_at_k: ranking.atK.map((r) => r.precision),
    r_at_k: ranking.atK.map((r) => r.recall),
    f1_at_k: ranking.atK.map((r) => r.f1),
    micro_precision: micro.precision,
    micro_recall: micro.recall,
    micro_f1: micro.f1,
    macro_f1: multilabelScores(yTrue, yPred, 'macro').f1,
    samples_f1: multilabelScores(yTrue, yPred, 'samples').f1,
    coverage: coverage.goldAssignmentCoverage,
    vocabulary_predicted_share: coverage.vocabularyPredictedShare,
    abstain_rate: scores.length ? abstained / scores.length : 0,
    abstain_rate_in_vocabulary: inVocab ? abstainedInVocab / inVocab : 0,
    per_tag: perTagTable(yTrue, yPred, tags),
  };
}

/** The one-line JSON summary printed by `tagsmith evaluate --json` (and logged by trackers). */
export function summary(e: Evaluation): Omit<Evaluation, 'per_tag'> {
  const { per_tag: _perTag, ...rest } = e;
  return rest;
}
