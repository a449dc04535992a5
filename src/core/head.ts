/**
 * The trained one-vs-rest logistic-regression tag head: inference and (de)serialisation.
 *
 * Pure and browser-safe (no Node imports). Training lives in `src/learn/logreg/`.
 *
 * Features: a row is a dense block (sentence embedding), a sparse block (TF-IDF), or both
 * ("hybrid": the dense block comes first, then the sparse block). The head multiplies each
 * block by its weight from the {@link FeatureLayout} before scoring, so training and
 * inference always apply the same block weighting.
 *
 * Weights are stored feature-major (`weights[j * numTags + t]`): scoring a sparse row walks its
 * non-zero features once and adds a contiguous run of weights per feature. The dense block is
 * scored tag by tag from a tag-major copy in WebAssembly SIMD (./kernels/dense-dots: 2,000 tags
 * x 384 features in 0.18 ms p50 in Node, against 2.2 ms for the feature-major loop; bench:scoring),
 * with a JavaScript path that gives the same bits where WebAssembly is unavailable.
 */
import { DenseDots, tagMajor } from './kernels/dense-dots';

/** A sparse vector: strictly increasing `indices` (relative to the sparse block) and their values. */
export interface SparseVector {
  indices: Int32Array;
  values: Float32Array;
}

/** One sample's features. `dense` must be present iff the layout has a dense block. */
export interface FeatureRow {
  dense?: Float32Array;
  sparse?: SparseVector;
}

/** Shape of the feature space: `[dense block (denseDim) | sparse block (sparseDim)]`. */
export interface FeatureLayout {
  denseDim: number;
  sparseDim: number;
  /** Multiplier applied to the dense block (default 1). */
  denseWeight: number;
  /** Multiplier applied to the sparse block (default 1). */
  sparseWeight: number;
}

/** How the weights are stored in the binary. `f32` is exact; see {@link QUANT_TOLERANCE}. */
export type WeightEncoding = 'f32' | 'f16' | 'int8';

/**
 * Score error (absolute, on sigmoid outputs) each encoding is documented to stay within.
 * Measured: f16 moved scores by at most 3e-4 on production-shaped heads (44k x 384 dense and
 * 44k x 5000 sparse, `scripts/bench/logreg-speed.ts`) and ~1e-5 on the sklearn fixture, so it
 * meets 1e-3. int8 with one scale per tag does NOT meet 1e-3: 8e-3 (dense) and 2.6e-2
 * (sparse, where a few rare terms carry large weights and set the scale), so it is documented
 * at 5e-2; check a given head with {@link maxScoreDrift} before shipping it in int8.
 */
export const QUANT_TOLERANCE: Record<WeightEncoding, number> = { f32: 0, f16: 1e-3, int8: 5e-2 };

/** Largest |score change| over `rows` when `head` is stored with `encoding` and read back. */
export function maxScoreDrift(head: Head, encoding: WeightEncoding, rows: FeatureRow[]): number {
  const q = deserializeHead(serializeHead(head, encoding));
  const a = new Float32Array(head.numTags);
  const b = new Float32Array(head.numTags);
  let max = 0;
  for (const r of rows) {
    head.scores(r, a);
    q.scores(r, b);
    for (let t = 0; t < a.length; t++) max = Math.max(max, Math.abs(a[t] - b[t]));
  }
  return max;
}

/** Optional descriptive data saved with the head (tag names, featuriser settings, ...). */
export interface HeadInfo {
  /** Tag names, index = tag id. Length must equal `numTags`. */
  tags?: string[];
  /** Free JSON-serialisable metadata (e.g. encoder model, TF-IDF vocabulary hash, training options). */
  meta?: Record<string, unknown>;
}

/** Builds a full {@link FeatureLayout}, checking the numbers. */
export function makeLayout(l: Partial<FeatureLayout> & { denseDim?: number; sparseDim?: number }): FeatureLayout {
  const layout: FeatureLayout = {
    denseDim: l.denseDim ?? 0,
    sparseDim: l.sparseDim ?? 0,
    denseWeight: l.denseWeight ?? 1,
    sparseWeight: l.sparseWeight ?? 1,
  };
  for (const k of ['denseDim', 'sparseDim'] as const) {
    if (!Number.isInteger(layout[k]) || layout[k] < 0) {
      throw new Error(`FeatureLayout.${k} must be a non-negative integer, got ${String(layout[k])}`);
    }
  }
  if (layout.denseDim + layout.sparseDim === 0) throw new Error('FeatureLayout has no features: denseDim + sparseDim is 0');
  for (const k of ['denseWeight', 'sparseWeight'] as const) {
    if (!Number.isFinite(layout[k]) || layout[k] <= 0) {
      throw new Error(`FeatureLayout.${k} must be a finite number > 0, got ${String(layout[k])}`);
    }
  }
  return layout;
}

/**
 * Throws a clear error if `row` does not fit `layout` (wrong dense length, unsorted or
 * out-of-range sparse indices, non-finite values). `where` names the row in the message.
 */
export function checkRow(row: FeatureRow, layout: FeatureLayout, where = 'row'): void {
  if (layout.denseDim > 0) {
    if (!(row.dense instanceof Float32Array)) {
      throw new Error(`${where}: dense features missing (layout expects a Float32Array of ${layout.denseDim})`);
    }
    if (row.dense.length !== layout.denseDim) {
      throw new Error(`${where}: dense length ${row.dense.length}, layout expects ${layout.denseDim}`);
    }
    for (let j = 0; j < row.dense.length; j++) {
      if (!Number.isFinite(row.dense[j])) throw new Error(`${where}: dense[${j}] is ${row.dense[j]} (must be finite)`);
    }
  } else if (row.dense !== undefined && row.dense.length > 0) {
    throw new Error(`${where}: has dense features but the layout has no dense block (denseDim 0)`);
  }
  if (row.sparse === undefined) return;
  if (layout.sparseDim === 0 && row.sparse.indices.length > 0) {
    throw new Error(`${where}: has sparse features but the layout has no sparse block (sparseDim 0)`);
  }
  const { indices, values } = row.sparse;
  if (indices.length !== values.length) {
    throw new Error(`${where}: sparse indices (${indices.length}) and values (${values.length}) differ in length`);
  }
  let prev = -1;
  for (let k = 0; k < indices.length; k++) {
    const c = indices[k];
    if (c <= prev || c >= layout.sparseDim) {
      throw new Error(
        `${where}: sparse index ${c} at position ${k} is ${c <= prev ? 'not strictly increasing' : `outside [0, ${layout.sparseDim})`}`,
      );
    }
    if (!Number.isFinite(values[k])) throw new Error(`${where}: sparse value at position ${k} is ${values[k]} (must be finite)`);
    prev = c;
  }
}

/** Numerically stable logistic function. */
export function sigmoid(z: number): number {
  if (z >= 0) return 1 / (1 + Math.exp(-z));
  const e = Math.exp(z);
  return e / (1 + e);
}

/**
 * The sparse block of a head, stored by feature (CSR): the weights of feature `c` are
 * `values[ptr[c] .. ptr[c+1])` for the tags `tags[ptr[c] .. ptr[c+1])`. Weights not stored are 0:
 * a head trained on 2,000 tags x 50,000 terms keeps only the weights that matter (see the trainer).
 */
export interface SparseBlock {
  ptr: Int32Array;
  tags: Uint16Array;
  values: Float32Array;
}

/**
 * `acc[t] += Σ_j (x[j] · scale) · w[j·T + t]` over a feature-major `D x T` block, feature by
 * feature: the head's dense scores where the kernel cannot run (a block whose size is not a
 * multiple of 8), and bench:scoring's reference for the kernel.
 */
export function addFeatureMajorDots(acc: Float64Array, x: ArrayLike<number>, scale: number, w: Float32Array, T: number, D: number): Float64Array {
  for (let j = 0; j < D; j++) {
    const v = x[j] * scale;
    if (v === 0) continue;
    const o = j * T;
    for (let t = 0; t < T; t++) acc[t] += v * w[o + t];
  }
  return acc;
}

/** The trained head: `scores(x) = sigmoid(x_weighted · W + b)` for every tag. */
export class Head {
  readonly layout: FeatureLayout;
  readonly numTags: number;
  /** Total feature dimension (`denseDim + sparseDim`). */
  readonly dim: number;
  /** Dense block, `denseDim x numTags`, feature-major: `dense[j * numTags + t]`. */
  readonly dense: Float32Array;
  /** Sparse block (only stored weights). */
  readonly sparse: SparseBlock;
  /** Intercept per tag. */
  readonly bias: Float32Array;
  readonly tags?: string[];
  readonly meta?: Record<string, unknown>;
  #full?: Float32Array;

  /** A head from its blocks, checked: dense `denseDim x numTags` feature-major, sparse by feature. See {@link Head.fromMatrix}. */
  constructor(layout: FeatureLayout, numTags: number, dense: Float32Array, sparse: SparseBlock, bias: Float32Array, info: HeadInfo = {}) {
    this.layout = makeLayout(layout);
    if (!Number.isInteger(numTags) || numTags < 1) throw new Error(`Head: numTags must be a positive integer, got ${numTags}`);
    if (numTags > 0xffff) throw new Error(`Head: at most 65,535 tags (got ${numTags}): sparse tag ids are stored as uint16`);
    this.numTags = numTags;
    this.dim = this.layout.denseDim + this.layout.sparseDim;
    if (dense.length !== this.layout.denseDim * numTags) {
      throw new Error(`Head: the dense block has ${dense.length} values, expected denseDim*numTags = ${this.layout.denseDim}*${numTags}`);
    }
    const { ptr, tags, values } = sparse;
    if (ptr.length !== this.layout.sparseDim + 1 || ptr[0] !== 0 || ptr[ptr.length - 1] !== tags.length || tags.length !== values.length) {
      throw new Error(`Head: the sparse block is malformed (ptr of ${ptr.length} for ${this.layout.sparseDim} features, ${tags.length} tags, ${values.length} values)`);
    }
    for (let c = 0; c < this.layout.sparseDim; c++) {
      if (ptr[c + 1] < ptr[c]) throw new Error(`Head: the sparse block's ptr decreases at feature ${c}`);
      for (let k = ptr[c]; k < ptr[c + 1]; k++) {
        if (tags[k] >= numTags) throw new Error(`Head: sparse weight ${k} names tag ${tags[k]}, the head has ${numTags}`);
      }
    }
    if (bias.length !== numTags) throw new Error(`Head: bias has ${bias.length} values, expected numTags = ${numTags}`);
    if (info.tags !== undefined && info.tags.length !== numTags) {
      throw new Error(`Head: ${info.tags.length} tag names given for ${numTags} tags`);
    }
    this.dense = dense;
    this.sparse = sparse;
    this.bias = bias;
    this.tags = info.tags;
    this.meta = info.meta;
  }

  /**
   * A head from the full `dim x numTags` feature-major matrix (`weights[j * numTags + t]`, dense
   * block first); zero weights of the sparse block are not stored.
   */
  static fromMatrix(layout: FeatureLayout, numTags: number, weights: Float32Array, bias: Float32Array, info: HeadInfo = {}): Head {
    const l = makeLayout(layout);
    const dim = l.denseDim + l.sparseDim;
    if (weights.length !== dim * numTags) {
      throw new Error(`Head: weights has ${weights.length} values, expected dim*numTags = ${dim}*${numTags}`);
    }
    const T = numTags;
    const ptr = new Int32Array(l.sparseDim + 1);
    let nnz = 0;
    for (let c = 0; c < l.sparseDim; c++) {
      const o = (l.denseDim + c) * T;
      for (let t = 0; t < T; t++) if (weights[o + t] !== 0) nnz++;
      ptr[c + 1] = nnz;
    }
    const tags = new Uint16Array(nnz);
    const values = new Float32Array(nnz);
    for (let c = 0, k = 0; c < l.sparseDim; c++) {
      const o = (l.denseDim + c) * T;
      for (let t = 0; t < T; t++) {
        if (weights[o + t] !== 0) {
          tags[k] = t;
          values[k++] = weights[o + t];
        }
      }
    }
    return new Head(l, T, weights.slice(0, l.denseDim * T), { ptr, tags, values }, bias, info);
  }

  /** Stored weights of the sparse block. */
  get sparseNnz(): number {
    return this.sparse.values.length;
  }

  /** The full `dim x numTags` feature-major matrix (materialised once; for tests and small heads). */
  get weights(): Float32Array {
    if (this.#full) return this.#full;
    const T = this.numTags;
    const full = new Float32Array(this.dim * T);
    full.set(this.dense);
    const { ptr, tags, values } = this.sparse;
    for (let c = 0; c < this.layout.sparseDim; c++) {
      const o = (this.layout.denseDim + c) * T;
      for (let k = ptr[c]; k < ptr[c + 1]; k++) full[o + tags[k]] = values[k];
    }
    return (this.#full = full);
  }

  /** The dense block's scores (core/kernels/dense-dots: WebAssembly SIMD), made on first use; null when denseDim is not a multiple of 8. */
  #dots?: DenseDots | null;
  #acc?: Float64Array;

  private denseDots(): DenseDots | null {
    if (this.#dots !== undefined) return this.#dots;
    const T = this.numTags;
    const D = this.layout.denseDim;
    if (D === 0 || D % 8 !== 0) return (this.#dots = null);
    return (this.#dots = new DenseDots(tagMajor(this.dense, T, D), T, D));
  }

  /** Where the dense scores are computed: 'wasm-simd', 'js', or 'js-generic' (a dense block whose size is not a multiple of 8). */
  get denseEngine(): 'wasm-simd' | 'js' | 'js-generic' {
    return this.denseDots()?.engine ?? 'js-generic';
  }

  /**
   * Raw logits `x_weighted · W + b` (accumulated in float64). The dense block goes through
   * `DenseDots` (eight interleaved partial sums: the last bits can differ from a one-by-one sum).
   */
  logits(row: FeatureRow, out = new Float32Array(this.numTags)): Float32Array {
    const T = this.numTags;
    const acc = (this.#acc ??= new Float64Array(T));
    for (let t = 0; t < T; t++) acc[t] = this.bias[t];
    const { denseDim, sparseDim, denseWeight, sparseWeight } = this.layout;
    if (denseDim > 0) {
      const x = row.dense;
      if (x === undefined || x.length !== denseDim) {
        throw new Error(`Head.scores: row needs dense features of length ${denseDim}, got ${x === undefined ? 'none' : x.length}`);
      }
      const dots = this.denseDots();
      if (dots) {
        const d = dots.compute(x, denseWeight);
        for (let t = 0; t < T; t++) acc[t] += d[t];
      } else {
        addFeatureMajorDots(acc, x, denseWeight, this.dense, T, denseDim);
      }
    }
    if (row.sparse !== undefined && row.sparse.indices.length > 0) {
      const { indices, values } = row.sparse;
      const { ptr, tags, values: sw } = this.sparse;
      for (let k = 0; k < indices.length; k++) {
        const c = indices[k];
        if (!(c >= 0 && c < sparseDim)) {
          throw new Error(`Head.scores: sparse index ${c} outside the sparse block [0, ${sparseDim})`);
        }
        const v = values[k] * sparseWeight;
        const end = ptr[c + 1];
        for (let m = ptr[c]; m < end; m++) acc[tags[m]] += v * sw[m];
      }
    }
    for (let t = 0; t < T; t++) out[t] = acc[t];
    return out;
  }

  /** Probability per tag: `sigmoid(logits)`. */
  scores(row: FeatureRow, out = new Float32Array(this.numTags)): Float32Array {
    const z = this.logits(row, out);
    for (let t = 0; t < this.numTags; t++) z[t] = sigmoid(z[t]);
    return z;
  }

  /** Encodes the head (see {@link serializeHead}). */
  serialize(encoding: WeightEncoding = 'f32'): Uint8Array {
    return serializeHead(this, encoding);
  }

  static deserialize(bytes: Uint8Array): Head {
    return deserializeHead(bytes);
  }
}

// ---------------------------------------------------------------------------------------------
// Binary format
// ---------------------------------------------------------------------------------------------

/** First 4 bytes of a serialised head ("TSHD"). */
export const HEAD_MAGIC = 0x44485354; // 'T','S','H','D' little-endian
/** Version 2 stores the sparse block by feature (CSR); version 1 (the full matrix) is still read. */
export const HEAD_FORMAT_VERSION = 2;

/** The JSON header stored after the magic. */
export interface HeadHeader {
  format: 'tagsmith-head';
  version: number;
  numTags: number;
  layout: FeatureLayout;
  encoding: WeightEncoding;
  /** Stored weights of the sparse block (version 2). */
  sparseNnz?: number;
  tags?: string[];
  meta?: Record<string, unknown>;
}

/**
 * `HEAD_MAGIC | u32 header length | JSON header | pad to 8 | payload`. Payload (version 2):
 * `bias f32[T]`; for `int8`, `scale f32[2T]` (one symmetric scale per tag for the dense block, then
 * one per tag for the sparse block: `w = q * scale`); the dense block (`denseDim * T` values,
 * feature-major); the sparse block: `ptr u32[sparseDim + 1]`, `tag u16[nnz]` (padded to 4 bytes),
 * `value[nnz]`. Values are f32, f16 (IEEE half, little-endian) or int8.
 */
export function serializeHead(head: Head, encoding: WeightEncoding = 'f32'): Uint8Array {
  if (encoding !== 'f32' && encoding !== 'f16' && encoding !== 'int8') {
    throw new Error(`serializeHead: unknown encoding ${String(encoding)} (use 'f32', 'f16' or 'int8')`);
  }
  const T = head.numTags;
  const nnz = head.sparseNnz;
  const { denseDim, sparseDim } = head.layout;
  const header: HeadHeader = {
    format: 'tagsmith-head',
    version: HEAD_FORMAT_VERSION,
    numTags: T,
    layout: head.layout,
    encoding,
    sparseNnz: nnz,
    ...(head.tags ? { tags: head.tags } : {}),
    ...(head.meta ? { meta: head.meta } : {}),
  };
  const json = new TextEncoder().encode(JSON.stringify(header));
  const size = payloadSize(8 + json.length, T, denseDim, sparseDim, nnz, encoding);
  const buf = new ArrayBuffer(size.total);
  const view = new DataView(buf);
  view.setUint32(0, HEAD_MAGIC, true);
  view.setUint32(4, json.length, true);
  new Uint8Array(buf, 8, json.length).set(json);
  let off = size.start;
  for (let t = 0; t < T; t++, off += 4) view.setFloat32(off, head.bias[t], true);
  const { ptr, tags, values } = head.sparse;
  let denseScale: Float32Array | undefined;
  let sparseScale: Float32Array | undefined;
  if (encoding === 'int8') {
    denseScale = int8Scales(head.dense, T, (i) => i % T);
    sparseScale = int8Scales(values, T, (k) => tags[k]);
    for (const s of [denseScale, sparseScale]) for (let t = 0; t < T; t++, off += 4) view.setFloat32(off, s[t], true);
  }
  off = writeValues(view, off, head.dense, encoding, denseScale, (i) => i % T);
  for (let c = 0; c <= sparseDim; c++, off += 4) view.setUint32(off, ptr[c], true);
  for (let k = 0; k < nnz; k++, off += 2) view.setUint16(off, tags[k], true);
  off = align4(off);
  writeValues(view, off, values, encoding, sparseScale, (k) => tags[k]);
  return new Uint8Array(buf);
}

function payloadSize(headerEnd: number, T: number, denseDim: number, sparseDim: number, nnz: number, enc: WeightEncoding) {
  const bytesPer = enc === 'f32' ? 4 : enc === 'f16' ? 2 : 1;
  const start = align8(headerEnd);
  let end = start + 4 * T + (enc === 'int8' ? 8 * T : 0) + bytesPer * denseDim * T;
  end = align4(end) + 4 * (sparseDim + 1);
  end = align4(end + 2 * nnz) + bytesPer * nnz;
  return { start, total: end };
}

function writeValues(view: DataView, off: number, src: Float32Array, enc: WeightEncoding, scale: Float32Array | undefined, tagOf: (i: number) => number): number {
  if (enc === 'f32') {
    for (let i = 0; i < src.length; i++, off += 4) view.setFloat32(off, src[i], true);
  } else if (enc === 'f16') {
    for (let i = 0; i < src.length; i++, off += 2) view.setUint16(off, float32ToFloat16Bits(src[i]), true);
  } else {
    for (let i = 0; i < src.length; i++, off++) {
      const s = scale![tagOf(i)];
      view.setInt8(off, s === 0 ? 0 : Math.max(-127, Math.min(127, Math.round(src[i] / s))));
    }
  }
  return align4(off);
}

function readValues(view: DataView, off: number, n: number, enc: WeightEncoding, scale: Float32Array | undefined, tagOf: (i: number) => number): [Float32Array, number] {
  const out = new Float32Array(n);
  if (enc === 'f32') {
    for (let i = 0; i < n; i++, off += 4) out[i] = view.getFloat32(off, true);
  } else if (enc === 'f16') {
    const table = f16Table();
    for (let i = 0; i < n; i++, off += 2) out[i] = table[view.getUint16(off, true)];
  } else {
    for (let i = 0; i < n; i++, off++) out[i] = view.getInt8(off) * scale![tagOf(i)];
  }
  return [out, align4(off)];
}

/** Decodes {@link serializeHead}'s output (format versions 1 and 2); quantised weights are expanded to float32. */
export function deserializeHead(bytes: Uint8Array): Head {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const fail = (why: string): never => {
    throw new Error(`deserializeHead: ${why} (is this a file written by Head.serialize?)`);
  };
  if (bytes.byteLength < 8 || view.getUint32(0, true) !== HEAD_MAGIC) fail('bad magic, expected "TSHD"');
  const jsonLen = view.getUint32(4, true);
  if (8 + jsonLen > bytes.byteLength) fail(`header length ${jsonLen} runs past the end (${bytes.byteLength} bytes)`);
  let header: HeadHeader;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + jsonLen))) as HeadHeader;
  } catch (e) {
    return fail(`header is not valid JSON: ${(e as Error).message}`);
  }
  if (header.format !== 'tagsmith-head') fail(`header.format is ${String(header.format)}`);
  if (header.version === 1) return deserializeV1(bytes, view, header, jsonLen, fail);
  if (header.version !== HEAD_FORMAT_VERSION) {
    fail(`format version ${header.version}, this code reads versions 1 and ${HEAD_FORMAT_VERSION}`);
  }
  const layout = makeLayout(header.layout);
  const T = header.numTags;
  const enc = header.encoding;
  if (enc !== 'f32' && enc !== 'f16' && enc !== 'int8') fail(`unknown encoding ${String(enc)}`);
  const nnz = header.sparseNnz;
  if (!Number.isInteger(T) || T < 1 || !Number.isInteger(nnz) || nnz! < 0) fail('numTags or sparseNnz is not a valid count');
  const { denseDim, sparseDim } = layout;
  const size = payloadSize(8 + jsonLen, T, denseDim, sparseDim, nnz!, enc);
  if (bytes.byteLength !== size.total) fail(`size is ${bytes.byteLength} bytes, header implies ${size.total}`);
  let off = size.start;
  const bias = new Float32Array(T);
  for (let t = 0; t < T; t++, off += 4) bias[t] = view.getFloat32(off, true);
  let denseScale: Float32Array | undefined;
  let sparseScale: Float32Array | undefined;
  if (enc === 'int8') {
    denseScale = new Float32Array(T);
    sparseScale = new Float32Array(T);
    for (const s of [denseScale, sparseScale]) for (let t = 0; t < T; t++, off += 4) s[t] = view.getFloat32(off, true);
  }
  let dense: Float32Array;
  [dense, off] = readValues(view, off, denseDim * T, enc, denseScale, (i) => i % T);
  const ptr = new Int32Array(sparseDim + 1);
  for (let c = 0; c <= sparseDim; c++, off += 4) ptr[c] = view.getUint32(off, true);
  const tags = new Uint16Array(nnz!);
  for (let k = 0; k < nnz!; k++, off += 2) tags[k] = view.getUint16(off, true);
  off = align4(off);
  const [values] = readValues(view, off, nnz!, enc, sparseScale, (k) => tags[k]);
  try {
    return new Head(layout, T, dense, { ptr, tags, values }, bias, { tags: header.tags, meta: header.meta });
  } catch (e) {
    return fail((e as Error).message);
  }
}

/** Format version 1: `bias f32[T]`, for int8 `scale f32[T]`, then the full `dim x T` matrix. */
function deserializeV1(bytes: Uint8Array, view: DataView, header: HeadHeader, jsonLen: number, fail: (why: string) => never): Head {
  const layout = makeLayout(header.layout);
  const T = header.numTags;
  const n = (layout.denseDim + layout.sparseDim) * T;
  const enc = header.encoding;
  const weightBytes = enc === 'f32' ? 4 * n : enc === 'f16' ? 2 * n : enc === 'int8' ? n : fail(`unknown encoding ${enc}`);
  let off = align8(8 + jsonLen);
  const expected = off + 4 * T + (enc === 'int8' ? 4 * T : 0) + weightBytes;
  if (bytes.byteLength !== expected) fail(`size is ${bytes.byteLength} bytes, header implies ${expected}`);
  const bias = new Float32Array(T);
  for (let t = 0; t < T; t++, off += 4) bias[t] = view.getFloat32(off, true);
  let scale: Float32Array | undefined;
  if (enc === 'int8') {
    scale = new Float32Array(T);
    for (let t = 0; t < T; t++, off += 4) scale[t] = view.getFloat32(off, true);
  }
  const [W] = readValues(view, off, n, enc, scale, (i) => i % T);
  return Head.fromMatrix(layout, T, W, bias, { tags: header.tags, meta: header.meta });
}

function align8(x: number): number {
  return (x + 7) & ~7;
}

function align4(x: number): number {
  return (x + 3) & ~3;
}

/** One symmetric int8 scale per tag: `max |w| / 127` over the values `tagOf` assigns to the tag. */
function int8Scales(W: Float32Array, T: number, tagOf: (i: number) => number): Float32Array {
  const scale = new Float32Array(T);
  for (let i = 0; i < W.length; i++) {
    const t = tagOf(i);
    const a = Math.abs(W[i]);
    if (a > scale[t]) scale[t] = a;
  }
  for (let t = 0; t < T; t++) scale[t] /= 127;
  return scale;
}


// Half-precision conversion, hand-written because Node 20 has neither Float16Array nor
// Math.f16round and no dependency is needed for ~30 lines. Round-to-nearest-even, like numpy.
const f32buf = new Float32Array(1);
const u32buf = new Uint32Array(f32buf.buffer);

/** IEEE 754 binary16 bit pattern of `v` (rounded to nearest even; overflow gives ±Infinity). */
export function float32ToFloat16Bits(v: number): number {
  f32buf[0] = v;
  const x = u32buf[0];
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant !== 0 ? 0x200 : 0); // Inf / NaN
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00; // too large: Inf
  if (e <= 0) {
    // subnormal half (or zero)
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let h = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    const half = 1 << (shift - 1);
    if (rem > half || (rem === half && (h & 1) === 1)) h++;
    return sign | h;
  }
  let h = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && (h & 1) === 1)) h++; // a carry into the exponent is correct rounding
  return sign | h;
}

let F16: Float32Array | undefined;
/** Every binary16 value by bit pattern (256 KB, built once): decoding the 2,000-tag head's 3 M halves by lookup takes a few ms at cold start instead of tens. */
function f16Table(): Float32Array {
  if (!F16) {
    F16 = new Float32Array(65536);
    for (let h = 0; h < 65536; h++) F16[h] = float16BitsToFloat32(h);
  }
  return F16;
}

/** Value of an IEEE 754 binary16 bit pattern. */
export function float16BitsToFloat32(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >>> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 0x1f) return mant !== 0 ? NaN : sign * Infinity;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}
