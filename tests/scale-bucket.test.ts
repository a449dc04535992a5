/**
 * Shards through S3-compatible storage (issue 16, item 3): two `tagsmith embed --shard i/2 --bucket`
 * processes with separate local caches (two machines without a shared folder) upload their
 * segments to a real S3-compatible server (moto, from .venv-deploy); `--pull` merges them into one
 * cache equal, bit for bit, to a single-process run; a shard run again resumes from the bucket.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { freePort } from '../scripts/lib/mlflow-server';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { embedJob } from '../src/pipeline/scale/embed-job';
import { ingest } from '../src/pipeline/ingest';
import { REPO, SHARED_DATA } from './helpers/paths';
import { tagsmith } from './helpers/cli';
import { vectorsOf } from './helpers/embedding-cache';

const MOTO = join(REPO, '.venv-deploy', 'bin', 'moto_server');
const SAMPLE = join(SHARED_DATA, 'fixtures', 'sede-2022-sample.csv');
const root = mkdtempSync(join(tmpdir(), 'tagsmith-bucket-'));
let moto: ChildProcess | undefined;
let env: Record<string, string> = {};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));


beforeAll(async () => {
  if (!existsSync(MOTO)) throw new Error(`${MOTO} is missing: run 'bash scripts/ci/deploy-lint.sh install' (npm test's setup does)`);
  const port = await freePort();
  moto = spawn(MOTO, ['-H', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
  env = { AWS_ENDPOINT_URL: `http://127.0.0.1:${port}`, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_REGION: 'us-east-1' };
  Object.assign(process.env, env);
  const s3 = new S3Client({ endpoint: env.AWS_ENDPOINT_URL, forcePathStyle: true, region: 'us-east-1' });
  for (let i = 0; ; i++) {
    try {
      await s3.send(new CreateBucketCommand({ Bucket: 'tagsmith-test' }));
      break;
    } catch (err) {
      if (i > 100) throw err;
      await sleep(100);
    }
  }
}, 30_000);

afterAll(() => {
  moto?.kill('SIGTERM');
  for (const k of Object.keys(env)) delete process.env[k];
  rmSync(root, { recursive: true, force: true });
});

describe('tagsmith embed --bucket (S3-compatible storage)', () => {
  it('two machines upload their shards; --pull merges them into the cache one process makes; a shard run again resumes from the bucket', async () => {
    const bucket = 's3://tagsmith-test/runs/2026-12';
    const runs = await Promise.all(
      [0, 1].map((i) => tagsmith(['embed', '--data', SAMPLE, '--shard', `${i}/2`, '--cache', join(root, `machine-${i}`), '--bucket', bucket, '--json'], env)),
    );
    for (const r of runs) expect(r.code, r.stderr).toBe(0);
    const reports = runs.map((r) => JSON.parse(r.stdout));
    expect(reports.map((r) => r.uploaded)).toEqual(reports.map((r) => `${bucket}/all-MiniLM-L6-v2/${r.cache.segment}`));
    expect(reports.map((r) => r.cache.segment.replace(/\..*$/, ''))).toEqual(['shard-0-of-2', 'shard-1-of-2']);
    const s3 = new S3Client({ endpoint: env.AWS_ENDPOINT_URL, forcePathStyle: true, region: 'us-east-1' });
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: 'tagsmith-test', Prefix: 'runs/2026-12/' }));
    expect((listed.Contents ?? []).map((o) => o.Key).sort()).toEqual(reports.map((r) => `runs/2026-12/all-MiniLM-L6-v2/${r.cache.segment}`).sort());

    const merged = join(root, 'merged');
    const pulled = await tagsmith(['embed', '--bucket', bucket, '--pull', '--cache', merged, '--json'], env);
    expect(pulled.code, pulled.stderr).toBe(0);
    expect(JSON.parse(pulled.stdout).pulled).toHaveLength(2);

    const single = join(root, 'single');
    await embedJob({ data: [SAMPLE], questions: (await ingest([SAMPLE])).questions, cacheDir: single, progress: false });
    const [a, b] = [vectorsOf(merged), vectorsOf(single)];
    expect(b.size).toBeGreaterThan(300);
    expect([...a.keys()].sort()).toEqual([...b.keys()].sort());
    expect([...a].filter(([k, v]) => !v.equals(b.get(k)!)).length, 'vectors that differ in any bit').toBe(0);

    // another machine takes shard 0 again (a retry): it starts from the uploaded segment
    const again = await tagsmith(['embed', '--data', SAMPLE, '--shard', '0/2', '--cache', join(root, 'machine-2'), '--bucket', bucket, '--json'], env);
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ embedded: 0, cached: reports[0].texts });
  }, 180_000);

  it('refuses a malformed bucket URL before reading any data, and --pull without --bucket', async () => {
    // the data file does not exist: the bucket's error must come first, before any data is read
    const r = await tagsmith(['embed', '--data', join(root, 'no-such-file.csv'), '--bucket', 'http://example.com/x'], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--bucket http:\/\/example\.com\/x: expected s3:\/\/BUCKET\/PREFIX/);
    expect(r.stderr).not.toMatch(/no such file/);
    const p = await tagsmith(['embed', '--pull', '--cache', root], env);
    expect(p.code).toBe(2);
    expect(p.stderr).toMatch(/--pull needs --bucket/);
  });
});
