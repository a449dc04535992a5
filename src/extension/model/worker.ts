/**
 * Inside the Web Worker: the model service, exposed over comlink as it is. The worker script sits
 * at the extension's root, the model under /models/ and onnxruntime-web's wasm under /ort/ (copied
 * there by wxt.config.ts), so every URL is derived from the worker's own location: nothing remote.
 * The encoder runs on onnxruntime-web (src/runtime/ort-web.ts): two WASM threads where the page is
 * cross-origin isolated (Chrome's offscreen document), one otherwise (Firefox).
 */
import { expose } from 'comlink';
import { createModelService, type ModelService } from './service';
import { createEncoder } from '../../runtime/encoder';
import { webOnnxRuntime } from '../../runtime/ort-web';

/** What the worker answers: the model service itself. */
export type WorkerApi = ModelService;

export const MODEL_DIR = 'models/';
export const WASM_DIR = 'ort/';

export function startModelWorker(scope: { location: { href: string } } = self): void {
  const root = new URL('/', scope.location.href);
  const wasmPaths = new URL(WASM_DIR, root).href;
  const service: WorkerApi = createModelService({
    modelBaseUrl: new URL(MODEL_DIR, root).href,
    encoderFactory: (o) => createEncoder({ ...o, runtime: webOnnxRuntime({ wasmPaths }) }),
  });
  expose(service);
}
