/**
 * Gradient-boosted decision trees for binary labels (logistic loss), histogram-based like
 * scikit-learn's HistGradientBoostingClassifier / LightGBM: features are cut into at most
 * `maxBins` bins by quantiles, each tree is grown level by level to a fixed depth, splits are
 * chosen by the second-order gain G_L²/(H_L+λ) + G_R²/(H_R+λ) − G²/(H+λ), leaves get
 * −G/(H+λ) times the learning rate.
 *
 * Why our own: the tag re-ranker (core/rerank) needs a few hundred small trees trained in Node and
 * evaluated in the extension's worker, from one plain format. The npm GBDT packages are either
 * WASM builds of XGBoost/LightGBM that cannot export to a format we can evaluate in 30 lines, or
 * unmaintained; this file is ~150 lines and checked against scikit-learn
 * (tests/learn-gbdt.test.ts, fixture from scripts/reference/gbdt_fixture.py).
 *
 * The trees are complete (2^depth leaves): a node that cannot be split sends every row left
 * (threshold +Infinity), so evaluation is `depth` comparisons per tree with no branches on shape.
 */
import { GbdtModel } from '../core/gbdt';

export interface GbdtOptions {
  trees: number;
  depth: number;
  learningRate: number;
  /** Fewest rows in a leaf. */
  minLeaf: number;
  /** L2 penalty λ on leaf values. */
  l2: number;
  /** Bins per feature (at most 256). */
  maxBins: number;
}

export const GBDT_DEFAULTS: GbdtOptions = { trees: 200, depth: 4, learningRate: 0.05, minLeaf: 20, l2: 1, maxBins: 255 };

/** Bin edges of one feature: midpoints between distinct values, at most `maxBins - 1` by quantile. */
export function binEdges(values: Float32Array | number[], maxBins: number): Float32Array {
  const sorted = Float64Array.from(values).sort();
  const distinct: number[] = [];
  for (let i = 0; i < sorted.length; i++) if (i === 0 || sorted[i] !== sorted[i - 1]) distinct.push(sorted[i]);
  if (distinct.length <= maxBins) {
    return Float32Array.from(distinct.slice(1).map((v, i) => (distinct[i] + v) / 2));
  }
  const edges: number[] = [];
  for (let b = 1; b < maxBins; b++) {
    const q = sorted[Math.min(sorted.length - 1, Math.floor((b * sorted.length) / maxBins))];
    // the edge just below the quantile value: midpoint with the previous distinct value
    let lo = 0;
    let hi = distinct.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (distinct[mid] < q) lo = mid + 1;
      else hi = mid;
    }
    if (lo === 0) continue;
    const e = (distinct[lo - 1] + distinct[lo]) / 2;
    if (edges.length === 0 || e > edges[edges.length - 1]) edges.push(e);
  }
  return Float32Array.from(edges);
}

/** Bin of `x` for `edges`: the number of edges below x (x <= edges[b] goes to bin <= b). */
function binOf(edges: Float32Array, x: number): number {
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (x > edges[mid]) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Trains on `x` (row-major, `n` rows of `f` features) and 0/1 `y`. Deterministic: no sampling.
 */
export function trainGbdt(x: Float32Array, y: Uint8Array, f: number, options: Partial<GbdtOptions> = {}): GbdtModel {
  const o = { ...GBDT_DEFAULTS, ...options };
  const n = y.length;
  if (x.length !== n * f) throw new Error(`gbdt: ${x.length} values for ${n} rows x ${f} features`);
  if (n === 0) throw new Error('gbdt: no rows');
  if (o.maxBins > 256 || o.maxBins < 2) throw new Error('gbdt: maxBins must be in 2..256');
  // binned features, feature-major (histograms walk one feature's bins row after row)
  const edges: Float32Array[] = [];
  const bins = new Uint8Array(n * f);
  for (let j = 0; j < f; j++) {
    const col = new Float32Array(n);
    for (let i = 0; i < n; i++) col[i] = x[i * f + j];
    const e = binEdges(col, o.maxBins);
    edges.push(e);
    for (let i = 0; i < n; i++) bins[j * n + i] = binOf(e, col[i]);
  }
  let positives = 0;
  for (let i = 0; i < n; i++) positives += y[i];
  const prior = Math.min(Math.max(positives / n, 1e-6), 1 - 1e-6);
  const base = Math.log(prior / (1 - prior));
  const score = new Float64Array(n).fill(base);
  const g = new Float64Array(n);
  const h = new Float64Array(n);
  const internal = (1 << o.depth) - 1;
  const leaves = 1 << o.depth;
  const model = new GbdtModel(base, o.depth, f, new Int16Array(o.trees * internal), new Float32Array(o.trees * internal), new Float32Array(o.trees * leaves));
  const order = new Uint32Array(n);
  const histG = new Float64Array(256);
  const histH = new Float64Array(256);
  const histN = new Uint32Array(256);
  for (let t = 0; t < o.trees; t++) {
    for (let i = 0; i < n; i++) {
      const p = 1 / (1 + Math.exp(-score[i]));
      g[i] = p - y[i];
      h[i] = Math.max(p * (1 - p), 1e-12);
      order[i] = i;
    }
    // node k of this level holds order[start[k], end[k])
    let starts = [0];
    let ends = [n];
    for (let level = 0; level < o.depth; level++) {
      const nextStarts: number[] = [];
      const nextEnds: number[] = [];
      for (let k = 0; k < starts.length; k++) {
        const node = (1 << level) - 1 + k;
        const s = starts[k];
        const e = ends[k];
        let G = 0;
        let H = 0;
        for (let r = s; r < e; r++) {
          G += g[order[r]];
          H += h[order[r]];
        }
        let best = { gain: 1e-12, feature: -1, bin: 0 };
        if (e - s >= 2 * o.minLeaf) {
          const parent = (G * G) / (H + o.l2);
          for (let j = 0; j < f; j++) {
            const nb = edges[j].length + 1;
            if (nb < 2) continue;
            histG.fill(0, 0, nb);
            histH.fill(0, 0, nb);
            histN.fill(0, 0, nb);
            const off = j * n;
            for (let r = s; r < e; r++) {
              const i = order[r];
              const b = bins[off + i];
              histG[b] += g[i];
              histH[b] += h[i];
              histN[b]++;
            }
            let gl = 0;
            let hl = 0;
            let nl = 0;
            for (let b = 0; b < nb - 1; b++) {
              gl += histG[b];
              hl += histH[b];
              nl += histN[b];
              if (nl < o.minLeaf) continue;
              if (e - s - nl < o.minLeaf) break;
              const gr = G - gl;
              const hr = H - hl;
              const gain = (gl * gl) / (hl + o.l2) + (gr * gr) / (hr + o.l2) - parent;
              if (gain > best.gain) best = { gain, feature: j, bin: b };
            }
          }
        }
        const at = t * internal + node;
        if (best.feature < 0) {
          model.feature[at] = 0;
          model.threshold[at] = Infinity;
          nextStarts.push(s, e);
          nextEnds.push(e, e);
          continue;
        }
        model.feature[at] = best.feature;
        model.threshold[at] = edges[best.feature][best.bin];
        // partition order[s, e) stably: rows with bin <= best.bin first
        const off = best.feature * n;
        const left: number[] = [];
        const right: number[] = [];
        for (let r = s; r < e; r++) (bins[off + order[r]] <= best.bin ? left : right).push(order[r]);
        order.set(left, s);
        order.set(right, s + left.length);
        nextStarts.push(s, s + left.length);
        nextEnds.push(s + left.length, e);
      }
      starts = nextStarts;
      ends = nextEnds;
    }
    for (let k = 0; k < leaves; k++) {
      let G = 0;
      let H = 0;
      for (let r = starts[k]; r < ends[k]; r++) {
        G += g[order[r]];
        H += h[order[r]];
      }
      const value = ends[k] > starts[k] ? (-G / (H + o.l2)) * o.learningRate : 0;
      model.leaf[t * leaves + k] = value;
      for (let r = starts[k]; r < ends[k]; r++) score[order[r]] += Math.fround(value);
    }
  }
  return model;
}
