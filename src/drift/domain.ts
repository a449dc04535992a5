/**
 * Domain classifier drift test (Evidently's "model-based" drift): a classifier learns to tell
 * reference rows from current rows; when it cannot (out-of-fold ROC AUC near 0.5) the two samples
 * look alike, when it can (AUC well above 0.5) they differ. The classifier is tagsmith's own L2
 * logistic regression (learn/logreg, checked against scikit-learn) with one output; AUC is
 * core/metrics' rocAuc (checked against roc_auc_score). Pure and browser-safe.
 */
import { rocAuc } from '../core/metrics';
import { trainOneVsRest } from '../learn/logreg';

/** Evidently's default: drift when the domain classifier's ROC AUC is above 0.55. */
export const DOMAIN_AUC_THRESHOLD = 0.55;
/**
 * ... and, for small samples, more than this many null standard errors above 0.5: with 83 vs 120
 * questions an AUC of 0.59 happens by chance (measured on shuffled real questions: SD 0.05), so
 * 0.55 alone would flag most small months.
 */
export const DOMAIN_AUC_NULL_SE = 2;

/** Standard error of the ROC AUC when both samples come from one distribution (Mann-Whitney U: sqrt((n1+n2+1) / (12 n1 n2))). */
export function aucNullStandardError(n1: number, n2: number): number {
  return Math.sqrt((n1 + n2 + 1) / (12 * n1 * n2));
}

/** Drift by the domain classifier: AUC above 0.55 and significantly above chance. */
export function domainDrifted(auc: number, nReference: number, nCurrent: number): boolean {
  return auc > DOMAIN_AUC_THRESHOLD && auc - 0.5 > DOMAIN_AUC_NULL_SE * aucNullStandardError(nReference, nCurrent);
}

export interface DomainClassifierOptions {
  /** Folds of the cross-validation (each row is scored by a model that did not see it). Default 2. */
  folds?: number;
  /** Seed of the stratified fold assignment. */
  seed?: number;
  /** Inverse L2 strength (scikit-learn C). Default 1. */
  C?: number;
  /** Explicit fold of every row, reference rows first then current rows (tests pass scikit-learn's). */
  foldOf?: readonly number[];
}

export interface DomainClassifierResult {
  auc: number;
  threshold: number;
  /** Standard error of the AUC under no drift, for these sample sizes. */
  nullSe: number;
  drifted: boolean;
  folds: number;
  nReference: number;
  nCurrent: number;
  /** Out-of-fold probability of 'current' per row, reference rows first. */
  scores: Float64Array;
}

/** xorshift32: a tiny deterministic generator for the fold shuffle (no dependency needed for 10 lines). */
function xorshift(seed: number): () => number {
  let s = seed >>> 0 || 0x9e3779b9;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 2 ** 32;
  };
}

/** Stratified fold ids: each class is shuffled (seeded) and dealt round-robin into `folds` folds. */
export function stratifiedFolds(nReference: number, nCurrent: number, folds: number, seed: number): number[] {
  const rand = xorshift(seed);
  const out = new Array<number>(nReference + nCurrent);
  for (const [start, n] of [
    [0, nReference],
    [nReference, nCurrent],
  ] as const) {
    const idx = Array.from({ length: n }, (_, i) => start + i);
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [idx[i], idx[j]] = [idx[j], idx[i]];
    }
    idx.forEach((row, k) => (out[row] = k % folds));
  }
  return out;
}

/** Out-of-fold ROC AUC of a logistic regression separating `reference` (label 0) from `current` (label 1). */
export function domainClassifierAuc(
  reference: readonly ArrayLike<number>[],
  current: readonly ArrayLike<number>[],
  opts: DomainClassifierOptions = {},
): DomainClassifierResult {
  const folds = opts.folds ?? 2;
  if (reference.length < folds || current.length < folds) {
    throw new RangeError(`domainClassifierAuc: need at least ${folds} rows on each side (got ${reference.length} reference, ${current.length} current)`);
  }
  const rows = [...reference, ...current].map((r) => ({ dense: Float32Array.from(r) }));
  const labels = rows.map((_, i) => (i < reference.length ? 0 : 1));
  const foldOf = opts.foldOf ?? stratifiedFolds(reference.length, current.length, folds, opts.seed ?? 42);
  if (foldOf.length !== rows.length) throw new RangeError(`domainClassifierAuc: ${foldOf.length} fold ids for ${rows.length} rows`);
  const dim = rows[0].dense.length;
  const scores = new Float64Array(rows.length);
  for (let f = 0; f < folds; f++) {
    const trainIdx = rows.map((_, i) => i).filter((i) => foldOf[i] !== f);
    const testIdx = rows.map((_, i) => i).filter((i) => foldOf[i] === f);
    const { head } = trainOneVsRest(
      trainIdx.map((i) => rows[i]),
      trainIdx.map((i) => (labels[i] === 1 ? [0] : [])),
      1,
      dim,
      { C: opts.C ?? 1, maxEpochs: 500 },
    );
    for (const i of testIdx) scores[i] = head.scores(rows[i])[0];
  }
  const auc = rocAuc(labels, scores);
  return { auc, threshold: DOMAIN_AUC_THRESHOLD, nullSe: aucNullStandardError(reference.length, current.length), drifted: domainDrifted(auc, reference.length, current.length), folds, nReference: reference.length, nCurrent: current.length, scores };
}
