import { describe, expect, it } from 'vitest';
import wabtInit from 'wabt';
import { usesRelaxedSimd } from '../scripts/lib/wasm-features';

const assemble = async (body: string) => {
  const wabt = await wabtInit();
  const m = wabt.parseWat('t.wat', `(module (func (export "f") (param v128 v128 v128) (result v128) ${body}))`, { simd: true, relaxed_simd: true });
  try {
    return m.toBinary({}).buffer;
  } finally {
    m.destroy();
  }
};

describe('usesRelaxedSimd (bench:ops)', () => {
  it("finds relaxed SIMD's 8-bit dot product", async () => {
    expect(await usesRelaxedSimd(await assemble('(i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get 0) (local.get 1) (local.get 2))'))).toBe(true);
  });
  it("says no for plain SIMD's 16-bit one", async () => {
    expect(await usesRelaxedSimd(await assemble('(i32x4.add (i32x4.dot_i16x8_s (local.get 0) (local.get 1)) (local.get 2))'))).toBe(false);
  });
  it('throws on bytes that are not WebAssembly', async () => {
    await expect(usesRelaxedSimd(new Uint8Array([1, 2, 3, 4]))).rejects.toThrow();
  });
});
