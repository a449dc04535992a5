/**
 * `K` embedding worker threads on one machine, each with its own ONNX session and a share of the
 * cores (onnxruntime's intra-op threads: cores / K). A text's vector does not depend on which
 * thread embeds it: the encoder runs one text per ONNX run (src/runtime/encoder.ts), so the
 * pool's vectors equal one thread's bit for bit (tests/scale-embed.test.ts checks it).
 */
import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { startWorker } from '../../node/worker';
import type { EncoderSpec } from '../../core/model';
import type { EmbedThreadData, EmbedThreadReply, EmbedThreadRequest } from './embed-thread';

export interface EmbedPool {
  readonly workers: number;
  embed(texts: string[]): Promise<Float32Array[]>;
  close(): Promise<void>;
}

/** Starts `workers` threads; resolves once every one has loaded its encoder. */
export async function startEmbedPool(opts: { workers: number; encoderDir: string; spec?: EncoderSpec; cores?: number }): Promise<EmbedPool> {
  const cores = opts.cores ?? availableParallelism();
  const threads = Math.max(1, Math.floor(cores / opts.workers));
  const data: EmbedThreadData = { encoderDir: opts.encoderDir, spec: opts.spec, threads };
  const idle: Worker[] = [];
  const waiting: ((w: Worker) => void)[] = [];
  const pending = new Map<number, { resolve: (v: Float32Array[]) => void; reject: (e: Error) => void }>();
  let nextId = 0;
  let closing = false;
  const dead = new Set<Worker>();
  const all: Worker[] = [];
  const release = (w: Worker) => {
    const next = waiting.shift();
    if (next) next(w);
    else idle.push(w);
  };
  const started = Array.from({ length: opts.workers }, () => {
    const w = startWorker(new URL('./embed-thread.ts', import.meta.url), data);
    all.push(w);
    return new Promise<void>((resolve, reject) => {
      w.on('message', (m: EmbedThreadReply) => {
        if ('ready' in m) {
          resolve();
          release(w);
        } else if ('failed' in m) reject(new Error(`embedding worker: cannot load the encoder: ${m.failed}`));
        else {
          const p = pending.get(m.id);
          pending.delete(m.id);
          if ('error' in m) p?.reject(new Error(`embedding worker: ${m.error}`));
          else p?.resolve(m.vectors);
          release(w);
        }
      });
      const fail = (why: string) => {
        reject(new Error(why));
        for (const p of pending.values()) p.reject(new Error(why));
        pending.clear();
        for (const take of waiting.splice(0)) take(w); // its next request fails at once (postMessage to an ended thread is dropped: see embed())
      };
      w.on('error', (err) => fail(`an embedding worker crashed: ${err.message}`));
      w.on('exit', (code) => {
        dead.add(w);
        if (!closing) fail(`an embedding worker exited (code ${code})`);
      });
    });
  });
  try {
    await Promise.all(started);
  } catch (err) {
    closing = true;
    await Promise.all(all.map((w) => w.terminate()));
    throw err;
  }
  const take = () => new Promise<Worker>((resolve) => (idle.length ? resolve(idle.pop()!) : waiting.push(resolve)));
  return {
    workers: opts.workers,
    async embed(texts) {
      const w = await take();
      if (dead.has(w)) throw new Error('an embedding worker exited; the pool cannot go on (see the error before this one)');
      const id = nextId++;
      return new Promise<Float32Array[]>((resolve, reject) => {
        pending.set(id, { resolve, reject });
        w.postMessage({ id, texts } satisfies EmbedThreadRequest);
      });
    },
    async close() {
      closing = true;
      await Promise.all(all.map((w) => w.terminate()));
    },
  };
}
