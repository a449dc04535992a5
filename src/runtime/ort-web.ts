/**
 * The encoder's ONNX runtime in a browser: onnxruntime-web's WASM build (the version package.json
 * pins, not transformers.js' 1.14). Its files are served from `wasmPaths` (the extension's ort/
 * folder, copied there by wxt.config.ts): `ort-wasm-simd-threaded.mjs` (loaded with a dynamic
 * import) and `.wasm`. With cross-origin isolation (Chrome extension pages get it from the
 * manifest's COOP/COEP keys) it runs `threads` WASM threads, each a Worker started from that .mjs
 * URL (same origin, so an extension's CSP allows it); without, one thread.
 */
import * as ort from 'onnxruntime-web/wasm';
import { bertSession, type OnnxRuntime } from './encoder';

export interface WebRuntimeOptions {
  /** URL of the folder holding onnxruntime-web's .mjs and .wasm files, ending with '/'. */
  wasmPaths: string;
  /** WASM threads wanted (default: 2, capped by the cores there are); 1 without cross-origin isolation. */
  threads?: number;
}

/** Threads the runtime will use here: `wanted` when SharedArrayBuffer is usable, else 1. */
export function usableThreads(wanted: number): number {
  const isolated = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true;
  const cores = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency ?? 1;
  return isolated ? Math.max(1, Math.min(wanted, cores)) : 1;
}

export function webOnnxRuntime(opts: WebRuntimeOptions): OnnxRuntime {
  const threads = usableThreads(opts.threads ?? 2);
  ort.env.wasm.wasmPaths = opts.wasmPaths;
  ort.env.wasm.numThreads = threads;
  ort.env.wasm.proxy = false; // already in a Worker
  return {
    name: `onnxruntime-web ${ort.env.versions.web ?? '?'} (wasm, ${threads} thread${threads === 1 ? '' : 's'})`,
    async createSession(url) {
      return bertSession(ort.Tensor, await ort.InferenceSession.create(url, { executionProviders: ['wasm'], graphOptimizationLevel: 'all', extra: { session: { intra_op: { allow_spinning: '0' } } } }));
    },
  };
}
