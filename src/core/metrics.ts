/**
 * Evaluation metrics of tagsmith, checked against scikit-learn 1.9 (and, for the ranking metrics,
 * a numpy implementation of the formula) by `tests/metrics.test.ts`.
 *
 * Hand-written because no maintained npm package reproduces scikit-learn's multilabel averaging and
 * `zero_division` rules; each function is a few lines over counts.
 *
 * Conventions:
 * - every division by zero yields 0 (scikit-learn `zero_division=0`);
 * - ranking metrics (research convention, PTM4Tag / Post2Vec), per post then averaged over posts:
 *   P@k = hits/k (a list shorter than k still divides by k), R@k = hits/min(k, |gold|),
 *   F1@k = 2 P R / (P + R) of that post (0 when both are 0). Posts whose gold set is empty are
 *   EXCLUDED from the averages (R@k is undefined for them) and counted in `excludedEmptyGold`.
 * - thresholded metrics take binary indicator rows (one column per label), or label sets turned into
 *   rows by {@link indicatorFromSets}; all labels of the label set count, including labels never
 *   predicted or never present (they score 0 and pull the macro average down, as in scikit-learn).
 *
 * Pure and browser-safe.
 */

/** P@k, R@k and F1@k averaged over the evaluated posts. */
export interface RankingAtK {
  k: number;
  precision: number;
  recall: number;
  f1: number;
}

export interface RankingMetrics {
  /** One entry per k = 1..maxK. */
  atK: RankingAtK[];
  /** Posts with a non-empty gold set (the averages are over these). */
  evaluatedPosts: number;
  /** Posts skipped because their gold set is empty. */
  excludedEmptyGold: number;
}

/**
 * Ranking metrics at k = 1..maxK. `predicted[i]` is post i's ranked tag list (best first, no
 * duplicates), `gold[i]` its true tags (duplicates ignored). When no post has gold tags, all
 * averages are 0 and `evaluatedPosts` is 0.
 */
export function rankingMetrics(
  predicted: readonly (readonly string[])[],
  gold: readonly Iterable<string>[],
  maxK = 5,
): RankingMetrics {
  if (predicted.length !== gold.length) {
    throw new RangeError(`rankingMetrics: ${predicted.length} predicted lists but ${gold.length} gold sets; pass one of each per post`);
  }
  if (!Number.isInteger(maxK) || maxK < 1) throw new RangeError(`rankingMetrics: maxK = ${maxK} must be a positive integer`);
  const sums = Array.from({ length: maxK }, () => ({ p: 0, r: 0, f: 0 }));
  let evaluated = 0;
  for (let i = 0; i < predicted.length; i++) {
    const g = new Set(gold[i]);
    if (g.size === 0) continue;
    evaluated++;
    const ranked = predicted[i];
    if (new Set(ranked).size !== ranked.length) {
      throw new RangeError(`rankingMetrics: predicted[${i}] repeats a tag (${JSON.stringify(ranked)}); a ranked list must not`);
    }
    let hits = 0;
    for (let k = 1; k <= maxK; k++) {
      if (k <= ranked.length && g.has(ranked[k - 1])) hits++;
      const p = hits / k;
      const r = hits / Math.min(k, g.size);
      sums[k - 1].p += p;
      sums[k - 1].r += r;
      sums[k - 1].f += p + r > 0 ? (2 * p * r) / (p + r) : 0;
    }
  }
  const avg = (x: number): number => (evaluated > 0 ? x / evaluated : 0);
  return {
    atK: sums.map((s, i) => ({ k: i + 1, precision: avg(s.p), recall: avg(s.r), f1: avg(s.f) })),
    evaluatedPosts: evaluated,
    excludedEmptyGold: predicted.length - evaluated,
  };
}

/** Rows of 0/1, one column per label (e.g. `Uint8Array`s or `number[]`s). */
export type IndicatorMatrix = readonly ArrayLike<number>[];

/**
 * Turns label sets into indicator rows over `labels`. Labels outside `labels` are not columns: they
 * are ignored (as scikit-learn does with `labels=`) and counted in `ignored`.
 */
export function indicatorFromSets(
  sets: readonly Iterable<string>[],
  labels: readonly string[],
): { rows: Uint8Array[]; ignored: number } {
  const column = new Map(labels.map((l, j) => [l, j]));
  if (column.size !== labels.length) throw new RangeError('indicatorFromSets: labels has duplicates');
  let ignored = 0;
  const rows = sets.map((set) => {
    const row = new Uint8Array(labels.length);
    for (const l of new Set(set)) {
      const j = column.get(l);
      if (j === undefined) ignored++;
      else row[j] = 1;
    }
    return row;
  });
  return { rows, ignored };
}

const div = (a: number, b: number): number => (b === 0 ? 0 : a / b);

/** Per-label and per-sample confusion counts of two indicator matrices. */
function counts(yTrue: IndicatorMatrix, yPred: IndicatorMatrix) {
  if (yTrue.length !== yPred.length) {
    throw new RangeError(`multilabel metrics: yTrue has ${yTrue.length} rows, yPred ${yPred.length}; pass one row per sample in both`);
  }
  const nLabels = yTrue.length > 0 ? yTrue[0].length : 0;
  const tp = new Float64Array(nLabels);
  const predSum = new Float64Array(nLabels);
  const trueSum = new Float64Array(nLabels);
  const samples: { tp: number; pred: number; true: number }[] = [];
  for (let i = 0; i < yTrue.length; i++) {
    const t = yTrue[i];
    const p = yPred[i];
    if (t.length !== nLabels || p.length !== nLabels) {
      throw new RangeError(`multilabel metrics: row ${i} has ${t.length} true / ${p.length} predicted columns, expected ${nLabels}`);
    }
    const s = { tp: 0, pred: 0, true: 0 };
    for (let j = 0; j < nLabels; j++) {
      const a = t[j];
      const b = p[j];
      if ((a !== 0 && a !== 1) || (b !== 0 && b !== 1)) {
        throw new RangeError(`multilabel metrics: row ${i}, column ${j} holds ${a}/${b}; indicator values must be 0 or 1`);
      }
      tp[j] += a & b;
      predSum[j] += b;
      trueSum[j] += a;
      s.tp += a & b;
      s.pred += b;
      s.true += a;
    }
    samples.push(s);
  }
  return { tp, predSum, trueSum, samples };
}

/** Precision, recall and F1 from counts; F1 = 2tp / (|true| + |pred|) as in scikit-learn (0 if both 0). */
const prf = (tp: number, pred: number, truth: number): PRF => ({
  precision: div(tp, pred),
  recall: div(tp, truth),
  f1: div(2 * tp, truth + pred),
});

export interface PRF {
  precision: number;
  recall: number;
  f1: number;
}

export type Average = 'micro' | 'macro' | 'samples';

/**
 * scikit-learn `precision_recall_fscore_support(yTrue, yPred, average, zero_division=0)` for
 * multilabel indicator rows: micro pools the counts of all labels; macro averages the per-label
 * scores (F1 per label, not the harmonic mean of macro P and R); samples averages the per-row scores
 * (a row with no true and no predicted label scores 0).
 */
export function multilabelScores(yTrue: IndicatorMatrix, yPred: IndicatorMatrix, average: Average): PRF {
  const c = counts(yTrue, yPred);
  if (average === 'micro') {
    const sum = (a: Float64Array): number => a.reduce((x, y) => x + y, 0);
    return prf(sum(c.tp), sum(c.predSum), sum(c.trueSum));
  }
  const parts =
    average === 'macro'
      ? Array.from(c.tp, (tp, j) => prf(tp, c.predSum[j], c.trueSum[j]))
      : average === 'samples'
        ? c.samples.map((s) => prf(s.tp, s.pred, s.true))
        : (() => {
            throw new RangeError(`multilabelScores: average = ${JSON.stringify(average)}; use 'micro', 'macro' or 'samples'`);
          })();
  const mean = (f: (x: PRF) => number): number => div(parts.reduce((s, x) => s + f(x), 0), parts.length);
  return { precision: mean((x) => x.precision), recall: mean((x) => x.recall), f1: mean((x) => x.f1) };
}

/** One row of the per-tag table. */
export interface TagRow extends PRF {
  tag: string;
  /** Gold assignments of the tag (sklearn `support`). */
  support: number;
  /** Times the tag was predicted. */
  predicted: number;
  truePositives: number;
}

/** Per-tag support, predicted count, precision, recall, F1 (sklearn `average=None`), in `labels` order. */
export function perTagTable(yTrue: IndicatorMatrix, yPred: IndicatorMatrix, labels: readonly string[]): TagRow[] {
  const c = counts(yTrue, yPred);
  if (yTrue.length > 0 && labels.length !== c.tp.length) {
    throw new RangeError(`perTagTable: ${labels.length} labels for ${c.tp.length} indicator columns`);
  }
  return labels.map((tag, j) => ({
    tag,
    support: c.trueSum[j] ?? 0,
    predicted: c.predSum[j] ?? 0,
    truePositives: c.tp[j] ?? 0,
    ...prf(c.tp[j] ?? 0, c.predSum[j] ?? 0, c.trueSum[j] ?? 0),
  }));
}

export interface TagCoverage {
  /** Share of gold (post, tag) assignments whose tag is in the vocabulary (0 when there are none). */
  goldAssignmentCoverage: number;
  /** Share of vocabulary tags predicted at least once (0 for an empty vocabulary). */
  vocabularyPredictedShare: number;
  goldAssignments: number;
  goldAssignmentsInVocabulary: number;
  vocabularyTagsPredicted: number;
  /** Distinct predicted tags that are not in the vocabulary (should be 0; a sign of a mismatched model). */
  predictedOutsideVocabulary: number;
}

/** How much of the gold tagging the model's vocabulary can express, and how much of it the model uses. */
export function tagCoverage(
  gold: readonly Iterable<string>[],
  predicted: readonly Iterable<string>[],
  vocabulary: readonly string[],
): TagCoverage {
  const vocab = new Set(vocabulary);
  let goldAssignments = 0;
  let inVocab = 0;
  for (const g of gold) {
    for (const tag of new Set(g)) {
      goldAssignments++;
      if (vocab.has(tag)) inVocab++;
    }
  }
  const used = new Set<string>();
  const outside = new Set<string>();
  for (const p of predicted) for (const tag of p) (vocab.has(tag) ? used : outside).add(tag);
  return {
    goldAssignmentCoverage: div(inVocab, goldAssignments),
    vocabularyPredictedShare: div(used.size, vocab.size),
    goldAssignments,
    goldAssignmentsInVocabulary: inVocab,
    vocabularyTagsPredicted: used.size,
    predictedOutsideVocabulary: outside.size,
  };
}

/**
 * Area under the ROC curve for binary `labels` (0/1 or booleans) and real `scores`, as scikit-learn's
 * `roc_auc_score`: tied scores count half (the Mann-Whitney U statistic with average ranks, which
 * equals sklearn's trapezoidal area). Throws a RangeError when only one class is present: the area
 * is undefined there (scikit-learn 1.9 warns and returns NaN, older versions raised); a thrown error
 * cannot pass a threshold check silently the way NaN can. Callers guard, e.g. skip a single-class window.
 */
export function rocAuc(labels: ArrayLike<number | boolean>, scores: ArrayLike<number>): number {
  const n = labels.length;
  if (scores.length !== n) throw new RangeError(`rocAuc: ${n} labels but ${scores.length} scores`);
  let nPos = 0;
  for (let i = 0; i < n; i++) {
    const l = Number(labels[i]);
    if (l !== 0 && l !== 1) throw new RangeError(`rocAuc: labels[${i}] = ${labels[i]}; labels must be 0/1 or booleans`);
    if (!Number.isFinite(scores[i])) throw new RangeError(`rocAuc: scores[${i}] = ${scores[i]} is not a finite number`);
    nPos += l;
  }
  const nNeg = n - nPos;
  if (nPos === 0 || nNeg === 0) {
    throw new RangeError(`rocAuc: only one class present (${nPos} positive, ${nNeg} negative of ${n}); ROC AUC is undefined`);
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[a] - scores[b]);
  let rankSumPos = 0;
  for (let start = 0; start < n; ) {
    let end = start + 1;
    while (end < n && scores[order[end]] === scores[order[start]]) end++;
    const rank = (start + 1 + end) / 2; // average of the 1-based ranks start+1 .. end
    for (let j = start; j < end; j++) if (Number(labels[order[j]]) === 1) rankSumPos += rank;
    start = end;
  }
  return (rankSumPos - (nPos * (nPos + 1)) / 2) / (nPos * nNeg);
}
