/**
 * Multi-output ridge regression on dense features with an unpenalised intercept, solved in closed
 * form for every tag at once (scikit-learn's `Ridge(alpha, fit_intercept=True)` on targets
 * y = +1 / -1; checked against it by `tests/learn-ridge.test.ts`):
 *
 *     min_{W,b} ||Y - X W - 1 b||^2 + alpha ||W||^2
 *
 * Centre X and Y, solve `(XcᵀXc + alpha I) W = XcᵀYc` (one d x d Cholesky shared by all tags),
 * then `b = mean(Y) - mean(X) W`. With d = 384 sentence-embedding dimensions this costs one pass
 * over the data (n d^2 / 2) whatever the number of tags, where an iterative per-tag learner costs
 * passes x n x d x tags: it is how the hybrid head learns its embedding block (see
 * src/pipeline/train.ts). ml-matrix does the factorisation.
 */
import { CholeskyDecomposition, Matrix } from 'ml-matrix';

export interface RidgeResult {
  /** `d x T`, feature-major (`W[j * T + t]`), like the head's dense block. */
  W: Float32Array;
  bias: Float32Array;
}

export function trainRidge(rows: readonly Float32Array[], labels: readonly (readonly number[])[], numTags: number, alpha: number): RidgeResult {
  const n = rows.length;
  if (n === 0) throw new Error('ridge: no rows');
  if (labels.length !== n) throw new Error(`ridge: ${labels.length} label rows for ${n} feature rows`);
  if (!(alpha > 0 && Number.isFinite(alpha))) throw new Error(`ridge: alpha must be a finite number > 0, got ${alpha}`);
  const d = rows[0].length;
  const T = numTags;
  const mean = new Float64Array(d);
  for (const x of rows) {
    if (x.length !== d) throw new Error(`ridge: rows of different lengths (${x.length} and ${d})`);
    for (let j = 0; j < d; j++) mean[j] += x[j];
  }
  for (let j = 0; j < d; j++) mean[j] /= n;
  // Gram matrix of the centred rows (upper triangle, then mirrored) and XcᵀP (P = 0/1 positives).
  const G = new Float64Array(d * d);
  const XtP = new Float64Array(d * T);
  const count = new Float64Array(T);
  const xc = new Float64Array(d);
  rows.forEach((x, i) => {
    for (let j = 0; j < d; j++) xc[j] = x[j] - mean[j];
    for (let a = 0; a < d; a++) {
      const v = xc[a];
      const o = a * d;
      for (let b = a; b < d; b++) G[o + b] += v * xc[b];
    }
    for (const t of labels[i]) {
      if (!(Number.isInteger(t) && t >= 0 && t < T)) throw new Error(`ridge: label ${t} of row ${i} is outside [0, ${T})`);
      count[t]++;
      for (let a = 0; a < d; a++) XtP[a * T + t] += xc[a];
    }
  });
  const A = new Matrix(d, d);
  for (let a = 0; a < d; a++) {
    for (let b = a; b < d; b++) {
      A.set(a, b, G[a * d + b] + (a === b ? alpha : 0));
      A.set(b, a, G[a * d + b] + (a === b ? alpha : 0));
    }
  }
  // Y = 2P - 1: centred, Xcᵀ1 = 0, so XcᵀYc = 2 XcᵀP.
  const B = new Matrix(d, T);
  for (let a = 0; a < d; a++) for (let t = 0; t < T; t++) B.set(a, t, 2 * XtP[a * T + t]);
  const chol = new CholeskyDecomposition(A);
  if (!chol.isPositiveDefinite()) throw new Error('ridge: XᵀX + alpha I is not positive definite (non-finite features?)');
  const S = chol.solve(B);
  const W = new Float32Array(d * T);
  const bias = new Float32Array(T);
  for (let t = 0; t < T; t++) {
    let b = (2 * count[t]) / n - 1; // mean of y
    for (let a = 0; a < d; a++) {
      const w = S.get(a, t);
      W[a * T + t] = w;
      b -= mean[a] * w;
    }
    bias[t] = b;
  }
  return { W, bias };
}
