/**
 * One-vs-rest linear SVM (L2-regularised squared hinge loss), trained by dual coordinate descent:
 * the algorithm of LIBLINEAR's `solve_l2r_l1l2_svc` (Hsieh et al., ICML 2008), which is what
 * scikit-learn's `LinearSVC()` runs (`loss='squared_hinge'`, `dual=True`, the intercept learnt as
 * a regularised weight on a constant feature of value 1, `intercept_scaling=1`).
 *
 * Per tag t, with y_i = +1 if the question has the tag and -1 otherwise:
 *
 *     min_w  0.5 ||w||^2 + C * sum_i max(0, 1 - y_i w·x_i)^2
 *
 * Hand-written because no npm package trains linear SVMs on typed arrays (liblinear ports are
 * WASM builds for dense data or unmaintained); the solver is ~60 lines. Why this learner and not
 * the L-BFGS logistic regression of `./logreg`: it touches one row at a time and drops rows that
 * are already well classified ("shrinking"), so a tag with 20 positives among 66k questions costs a
 * few passes over a small active set, not 200 full passes: 2,000 tags train in minutes.
 *
 * Deterministic: rows are visited in an order shuffled by a seeded generator (LIBLINEAR shuffles
 * with rand()). Pure and browser-safe; `src/pipeline/svc-threads.ts` spreads tags over threads.
 */
import seedrandom from 'seedrandom';
import type { Design } from './logreg/design';

export interface SvcOptions {
  /** Penalty on the squared hinge loss (LinearSVC's `C`). Default 0.5. */
  C?: number;
  /** Stop when the projected-gradient range is below this (LIBLINEAR's `eps`). Default 0.1 (LIBLINEAR's default for the dual solvers). */
  tol?: number;
  /** Cap on outer iterations (passes over the active rows). Default 1000 (LIBLINEAR's). */
  maxIter?: number;
  /** Seed of the row order. Default 1. */
  seed?: number;
}

export const SVC_DEFAULTS = { C: 0.5, tol: 0.1, maxIter: 1000, seed: 1 } as const;

/** Weights of one tag: `w` over the design's columns (bias column first), and how the solver ended. */
export interface SvcTagResult {
  w: Float32Array;
  iterations: number;
  converged: boolean;
  /** Row visits (sum of the active set sizes over iterations). */
  work: number;
}

/** ||x_i||^2 of every row (bias column included), shared by all tags. */
export function rowSquaredNorms(X: Design): Float64Array {
  const out = new Float64Array(X.n);
  for (let i = 0; i < X.n; i++) {
    let s = 0;
    const o = i * X.q;
    for (let j = 0; j < X.q; j++) s += X.xa[o + j] * X.xa[o + j];
    for (let k = X.indptr[i]; k < X.indptr[i + 1]; k++) s += X.vals[k] * X.vals[k];
    out[i] = s;
  }
  return out;
}

/**
 * Trains one tag. `positives` are the row indices with the tag (any order); `norms` from
 * {@link rowSquaredNorms}.
 */
export function trainSvcTag(X: Design, norms: Float64Array, positives: ArrayLike<number>, opts: SvcOptions = {}): SvcTagResult {
  const C = opts.C ?? SVC_DEFAULTS.C;
  const eps = opts.tol ?? SVC_DEFAULTS.tol;
  const maxIter = opts.maxIter ?? SVC_DEFAULTS.maxIter;
  if (!(C > 0 && Number.isFinite(C))) throw new Error(`SVC: C must be a finite number > 0, got ${C}`);
  const { n, q, xa, indptr, cols, vals } = X;
  const y = new Int8Array(n).fill(-1);
  for (let k = 0; k < positives.length; k++) y[positives[k]] = 1;
  const w = new Float64Array(X.p);
  const alpha = new Float64Array(n);
  const diag = 0.5 / C; // squared hinge: D_ii = 1/(2C), no upper bound on alpha
  const QD = new Float64Array(n);
  for (let i = 0; i < n; i++) QD[i] = diag + norms[i];
  const index = new Int32Array(n);
  for (let i = 0; i < n; i++) index[i] = i;
  const rng = seedrandom.xor128(String(opts.seed ?? SVC_DEFAULTS.seed));
  let work = 0;
  let activeSize = n;
  let PGmaxOld = Infinity;
  let iter = 0;
  let converged = false;
  while (iter < maxIter) {
    let PGmaxNew = -Infinity;
    let PGminNew = Infinity;
    for (let i = 0; i < activeSize; i++) {
      const j = i + Math.floor(rng() * (activeSize - i));
      const tmp = index[i];
      index[i] = index[j];
      index[j] = tmp;
    }
    work += activeSize;
    for (let s = 0; s < activeSize; s++) {
      const i = index[s];
      const yi = y[i];
      const o = i * q;
      let dot = 0;
      for (let j = 0; j < q; j++) dot += w[j] * xa[o + j];
      const end = indptr[i + 1];
      for (let k = indptr[i]; k < end; k++) dot += w[q + cols[k]] * vals[k];
      const G = yi * dot - 1 + alpha[i] * diag;
      let PG = 0;
      if (alpha[i] === 0) {
        if (G > PGmaxOld) {
          activeSize--;
          index[s] = index[activeSize];
          index[activeSize] = i;
          s--;
          continue;
        } else if (G < 0) PG = G;
      } else PG = G;
      if (PG > PGmaxNew) PGmaxNew = PG;
      if (PG < PGminNew) PGminNew = PG;
      if (Math.abs(PG) > 1e-12) {
        const old = alpha[i];
        alpha[i] = Math.max(old - G / QD[i], 0);
        const d = (alpha[i] - old) * yi;
        for (let j = 0; j < q; j++) w[j] += d * xa[o + j];
        for (let k = indptr[i]; k < end; k++) w[q + cols[k]] += d * vals[k];
      }
    }
    iter++;
    if (PGmaxNew - PGminNew <= eps) {
      if (activeSize === n) {
        converged = true;
        break;
      }
      // Converged on the active set: check every row once more (LIBLINEAR does the same).
      activeSize = n;
      PGmaxOld = Infinity;

      continue;
    }
    PGmaxOld = PGmaxNew > 0 ? PGmaxNew : Infinity;

  }

  return { w: Float32Array.from(w), iterations: iter, converged, work };
}

/** Row indices of each tag's positives. */
export function positivesByTag(labels: readonly (readonly number[])[], numTags: number): Int32Array[] {
  const lists: number[][] = Array.from({ length: numTags }, () => []);
  labels.forEach((ls, i) => {
    for (const t of ls) {
      if (!(Number.isInteger(t) && t >= 0 && t < numTags)) throw new Error(`SVC: label ${t} of row ${i} is outside [0, ${numTags})`);
      lists[t].push(i);
    }
  });
  return lists.map((l) => Int32Array.from(l));
}
