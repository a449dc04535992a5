import { UsageError } from '../../node/errors';
import { embedJob } from '../../pipeline/scale/embed-job';
import { parseShard } from '../../pipeline/scale/shard';
import { parseBucket, pullSegments, s3Client } from '../../pipeline/scale/bucket';

export interface EmbedCommandOptions {
  data: string[];
  shard?: string;
  cache: string;
  /** Whether --cache was given (an enqueued job then names it; else each worker uses its own). */
  cacheGiven?: boolean;
  workers: number;
  bucket?: string;
  pull?: boolean;
  queue?: string;
  enqueue?: boolean;
  shards?: number;
  attempts: number;
  wait?: boolean;
  json?: boolean;
}

/** `tagsmith embed`: fills the embedding cache for the data (or one shard of it), or enqueues shard jobs. */
export async function runEmbedCommand(opts: EmbedCommandOptions): Promise<void> {
  if (opts.queue || opts.enqueue) return enqueue(opts);
  for (const flag of ['shards', 'wait'] as const) if (opts[flag] !== undefined) throw new UsageError(`--${flag} goes with --queue URL --enqueue`);
  if (opts.pull) return pull(opts);
  if (opts.bucket) parseBucket(opts.bucket); // a bad URL is said before the data are read
  const shard = opts.shard === undefined ? undefined : parseShard(opts.shard);
  const report = await embedJob({ data: opts.data, shard, cacheDir: opts.cache, workers: opts.workers, bucket: opts.bucket, log: (line) => process.stderr.write(`${line}\n`) });
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    return;
  }
  process.stdout.write(
    `embed${report.shard ? ` shard ${report.shard}` : ''}: ${report.inShard.toLocaleString('en-US')} of ${report.questions.toLocaleString('en-US')} questions, ` +
      `${report.texts.toLocaleString('en-US')} distinct texts: ${report.cached.toLocaleString('en-US')} already cached, ${report.embedded.toLocaleString('en-US')} embedded ` +
      `in ${report.seconds} s with ${report.workers} worker${report.workers === 1 ? '' : 's'} (started in ${report.startSeconds} s)${report.embedded ? ` (${report.textsPerSecond} texts/s)` : ''}; ` +
      `${report.skippedRows ? `${report.skippedRows} bad rows skipped (see the report above); ` : ''}vectors in ${report.cache.folder}/${report.cache.segment}${report.uploaded ? `, uploaded to ${report.uploaded}` : ''}\n`,
  );
}

/** `tagsmith embed --bucket URL --pull`: every shard's segment from the bucket into the cache folder. */
async function pull(opts: EmbedCommandOptions): Promise<void> {
  if (!opts.bucket) throw new UsageError('--pull needs --bucket s3://BUCKET/PREFIX');
  const loc = parseBucket(opts.bucket);
  const pulled = await pullSegments(s3Client(), loc, opts.cache);
  if (opts.json) process.stdout.write(`${JSON.stringify({ pulled, cache: opts.cache }, null, 2)}\n`);
  else process.stdout.write(`embed --pull: ${pulled.length} segment file(s) from ${opts.bucket} into ${opts.cache}\n`);
}

async function enqueue(opts: EmbedCommandOptions): Promise<void> {
  if (!opts.queue) throw new UsageError('--enqueue needs --queue redis://HOST:PORT');
  if (!opts.enqueue) throw new UsageError(`--queue ${opts.queue}: add --enqueue --shards N to split the data into jobs (workers take them: tagsmith worker --queue ${opts.queue})`);
  if (!opts.shards) throw new UsageError('--enqueue needs --shards N (how many jobs to split the data into)');
  if (opts.shard !== undefined) throw new UsageError('--shard is for one machine\'s share; with --enqueue the queue hands out the shards');
  if (opts.bucket || opts.pull || opts.workers !== 1) {
    throw new UsageError('--bucket, --pull and --workers are the workers\' options with a queue: give them to tagsmith worker');
  }
  const { checkFiles } = await import('../../pipeline/load-data');
  checkFiles(opts.data);
  const { enqueueShards, waitForShards } = await import('../../pipeline/scale/queue');
  const { ids, added, done, retried } = await enqueueShards({ queue: opts.queue, data: opts.data, shards: opts.shards, attempts: opts.attempts, ...(opts.cacheGiven ? { cacheDir: opts.cache } : {}) });
  process.stderr.write(
    `${ids.length} shard jobs on ${opts.queue}: ${added} added, ${done} already done, ${retried} failed before and retried` +
      ` (ids ${ids[0]} ... ${ids[ids.length - 1]}); workers take them: tagsmith worker --queue ${opts.queue}\n`,
  );
  if (!opts.wait) {
    if (opts.json) process.stdout.write(`${JSON.stringify({ enqueued: ids, added, done, retried }, null, 2)}\n`);
    return;
  }
  const outcomes = await waitForShards(opts.queue, ids, { onUpdate: (done, failed, total) => process.stderr.write(`shards: ${done} done, ${failed} failed, of ${total}\n`) });
  const failed = outcomes.filter((o) => o.state === 'failed');
  if (opts.json) process.stdout.write(`${JSON.stringify({ shards: outcomes }, null, 2)}\n`);
  else {
    const embedded = outcomes.reduce((a, o) => a + (o.report?.embedded ?? 0), 0);
    process.stdout.write(`embed: ${outcomes.length - failed.length} of ${outcomes.length} shards done (${embedded.toLocaleString('en-US')} texts embedded)\n`);
  }
  for (const f of failed) process.stderr.write(`shard ${f.shard} failed after ${f.attempts} attempt(s): ${f.error}\n`);
  if (failed.length) process.exitCode = 1;
}

/** `tagsmith worker`: takes shard jobs until SIGTERM or SIGINT (the job at hand is finished first). */
export async function runWorkerCommand(opts: { queue: string; cache?: string; workers: number; bucket?: string; name?: string; lockMs: number }): Promise<void> {
  if (opts.bucket) parseBucket(opts.bucket);
  const { runQueueWorker } = await import('../../pipeline/scale/queue');
  const w = await runQueueWorker({ queue: opts.queue, cacheDir: opts.cache, workers: opts.workers, bucket: opts.bucket, name: opts.name, lockMs: opts.lockMs, log: (line) => process.stderr.write(`${line}\n`) });
  process.stderr.write(`worker ${w.worker.opts.name}: waiting for jobs on ${opts.queue}\n`);
  await new Promise<void>((resolve) => {
    const stop = (sig: string) => {
      process.stderr.write(`worker: ${sig}: finishing the job at hand, then stopping\n`);
      void w.close().then(resolve, (err: unknown) => {
        process.stderr.write(`worker: could not close cleanly: ${(err as Error).message}\n`);
        resolve();
      });
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
}
