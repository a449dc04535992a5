/**
 * Which WebAssembly proposals a module's code uses, by reading it with wabt with a proposal turned
 * off: wabt refuses an opcode of a disabled proposal ("unexpected opcode"). Used by bench:ops to
 * say whether onnxruntime-web's WASM has relaxed SIMD (its 8-bit integer dot product).
 */
import wabtInit from 'wabt';

/** Features of the WASM builds we read (threads, SIMD, bulk memory...) besides the one tested. */
const BASE = {
  simd: true,
  threads: true,
  exceptions: true,
  bulk_memory: true,
  sign_extension: true,
  sat_float_to_int: true,
  mutable_globals: true,
  multi_value: true,
  reference_types: true,
  tail_call: true,
  extended_const: true,
  memory64: true,
};

/** True when the module uses relaxed SIMD instructions; throws when it cannot be read even with them. */
export async function usesRelaxedSimd(bytes: Uint8Array): Promise<boolean> {
  const wabt = await wabtInit();
  try {
    wabt.readWasm(bytes, { ...BASE, relaxed_simd: false }).destroy();
    return false;
  } catch {
    wabt.readWasm(bytes, { ...BASE, relaxed_simd: true }).destroy(); // throws if unreadable for another reason
    return true;
  }
}
