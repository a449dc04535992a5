import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import { DenseDots, denseDotsJs } from '../src/core/kernels/dense-dots';
import { Head } from '../src/core/head';
import { compileWat, kernelModule, kernelModuleFile, KERNELS_DIR } from '../scripts/build-kernels';

function randomArray(n: number, rng: () => number, Kind: Float32ArrayConstructor | Float64ArrayConstructor = Float32Array) {
  const a = new Kind(n);
  for (let i = 0; i < n; i++) a[i] = rng() * 2 - 1;
  return a;
}

describe('the dense-scores kernel (src/core/kernels)', () => {
  it('the committed module is the compilation of its .wat (re-run scripts/build-kernels.ts after editing it)', async () => {
    const bytes = await compileWat(join(KERNELS_DIR, 'dense-dots.wat'));
    expect(readFileSync(kernelModuleFile('dense-dots.wat'), 'utf8')).toBe(kernelModule('dense-dots.wat', bytes));
  });

  it('runs in WebAssembly SIMD here and gives the JavaScript path\'s scores bit for bit', () => {
    const rng = seedrandom('dots');
    for (const [T, D] of [[1, 8], [7, 16], [2000, 384], [33, 1024]]) {
      const w = randomArray(T * D, rng) as Float32Array;
      const x = randomArray(D, rng) as Float32Array;
      const wasm = new DenseDots(w, T, D);
      const js = new DenseDots(w, T, D, { engine: 'js' });
      expect(wasm.engine).toBe('wasm-simd');
      expect(js.engine).toBe('js');
      const a = Float64Array.from(wasm.compute(x, 0.7));
      const b = Float64Array.from(js.compute(x, 0.7));
      expect(Buffer.from(a.buffer).equals(Buffer.from(b.buffer)), `${T} x ${D}`).toBe(true);
      // and both are the dot products (up to float64 summation order)
      for (let t = 0; t < T; t += Math.max(1, T >> 4)) {
        let ref = 0;
        for (let j = 0; j < D; j++) ref += x[j] * 0.7 * w[t * D + j];
        expect(Math.abs(a[t] - ref)).toBeLessThan(1e-12 * D);
      }
      // the output array is reused: a second question overwrites it
      const x2 = randomArray(D, rng) as Float32Array;
      expect(wasm.compute(x2)[0]).toBe(denseDotsJs(Float64Array.from(x2), w, T, D, new Float64Array(T))[0]);
    }
  });

  it('both sum in the documented order (eight partial sums), not one by one', () => {
    // x = [1, 2^-53 x 15], w = 1: one by one, each 2^-53 is lost against 1 (sum 1); summed as
    // documented, s0 = 1 (its 2^-53 lost), s1..s7 = 2^-52 each: 1 + 7 * 2^-52
    const D = 16;
    const x = new Float64Array(D).fill(2 ** -53);
    x[0] = 1;
    const w = new Float32Array(D).fill(1);
    let oneByOne = 0;
    for (const v of x) oneByOne += v;
    expect(oneByOne).toBe(1);
    expect(denseDotsJs(x, w, 1, D, new Float64Array(1))[0]).toBe(1 + 7 * 2 ** -52);
    expect(new DenseDots(w, 1, D).compute(x)[0]).toBe(1 + 7 * 2 ** -52);
  });

  it('refuses shapes it cannot score', () => {
    expect(() => new DenseDots(new Float32Array(12), 1, 12)).toThrow(/multiple of 8/);
    expect(() => new DenseDots(new Float32Array(15), 2, 8)).toThrow(/15 weights for 2 tags x 8 features/);
    expect(() => new DenseDots(new Float32Array(16), 2, 8).compute(new Float32Array(7))).toThrow(/7 features, 8 expected/);
  });
});

describe('Head scores through the kernel', () => {
  it('match a plain float64 evaluation, and a head whose dense block is not a multiple of 8 still scores', () => {
    const rng = seedrandom('head');
    for (const denseDim of [384, 12]) {
      const T = 50;
      const sparseDim = 20;
      const weights = randomArray((denseDim + sparseDim) * T, rng) as Float32Array;
      for (let i = denseDim * T; i < weights.length; i++) if (rng() < 0.7) weights[i] = 0;
      const bias = randomArray(T, rng) as Float32Array;
      const head = Head.fromMatrix({ denseDim, sparseDim, denseWeight: 0.8, sparseWeight: 1.3 }, T, weights, bias);
      expect(head.denseEngine).toBe(denseDim % 8 === 0 ? 'wasm-simd' : 'js-generic');
      const dense = randomArray(denseDim, rng) as Float32Array;
      const sparse = { indices: Int32Array.from([1, 5, 19]), values: Float32Array.from([0.5, -1, 2]) };
      const got = head.logits({ dense, sparse });
      for (let t = 0; t < T; t++) {
        let z = bias[t];
        for (let j = 0; j < denseDim; j++) z += dense[j] * 0.8 * weights[j * T + t];
        sparse.indices.forEach((c, k) => (z += sparse.values[k] * 1.3 * weights[(denseDim + c) * T + t]));
        expect(got[t]).toBeCloseTo(Math.fround(z), 5);
      }
    }
  });
});
