/**
 * Two-sample Kolmogorov-Smirnov test, two-sided, reproducing `scipy.stats.ks_2samp(a, b)` with
 * its defaults (alternative='two-sided', method='auto') as of SciPy 1.17.
 *
 * Hand-written because no npm package implements the exact two-sample distribution (checked).
 *
 * - Statistic: D = max |F_a(x) - F_b(x)| over all observed x, with ECDFs that count ties
 *   (`searchsorted(side='right')`), so tied values across samples are handled as SciPy does.
 * - 'auto': exact p-value when max(n1, n2) <= 10000, else asymptotic.
 * - Exact: D is snapped to h / lcm(n1, n2) with h = round(D * lcm) (SciPy returns this snapped D);
 *   n1 == n2 uses the closed-form alternating sum (Hodges 1958, "outside square"); otherwise the
 *   lattice-path recursion for 1 - P ("inside method", Hodges 1958 with Viehmann 2021's
 *   rearrangement, arXiv:2102.08037). If that yields a value outside [0, 1], SciPy warns and falls
 *   back to the asymptotic path; so does this (result.method says which was used).
 * - Asymptotic: p = kstwo.sf(D, round(n1*n2/(n1+n2))) - the one-sample Kolmogorov distribution
 *   at the effective sample size (round half to even, as NumPy).
 * Cost: the exact path is O(max(n1, n2) * band width); the worst case (coprime sizes near 10000
 * and a large D) takes about 1 s, typical drift checks a few milliseconds.
 */
import { kolmogorovSf } from './kolmogorov';
import { assertFiniteSample, clip01, gcd, roundHalfEven, searchRight, sortedCopy, type Sample } from './numeric';

/** SciPy's MAX_AUTO_N: 'auto' uses the exact distribution up to this sample size. */
export const KS_MAX_EXACT_N = 10_000;

export interface KsResult {
  /** KS statistic D in [0, 1] (snapped to a multiple of 1/lcm(n1, n2) on the exact path). */
  statistic: number;
  /** Two-sided p-value. */
  pvalue: number;
  /** Which p-value computation produced `pvalue`. */
  method: 'exact' | 'asymp';
  /** Observed value where the ECDF gap is largest (first such value, SciPy's `statistic_location`). */
  location: number;
  /** +1 if the ECDF of `a` exceeds that of `b` at `location`, else -1 (`statistic_sign`). */
  sign: 1 | -1;
}

/**
 * Two-sample two-sided KS test, = `scipy.stats.ks_2samp(a, b)`.
 * @throws RangeError when a sample is empty or holds NaN / infinite values.
 */
export function ks2samp(a: Sample, b: Sample): KsResult {
  assertFiniteSample(a, 'ks2samp: sample "a"');
  assertFiniteSample(b, 'ks2samp: sample "b"');
  const s1 = sortedCopy(a);
  const s2 = sortedCopy(b);
  const n1 = s1.length;
  const n2 = s2.length;

  // ECDF differences at every observed value, in SciPy's order (sorted a, then sorted b) so
  // that argmin / argmax (first occurrence) pick the same location.
  let maxS = -Infinity;
  let minDiff = Infinity;
  let locMax = 0;
  let locMin = 0;
  for (const data of [s1, s2]) {
    for (let i = 0; i < data.length; i++) {
      const x = data[i];
      const diff = searchRight(s1, x) / n1 - searchRight(s2, x) / n2;
      if (diff > maxS) {
        maxS = diff;
        locMax = x;
      }
      if (diff < minDiff) {
        minDiff = diff;
        locMin = x;
      }
    }
  }
  const minS = Math.min(Math.max(-minDiff, 0), 1);
  let d: number;
  let location: number;
  let sign: 1 | -1;
  if (minS > maxS) {
    d = minS;
    location = locMin;
    sign = -1;
  } else {
    d = maxS;
    location = locMax;
    sign = 1;
  }

  if (Math.max(n1, n2) <= KS_MAX_EXACT_N) {
    const exact = exactPValue(n1, n2, d);
    if (exact.ok) return { statistic: exact.d, pvalue: clip01(exact.p), method: 'exact', location, sign };
    d = exact.d; // SciPy keeps the snapped statistic when it falls back
  }
  const [m, n] = n1 >= n2 ? [n1, n2] : [n2, n1];
  const en = (m * n) / (m + n);
  return { statistic: d, pvalue: clip01(kolmogorovSf(roundHalfEven(en), d)), method: 'asymp', location, sign };
}

/** SciPy's `_attempt_exact_2kssamp` for the two-sided alternative. */
function exactPValue(n1: number, n2: number, d: number): { ok: boolean; d: number; p: number } {
  const g = gcd(n1, n2);
  const lcm = (n1 / g) * n2;
  const h = roundHalfEven(d * lcm);
  const snapped = h / lcm;
  if (h === 0) return { ok: true, d: snapped, p: 1 };
  const p = n1 === n2 ? probOutsideSquare(n1, h) : probOutsideInsideMethod(n1, n2, g, h);
  return { ok: p >= 0 && p <= 1, d: snapped, p };
}

/**
 * P(D_{n,n} >= h/n) = 2 * sum_k (-1)^(k+1) binom(2n, n - k h) / binom(2n, n), evaluated as a
 * Horner-like nest of ratio products to avoid cancellation and overflow.
 */
export function probOutsideSquare(n: number, h: number): number {
  let P = 0;
  for (let k = Math.floor(n / h); k >= 0; k--) {
    let p1 = 1;
    for (let j = 0; j < h; j++) p1 = ((n - k * h - j) * p1) / (n + k * h + j + 1);
    P = p1 * (1 - P);
  }
  return 2 * P;
}

/**
 * Proportion of monotone lattice paths from (0,0) to (m,n) that leave the band
 * |x/m - y/n| < h / lcm(m, n), i.e. P(D_{m,n} >= h / lcm). Computes 1 - P column by column
 * over a sliding window, with each entry already normalised by the binomial path count.
 */
export function probOutsideInsideMethod(m0: number, n0: number, g: number, h: number): number {
  const [m, n] = m0 >= n0 ? [m0, n0] : [n0, m0];
  const mg = m / g;
  const ng = n / g;
  let minj = 0;
  let maxj = Math.min(Math.ceil(h / mg), n + 1);
  let curlen = maxj - minj;
  const lenA = Math.min(2 * maxj + 2, n + 1);
  const A = new Float64Array(lenA).fill(1);
  A.fill(0, minj, maxj);
  for (let i = 1; i <= m; i++) {
    const lastminj = minj;
    const lastlen = curlen;
    minj = Math.min(Math.max(Math.floor((ng * i - h) / mg) + 1, 0), n);
    maxj = Math.min(Math.ceil((ng * i + h) / mg), n + 1);
    if (maxj <= minj) return 1;
    let val = minj === 0 ? 0 : 1;
    for (let jj = 0; jj < maxj - minj; jj++) {
      const j = jj + minj;
      val = (A[jj + minj - lastminj] * i + val * j) / (i + j);
      A[jj] = val;
    }
    curlen = maxj - minj;
    if (lastlen > curlen) A.fill(1, maxj - minj, Math.min(maxj - minj + (lastlen - curlen), lenA));
  }
  return A[maxj - minj - 1];
}
