/**
 * Inside the model's Web Worker: the model service, exposed over comlink as it is. The worker
 * script sits at the extension's root, the model under /models/ and onnxruntime-web's wasm under
 * /ort/ (copied there by wxt.config.ts), so every URL is derived from the worker's own location:
 * nothing remote. The tokenizer, head, TF-IDF and re-ranker run here; in Chrome the ONNX model runs
 * in a worker of its own (`ort-worker.ts`, started from here on the first load): onnxruntime-web
 * blocks the thread that calls it, and this one must answer while the encoder loads. In Firefox
 * it runs here (see ENCODER_HERE).
 */
import { expose } from 'comlink';
import { createModelService, type ModelService } from './service';
import { createEncoder } from '../../runtime/encoder';
import { remoteOnnxRuntime } from '../../runtime/ort-remote';
import { webOnnxRuntime } from '../../runtime/ort-web';
import type { OnnxRuntime } from '../../runtime/encoder';

/** What the worker answers: the model service itself. */
export type WorkerApi = ModelService;

export const MODEL_DIR = 'models/';
export const ORT_WORKER_PATH = '/ort-worker.js';
export const WASM_DIR = 'ort/';
/**
 * The worker URL's query parameter that keeps the encoder's runtime in this worker
 * (`model-worker.js?encoder=here`). Firefox's background asks for it: with its one WASM thread
 * the runtime in a worker of its own made each suggestion slower (A/B in fresh Firefox ESR 153
 * browsers, 4 x 150 questions each: model time p50 68 vs 61 ms, head p95 7 vs 5 ms), and its cold
 * start (~1.1 s) is within target without it. Chrome's offscreen document uses the encoder worker
 * (same A/B in Chromium: p50 46 vs 50 ms, no slower) and gets provisional answers ~1 s earlier.
 */
export const ENCODER_HERE = 'encoder=here';

export function startModelWorker(scope: { location: { href: string } } = self): void {
  const here = new URL(scope.location.href);
  const root = new URL('/', here);
  const runtime = (): OnnxRuntime =>
    here.search.slice(1).split('&').includes(ENCODER_HERE)
      ? webOnnxRuntime({ wasmPaths: new URL(WASM_DIR, root).href })
      : remoteOnnxRuntime(startEncoderWorker(new URL(ORT_WORKER_PATH, root).href));
  const service: WorkerApi = createModelService({
    modelBaseUrl: new URL(MODEL_DIR, root).href,
    encoderFactory: (o) => createEncoder({ ...o, runtime: runtime() }),
  });
  expose(service);
}

/**
 * Starts the encoder's worker. If it dies, this worker fails too (an error thrown from its event
 * handler reaches the page that owns this worker as an error event): the worker host then fails
 * the calls in flight with a clear error and starts both afresh on the next call.
 */
function startEncoderWorker(url: string): Worker {
  const worker = new Worker(url);
  worker.addEventListener('error', (ev: ErrorEvent) => {
    ev.preventDefault();
    throw new Error(`the encoder's worker crashed: ${ev.message || 'unknown error'}`);
  });
  return worker;
}
