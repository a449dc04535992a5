/**
 * Inside the model's Web Worker: the model service, exposed over comlink as it is. The worker
 * script sits at the extension's root, the model under /models/ and onnxruntime-web's wasm under
 * /ort/ (copied there by wxt.config.ts), so every URL is derived from the worker's own location:
 * nothing remote. The tokenizer, head, TF-IDF and re-ranker run here; in Chrome the ONNX model runs
 * in a worker of its own (`ort-worker.ts`, started from here on the first load): onnxruntime-web
 * blocks the thread that calls it, and this one must answer while the encoder loads. In Firefox
 * it runs here (see ENCODER_IN_MODEL_WORKER).
 */
import { expose } from 'comlink';
import { createModelService, type ModelService, type ModelServiceOptions } from './service';
import { MODEL_DIR, ORT_WORKER_PATH, WASM_DIR } from './paths';
import { createEncoder } from '../../runtime/encoder';
import { remoteOnnxRuntime } from '../../runtime/ort-remote';
import type { OnnxRuntime } from '../../runtime/encoder';

/** What the worker answers: the model service itself. */
export type WorkerApi = ModelService;


/**
 * Where the encoder's runtime runs, chosen when the extension is built (WXT defines
 * `import.meta.env.FIREFOX` per browser; the other branch and its imports are left out of the
 * bundle, so Chrome's model worker carries no onnxruntime and Firefox builds no encoder worker).
 * Firefox: here. With its one WASM thread the runtime in a worker of its own made each suggestion
 * slower (A/B in fresh Firefox ESR 153 browsers, 4 x 150 questions each: model time p50 68 vs
 * 61 ms, head p95 7 vs 5 ms), and its cold start (~1.1 s) is within target without it. Chrome
 * (and any other build): the encoder worker (same A/B in Chromium: p50 46 vs 50 ms, no slower),
 * which lets this worker give provisional answers ~1 s earlier.
 */
const ENCODER_IN_MODEL_WORKER = import.meta.env.FIREFOX === true;

/** A started ONNX runtime, and how to stop it (its worker) when it cannot be used again. */
export interface StartedRuntime {
  runtime: OnnxRuntime;
  stop?: () => void;
}

/**
 * The model service's encoder factory on one runtime for the life of this worker (in Chrome: one
 * encoder worker), not one per load: a failed load must not leave a worker behind for the next one
 * to add to. But when building the encoder fails, a stoppable runtime is stopped (onnxruntime-web
 * remembers a failed start for the life of its thread, so the next load would meet the same error)
 * and the next load starts another.
 */
export function encoderFactoryOn(start: () => Promise<StartedRuntime>, build: typeof createEncoder = createEncoder): ModelServiceOptions['encoderFactory'] {
  let started: Promise<StartedRuntime> | undefined;
  return async (o) => {
    const current = (started ??= start());
    const { runtime, stop } = await current;
    try {
      return await build({ ...o, runtime });
    } catch (err) {
      if (started === current && stop) {
        started = undefined;
        stop();
      }
      throw err;
    }
  };
}

export function startModelWorker(scope: { location: { href: string } } = self): void {
  const root = new URL('/', scope.location.href);
  const start = async (): Promise<StartedRuntime> => {
    if (ENCODER_IN_MODEL_WORKER) return { runtime: (await import('../../runtime/ort-web')).webOnnxRuntime({ wasmPaths: new URL(WASM_DIR, root).href }) };
    const worker = startEncoderWorker(new URL(ORT_WORKER_PATH, root).href);
    return { runtime: remoteOnnxRuntime(worker), stop: () => worker.terminate() };
  };
  const service: WorkerApi = createModelService({ modelBaseUrl: new URL(MODEL_DIR, root).href, encoderFactory: encoderFactoryOn(start) });
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
