/** The shared preconditioner of L-BFGS: the Böhning bound on the logistic Hessian. */
import type { Design } from './design';
import { gemmNT } from './kernels';

/** Rows used to estimate XᵀX for the preconditioner (it only steers the solver, never the optimum). */
const PRECOND_ROWS = 8192;

/**
 * Preconditioner M ≈ 0.25·XᵀX/n + λ·I (no penalty on the bias): the Böhning bound on the
 * logistic Hessian. [bias | dense] is one full block (Cholesky). The sparse block is diagonal
 * after implicitly centring its columns, i.e. it is diagonal in the coordinates
 * (b̃ = b + μᵀw_s, w_s) where μ are the column means: TF-IDF values are all >= 0, so without
 * the centring every sparse weight is strongly coupled to the bias and the diagonal alone is
 * a poor preconditioner. Dense-sparse cross terms are left to L-BFGS.
 */
export interface Preconditioner {
  q: number;
  /** Lower Cholesky factor L (q x q, row-major) and its transpose, for contiguous solves. */
  L: Float64Array;
  LT: Float64Array;
  /** Sparse block: column means μ and the diagonal 0.25·var + λ. */
  sparseMean: Float64Array;
  sparseDiag: Float64Array;
}

export function buildPreconditioner(X: Design, lambda: number): Preconditioner {
  const { n, q, ds } = X;
  // Dense Gram on an evenly spaced subsample of rows.
  const m = Math.min(n, PRECOND_ROWS);
  const sub = new Float32Array(q * m);
  for (let s = 0; s < m; s++) {
    const i = Math.floor((s * n) / m);
    for (let j = 0; j < q; j++) sub[j * m + s] = X.xa[i * q + j];
  }
  const gram = new Float64Array(q * q);
  gemmNT(sub, m, q, Float64Array.from(sub), m, q, m, gram, q, 0); // one array type per argument keeps gemmNT monomorphic
  const M = new Float64Array(q * q);
  for (let a = 0; a < q; a++) {
    for (let b = 0; b < q; b++) M[a * q + b] = (0.25 * gram[a * q + b]) / m;
    M[a * q + a] += a === 0 ? 1e-12 : lambda;
  }
  const L = cholesky(M, q);
  const LT = new Float64Array(q * q);
  for (let a = 0; a < q; a++) for (let b = 0; b < q; b++) LT[b * q + a] = L[a * q + b];
  const sum = new Float64Array(ds);
  const sumSq = new Float64Array(ds);
  for (let k = 0; k < X.vals.length; k++) {
    sum[X.cols[k]] += X.vals[k];
    sumSq[X.cols[k]] += X.vals[k] * X.vals[k];
  }
  const sparseMean = sum.map((v) => v / n);
  const sparseDiag = sumSq.map((v, j) => 0.25 * Math.max(0, v / n - sparseMean[j] * sparseMean[j]) + lambda);
  return { q, L, LT, sparseMean, sparseDiag };
}

/** Cholesky factorisation of a symmetric positive definite matrix (row-major); adds jitter if needed. */
export function cholesky(A: Float64Array, q: number): Float64Array {
  let jitter = 0;
  for (let attempt = 0; attempt < 10; attempt++) {
    const L = new Float64Array(q * q);
    let ok = true;
    for (let i = 0; i < q && ok; i++) {
      for (let j = 0; j <= i; j++) {
        let s = A[i * q + j] + (i === j ? jitter : 0);
        for (let k = 0; k < j; k++) s -= L[i * q + k] * L[j * q + k];
        if (i === j) {
          if (!(s > 0)) {
            ok = false;
            break;
          }
          L[i * q + i] = Math.sqrt(s);
        } else {
          L[i * q + j] = s / L[j * q + j];
        }
      }
    }
    if (ok) return L;
    jitter = jitter === 0 ? 1e-10 : jitter * 100;
  }
  throw new Error('trainOneVsRest: preconditioner is not positive definite (features contain NaN or huge values?)');
}

/** In place: v ← M⁻¹ v, with M⁻¹ = T·blockdiag(A⁻¹, D⁻¹)·Tᵀ (T: the centring change of variables). */
export function applyPrecond(P: Preconditioner, v: Float64Array): void {
  const { q, L, LT, sparseMean: mu, sparseDiag } = P;
  const ds = sparseDiag.length;
  for (let j = 0; j < ds; j++) v[q + j] -= mu[j] * v[0]; // Tᵀ
  for (let i = 0; i < q; i++) {
    let s = v[i];
    const o = i * q;
    for (let k = 0; k < i; k++) s -= L[o + k] * v[k];
    v[i] = s / L[o + i];
  }
  for (let i = q - 1; i >= 0; i--) {
    let s = v[i];
    const o = i * q;
    for (let k = i + 1; k < q; k++) s -= LT[o + k] * v[k];
    v[i] = s / LT[o + i];
  }
  let shift = 0;
  for (let j = 0; j < ds; j++) {
    v[q + j] /= sparseDiag[j];
    shift += mu[j] * v[q + j];
  }
  v[0] -= shift; // T
}
