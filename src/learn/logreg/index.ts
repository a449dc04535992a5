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
 * Everything is deterministic: no randomness is used, so there is no seed.
 */
import { Head, type FeatureLayout, type FeatureRow } from '../../core/head';
import { buildDesign, resolveLayout } from './design';
import { backwardPass, forwardPass } from './kernels';
import { Lbfgs } from './lbfgs';
import { lineSearch, lossAndResidual } from './objective';
import { buildPreconditioner } from './precondition';

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
  /** Inverse regularisation strength, as in sklearn (default 1, sklearn's; `tagsmith train` passes its own, see DEFAULT_TRAIN). */
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
  const steps = trainSteps(rows, labels, numTags, dim, opts);
  let step = steps.next();
  while (!step.done) step = steps.next();
  return step.value;
}

/**
 * {@link trainOneVsRest} that gives the event loop a turn after every epoch, so a long training
 * stays interruptible (signal handlers, timers, progress output). Same arithmetic, same result, bit for bit.
 */
export async function trainOneVsRestAsync(
  rows: FeatureRow[],
  labels: number[][],
  numTags: number,
  dim: number | Partial<FeatureLayout>,
  opts: TrainOptions = {},
): Promise<TrainResult> {
  const steps = trainSteps(rows, labels, numTags, dim, opts);
  let step = steps.next();
  while (!step.done) {
    await new Promise((resolve) => setTimeout(resolve, 0));
    step = steps.next();
  }
  return step.value;
}

/** The training, one epoch per step (yields after the starting point and after each epoch). */
function* trainSteps(
  rows: FeatureRow[],
  labels: number[][],
  numTags: number,
  dim: number | Partial<FeatureLayout>,
  opts: TrainOptions,
): Generator<void, TrainResult> {
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
  yield;

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
    yield;
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
  const head = Head.fromMatrix(layout, T, HW, Hb, {
    tags: opts.tags,
    meta: { trainer: 'logreg-ovr-lbfgs', C, classWeight: opts.classWeight ?? null, tol, ftol, epochs: epoch, converged, n },
  });
  return { head, history, converged, epochs: epoch, tagStatus: status, tagEpochs, tagLoss, tagGrad, seconds };
}

function chooseMemory(requested: number, p: number, T: number): number {
  if (!(Number.isInteger(requested) && requested >= 1)) throw new Error(`trainOneVsRest: memory must be a positive integer, got ${requested}`);
  const budget = 2 ** 30; // bytes for the s/y pairs of all tags
  const fits = Math.floor(budget / (2 * 8 * p * T));
  return Math.max(3, Math.min(requested, fits));
}
