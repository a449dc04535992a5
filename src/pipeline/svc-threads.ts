/**
 * Trains the one-vs-rest SVM of `src/learn/svc.ts` on several threads: the design matrix is copied
 * once into SharedArrayBuffers, each thread trains every K-th tag (so the expensive frequent tags
 * are spread evenly) and posts each tag's weights back as soon as it is done. The result is the
 * same, bit for bit, whatever the number of threads: each tag's solve is independent and seeded.
 */
import type { Worker } from 'node:worker_threads';
import { startWorker } from '../node/worker';
import { availableParallelism } from 'node:os';
import type { Design } from '../learn/logreg/design';
import type { SvcOptions } from '../learn/svc';

export interface SharedDesign {
  n: number;
  q: number;
  ds: number;
  p: number;
  xa: Float32Array;
  indptr: Int32Array;
  cols: Int32Array;
  vals: Float32Array;
}

function shared<T extends Float32Array | Int32Array>(a: T): T {
  const buf = new SharedArrayBuffer(a.byteLength);
  const out = new (a.constructor as new (b: SharedArrayBuffer) => T)(buf);
  out.set(a);
  return out;
}

export interface SvcThreadsOptions extends SvcOptions {
  /** Threads (default: the cores available, at most 8). */
  threads?: number;
  /** Called with each tag's weights (design columns, bias first) as it finishes, in no fixed order. */
  onTag: (tag: number, w: Float32Array, info: { iterations: number; converged: boolean }) => void;
}

/** Trains `positives.length` tags; resolves when every tag has been passed to `onTag`. */
export async function trainSvcThreads(X: Design, positives: Int32Array[], opts: SvcThreadsOptions): Promise<void> {
  const threads = Math.max(1, Math.min(opts.threads ?? Math.min(availableParallelism(), 8), positives.length));
  const design: SharedDesign = { n: X.n, q: X.q, ds: X.ds, p: X.p, xa: shared(X.xa), indptr: shared(X.indptr), cols: shared(X.cols), vals: shared(X.vals) };
  const solver: SvcOptions = { C: opts.C, tol: opts.tol, maxIter: opts.maxIter, seed: opts.seed };
  const script = new URL('./svc-worker.ts', import.meta.url);
  const workers: Worker[] = [];
  try {
    await Promise.all(
      Array.from({ length: threads }, (_, k) => {
        const tags = positives.map((_, t) => t).filter((t) => t % threads === k);
        const workerData = { design, solver, tags, positives: tags.map((t) => positives[t]) };
        const worker = startWorker(script, workerData);
        workers.push(worker);
        return new Promise<void>((resolve, reject) => {
          let left = tags.length;
          worker.on('message', (m: { tag: number; w: Float32Array; iterations: number; converged: boolean }) => {
            opts.onTag(m.tag, m.w, { iterations: m.iterations, converged: m.converged });
            if (--left === 0) resolve();
          });
          worker.on('error', reject);
          worker.on('exit', (code) => (left > 0 ? reject(new Error(`SVC training thread ${k} exited (code ${code}) with ${left} tag(s) left`)) : resolve()));
          if (left === 0) resolve();
        });
      }),
    );
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
