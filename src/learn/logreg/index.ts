/**
 * One-vs-rest L2-regularised logistic regression for all tags at once (Node training side of
 * `src/core/head.ts`).
 *
 * Objective, per tag t (the same as scikit-learn's `LogisticRegression(penalty='l2',
 * solver='lbfgs')`, which since 1.1 minimises the mean-scaled form):
 *
 *     f_t(w, b) = (1/S) * sum_i s_i * logloss(y_it, x_i·w + b) + ||w||^2 / (2 * C * S)
 *
 * with S = sum_i s_i (= n without class weights, and also = n with 'balanced' weights
 * s_i = n / (2 * count(class of y_it))). Multiplying by C*S gives sklearn's textbook form
 * `C * sum_i s_i logloss_i + 0.5 ||w||^2`: same minimiser. The intercept is not penalised.
 * `tol` is sklearn's `gtol`: stop a tag when max |grad f_t| <= tol, so the same `C` and `tol`
 * mean the same thing here and in sklearn. The default is tighter than sklearn's 1e-4, though:
 * on the mean-scaled objective, 1e-4 is loose for 44k samples (measured on production-shaped
 * synthetic data: rare tags stop at w = 0 and scores end up to 0.4 away from the optimum),
 * while 1e-7 keeps scores within ~2e-4 of it for a few more epochs.
 *
 * Optimiser (hand-written: no JS library does batched, preconditioned L-BFGS on typed arrays):
 * L-BFGS per tag, all tags advanced together so every data pass is one matrix product
 * shared by all tags still running.
 * - One "epoch" = one L-BFGS iteration = one forward pass (U = X·D for the search directions)
 *   and one backward pass (G = Xᵀ·R for the gradients). Logits are kept per tag, so the line
 *   search along D is exact and cheap (`z + α u`, no extra data pass).
 * - Preconditioner (initial inverse Hessian of L-BFGS): the Böhning bound
 *   M = 0.25·XᵀX/n + λI computed once, shared by all tags: a full Cholesky-factored block for
 *   [bias | dense features] and its diagonal for the sparse block (cost stays ∝ nnz).
 * - Tags stop individually (gradient tolerance, relative objective change `ftol`, or a line
 *   search that can no longer decrease f); stopped tags leave the matrix products.
 * Everything is deterministic: no randomness is used (the `seed` option is accepted for API
 * stability and recorded, but nothing depends on it).
 */
import { Head, checkRow, makeLayout, type FeatureLayout, type FeatureRow } from '../../core/head';

export type { FeatureRow, FeatureLayout };

export interface ProgressInfo {
  /** Tags still being optimised after this epoch. */
  activeTags: number;
  /** Largest max-abs gradient over all non-constant tags. */
  maxGrad: number;
  /** Seconds since training started. */
  seconds: number;
}

export interface TrainOptions {
  /** Inverse regularisation strength, as in sklearn (default 1). */
  C?: number;
  /** `'balanced'`: per tag, weight n/(2*count) for positives and negatives (sklearn's binary 'balanced'). */
  classWeight?: 'balanced' | null;
  /** Cap on L-BFGS iterations (= data passes of forward+backward). Default 200. */
  maxEpochs?: number;
  /** Gradient tolerance (max-abs of the mean-scaled gradient, sklearn's `tol`). Default 1e-7 (see the file comment). */
  tol?: number;
  /** Relative objective change below which a tag stops: (f_old-f_new)/max(|f_old|,|f_new|,1). Default 1e-10. */
  ftol?: number;
  /** L-BFGS memory (pairs kept per tag). Default 10, lowered automatically if the memory would exceed ~1 GiB. */
  memory?: number;
  /** Accepted and recorded; the solver is deterministic and uses no random numbers. */
  seed?: number;
  /** Tag names saved into the head. */
  tags?: string[];
  /** Called after the initial point (epoch 0) and after every epoch with the mean objective over tags. */
  onProgress?: (epoch: number, loss: number, info: ProgressInfo) => void;
}

/** Why a tag stopped. `constant`: no positive (or no negative) sample, so no model is fitted. */
export type TagStatus = 'gradient' | 'ftol' | 'linesearch' | 'maxEpochs' | 'constant';

export interface TrainResult {
  head: Head;
  /** Mean over tags of the per-tag objective f_t, after each epoch (epoch 0 = starting point). */
  history: { epoch: number; loss: number }[];
  /** True when every tag stopped on `tol` or `ftol` (none hit `maxEpochs` or a failing line search). */
  converged: boolean;
  /** Epochs run (the slowest tag's iteration count). */
  epochs: number;
  /** Per tag: why it stopped, its iterations, final objective and max-abs gradient. */
  tagStatus: TagStatus[];
  tagEpochs: Int32Array;
  tagLoss: Float64Array;
  tagGrad: Float64Array;
  seconds: number;
}

/** Bias given to a tag seen with no positives (or only positives): sigmoid(∓30) ≈ 1e-13. */
const CONSTANT_LOGIT = 30;

/**
 * Trains one L2 logistic regression per tag. `dim` is the total feature dimension
 * (the dense block size is taken from the rows) or a full {@link FeatureLayout}.
 */
export function trainOneVsRest(
  rows: FeatureRow[],
  labels: number[][],
  numTags: number,
  dim: number | Partial<FeatureLayout>,
  opts: TrainOptions = {},
): TrainResult {
  const started = performance.now();
  const C = opts.C ?? 1;
  const maxEpochs = opts.maxEpochs ?? 200;
  const tol = opts.tol ?? 1e-7;
  const ftol = opts.ftol ?? 1e-10;
  if (!(Number.isFinite(C) && C > 0)) throw new Error(`trainOneVsRest: C must be a finite number > 0, got ${C}`);
  if (!(Number.isInteger(maxEpochs) && maxEpochs >= 0)) throw new Error(`trainOneVsRest: maxEpochs must be an integer >= 0, got ${maxEpochs}`);
  if (!(tol >= 0) || !(ftol >= 0)) throw new Error(`trainOneVsRest: tol and ftol must be >= 0, got ${tol}, ${ftol}`);
  if (opts.classWeight !== undefined && opts.classWeight !== null && opts.classWeight !== 'balanced') {
    throw new Error(`trainOneVsRest: classWeight must be 'balanced' or null, got ${String(opts.classWeight)}`);
  }
  if (!(Number.isInteger(numTags) && numTags >= 1)) throw new Error(`trainOneVsRest: numTags must be a positive integer, got ${numTags}`);
  if (rows.length !== labels.length) {
    throw new Error(`trainOneVsRest: ${rows.length} rows but ${labels.length} label lists (one list per row needed)`);
  }
  if (rows.length === 0) throw new Error('trainOneVsRest: no training rows');
  if (opts.tags !== undefined && opts.tags.length !== numTags) {
    throw new Error(`trainOneVsRest: ${opts.tags.length} tag names for numTags = ${numTags}`);
  }

  const layout = resolveLayout(rows, dim);
  const X = buildDesign(rows, layout);
  const n = X.n;
  const T = numTags;
  const p = X.p;
  const lambda = 1 / (C * n); // S = n with or without 'balanced' weights
  const invN = 1 / n;

  // Labels, tag-major (T x n), and per-tag sample weights.
  const Y = new Uint8Array(T * n);
  labels.forEach((ls, i) => {
    if (!Array.isArray(ls)) throw new Error(`trainOneVsRest: labels[${i}] is not an array of tag indices`);
    for (const t of ls) {
      if (!(Number.isInteger(t) && t >= 0 && t < T)) {
        throw new Error(`trainOneVsRest: labels[${i}] contains ${t}, tag indices must be integers in [0, ${T})`);
      }
      Y[t * n + i] = 1;
    }
  });

  const mem = chooseMemory(opts.memory ?? 10, p, T);
  const precond = buildPreconditioner(X, lambda);

  const tagStatus: (TagStatus | 'active')[] = new Array(T).fill('active');
  const tagEpochs = new Int32Array(T);
  const tagLoss = new Float64Array(T);
  const tagGrad = new Float64Array(T);
  const W = new Float64Array(T * p); // tag-major parameters: [bias, dense..., sparse...]
  const G = new Float64Array(T * p);
  const Z = new Float64Array(T * n); // current logits
  const wPos = new Float64Array(T);
  const wNeg = new Float64Array(T);
  const lbfgs: Lbfgs[] = [];

  // Starting point: w = 0, b = logit of the weighted positive rate (exact minimiser in b alone).
  for (let t = 0; t < T; t++) {
    let pos = 0;
    for (let i = 0; i < n; i++) pos += Y[t * n + i];
    const neg = n - pos;
    if (pos === 0 || neg === 0) {
      tagStatus[t] = 'constant';
      W[t * p] = pos === 0 ? -CONSTANT_LOGIT : CONSTANT_LOGIT;
      continue;
    }
    const balanced = opts.classWeight === 'balanced';
    wPos[t] = balanced ? n / (2 * pos) : 1;
    wNeg[t] = balanced ? n / (2 * neg) : 1;
    const b0 = Math.log((wPos[t] * pos) / (wNeg[t] * neg));
    W[t * p] = b0;
    Z.fill(b0, t * n, (t + 1) * n);
    lbfgs[t] = new Lbfgs(p, mem);
  }

  const active = (): number[] => tagStatus.flatMap((s, t) => (s === 'active' ? [t] : []));
  const maxT = T;
  const Dblk = new Float64Array(maxT * p);
  const Ublk = new Float64Array(maxT * n);
  const Rblk = new Float64Array(maxT * n);
  const Gblk = new Float64Array(maxT * p);
  const history: { epoch: number; loss: number }[] = [];

  /** Gradients of the tags in `act` from their residual rows in Rblk (row k = act[k]). */
  const gradients = (act: number[]): void => {
    backwardPass(X, Rblk, act.length, Gblk);
    act.forEach((t, k) => {
      const g = G.subarray(t * p, (t + 1) * p);
      const gk = Gblk.subarray(k * p, (k + 1) * p);
      const w = W.subarray(t * p, (t + 1) * p);
      g[0] = gk[0];
      let gmax = Math.abs(g[0]);
      for (let j = 1; j < p; j++) {
        const v = gk[j] + lambda * w[j];
        g[j] = v;
        if (Math.abs(v) > gmax) gmax = Math.abs(v);
      }
      tagGrad[t] = gmax;
    });
  };

  const report = (epoch: number): void => {
    let sum = 0;
    for (let t = 0; t < T; t++) sum += tagLoss[t];
    const loss = sum / T;
    history.push({ epoch, loss });
    let maxGrad = 0;
    for (let t = 0; t < T; t++) if (tagStatus[t] !== 'constant') maxGrad = Math.max(maxGrad, tagGrad[t]);
    opts.onProgress?.(epoch, loss, { activeTags: active().length, maxGrad, seconds: (performance.now() - started) / 1000 });
  };

  // Epoch 0: loss and gradient at the starting point.
  {
    const act = active();
    act.forEach((t, k) => {
      const r = Rblk.subarray(k * n, (k + 1) * n);
      tagLoss[t] = lossAndResidual(Z.subarray(t * n, (t + 1) * n), null, 0, Y.subarray(t * n, (t + 1) * n), wPos[t], wNeg[t], invN, r).f;
    });
    for (let t = 0; t < T; t++) if (tagStatus[t] === 'constant') tagLoss[t] = 0;
    gradients(act);
    for (const t of act) if (tagGrad[t] <= tol) tagStatus[t] = 'gradient';
    report(0);
  }

  let epoch = 0;
  while (epoch < maxEpochs) {
    const act = active();
    if (act.length === 0) break;
    epoch++;
    // 1. Directions (L-BFGS two-loop with the shared preconditioner), packed into Dblk.
    act.forEach((t, k) => {
      const d = Dblk.subarray(k * p, (k + 1) * p);
      lbfgs[t].direction(G.subarray(t * p, (t + 1) * p), d, precond);
    });
    // 2. Forward pass: U = X·D for all active tags.
    forwardPass(X, Dblk, act.length, Ublk);
    // 3. Per-tag line search on the exact 1-D objective; updates w, z, residuals.
    const fOld = new Float64Array(act.length);
    const gOld: Float64Array[] = [];
    const steps = new Float64Array(act.length);
    act.forEach((t, k) => {
      const w = W.subarray(t * p, (t + 1) * p);
      const d = Dblk.subarray(k * p, (k + 1) * p);
      const u = Ublk.subarray(k * n, (k + 1) * n);
      const z = Z.subarray(t * n, (t + 1) * n);
      const r = Rblk.subarray(k * n, (k + 1) * n);
      const y = Y.subarray(t * n, (t + 1) * n);
      fOld[k] = tagLoss[t];
      gOld[k] = G.slice(t * p, (t + 1) * p);
      let wd = 0;
      let dd = 0;
      let ww = 0;
      let gd = 0;
      for (let j = 0; j < p; j++) gd += gOld[k][j] * d[j];
      for (let j = 1; j < p; j++) {
        wd += w[j] * d[j];
        dd += d[j] * d[j];
        ww += w[j] * w[j];
      }
      const phi = (a: number): { f: number; df: number } => {
        const v = lossAndResidual(z, u, a, y, wPos[t], wNeg[t], invN, r);
        return { f: v.f + 0.5 * lambda * (ww + 2 * a * wd + a * a * dd), df: v.du + lambda * (wd + a * dd) };
      };
      const a = lineSearch(phi, fOld[k], gd);
      steps[k] = a.alpha;
      if (a.alpha === 0) {
        // No decrease possible in floating point: this tag is as good as it gets.
        tagStatus[t] = 'linesearch';
        return;
      }
      for (let j = 0; j < p; j++) w[j] += a.alpha * d[j];
      for (let i = 0; i < n; i++) z[i] += a.alpha * u[i];
      tagLoss[t] = a.f; // includes the penalty
      tagEpochs[t] = epoch;
    });
    // 4. Backward pass for the tags that moved, then L-BFGS memory and stopping tests.
    const moved = act.filter((t) => tagStatus[t] === 'active');
    const movedK = act.flatMap((t, k) => (tagStatus[t] === 'active' ? [k] : []));
    // Compact residual rows so that row j of Rblk belongs to moved[j].
    movedK.forEach((k, j) => {
      if (k !== j) Rblk.copyWithin(j * n, k * n, (k + 1) * n);
    });
    gradients(moved);
    moved.forEach((t, j) => {
      const k = movedK[j];
      lbfgs[t].update(Dblk.subarray(k * p, (k + 1) * p), steps[k], gOld[k], G.subarray(t * p, (t + 1) * p), precond);
      const rel = (fOld[k] - tagLoss[t]) / Math.max(Math.abs(fOld[k]), Math.abs(tagLoss[t]), 1);
      if (tagGrad[t] <= tol) tagStatus[t] = 'gradient';
      else if (rel <= ftol) tagStatus[t] = 'ftol';
    });
    report(epoch);
  }

  const status: TagStatus[] = tagStatus.map((s) => (s === 'active' ? 'maxEpochs' : s));
  const converged = status.every((s) => s === 'gradient' || s === 'ftol' || s === 'constant');

  // Head: feature-major float32 weights, bias separate.
  const dimAll = layout.denseDim + layout.sparseDim;
  const HW = new Float32Array(dimAll * T);
  const Hb = new Float32Array(T);
  for (let t = 0; t < T; t++) {
    Hb[t] = W[t * p];
    for (let j = 0; j < dimAll; j++) HW[j * T + t] = W[t * p + 1 + j];
  }
  const seconds = (performance.now() - started) / 1000;
  const head = new Head(layout, T, HW, Hb, {
    tags: opts.tags,
    meta: { trainer: 'logreg-ovr-lbfgs', C, classWeight: opts.classWeight ?? null, tol, ftol, epochs: epoch, converged, n },
  });
  return { head, history, converged, epochs: epoch, tagStatus: status, tagEpochs, tagLoss, tagGrad, seconds };
}

// ---------------------------------------------------------------------------------------------
// Data layout
// ---------------------------------------------------------------------------------------------

/**
 * The training matrix. Columns: 0 = constant 1 (bias), 1..dd = dense block (pre-multiplied by
 * its weight), then the sparse block in CSR form. Dense part kept twice (row- and column-major)
 * so both passes read memory contiguously.
 */
interface Design {
  n: number;
  /** Dense block width including the bias column (1 + denseDim). */
  q: number;
  /** Sparse block width. */
  ds: number;
  /** Parameters per tag: q + ds. */
  p: number;
  xa: Float32Array; // n x q
  xat: Float32Array; // q x n
  indptr: Int32Array;
  cols: Int32Array;
  vals: Float32Array;
}

function resolveLayout(rows: FeatureRow[], dim: number | Partial<FeatureLayout>): FeatureLayout {
  if (typeof dim === 'number') {
    if (!(Number.isInteger(dim) && dim >= 1)) throw new Error(`trainOneVsRest: dim must be a positive integer, got ${dim}`);
    const denseDim = rows[0].dense?.length ?? 0;
    if (denseDim > dim) throw new Error(`trainOneVsRest: rows[0].dense has ${denseDim} values but dim is ${dim}`);
    return makeLayout({ denseDim, sparseDim: dim - denseDim });
  }
  return makeLayout(dim);
}

function buildDesign(rows: FeatureRow[], layout: FeatureLayout): Design {
  const n = rows.length;
  const q = 1 + layout.denseDim;
  const ds = layout.sparseDim;
  const xa = new Float32Array(n * q);
  let nnz = 0;
  rows.forEach((row, i) => {
    checkRow(row, layout, `rows[${i}]`);
    nnz += row.sparse?.indices.length ?? 0;
  });
  const indptr = new Int32Array(n + 1);
  const cols = new Int32Array(nnz);
  const vals = new Float32Array(nnz);
  let k = 0;
  rows.forEach((row, i) => {
    xa[i * q] = 1;
    if (row.dense) for (let j = 0; j < layout.denseDim; j++) xa[i * q + 1 + j] = row.dense[j] * layout.denseWeight;
    if (row.sparse) {
      const { indices, values } = row.sparse;
      for (let m = 0; m < indices.length; m++, k++) {
        cols[k] = indices[m];
        vals[k] = values[m] * layout.sparseWeight;
      }
    }
    indptr[i + 1] = k;
  });
  const xat = new Float32Array(q * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < q; j++) xat[j * n + i] = xa[i * q + j];
  return { n, q, ds, p: q + ds, xa, xat, indptr, cols, vals };
}

function chooseMemory(requested: number, p: number, T: number): number {
  if (!(Number.isInteger(requested) && requested >= 1)) throw new Error(`trainOneVsRest: memory must be a positive integer, got ${requested}`);
  const budget = 2 ** 30; // bytes for the s/y pairs of all tags
  const fits = Math.floor(budget / (2 * 8 * p * T));
  return Math.max(3, Math.min(requested, fits));
}

// ---------------------------------------------------------------------------------------------
// Loss, line search
// ---------------------------------------------------------------------------------------------

/**
 * Weighted mean log-loss at logits `z + a*u` (no penalty), writing residuals
 * r_i = s_i (sigmoid - y_i) / n, and the derivative along u: sum_i r_i u_i.
 */
function lossAndResidual(
  z: Float64Array,
  u: Float64Array | null,
  a: number,
  y: Uint8Array,
  wPos: number,
  wNeg: number,
  invN: number,
  r: Float64Array,
): { f: number; du: number } {
  let loss = 0;
  let du = 0;
  const n = z.length;
  for (let i = 0; i < n; i++) {
    const zi = u === null ? z[i] : z[i] + a * u[i];
    const pos = y[i] === 1;
    const s = pos ? wPos : wNeg;
    const e = Math.exp(-Math.abs(zi));
    // log(1 + exp(zi)) - y*zi, stably
    loss += s * ((zi > 0 ? zi : 0) + Math.log1p(e) - (pos ? zi : 0));
    const sig = zi >= 0 ? 1 / (1 + e) : e / (1 + e);
    const ri = s * (sig - (pos ? 1 : 0)) * invN;
    r[i] = ri;
    if (u !== null) du += ri * u[i];
  }
  return { f: loss * invN, du };
}

/**
 * Line search on a convex 1-D function φ(α) with φ(0)=f0, φ'(0)=g0<0: finds α meeting the
 * strong Wolfe conditions (c1=1e-4, c2=0.9), trying α=1 first, by bracketing the root of φ'
 * (monotone because φ is convex) with safeguarded secant steps. The last φ evaluated is at the
 * returned α (so residuals written by φ match it). Returns α=0 if no decrease is found.
 */
function lineSearch(phi: (a: number) => { f: number; df: number }, f0: number, g0: number): { alpha: number; f: number } {
  if (!(g0 < 0)) return { alpha: 0, f: f0 };
  const c1 = 1e-4;
  const c2 = 0.9;
  let lo = 0;
  let dlo = g0;
  let hi = Infinity;
  let dhi = 0;
  let a = 1;
  let best = { alpha: 0, f: f0 };
  for (let it = 0; it < 40; it++) {
    const { f, df } = phi(a);
    if (f < best.f) best = { alpha: a, f };
    const armijo = f <= f0 + c1 * a * g0;
    if (armijo && Math.abs(df) <= c2 * -g0) return { alpha: a, f };
    if (!armijo || df >= 0) {
      hi = a;
      dhi = df;
    } else {
      lo = a;
      dlo = df;
    }
    if (hi === Infinity) {
      a *= 4;
      continue;
    }
    // secant on φ' between lo and hi, kept away from the ends
    let next = Number.isFinite(dhi) && dhi > dlo ? lo - (dlo * (hi - lo)) / (dhi - dlo) : 0.5 * (lo + hi);
    const margin = 0.1 * (hi - lo);
    if (!(next > lo + margin && next < hi - margin)) next = 0.5 * (lo + hi);
    if (hi - lo <= 1e-12 * Math.max(1, hi)) break;
    a = next;
  }
  if (best.alpha > 0) phi(best.alpha); // leave residuals at the returned point
  return best;
}

// ---------------------------------------------------------------------------------------------
// Preconditioner and L-BFGS state
// ---------------------------------------------------------------------------------------------

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
interface Preconditioner {
  q: number;
  /** Lower Cholesky factor L (q x q, row-major) and its transpose, for contiguous solves. */
  L: Float64Array;
  LT: Float64Array;
  /** Sparse block: column means μ and the diagonal 0.25·var + λ. */
  sparseMean: Float64Array;
  sparseDiag: Float64Array;
}

function buildPreconditioner(X: Design, lambda: number): Preconditioner {
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
function cholesky(A: Float64Array, q: number): Float64Array {
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
function applyPrecond(P: Preconditioner, v: Float64Array): void {
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

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** Limited-memory BFGS state of one tag (ring buffer of the last `m` (s, y) pairs). */
class Lbfgs {
  private readonly S: Float64Array[] = [];
  private readonly Yv: Float64Array[] = [];
  private readonly rho: number[] = [];
  private gamma = 1;
  private readonly alpha: Float64Array;
  private readonly scratch: Float64Array;

  constructor(
    private readonly p: number,
    private readonly m: number,
  ) {
    this.alpha = new Float64Array(m);
    this.scratch = new Float64Array(p);
  }

  /** Writes the search direction -H·g into `d` (H: L-BFGS inverse Hessian with H0 = γ·M⁻¹). */
  direction(g: Float64Array, d: Float64Array, P: Preconditioner): void {
    d.set(g);
    const k = this.S.length;
    for (let i = k - 1; i >= 0; i--) {
      const a = this.rho[i] * dot(this.S[i], d);
      this.alpha[i] = a;
      const y = this.Yv[i];
      for (let j = 0; j < this.p; j++) d[j] -= a * y[j];
    }
    applyPrecond(P, d);
    for (let j = 0; j < this.p; j++) d[j] *= this.gamma;
    for (let i = 0; i < k; i++) {
      const b = this.rho[i] * dot(this.Yv[i], d);
      const s = this.S[i];
      const c = this.alpha[i] - b;
      for (let j = 0; j < this.p; j++) d[j] += c * s[j];
    }
    let gd = 0;
    for (let j = 0; j < this.p; j++) {
      d[j] = -d[j];
      gd += g[j] * d[j];
    }
    if (!(gd < 0) && k > 0) {
      // Not a descent direction (rounding): forget the memory, use the preconditioned gradient.
      this.S.length = 0;
      this.Yv.length = 0;
      this.rho.length = 0;
      this.gamma = 1;
      this.direction(g, d, P);
    }
  }

  /** Records s = step·d and y = gNew - gOld (skipped if the curvature sᵀy is not positive). */
  update(d: Float64Array, step: number, gOld: Float64Array, gNew: Float64Array, P: Preconditioner): void {
    // Reuse the oldest pair's buffers once the memory is full (avoids churning p-sized arrays).
    const full = this.S.length === this.m;
    const s = full ? this.S[0] : new Float64Array(this.p);
    const y = full ? this.Yv[0] : new Float64Array(this.p);
    const my = this.scratch;
    for (let j = 0; j < this.p; j++) {
      s[j] = step * d[j];
      y[j] = gNew[j] - gOld[j];
      my[j] = y[j];
    }
    const sy = dot(s, y);
    if (!(sy > 1e-300)) {
      if (full) {
        // the oldest pair's buffers were overwritten: drop that pair
        this.S.shift();
        this.Yv.shift();
        this.rho.shift();
      }
      return;
    }
    applyPrecond(P, my);
    const ymy = dot(y, my);
    if (ymy > 0) this.gamma = sy / ymy;
    if (full) {
      this.S.shift();
      this.Yv.shift();
      this.rho.shift();
    }
    this.S.push(s);
    this.Yv.push(y);
    this.rho.push(1 / sy);
  }
}

// ---------------------------------------------------------------------------------------------
// Data passes (the only O(n·dim·T) work)
// ---------------------------------------------------------------------------------------------

/** Samples per block when moving between tag-major and sample-major layouts in sparse passes. */
const SPARSE_BLOCK = 64;

/** U[k, i] = x̃_i · D[k] for the first `Ta` rows of D (stride p) and U (stride n). */
function forwardPass(X: Design, D: Float64Array, Ta: number, U: Float64Array): void {
  const { n, q, p, ds } = X;
  gemmNT(X.xa, q, n, D, p, Ta, q, U, n, 0);
  if (ds === 0 || X.vals.length === 0) return;
  // Sparse block, feature-major copy of the directions: Ds[c*Ta + k].
  const Ds = new Float64Array(ds * Ta);
  for (let k = 0; k < Ta; k++) for (let c = 0; c < ds; c++) Ds[c * Ta + k] = D[k * p + q + c];
  const buf = new Float64Array(SPARSE_BLOCK * Ta);
  const { indptr, cols, vals } = X;
  for (let i0 = 0; i0 < n; i0 += SPARSE_BLOCK) {
    const nb = Math.min(SPARSE_BLOCK, n - i0);
    buf.fill(0);
    for (let ii = 0; ii < nb; ii++) {
      const o = ii * Ta;
      const end = indptr[i0 + ii + 1];
      let e = indptr[i0 + ii];
      // four non-zeros at a time: one read-modify-write of buf per four products (~2x faster)
      for (; e + 3 < end; e += 4) {
        const v0 = vals[e], v1 = vals[e + 1], v2 = vals[e + 2], v3 = vals[e + 3]; // prettier-ignore
        const r0 = cols[e] * Ta, r1 = cols[e + 1] * Ta, r2 = cols[e + 2] * Ta, r3 = cols[e + 3] * Ta; // prettier-ignore
        for (let k = 0; k < Ta; k++) buf[o + k] += v0 * Ds[r0 + k] + v1 * Ds[r1 + k] + v2 * Ds[r2 + k] + v3 * Ds[r3 + k];
      }
      for (; e < end; e++) {
        const v = vals[e];
        const r = cols[e] * Ta;
        for (let k = 0; k < Ta; k++) buf[o + k] += v * Ds[r + k];
      }
    }
    for (let k = 0; k < Ta; k++) {
      const o = k * n + i0;
      for (let ii = 0; ii < nb; ii++) U[o + ii] += buf[ii * Ta + k];
    }
  }
}

/** G[k] = X̃ᵀ R[k] for the first `Ta` rows of R (stride n) and G (stride p). */
function backwardPass(X: Design, R: Float64Array, Ta: number, G: Float64Array): void {
  const { n, q, p, ds } = X;
  if (Ta === 0) return;
  gemmNT(X.xat, n, q, R, n, Ta, n, G, p, 0);
  if (ds === 0) return;
  const Gs = new Float64Array(ds * Ta);
  const buf = new Float64Array(SPARSE_BLOCK * Ta);
  const { indptr, cols, vals } = X;
  for (let i0 = 0; i0 < n; i0 += SPARSE_BLOCK) {
    const nb = Math.min(SPARSE_BLOCK, n - i0);
    for (let k = 0; k < Ta; k++) {
      const o = k * n + i0;
      for (let ii = 0; ii < nb; ii++) buf[ii * Ta + k] = R[o + ii];
    }
    for (let ii = 0; ii < nb; ii++) {
      const o = ii * Ta;
      const end = indptr[i0 + ii + 1];
      let e = indptr[i0 + ii];
      // four non-zeros (distinct columns) at a time: one read of buf per four updates
      for (; e + 3 < end; e += 4) {
        const v0 = vals[e], v1 = vals[e + 1], v2 = vals[e + 2], v3 = vals[e + 3]; // prettier-ignore
        const r0 = cols[e] * Ta, r1 = cols[e + 1] * Ta, r2 = cols[e + 2] * Ta, r3 = cols[e + 3] * Ta; // prettier-ignore
        for (let k = 0; k < Ta; k++) {
          const b = buf[o + k];
          Gs[r0 + k] += v0 * b;
          Gs[r1 + k] += v1 * b;
          Gs[r2 + k] += v2 * b;
          Gs[r3 + k] += v3 * b;
        }
      }
      for (; e < end; e++) {
        const v = vals[e];
        const r = cols[e] * Ta;
        for (let k = 0; k < Ta; k++) Gs[r + k] += v * buf[o + k];
      }
    }
  }
  for (let k = 0; k < Ta; k++) for (let c = 0; c < ds; c++) G[k * p + q + c] = Gs[c * Ta + k];
}

/**
 * C[cOff + b*ldc + a] = Σ_k A[a*lda + k] · B[b*ldb + k]  for a < na, b < nb, k < K.
 * Hand-written (no BLAS in Node): 4x2 register blocking, which measured ~2.2 GFLOP-pairs/s
 * on one core, about 4x a naive loop.
 */
function gemmNT(
  A: Float32Array,
  lda: number,
  na: number,
  B: Float64Array,
  ldb: number,
  nb: number,
  K: number,
  C: Float64Array,
  ldc: number,
  cOff: number,
): void {
  const na4 = na - (na % 4);
  const nb2 = nb - (nb % 2);
  for (let a = 0; a < na4; a += 4) {
    const a0 = a * lda;
    const a1 = a0 + lda;
    const a2 = a1 + lda;
    const a3 = a2 + lda;
    for (let b = 0; b < nb2; b += 2) {
      const b0 = b * ldb;
      const b1 = b0 + ldb;
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0, r0 = 0, r1 = 0, r2 = 0, r3 = 0; // prettier-ignore
      for (let k = 0; k < K; k++) {
        const w = B[b0 + k];
        const v = B[b1 + k];
        let x = A[a0 + k];
        s0 += x * w;
        r0 += x * v;
        x = A[a1 + k];
        s1 += x * w;
        r1 += x * v;
        x = A[a2 + k];
        s2 += x * w;
        r2 += x * v;
        x = A[a3 + k];
        s3 += x * w;
        r3 += x * v;
      }
      const c0 = cOff + b * ldc + a;
      const c1 = c0 + ldc;
      C[c0] = s0;
      C[c0 + 1] = s1;
      C[c0 + 2] = s2;
      C[c0 + 3] = s3;
      C[c1] = r0;
      C[c1 + 1] = r1;
      C[c1 + 2] = r2;
      C[c1 + 3] = r3;
    }
  }
  // Leftover rows/columns: plain dot products.
  for (let a = 0; a < na; a++) {
    const bStart = a < na4 ? nb2 : 0;
    const ao = a * lda;
    for (let b = bStart; b < nb; b++) {
      const bo = b * ldb;
      let s = 0;
      for (let k = 0; k < K; k++) s += A[ao + k] * B[bo + k];
      C[cOff + b * ldc + a] = s;
    }
  }
}
