/**
 * Scale-out on many machines (issue 16, items 3-4): a BullMQ queue on a real redis-server (Debian's,
 * started and stopped here), real `tagsmith worker` processes and real data. Faults: a worker
 * killed with SIGKILL mid-job (its job is taken by the other; the merged cache equals a
 * single-process run, bit for bit), a record that always fails (reported with its location after
 * its attempts, not retried forever), Redis restarted mid-run (no finished shard lost or redone).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { freePort } from '../scripts/lib/mlflow-server';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { embedJob } from '../src/pipeline/scale/embed-job';
import { enqueueShards, waitForShards, QUEUE_NAME, connectionFor, shardJobId } from '../src/pipeline/scale/queue';
import { ingest } from '../src/pipeline/ingest';
import { REPO, SHARED_DATA } from './helpers/paths';
import { tagsmith } from './helpers/cli';
import { vectorsOf, expectSameVectors } from './helpers/embedding-cache';

const SAMPLE = join(SHARED_DATA, 'fixtures', 'sede-2022-sample.csv');
const TOP_VOTED = join(SHARED_DATA, 'fixtures', 'sede-2008-top-voted.csv');
const root = mkdtempSync(join(tmpdir(), 'tagsmith-queue-'));
const children = new Set<ChildProcess>();
let redis: ChildProcess | undefined;
let port = 0;
let url = '';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Starts redis-server with an append-only file in `root` (what survives a restart), waits for PING. */
async function startRedis(): Promise<void> {
  redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', root, '--appendonly', 'yes', '--save', ''], { stdio: 'ignore' });
  for (let i = 0; i < 100; i++) {
    try {
      if (execFileSync('redis-cli', ['-p', String(port), 'ping'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() === 'PONG') return;
    } catch {
      // not up yet
    }
    await sleep(100);
  }
  throw new Error(`redis-server did not answer on port ${port}`);
}
/** Resolves once `p` has exited (at once if it already has: a signal leaves exitCode null). */
const exited = (p: ChildProcess) => new Promise<void>((res) => (p.exitCode !== null || p.signalCode !== null ? res() : p.once('exit', () => res())));

async function stopRedis(): Promise<void> {
  const r = redis;
  if (!r || r.exitCode !== null || r.signalCode !== null) return;
  const done = exited(r);
  r.kill('SIGTERM'); // redis writes its append-only file and exits
  await done;
}

/** A `tagsmith worker` process; its log is kept for the assertions. */
function startWorker(name: string, cache: string): { proc: ChildProcess; log: () => string } {
  let log = '';
  const proc = spawn(process.execPath, [join(REPO, 'bin/tagsmith.js'), 'worker', '--queue', url, '--cache', cache, '--name', name, '--lock-ms', '2000'], {
    cwd: REPO,
    env: { ...process.env, CI: 'true', TAGSMITH_QUIET: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  proc.stdout!.on('data', (d) => (log += d));
  proc.stderr!.on('data', (d) => (log += d));
  children.add(proc);
  proc.once('exit', () => children.delete(proc));
  return { proc, log: () => log };
}
async function waitForLog(w: { log: () => string }, re: RegExp, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!re.test(w.log())) {
    if (Date.now() > end) throw new Error(`worker log never matched ${re}:\n${w.log()}`);
    await sleep(100);
  }
}
async function stopWorkers(): Promise<void> {
  await Promise.all(
    [...children].map((c) => {
      const done = exited(c);
      c.kill('SIGTERM');
      return done;
    }),
  );
}

/** One process, no shards, no queue: what the fleet's merged cache must equal. */
async function reference(file: string): Promise<Map<string, Buffer>> {
  const dir = join(root, `reference-${Math.random().toString(36).slice(2)}`);
  await embedJob({ data: [file], questions: (await ingest([file])).questions, cacheDir: dir, progress: false });
  return vectorsOf(dir);
}

beforeAll(async () => {
  port = await freePort();
  url = `redis://127.0.0.1:${port}`;
  await startRedis();
}, 30_000);

afterAll(async () => {
  for (const c of children) c.kill('SIGKILL');
  await stopRedis();
  rmSync(root, { recursive: true, force: true });
});

describe('embedding through a BullMQ queue on Redis', () => {
  it('a worker killed with SIGKILL mid-job: the other takes its job, and the merged cache equals one process, bit for bit', async () => {
    const cache = join(root, 'cache-kill');
    const a = startWorker('worker-a', cache);
    const b = startWorker('worker-b', cache);
    await Promise.all([waitForLog(a, /waiting for jobs/), waitForLog(b, /waiting for jobs/)]);
    const { ids, added } = await enqueueShards({ queue: url, data: [SAMPLE], shards: 4 });
    expect(added).toBe(4);
    expect(ids).toEqual([0, 1, 2, 3].map((i) => shardJobId([SAMPLE], { index: i, count: 4 })));

    // kill worker-a once it is inside a job and has written some of its vectors
    const queue = new Queue(QUEUE_NAME, { connection: connectionFor(url) });
    let killedJob: string | undefined;
    try {
      for (const end = Date.now() + 60_000; !killedJob && Date.now() < end; await sleep(50)) {
        for (const job of await queue.getJobs(['active'])) {
          if (job.processedBy === 'worker-a' && Number(job.progress) >= 20) {
            a.proc.kill('SIGKILL');
            killedJob = job.id;
            break;
          }
        }
      }
    } finally {
      await queue.close();
    }
    expect(killedJob, `worker-a never got far into a job:\n${a.log()}`).toBeDefined();
    await exited(a.proc);

    const outcomes = await waitForShards(url, ids, { timeoutMs: 120_000 });
    expect(outcomes.map((o) => o.state)).toEqual(['completed', 'completed', 'completed', 'completed']);
    const redone = outcomes.find((o) => o.id === killedJob)!;
    expect(redone.worker).toBe('worker-b');
    expect(b.log()).toMatch(new RegExp(`worker-b: shard ${redone.shard} \\(attempt \\d\\)`));
    expect(redone.report!.cached, 'vectors the killed worker had written were kept, not recomputed').toBeGreaterThan(0);
    expectSameVectors(vectorsOf(cache), await reference(SAMPLE), 100);
    // the same work enqueued again adds nothing and redoes nothing
    expect(await enqueueShards({ queue: url, data: [SAMPLE], shards: 4 })).toMatchObject({ ids, added: 0, done: 4, retried: 0 });
    await stopWorkers();
  }, 240_000);

  it('a shard whose data always fail is reported failed with the file and line after its attempts, not retried forever', async () => {
    const bad = join(root, 'truncated.jsonl.gz');
    writeFileSync(bad, readFileSync(join(SHARED_DATA, 'stackoverflow-api-mixed-2008-2023.jsonl.gz')).subarray(0, 300_000));
    const w = startWorker('worker-c', join(root, 'cache-bad'));
    await waitForLog(w, /waiting for jobs/);
    const r = await tagsmith(['embed', '--queue', url, '--enqueue', '--shards', '2', '--attempts', '2', '--wait', '--data', bad]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/shard 0\/2 failed after 2 attempt\(s\): .*truncated\.jsonl\.gz:\d+: the gzip data is truncated or corrupt/);
    expect(r.stderr).toMatch(/shard 1\/2 failed after 2 attempt\(s\)/);
    expect(w.log().match(/worker-c: shard 0\/2 \(attempt/g)).toHaveLength(2); // tried twice, then left failed
    await sleep(2500); // nothing picks it up again
    expect(w.log().match(/worker-c: shard 0\/2 \(attempt/g)).toHaveLength(2);
    // enqueued again (say, after a fix elsewhere), failed shards are tried again, not ignored
    const again = await tagsmith(['embed', '--queue', url, '--enqueue', '--shards', '2', '--attempts', '2', '--wait', '--data', bad]);
    expect(again.stderr).toMatch(/0 added, 0 already done, 2 failed before and retried/);
    expect(again.code).toBe(1);
    expect(w.log().match(/worker-c: shard 0\/2 \(attempt/g)!.length).toBeGreaterThan(2);
    await stopWorkers();
  }, 120_000);

  it('Redis restarted mid-run: finished shards stay finished (not redone), the rest complete, the cache equals one process', async () => {
    const cache = join(root, 'cache-restart');
    const a = startWorker('worker-d', cache);
    const b = startWorker('worker-e', cache);
    await Promise.all([waitForLog(a, /waiting for jobs/), waitForLog(b, /waiting for jobs/)]);
    const { ids } = await enqueueShards({ queue: url, data: [TOP_VOTED], shards: 6 });
    // wait for two finished shards, then restart Redis
    const early = await waitUntilDone(ids, 2);
    await stopRedis();
    await sleep(500);
    await startRedis();
    const outcomes = await waitForShards(url, ids, { timeoutMs: 180_000 });
    expect(outcomes.every((o) => o.state === 'completed'), JSON.stringify(outcomes.map((o) => [o.shard, o.state, o.error]))).toBe(true);
    for (const e of early) {
      const after = outcomes.find((o) => o.id === e.id)!;
      expect(after.report).toEqual(e.report); // same result, kept by Redis across the restart
      const log = a.log() + b.log();
      expect(log.match(new RegExp(`shard ${e.shard} done`, 'g')), `shard ${e.shard} finished once`).toHaveLength(1);
    }
    expectSameVectors(vectorsOf(cache), await reference(TOP_VOTED), 100);
    await stopWorkers();
  }, 300_000);
});

/** Polls until at least `n` of the jobs completed; returns those. */
async function waitUntilDone(ids: string[], n: number) {
  const queue = new Queue(QUEUE_NAME, { connection: connectionFor(url) });
  try {
    for (const end = Date.now() + 120_000; Date.now() < end; await sleep(100)) {
      const done = [];
      for (const id of ids) {
        const job = await queue.getJob(id);
        if (job && (await job.getState()) === 'completed') done.push({ id, shard: `${job.data.shard.index}/${job.data.shard.count}`, report: job.returnvalue });
      }
      if (done.length >= n) return done;
    }
    throw new Error(`fewer than ${n} shards finished in 120 s`);
  } finally {
    await queue.close();
  }
}
