/**
 * Drift decisions following Evidently 0.4-0.5 defaults for *numerical* columns
 * (`_get_default_stattest` in evidently/calculations/stattests/registry.py, unchanged in the
 * 0.5 `legacy` tree), so tagsmith's reports read like an Evidently "DataDriftPreset":
 *
 * Per column, with n_unique = distinct values of reference ∪ current:
 *   reference rows <= 1000:
 *     n_unique > 5  -> 'ks'           two-sample KS p-value (scipy ks_2samp);  drift if p <= 0.05
 *     3..5 values   -> 'chisquare'    chi-square p-value of current counts vs reference shares;
 *                                     drift if p < 0.05 (strict, as Evidently)
 *     <= 2 values   -> 'z'            two-proportion z-test p-value;           drift if p < 0.05
 *   reference rows > 1000:
 *     n_unique > 5  -> 'wasserstein'  Wasserstein distance / max(std_ddof0(reference), 0.001);
 *                                     drift if >= 0.1
 *     <= 5 values   -> 'jensenshannon' JS distance (base 2) of value frequencies; drift if >= 0.1
 * Dataset: drifted when (drifted columns / columns) >= driftShare (default 0.5).
 *
 * p-value methods report the p-value as `score` (smaller = more drift); distance methods report
 * the distance (larger = more drift).
 */
import { jensenShannon, wassersteinNormed } from './distances';
import { ks2samp } from './ks';
import { assertFiniteSample, type Sample } from './numeric';
import { chi2Sf, normalCdf } from './special';

export type DriftMethod = 'ks' | 'wasserstein' | 'chisquare' | 'z' | 'jensenshannon';

/** Evidently's reference-size switch: up to this many reference rows use the statistical tests. */
export const SMALL_REFERENCE_MAX_ROWS = 1000;
/** Columns with at most this many distinct values are treated as categorical-like. */
export const LOW_CARDINALITY_MAX_VALUES = 5;

/** Default thresholds (Evidently's `default_threshold` of each stattest). */
export const DEFAULT_THRESHOLDS: Readonly<Record<DriftMethod, number>> = {
  ks: 0.05,
  chisquare: 0.05,
  z: 0.05,
  wasserstein: 0.1,
  jensenshannon: 0.1,
};

export interface ColumnDriftOptions {
  /** Override the threshold of the chosen method (p-value level or distance). */
  threshold?: number;
}

export interface ColumnDrift {
  method: DriftMethod;
  /** p-value for ks / chisquare / z; distance for wasserstein / jensenshannon. */
  score: number;
  threshold: number;
  drifted: boolean;
  /** Distinct values over reference ∪ current (drives the method choice). */
  nUnique: number;
}

/** Picks the Evidently default test for a numerical column and applies it. */
export function columnDrift(reference: Sample, current: Sample, options: ColumnDriftOptions = {}): ColumnDrift {
  assertFiniteSample(reference, 'columnDrift: reference column');
  assertFiniteSample(current, 'columnDrift: current column');
  const unique = new Set<number>();
  for (let i = 0; i < reference.length; i++) unique.add(reference[i]);
  for (let i = 0; i < current.length; i++) unique.add(current[i]);
  const nUnique = unique.size;
  const small = reference.length <= SMALL_REFERENCE_MAX_ROWS;
  const lowCard = nUnique <= LOW_CARDINALITY_MAX_VALUES;
  const method: DriftMethod = small ? (lowCard ? (nUnique > 2 ? 'chisquare' : 'z') : 'ks') : lowCard ? 'jensenshannon' : 'wasserstein';
  const threshold = options.threshold ?? DEFAULT_THRESHOLDS[method];
  let score: number;
  let drifted: boolean;
  switch (method) {
    case 'ks':
      score = ks2samp(reference, current).pvalue;
      drifted = score <= threshold;
      break;
    case 'chisquare':
      score = chiSquarePValue(reference, current, [...unique]);
      drifted = score < threshold;
      break;
    case 'z':
      score = proportionsZPValue(reference, current, [...unique]);
      drifted = score < threshold;
      break;
    case 'wasserstein':
      score = wassersteinNormed(reference, current);
      drifted = score >= threshold;
      break;
    case 'jensenshannon': {
      const [r, c] = valueShares(reference, current, [...unique]);
      score = jensenShannon(r, c, 2);
      drifted = score >= threshold;
      break;
    }
  }
  return { method, score, threshold, drifted, nUnique };
}

function valueCounts(values: Sample, keys: number[]): Float64Array {
  const index = new Map(keys.map((k, i) => [k, i]));
  const counts = new Float64Array(keys.length);
  for (let i = 0; i < values.length; i++) counts[index.get(values[i])!]++;
  return counts;
}

/** Shares of each distinct value in reference and current (Evidently's `get_binned_data`, <= 20 values). */
function valueShares(reference: Sample, current: Sample, keys: number[]): [Float64Array, Float64Array] {
  const r = valueCounts(reference, keys).map((c) => c / reference.length);
  const c = valueCounts(current, keys).map((x) => x / current.length);
  return [r, c];
}

/**
 * Evidently's chi-square stattest: `scipy.stats.chisquare(f_obs=current counts,
 * f_exp=reference counts * n_current / n_reference)`, df = categories - 1. A value present only in
 * the current window has expected count 0: the statistic is infinite and p = 0 (SciPy's result).
 */
export function chiSquarePValue(reference: Sample, current: Sample, keys: number[]): number {
  const ref = valueCounts(reference, keys);
  const cur = valueCounts(current, keys);
  const kNorm = current.length / reference.length;
  let stat = 0;
  for (let i = 0; i < keys.length; i++) {
    const expected = ref[i] * kNorm;
    const diff = cur[i] - expected;
    stat += diff === 0 ? 0 : (diff * diff) / expected;
  }
  return chi2Sf(stat, keys.length - 1);
}

/**
 * Evidently's z stattest: two-proportion z-test on "value != smallest value", two-sided p-value
 * computed as 2 * (1 - Phi(|z|)); 1 when both windows hold one and the same single value.
 */
export function proportionsZPValue(reference: Sample, current: Sample, keys: number[]): number {
  if (keys.length === 1) return 1;
  const first = Math.min(...keys);
  const share = (values: Sample): number => {
    let ones = 0;
    for (let i = 0; i < values.length; i++) if (values[i] !== first) ones++;
    return ones / values.length;
  };
  const n1 = reference.length;
  const n2 = current.length;
  const p1 = share(reference);
  const p2 = share(current);
  const P = (p1 * n1 + p2 * n2) / (n1 + n2);
  const z = (p1 - p2) / Math.sqrt(P * (1 - P) * (1 / n1 + 1 / n2));
  return 2 * (1 - normalCdf(Math.abs(z)));
}

export interface DatasetDrift {
  nColumns: number;
  nDrifted: number;
  /** nDrifted / nColumns. */
  share: number;
  /** share >= driftShare. */
  drifted: boolean;
  driftShare: number;
}

/**
 * Dataset-level decision (Evidently `get_dataset_drift`): drift when the share of drifted
 * columns is >= `driftShare` (default 0.5, i.e. at least half of the columns).
 * Accepts per-column results or plain booleans.
 */
export function datasetDrift(columns: readonly (ColumnDrift | boolean)[], driftShare = 0.5): DatasetDrift {
  if (columns.length === 0) throw new RangeError('datasetDrift: no column results given.');
  if (!(driftShare >= 0 && driftShare <= 1)) {
    throw new RangeError(`datasetDrift: driftShare must lie in [0, 1]; got ${driftShare}.`);
  }
  const nDrifted = columns.filter((c) => (typeof c === 'boolean' ? c : c.drifted)).length;
  const share = nDrifted / columns.length;
  return { nColumns: columns.length, nDrifted, share, drifted: share >= driftShare, driftShare };
}
