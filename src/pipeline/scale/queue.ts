/**
 * Embedding on many machines through a BullMQ queue on Redis (no scheduler of our own): `enqueue`
 * splits the data into N shard jobs; any number of `runQueueWorker` processes, anywhere, take them
 * with BullMQ's retries (`attempts`, exponential back-off), progress and stalled-job recovery (a
 * worker that dies mid-job loses its lock; after `lockMs` another worker takes the job again). A
 * job embeds its shard through `embedJob` into the shared cache folder (its own segment file,
 * appended record by record), so a job redone after a crash finds the vectors already written and
 * embeds only the rest. Job ids are deterministic (the data files and the shard), so enqueueing
 * the same work twice adds nothing.
 *
 * Redis must keep the queue across its own restarts (`appendonly yes`, as deploy/k8s runs it):
 * finished shards are then never redone, and their vectors are in the cache folder regardless.
 */
import { createHash } from 'node:crypto';
import { hostname } from 'node:os';
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { Queue, Worker, type ConnectionOptions, type Job } from 'bullmq';
import { UsageError } from '../../node/errors';
import { embedJob, type EmbedJobReport } from './embed-job';
import { formatShard, type Shard } from './shard';

export const QUEUE_NAME = 'tagsmith-embed';

/** What a shard job carries: everything a worker on another machine needs (paths as mounted there). */
export interface ShardJobData {
  data: string[];
  shard: Shard;
  /** The cache folder the enqueuer asked for; a worker's own `--cache` wins. */
  cacheDir?: string;
}

/** BullMQ connection options for a `redis://` or `rediss://` URL. */
export function connectionFor(url: string): ConnectionOptions {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError(`--queue ${url}: not a URL; give redis://HOST:PORT (or rediss:// for TLS)`);
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') throw new UsageError(`--queue ${url}: expected a redis:// or rediss:// URL`);
  // maxRetriesPerRequest null: BullMQ's workers wait out a Redis restart instead of failing
  return { url, maxRetriesPerRequest: null };
}

/**
 * The job id of one shard of some data files: the same files (path, size and modification time,
 * in order: the first file wins a duplicate question) and shard give the same id, so enqueueing
 * twice adds nothing, while changed data get new jobs.
 */
export function shardJobId(data: readonly string[], shard: Shard): string {
  const h = createHash('sha256');
  for (const f of data) {
    let stamp = 'missing';
    try {
      const st = statSync(f);
      stamp = `${st.size}:${Math.round(st.mtimeMs)}`;
    } catch {
      // named as is: the worker reports the missing file
    }
    h.update(`${f}\u0000${stamp}\u0000`);
  }
  return `embed-${h.digest('hex').slice(0, 12)}-${shard.index}-of-${shard.count}`;
}

export interface EnqueueResult {
  ids: string[];
  /** Jobs added by this call. */
  added: number;
  /** Jobs already finished before (not redone). */
  done: number;
  /** Jobs that had failed for good and were put back in the queue. */
  retried: number;
}

export interface EnqueueOptions {
  queue: string;
  data: string[];
  shards: number;
  cacheDir?: string;
  /** Tries per shard before it is reported failed (default 3). */
  attempts?: number;
}

/**
 * Adds one job per shard (ids in shard order). Shards of the same data already done stay done;
 * shards that failed for good are retried (the data or the workers may have been fixed since).
 */
export async function enqueueShards(opts: EnqueueOptions): Promise<EnqueueResult> {
  const data = opts.data.map((f) => resolve(f));
  const queue = new Queue<ShardJobData>(QUEUE_NAME, { connection: connectionFor(opts.queue) });
  try {
    const jobs = Array.from({ length: opts.shards }, (_, index) => {
      const shard = { index, count: opts.shards };
      return {
        name: 'embed',
        data: { data, shard, ...(opts.cacheDir ? { cacheDir: resolve(opts.cacheDir) } : {}) },
        opts: {
          jobId: shardJobId(data, shard),
          attempts: opts.attempts ?? 3,
          backoff: { type: 'exponential', delay: 1000 },
          removeOnComplete: false,
          removeOnFail: false,
        },
      };
    });
    const before = new Map<string, string>();
    for (const j of jobs) {
      const existing = await queue.getJob(j.opts.jobId);
      if (existing) before.set(j.opts.jobId, await existing.getState());
    }
    await queue.addBulk(jobs.filter((j) => !before.has(j.opts.jobId)));
    let retried = 0;
    for (const [id, state] of before) {
      if (state !== 'failed') continue;
      await (await queue.getJob(id))!.retry('failed');
      retried++;
    }
    return { ids: jobs.map((j) => j.opts.jobId), added: jobs.length - before.size, done: [...before.values()].filter((st) => st === 'completed').length, retried };
  } finally {
    await queue.close();
  }
}

export interface ShardOutcome {
  id: string;
  shard: string;
  state: 'completed' | 'failed';
  attempts: number;
  /** The worker that finished it (BullMQ's processedBy). */
  worker?: string;
  report?: EmbedJobReport;
  /** Why it failed, as the worker said (file and record where the data are at fault). */
  error?: string;
}

/**
 * Waits until every job has completed or failed for good (its attempts spent), polling the queue
 * (survives a Redis restart: the client reconnects). `onUpdate` hears the counts as they change.
 */
export async function waitForShards(
  queueUrl: string,
  ids: readonly string[],
  opts: { pollMs?: number; timeoutMs?: number; onUpdate?: (done: number, failed: number, total: number) => void } = {},
): Promise<ShardOutcome[]> {
  const queue = new Queue<ShardJobData, EmbedJobReport>(QUEUE_NAME, { connection: connectionFor(queueUrl) });
  const deadline = opts.timeoutMs ? Date.now() + opts.timeoutMs : Infinity;
  try {
    for (let last = ''; ; ) {
      const outcomes: (ShardOutcome | undefined)[] = [];
      for (const id of ids) {
        const job: Job<ShardJobData, EmbedJobReport> | undefined = await queue.getJob(id);
        if (!job) throw new Error(`job ${id} is not in the queue ${QUEUE_NAME} (was Redis emptied? enqueue again)`);
        const state = await job.getState();
        const shard = formatShard(job.data.shard);
        if (state === 'completed') outcomes.push({ id, shard, state, attempts: job.attemptsMade, worker: job.processedBy, report: job.returnvalue });
        else if (state === 'failed') outcomes.push({ id, shard, state, attempts: job.attemptsMade, worker: job.processedBy, error: job.failedReason });
        else outcomes.push(undefined);
      }
      const done = outcomes.filter((o) => o?.state === 'completed').length;
      const failed = outcomes.filter((o) => o?.state === 'failed').length;
      if (`${done}/${failed}` !== last) opts.onUpdate?.(done, failed, ids.length);
      last = `${done}/${failed}`;
      if (done + failed === ids.length) return outcomes as ShardOutcome[];
      if (Date.now() > deadline) throw new Error(`waited ${opts.timeoutMs} ms: ${done} of ${ids.length} shards done, ${failed} failed; are workers running (tagsmith worker --queue ${queueUrl})?`);
      await new Promise((r) => setTimeout(r, opts.pollMs ?? 500));
    }
  } finally {
    await queue.close();
  }
}

export interface QueueWorkerOptions {
  queue: string;
  /** Cache folder (default: what the job says, else .cache/embeddings). */
  cacheDir?: string;
  /** Embedding threads per job (embedJob's workers). */
  workers?: number;
  /** S3-compatible storage for the segments (embedJob's bucket). */
  bucket?: string;
  /** This worker's name in the queue (processedBy); default host:pid. */
  name?: string;
  /** How long a job's lock lasts without renewal: a dead worker's job is taken again after about this long. */
  lockMs?: number;
  log?: (line: string) => void;
}

/** Takes shard jobs until `close()`; resolves once connected and listening. */
export async function runQueueWorker(opts: QueueWorkerOptions): Promise<{ close(): Promise<void>; worker: Worker }> {
  const log = opts.log ?? (() => {});
  const name = opts.name ?? `${hostname()}:${process.pid}`;
  const lockMs = opts.lockMs ?? 30_000;
  const worker = new Worker<ShardJobData, EmbedJobReport>(
    QUEUE_NAME,
    async (job) => {
      const { data, shard } = job.data;
      const cacheDir = opts.cacheDir ?? job.data.cacheDir ?? '.cache/embeddings';
      log(`${name}: shard ${formatShard(shard)} (attempt ${job.attemptsMade + 1}) of ${data.join(', ')}`);
      const report = await embedJob({ data, shard, cacheDir, workers: opts.workers ?? 1, bucket: opts.bucket, progress: false, onProgress: (done, total) => job.updateProgress(Math.round((done / Math.max(1, total)) * 100)).catch((err: unknown) => log(`${name}: cannot report progress: ${(err as Error).message}`)) });
      log(`${name}: shard ${formatShard(shard)} done: ${report.embedded} embedded, ${report.cached} cached`);
      return report;
    },
    { connection: connectionFor(opts.queue), name, concurrency: 1, lockDuration: lockMs, stalledInterval: Math.max(1000, Math.round(lockMs / 2)), maxStalledCount: 3 },
  );
  worker.on('failed', (job, err) => log(`${name}: shard ${job ? formatShard(job.data.shard) : '?'} failed (attempt ${job?.attemptsMade}): ${err.message}`));
  worker.on('error', (err) => log(`${name}: queue error: ${err.message}`));
  await worker.waitUntilReady();
  return { worker, close: () => worker.close() };
}
