/**
 * Owns the model's Web Worker (in Chrome's offscreen document, or in Firefox's background page) and
 * turns it into a {@link ModelHost}. A crashed worker fails the calls in flight with a clear error
 * and is started afresh on the next call.
 */
import { wrap, releaseProxy, type Remote } from 'comlink';
import type { ModelHost, ModelStatus, SuggestRequest, SuggestResponse } from '../protocol';
import type { WorkerApi } from './worker';

interface Live {
  worker: Worker;
  api: Remote<WorkerApi>;
  crashed: Promise<never>;
}

export function createWorkerHost(workerUrl: string, makeWorker: (url: string) => Worker = (url) => new Worker(url)): ModelHost & { terminate(): void } {
  let live: Live | undefined;

  function start(): Live {
    if (live) return live;
    const worker = makeWorker(workerUrl);
    let fail!: (err: Error) => void;
    const crashed = new Promise<never>((_, reject) => (fail = reject));
    crashed.catch(() => undefined); // observed by the races below
    const current: Live = { worker, api: wrap<WorkerApi>(worker), crashed };
    worker.addEventListener('error', (ev: ErrorEvent) => {
      ev.preventDefault?.();
      fail(new Error(`the model worker crashed: ${ev.message || 'unknown error'}; it restarts on the next request`));
      if (live === current) {
        live = undefined;
        current.api[releaseProxy]();
        worker.terminate();
      }
    });
    live = current;
    return current;
  }

  async function call<T>(fn: (api: Remote<WorkerApi>) => Promise<T>): Promise<T> {
    const l = start();
    return Promise.race([fn(l.api), l.crashed]);
  }

  return {
    suggest: (req: SuggestRequest): Promise<SuggestResponse> => call((api) => api.suggest(req)),
    status: (): Promise<ModelStatus> => (live ? call((api) => api.status() as Promise<ModelStatus>) : Promise.resolve<ModelStatus>({ state: 'idle' })),
    warmup: (): Promise<ModelStatus> => call<ModelStatus>((api) => api.warmup() as Promise<ModelStatus>),
    terminate() {
      live?.worker.terminate();
      live = undefined;
    },
  };
}
