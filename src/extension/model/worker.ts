/**
 * Inside the Web Worker: the model service, exposed over comlink as it is. The worker script sits
 * at the extension's root, the model under /models/ and onnxruntime-web's wasm under /ort/ (copied
 * there by wxt.config.ts), so every URL is derived from the worker's own location: nothing remote.
 */
import { expose } from 'comlink';
import { createModelService, type ModelService } from './service';

/** What the worker answers: the model service itself. */
export type WorkerApi = ModelService;

export const MODEL_DIR = 'models/';
export const WASM_DIR = 'ort/';

export function startModelWorker(scope: { location: { href: string } } = self): void {
  const root = new URL('/', scope.location.href);
  const service: WorkerApi = createModelService({
    modelBaseUrl: new URL(MODEL_DIR, root).href,
    wasmBaseUrl: new URL(WASM_DIR, root).href,
  });
  expose(service);
}
