/**
 * Where the server's inference runs.
 *
 * Inference is CPU-bound (the encoder, TF-IDF and head, part of it on the calling thread),
 * so a hybrid model's ~20-100 ms per question would hold up the event loop: no
 * /health, no 503 from a full queue, connections piling up in the kernel until clients time out.
 * The server therefore runs the Suggester in worker threads (`WorkerBackend`, one model copy per
 * thread); the main thread only does HTTP and the queue. `InProcessBackend` wraps an already loaded
 * Suggester (tests, embedding).
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { WorkerSlot } from './worker-slot';
import type { ModelInfo } from './worker-protocol';
import { InferenceTimeoutError, WorkerUnavailableError } from './inference-errors';

export { InferenceTimeoutError, WorkerUnavailableError } from './inference-errors';

export type { ModelInfo } from './worker-protocol';
import type { Suggester, Suggestion } from '../core/suggester';
import type { QuestionText } from '../core/normalize';

export interface InferenceBackend {
  readonly info: ModelInfo;
  /** True while the model is loaded and answering. */
  readonly ready: boolean;
  suggest(question: QuestionText, k: number): Promise<Suggestion[]>;
  close(): Promise<void>;
}

/** Inference time allowed per question by default, in ms (a hybrid model needs 50-100 ms). */
export const DEFAULT_INFERENCE_TIMEOUT_MS = 3000;

/**
 * Runs the Suggester on the calling thread. Its budget can only answer the client in time: work
 * that blocks the thread cannot be stopped here (the server's WorkerBackend stops it).
 */
export class InProcessBackend implements InferenceBackend {
  readonly info: ModelInfo;
  readonly ready = true;
  constructor(
    private readonly suggester: Suggester,
    private readonly timeoutMs = DEFAULT_INFERENCE_TIMEOUT_MS,
  ) {
    this.info = { version: suggester.version, vectorizer: suggester.manifest.vectorizer, tags: suggester.tags.length };
  }
  suggest(question: QuestionText, k: number): Promise<Suggestion[]> {
    let timer: NodeJS.Timeout | undefined;
    const overrun = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new InferenceTimeoutError(this.timeoutMs)), this.timeoutMs);
    });
    return Promise.race([this.suggester.suggest(question, { k }), overrun]).finally(() => clearTimeout(timer));
  }
  async close(): Promise<void> {}
}

/** The worker script: the bundle's prebuilt inference-worker.js beside server.js, else the TypeScript source (run through tsx). */
export function defaultWorkerScript(): URL {
  const built = new URL('./inference-worker.js', import.meta.url);
  return existsSync(built) ? built : new URL('./inference-worker.ts', import.meta.url);
}

export interface WorkerBackendOptions {
  /** Worker threads, each with its own copy of the model (default 1). */
  threads?: number;
  /** Worker script (tests pass a stand-in). */
  script?: URL;
  /** Called when a worker crashes or overruns the budget (it is restarted). */
  onCrash?: (err: Error) => void;
  /** Inference time allowed per question, in ms; past it the question fails and its worker is restarted. */
  timeoutMs?: number;
}

/**
 * onnxruntime intra-op threads for each of `workers` inference workers on `cores` cores: one worker
 * uses them all (0: onnxruntime's choice, one per core); several share them, so questions answered
 * in parallel do not fight over the same cores. Oversubscribed (each worker on every core), 2
 * workers on 2 cores answered 29.8 req/s against 33.9 for one; sharing, 56.2 (bench:api, 2026-12-02).
 */
export function encoderThreadsPerWorker(workers: number, cores: number): number {
  return workers === 1 ? 0 : Math.max(1, Math.floor(cores / workers));
}

/** A pool of inference worker threads; each question goes to the least busy live one. */
export class WorkerBackend implements InferenceBackend {
  private constructor(
    private readonly slots: WorkerSlot[],
    readonly info: ModelInfo,
  ) {}

  /** Starts the workers and waits until each has loaded the model (rejects with the loader's message). */
  static async start(modelDir: string, opts: WorkerBackendOptions = {}): Promise<WorkerBackend> {
    const threads = opts.threads ?? 1;
    if (!Number.isInteger(threads) || threads < 1) throw new Error(`inference threads must be an integer >= 1 (got ${threads})`);
    const script = opts.script ?? defaultWorkerScript();
    const timeoutMs = opts.timeoutMs ?? DEFAULT_INFERENCE_TIMEOUT_MS;
    const encoderThreads = encoderThreadsPerWorker(threads, availableParallelism());
    const slots = Array.from({ length: threads }, () => new WorkerSlot(modelDir, script, opts.onCrash ?? (() => {}), timeoutMs, encoderThreads));
    const started = await Promise.allSettled(slots.map((s) => s.start()));
    const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) {
      await Promise.all(slots.map((s) => s.close()));
      throw failed.reason;
    }
    return new WorkerBackend(slots, (started[0] as PromiseFulfilledResult<ModelInfo>).value);
  }

  get ready(): boolean {
    return this.slots.some((s) => s.alive);
  }

  suggest(question: QuestionText, k: number): Promise<Suggestion[]> {
    let best: WorkerSlot | undefined;
    for (const s of this.slots) if (s.alive && (!best || s.load < best.load)) best = s;
    if (!best) return Promise.reject(new WorkerUnavailableError());
    return best.suggest(question, k);
  }

  async close(): Promise<void> {
    await Promise.all(this.slots.map((s) => s.close()));
  }
}
