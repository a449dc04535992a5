/**
 * Inside the Web Worker: the model service, exposed over comlink. The worker script sits at the
 * extension's root, the model under /models/ and onnxruntime-web's wasm under /ort/ (copied there
 * by wxt.config.ts), so every URL is derived from the worker's own location: nothing remote.
 */
import { expose } from 'comlink';
import { createModelService } from './service';
import type { ModelStatus, SuggestRequest, SuggestResponse } from '../protocol';

export interface WorkerApi {
  load(): Promise<ModelStatus>;
  status(): ModelStatus;
  suggest(req: SuggestRequest): Promise<SuggestResponse>;
  embed(texts: string[]): Promise<Float32Array[]>;
}

export const MODEL_DIR = 'models/';
export const WASM_DIR = 'ort/';

export function startModelWorker(scope: { location: { href: string } } = self): void {
  const root = new URL('/', scope.location.href);
  const service = createModelService({
    modelBaseUrl: new URL(MODEL_DIR, root).href,
    wasmBaseUrl: new URL(WASM_DIR, root).href,
  });
  const api: WorkerApi = {
    load: () => service.load(),
    status: () => service.status(),
    suggest: (req) => service.suggest(req),
    embed: (texts) => service.embed(texts),
  };
  expose(api);
}
