/**
 * The v2 tag head: built to scale to thousands of tags on two cores and to stay small.
 *
 * - TF-IDF block: one-vs-rest linear SVM per tag (src/learn/svc.ts, dual coordinate descent, on all
 *   cores), then only each tag's `keep` largest weights (by |w|) are kept: the head stores its
 *   sparse block by feature (src/core/head.ts), so size and scoring time follow the kept weights,
 *   not tags x vocabulary.
 * - Embedding block: ridge regression for all tags at once (src/learn/ridge.ts, closed form).
 * - The two margins are added, the embedding one scaled by `beta`, picked on validation (P@1 + R@5)
 *   from `betaGrid`, separately for titles alone and for questions with a body (what the ask page
 *   sends); then one Platt scaling for all tags (src/learn/calibrate.ts) turns margins into
 *   probabilities. Platt is folded into the weights and beta becomes the embedding block's weight
 *   (the manifest's blockWeights / bodyBlockWeights), so the head is still `sigmoid(x·W + b)`.
 *
 * Why not the L-BFGS logistic regression of the 200-tag model: its cost is passes x rows x
 * (384 + terms) x tags, about 35 minutes per run at 2,000 tags here; this costs ~7 minutes.
 */
import { Head, type SparseBlock } from '../core/head';
import type { SparseVector } from '../core/tfidf';
import { buildDesign } from '../learn/logreg/design';
import { positivesByTag, SVC_DEFAULTS } from '../learn/svc';
import { trainRidge } from '../learn/ridge';
import { fitPlatt, type Platt } from '../learn/calibrate';
import { topK } from '../learn/evaluation';
import { rankingMetrics } from '../core/metrics';
import { trainSvcThreads } from './svc-threads';

export interface SvcHeadOptions {
  /** SVM penalty (LinearSVC's C). */
  C: number;
  /** Ridge penalty of the embedding block. */
  alpha: number;
  /** TF-IDF weights kept per tag (largest |w|); 0 keeps all. */
  keep: number;
  /** Candidate weights of the embedding margin. */
  betaGrid: readonly number[];
  threads?: number;
  seed?: number;
  tags?: string[];
  onProgress?: (tagsDone: number) => void;
}

export interface SvcHeadInput {
  dense?: Float32Array[];
  sparse?: SparseVector[];
  labels: number[][];
  /** Gold tags (names, in or out of the vocabulary) of the validation rows, for choosing beta. */
  validationGold: string[][];
  /**
   * Whether each validation row's text has a body (core/normalize `hasBody`). Given, and with both
   * kinds present, a hybrid head gets one beta per kind; the rows' features must then be built the
   * way the Suggester builds them (see `blockScale`).
   */
  validationHasBody?: boolean[];
  nTrain: number;
  nValidation: number;
  numTags: number;
  denseDim: number;
  sparseDim: number;
}

/** Which validation questions a beta was chosen on: titles alone, questions with a body, or all. */
export type BetaGroup = 'title' | 'body' | 'all';

export interface SvcHeadResult {
  head: Head;
  /** Weight of the embedding margin for questions without a body (all questions if one beta). */
  beta: number;
  /** Weight of the embedding margin for questions with a body. */
  betaBody: number;
  /** The head's block weights [dense, sparse] (the manifest's blockWeights). */
  blockWeights: [number, number];
  /** Block weights for questions with a body, when they differ (the manifest's bodyBlockWeights). */
  bodyBlockWeights?: [number, number];
  platt: Platt;
  /** Validation P@1 and R@5 for every beta tried, per group of questions. */
  betaSearch: { group: BetaGroup; beta: number; n: number; p1: number; r5: number }[];
  svc: { converged: number; meanIterations: number };
  keptWeights: number;
}

/** Rows [0, nTrain) train, [nTrain, nTrain + nValidation) validate. */
export async function trainSvcHead(input: SvcHeadInput, opts: SvcHeadOptions): Promise<SvcHeadResult> {
  const { numTags: T, nTrain, nValidation, denseDim, sparseDim } = input;
  const trainIdx = [...Array(nTrain).keys()];
  const valIdx = Array.from({ length: nValidation }, (_, i) => nTrain + i);
  const trainLabels = trainIdx.map((i) => input.labels[i]);

  // 1. TF-IDF block: SVM per tag, pruned.
  let sparse: SparseBlock = { ptr: new Int32Array(sparseDim + 1), tags: new Uint16Array(0), values: new Float32Array(0) };
  const svcBias = new Float32Array(T);
  let converged = 0;
  let iterations = 0;
  if (input.sparse) {
    const X = buildDesign(
      trainIdx.map((i) => ({ sparse: input.sparse![i] })),
      { denseDim: 0, sparseDim, denseWeight: 1, sparseWeight: 1 },
    );
    const kept: { tag: number; cols: Int32Array; vals: Float32Array }[] = [];
    let done = 0;
    await trainSvcThreads(X, positivesByTag(trainLabels, T), {
      C: opts.C,
      seed: opts.seed,
      threads: opts.threads,
      onTag: (tag, w, info) => {
        svcBias[tag] = w[0];
        kept.push({ tag, ...largest(w.subarray(1), opts.keep) });
        if (info.converged) converged++;
        iterations += info.iterations;
        opts.onProgress?.(++done);
      },
    });
    sparse = toFeatureMajor(kept, sparseDim);
  }

  // 2. Embedding block: ridge for all tags.
  const ridge = input.dense ? trainRidge(trainIdx.map((i) => input.dense![i]), trainLabels, T, opts.alpha) : undefined;

  // 3. beta on validation (one per kind of question), then Platt.
  const svcOnly = input.sparse ? new Head({ denseDim: 0, sparseDim, denseWeight: 1, sparseWeight: 1 }, T, new Float32Array(0), sparse, svcBias) : undefined;
  const valSvc = valIdx.map((i) => (svcOnly ? svcOnly.logits({ sparse: input.sparse![i] }) : new Float32Array(T)));
  // The embedding term without its bias: beta weighs x·W (a block weight cannot scale a bias), and
  // both blocks' biases count once.
  const ridgeOnly = ridge ? new Head({ denseDim, sparseDim: 0, denseWeight: 1, sparseWeight: 1 }, T, ridge.W, { ptr: new Int32Array(1), tags: new Uint16Array(0), values: new Float32Array(0) }, new Float32Array(T)) : undefined;
  const valRidge = ridgeOnly ? valIdx.map((i) => ridgeOnly.logits({ dense: input.dense![i] })) : undefined;
  const hybrid = Boolean(input.sparse && ridge);
  // A hybrid's beta is a block weight (> 0); a one-block head weighs its block 1.
  const grid = hybrid ? opts.betaGrid.filter((b) => b > 0) : [1];
  if (grid.length === 0) throw new Error(`trainSvcHead: betaGrid [${opts.betaGrid.join(', ')}] has no positive weight for the embedding block`);
  const margin = (r: number, beta: number): Float32Array => {
    const z = new Float32Array(T);
    for (let t = 0; t < T; t++) z[t] = (input.sparse ? valSvc[r][t] : 0) + (valRidge ? beta * valRidge[r][t] + ridge!.bias[t] : 0);
    return z;
  };
  // Titles alone and full questions favour different evidence (measured: the embedding weight that
  // ranks best is lower with a body), so each kind gets its own beta when validation has both.
  const withBody = input.validationHasBody;
  if (withBody && withBody.length !== nValidation) throw new Error(`trainSvcHead: validationHasBody has ${withBody.length} entries for ${nValidation} validation rows`);
  const groups: { kind: BetaGroup; rows: number[] }[] =
    hybrid && withBody && withBody.some(Boolean) && withBody.some((b) => !b)
      ? [
          { kind: 'title', rows: valIdx.map((_, r) => r).filter((r) => !withBody[r]) },
          { kind: 'body', rows: valIdx.map((_, r) => r).filter((r) => withBody[r]) },
        ]
      : [{ kind: 'all', rows: valIdx.map((_, r) => r) }];
  const betaSearch: SvcHeadResult['betaSearch'] = [];
  const chosen = new Map<BetaGroup, number>();
  for (const g of groups) {
    const gold = g.rows.map((r) => input.validationGold[r]);
    const tried = grid.map((beta) => ({ group: g.kind, beta, n: g.rows.length, ...rankQuality(g.rows.map((r) => margin(r, beta)), gold, opts.tags) }));
    betaSearch.push(...tried);
    chosen.set(g.kind, tried.reduce((a, b) => (b.p1 + b.r5 > a.p1 + a.r5 + 1e-12 ? b : a)).beta);
  }
  const beta = chosen.get('title') ?? chosen.get('all')!;
  const betaBody = chosen.get('body') ?? beta;
  const platt = fitPlatt(
    valIdx.map((_, r) => margin(r, withBody?.[r] ? betaBody : beta)),
    valIdx.map((i) => input.labels[i]),
  );

  // 4. Fold Platt into the weights; beta becomes the dense block's weight ([beta, 1]; with a body
  // [betaBody, 1], applied by the Suggester), so the head is still one linear map.
  const dense = new Float32Array(denseDim * T);
  if (ridge) for (let k = 0; k < dense.length; k++) dense[k] = platt.a * ridge.W[k];
  const values = sparse.values.map((v) => platt.a * v);
  const bias = new Float32Array(T);
  for (let t = 0; t < T; t++) {
    bias[t] = platt.a * ((input.sparse ? svcBias[t] : 0) + (ridge ? ridge.bias[t] : 0)) + platt.c;
  }
  const blockWeights: [number, number] = [hybrid ? beta : 1, 1];
  const head = new Head({ denseDim, sparseDim, denseWeight: blockWeights[0], sparseWeight: 1 }, T, dense, { ...sparse, values }, bias, {
    tags: opts.tags,
    meta: { trainer: 'svc-ridge', C: opts.C, alpha: opts.alpha, keep: opts.keep, beta, betaBody, platt, svcTol: SVC_DEFAULTS.tol },
  });
  return {
    head,
    beta,
    betaBody,
    blockWeights,
    bodyBlockWeights: hybrid && betaBody !== beta ? [betaBody, 1] : undefined,
    platt,
    betaSearch,
    svc: { converged, meanIterations: input.sparse ? iterations / T : 0 },
    keptWeights: sparse.values.length,
  };
}

/** The `keep` largest |w| (all non-zero ones when keep is 0), as column indices and values. */
export function largest(w: Float32Array, keep: number): { cols: Int32Array; vals: Float32Array } {
  let order = Array.from({ length: w.length }, (_, j) => j).filter((j) => w[j] !== 0);
  if (keep > 0 && order.length > keep) order = order.sort((a, b) => Math.abs(w[b]) - Math.abs(w[a]) || a - b).slice(0, keep);
  order.sort((a, b) => a - b);
  return { cols: Int32Array.from(order), vals: Float32Array.from(order, (j) => w[j]) };
}

/** Per-tag kept weights -> the head's by-feature layout (tags ascending within a feature). */
export function toFeatureMajor(kept: { tag: number; cols: Int32Array; vals: Float32Array }[], sparseDim: number): SparseBlock {
  kept.sort((a, b) => a.tag - b.tag);
  const ptr = new Int32Array(sparseDim + 1);
  for (const k of kept) for (const c of k.cols) ptr[c + 1]++;
  for (let c = 0; c < sparseDim; c++) ptr[c + 1] += ptr[c];
  const fill = ptr.slice(0, sparseDim);
  const nnz = ptr[sparseDim];
  const tags = new Uint16Array(nnz);
  const values = new Float32Array(nnz);
  for (const k of kept) {
    for (let m = 0; m < k.cols.length; m++) {
      const at = fill[k.cols[m]]++;
      tags[at] = k.tag;
      values[at] = k.vals[m];
    }
  }
  return { ptr, tags, values };
}

/** Mean P@1 and R@5 of margins against gold tag names: the evaluation's own ranking metrics (core/metrics). */
function rankQuality(margins: Float32Array[], gold: string[][], tags: string[] | undefined): { p1: number; r5: number } {
  if (!tags) throw new Error('trainSvcHead: opts.tags (the vocabulary) is needed to rank on validation');
  const { atK } = rankingMetrics(margins.map((z) => topK(z, 5).map((t) => tags[t])), gold, 5);
  return { p1: atK[0].precision, r5: atK[4].recall };
}
