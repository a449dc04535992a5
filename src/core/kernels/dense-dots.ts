/**
 * The head's dense scores, `Σ_j x[j] · w[t][j]` for every tag t: the hot loop of a suggestion
 * (2,000 tags x 384 features). WebAssembly SIMD (dense-dots.wat) where the runtime has it, else
 * the same arithmetic in JavaScript: both sum float64 products in the same order (eight
 * interleaved partial sums, see `denseDotsJs`), so a question gets bit-identical scores either way.
 * Hand-written because no library fits: onnxruntime would need an ONNX graph built per head and
 * works in float32; this is 30 lines of WebAssembly. Browser-safe (no Node API).
 */
import { DENSE_DOTS_WASM } from './dense-dots-wasm';

let compiled: WebAssembly.Module | null | undefined;

/** The kernel's module, compiled once; null where WebAssembly (or its SIMD) is unavailable or forbidden. */
function kernelModule(): WebAssembly.Module | null {
  if (compiled !== undefined) return compiled;
  try {
    compiled = typeof WebAssembly === 'object' && WebAssembly.validate(DENSE_DOTS_WASM) ? new WebAssembly.Module(DENSE_DOTS_WASM) : null;
  } catch {
    compiled = null; // e.g. a page whose CSP forbids WebAssembly: the JavaScript path gives the same scores
  }
  return compiled;
}

/**
 * `out[t] = Σ_j x[j] · w[t·D + j]` in JavaScript, summed exactly as the WebAssembly kernel sums:
 * partial sums s0..s7 over features j ≡ 0..7 (mod 8), then ((s0 + s2) + (s4 + s6)) + ((s1 + s3) + (s5 + s7))
 * (its f64x2 lanes). D must be a multiple of 8.
 */
export function denseDotsJs(x: Float64Array, w: Float32Array, T: number, D: number, out: Float64Array): Float64Array {
  if (D % 8 !== 0) throw new Error(`denseDotsJs: ${D} features, a multiple of 8 expected`);
  for (let t = 0, o = 0; t < T; t++) {
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0; // prettier-ignore
    for (let j = 0; j < D; j += 8, o += 8) {
      s0 += x[j] * w[o];
      s1 += x[j + 1] * w[o + 1];
      s2 += x[j + 2] * w[o + 2];
      s3 += x[j + 3] * w[o + 3];
      s4 += x[j + 4] * w[o + 4];
      s5 += x[j + 5] * w[o + 5];
      s6 += x[j + 6] * w[o + 6];
      s7 += x[j + 7] * w[o + 7];
    }
    out[t] = s0 + s2 + (s4 + s6) + (s1 + s3 + (s5 + s7));
  }
  return out;
}

/** A feature-major `D x T` block (`w[j·T + t]`, as the head stores it) tag-major (`[t·D + j]`), as `DenseDots` reads it. */
export function tagMajor(featureMajor: Float32Array, T: number, D: number): Float32Array {
  const out = new Float32Array(D * T);
  for (let j = 0; j < D; j++) for (let t = 0, o = j * T; t < T; t++) out[t * D + j] = featureMajor[o + t];
  return out;
}

/** The dense scores of one head's weights (tag-major `w[t·D + j]`), computed in WebAssembly when it can be. */
export class DenseDots {
  readonly x: Float64Array;
  readonly out: Float64Array;
  private readonly run: () => void;
  /** 'wasm-simd' or 'js'. */
  readonly engine: 'wasm-simd' | 'js';

  constructor(
    w: Float32Array,
    readonly tags: number,
    readonly features: number,
    opts: { engine?: 'auto' | 'js' } = {},
  ) {
    const T = tags;
    const D = features;
    if (D % 8 !== 0 || D < 8) throw new Error(`DenseDots: ${D} features, a positive multiple of 8 expected`);
    if (w.length !== T * D) throw new Error(`DenseDots: ${w.length} weights for ${T} tags x ${D} features`);
    const module = opts.engine === 'js' ? null : kernelModule();
    if (module) {
      const instance = new WebAssembly.Instance(module);
      const memory = instance.exports.memory as WebAssembly.Memory;
      const dots = instance.exports.dots as (x: number, w: number, out: number, T: number, D: number) => void;
      // memory: x (f64[D]) at 0, out (f64[T]), then the weights (f32[T·D]) at a 16-byte boundary
      const outAt = D * 8;
      const wAt = Math.ceil((outAt + T * 8) / 16) * 16;
      const bytes = wAt + T * D * 4;
      memory.grow(Math.max(0, Math.ceil(bytes / 65536) - memory.buffer.byteLength / 65536));
      new Float32Array(memory.buffer, wAt, T * D).set(w);
      this.x = new Float64Array(memory.buffer, 0, D);
      this.out = new Float64Array(memory.buffer, outAt, T);
      this.run = () => dots(0, wAt, outAt, T, D);
      this.engine = 'wasm-simd';
    } else {
      const x = (this.x = new Float64Array(D));
      const out = (this.out = new Float64Array(T));
      const copy = Float32Array.from(w);
      this.run = () => denseDotsJs(x, copy, T, D, out);
      this.engine = 'js';
    }
  }

  /** `out[t] = Σ_j (x[j] · scale) · w[t][j]` (the returned array is reused by the next call). */
  compute(x: ArrayLike<number>, scale = 1): Float64Array {
    if (x.length !== this.features) throw new Error(`DenseDots: ${x.length} features, ${this.features} expected`);
    for (let j = 0; j < this.features; j++) this.x[j] = x[j] * scale;
    this.run();
    return this.out;
  }
}
