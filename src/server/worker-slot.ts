/**
 * One inference worker thread (src/server/inference-worker.ts) and the requests it holds: started
 * with the model loaded, restarted after a crash (the requests it held fail, later ones go on) and
 * after a question overruns its time budget (terminating the thread is the only way to stop
 * synchronous work; the overrun question gets a 504, the others it held a 503).
 */
import { Worker } from 'node:worker_threads';
import type { Suggestion } from '../core/suggester';
import { UsageError } from '../node/errors';
import { startWorker } from '../node/worker';
import type { QuestionText } from '../core/normalize';
import type { ModelInfo, WorkerReply, WorkerRequest } from './worker-protocol';
import { InferenceTimeoutError, WorkerUnavailableError } from './inference-errors';

type Pending = { resolve: (tags: Suggestion[]) => void; reject: (err: Error) => void };

export class WorkerSlot {
  private worker: Worker | undefined;
  private readonly pending = new Map<number, Pending>();
  private readonly crashed = new WeakSet<Worker>();
  private nextId = 1;
  private closing = false;
  alive = false;

  constructor(
    private readonly modelDir: string,
    private readonly script: URL,
    private readonly onCrash: (err: Error) => void,
    private readonly timeoutMs: number,
    /** onnxruntime intra-op threads of this worker's encoder (0: one per core). */
    private readonly encoderThreads = 0,
  ) {}

  /** Questions sent and not answered yet. */
  get load(): number {
    return this.pending.size;
  }

  /** Starts the thread; resolves when its model is loaded, rejects with the loader's message. */
  start(): Promise<ModelInfo> {
    const workerData = { modelDir: this.modelDir, encoderThreads: this.encoderThreads };
    const worker = startWorker(this.script, workerData);
    this.worker = worker;
    return new Promise<ModelInfo>((resolve, reject) => {
      let started = false;
      worker.on('message', (msg: WorkerReply) => {
        if (msg.type === 'ready') {
          this.alive = started = true;
          resolve(msg.info);
        } else if (msg.type === 'failed') {
          reject(msg.usage ? new UsageError(msg.error) : new Error(msg.error));
          void worker.terminate();
        } else {
          const p = this.pending.get(msg.id);
          if (!p) return;
          this.pending.delete(msg.id);
          if (msg.type === 'result') p.resolve(msg.tags);
          else p.reject(new Error(msg.error));
        }
      });
      worker.on('error', (err) => {
        if (!started) reject(err);
        else this.fail(worker, err);
      });
      worker.on('exit', (code) => {
        if (!started) reject(new Error(`the inference worker exited with code ${code} while loading the model`));
        else this.fail(worker, new Error(`the inference worker exited with code ${code}`));
      });
    });
  }

  /** A crashed or stopped worker (reported once): fail what it held with `err`, start a new one. */
  private fail(worker: Worker, err: Error, heldError: Error = err): void {
    if (worker !== this.worker || this.crashed.has(worker)) return;
    this.crashed.add(worker);
    this.alive = false;
    for (const p of this.pending.values()) p.reject(heldError);
    this.pending.clear();
    if (this.closing) return;
    this.onCrash(err);
    void worker.terminate().finally(() => {
      if (!this.closing) this.start().catch((e: Error) => this.onCrash(e));
    });
  }

  suggest(question: QuestionText, k: number): Promise<Suggestion[]> {
    const id = this.nextId++;
    const worker = this.worker!;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        if (!this.pending.delete(id)) return;
        const overrun = new InferenceTimeoutError(this.timeoutMs);
        reject(overrun);
        this.fail(worker, overrun, new WorkerUnavailableError());
      }, this.timeoutMs);
      const settle = () => clearTimeout(timer);
      this.pending.set(id, { resolve: (tags) => (settle(), resolve(tags)), reject: (err) => (settle(), reject(err)) });
      worker.postMessage({ id, question, k } satisfies WorkerRequest);
    });
  }

  async close(): Promise<void> {
    this.closing = true;
    this.alive = false;
    await this.worker?.terminate();
  }
}
