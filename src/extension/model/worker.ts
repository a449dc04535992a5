/**
 * Inside the model's Web Worker: the model service, exposed over comlink as it is. The worker
 * script sits at the extension's root, the model under /models/ and onnxruntime-web's wasm under
 * /ort/ (copied there by wxt.config.ts), so every URL is derived from the worker's own location:
 * nothing remote. The tokenizer, head, TF-IDF and re-ranker run here; the ONNX model runs in a
 * worker of its own (`ort-worker.ts`, started from here on the first load): onnxruntime-web blocks
 * the thread that calls it, and this one must answer while the encoder loads.
 */
import { expose } from 'comlink';
import { createModelService, type ModelService } from './service';
import { createEncoder } from '../../runtime/encoder';
import { remoteOnnxRuntime } from '../../runtime/ort-remote';

/** What the worker answers: the model service itself. */
export type WorkerApi = ModelService;

export const MODEL_DIR = 'models/';
export const ORT_WORKER_PATH = '/ort-worker.js';

export function startModelWorker(scope: { location: { href: string } } = self): void {
  const root = new URL('/', scope.location.href);
  const service: WorkerApi = createModelService({
    modelBaseUrl: new URL(MODEL_DIR, root).href,
    encoderFactory: (o) => createEncoder({ ...o, runtime: remoteOnnxRuntime(startEncoderWorker(new URL(ORT_WORKER_PATH, root).href)) }),
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
