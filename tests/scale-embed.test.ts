/**
 * Scale-out, one machine (issue 16, items 1-2): deterministic shards, cache segments that merge by
 * copying, `--workers K` giving the same vectors bit for bit as one worker, on real questions from
 * ../shared/data through the real encoder.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendFileSync, copyFileSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ingest } from '../src/pipeline/ingest';
import { EmbeddingCache, embedWithCache } from '../src/pipeline/embed-cache';
import { parseShard, shardOf, shardSegment } from '../src/pipeline/scale/shard';
import { embedJob, shardTexts } from '../src/pipeline/scale/embed-job';
import { embedTexts } from '../src/pipeline/train';
import { DEFAULT_MODEL_DIR } from '../src/node/paths';
import { DEFAULT_ENCODER_ID } from '../src/runtime/encoder';
import type { Question } from '../src/core/types';
import { SHARED_DATA } from './helpers/paths';
import { tagsmith } from './helpers/cli';
import { vectorsOf, expectSameVectors } from './helpers/embedding-cache';

const DATA = join(SHARED_DATA, 'stackoverflow-sede-2022-data-science.csv');
const ENCODER = DEFAULT_ENCODER_ID;
const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'tagsmith-scale-'));
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));


let questions: Question[];
beforeAll(async () => {
  questions = (await ingest([DATA])).questions;
});

describe('shards', () => {
  it('parses i/N and says what is wrong otherwise', () => {
    expect(parseShard('3/64')).toEqual({ index: 3, count: 64 });
    expect(parseShard(' 0 / 1 ')).toEqual({ index: 0, count: 1 });
    expect(() => parseShard('64/64')).toThrow(/i must be below N \(shards are numbered 0 to 63\)/);
    expect(() => parseShard('1/0')).toThrow(/N must be between 1/);
    expect(() => parseShard('a/4')).toThrow(/expected i\/N, e\.g\. 0\/8/);
    expect(() => parseShard('-1/4')).toThrow(/expected i\/N/);
    expect(shardSegment({ index: 3, count: 64 })).toMatch(/^shard-3-of-64\.[\w.-]+\.bin$/);
    expect(shardSegment({ index: 3, count: 64 })).not.toBe(shardSegment({ index: 3, count: 64 })); // one file per run
  });

  it('puts every real question in exactly one shard, evenly, whatever the order', () => {
    expect(questions.length).toBeGreaterThan(1000);
    for (const n of [1, 4, 16]) {
      const counts = new Array<number>(n).fill(0);
      for (const q of questions) counts[shardOf(q, n)]++;
      const mean = questions.length / n;
      for (const c of counts) expect(Math.abs(c - mean) / mean, `shard sizes ${counts.join(', ')}`).toBeLessThan(0.3);
    }
    const reversed = [...questions].reverse();
    const union = [0, 1, 2, 3].flatMap((i) => shardTexts(reversed, { index: i, count: 4 }).texts);
    expect(new Set(union).size).toBe(union.length); // no text in two shards
    expect(new Set(union)).toEqual(new Set(shardTexts(questions).texts));
    // ids are unique only within a site: the site is part of the key
    const moved = questions.slice(0, 200).filter((q) => shardOf(q, 16) !== shardOf({ site: `other.${q.site}`, id: q.id }, 16)).length;
    expect(moved).toBeGreaterThan(150);
  });
});

describe('cache segments', () => {
  it('reads every segment, writes only its own, and never truncates another writer\'s torn record', async () => {
    const dir = tmp();
    const embed = async (texts: string[]) => texts.map((t) => Float32Array.from([t.length, 1, 2]));
    const a = new EmbeddingCache(dir, 'enc', 3, 'shard-0-of-2.bin');
    await embedWithCache(['one', 'two'], a, embed);
    a.close();
    const b = new EmbeddingCache(dir, 'enc', 3, 'shard-1-of-2.bin');
    await embedWithCache(['three'], b, embed);
    b.close();
    const other = join(dir, 'enc', 'shard-1-of-2.bin');
    appendFileSync(other, Buffer.alloc(7)); // that shard's writer is mid-record
    const reader = new EmbeddingCache(dir, 'enc', 3);
    expect(reader.size).toBe(3);
    expect(reader.segments.map((s) => [s.file, s.records])).toEqual([
      ['shard-0-of-2.bin', 2],
      ['shard-1-of-2.bin', 1],
      ['vectors.bin', 0],
    ]);
    expect(Array.from(reader.get('three')!)).toEqual([5, 1, 2]);
    reader.close();
    expect(statSync(other).size).toBe(44 + 7); // left as it was: not ours to cut
    expect(() => new EmbeddingCache(dir, 'enc', 3, '../x.bin')).toThrow(/plain file name/);
  });
});

describe('embedding real questions', () => {
  it('shards embedded apart and merged by copying equal one unsharded run, bit for bit; training then embeds nothing', async () => {
    const some = questions.slice(0, 60);
    const shardsDir = tmp();
    for (let i = 0; i < 3; i++) {
      const r = await embedJob({ data: [DATA], questions: some, shard: { index: i, count: 3 }, cacheDir: join(shardsDir, `machine-${i}`), progress: false });
      expect(r.cache.segment).toMatch(new RegExp(`^shard-${i}-of-3\\.[\\w.-]+-${process.pid}-[0-9a-f]{6}\\.bin$`)); // one file per writer
      expect(r.embedded).toBe(r.texts);
    }
    // merge: copy each machine's segment files into one folder
    const merged = join(tmp(), 'merged');
    new EmbeddingCache(merged, ENCODER, 384, 'reader.bin').close();
    for (let i = 0; i < 3; i++) {
      const from = join(shardsDir, `machine-${i}`, ENCODER);
      for (const f of readdirSync(from)) copyFileSync(join(from, f), join(merged, ENCODER, f));
    }
    const single = tmp();
    const whole = await embedJob({ data: [DATA], questions: some, cacheDir: single, progress: false });
    expect(whole.texts).toBe(shardTexts(some).texts.length);
    expectSameVectors(vectorsOf(merged), vectorsOf(single));

    const texts = shardTexts(some).texts;
    const again = await embedTexts(texts, DEFAULT_MODEL_DIR, merged);
    expect(again.cached).toBe(texts.length);
  }, 180_000);

  it('training\'s embedding step with 2 worker threads gives the vectors one thread gives, bit for bit', async () => {
    const texts = shardTexts(questions.slice(0, 520)).texts;
    expect(texts.length).toBeGreaterThanOrEqual(500); // enough for the pool to be used
    const [one, two] = [tmp(), tmp()];
    const a = await embedTexts(texts, DEFAULT_MODEL_DIR, one);
    const b = await embedTexts(texts, DEFAULT_MODEL_DIR, two, undefined, { workers: 2 });
    expect([a.workers, b.workers, b.cached]).toEqual([1, 2, 0]);
    expect(b.spec).toEqual(a.spec);
    const differing = a.vectors.filter((v, i) => !Buffer.from(v.buffer, v.byteOffset, v.byteLength).equals(Buffer.from(b.vectors[i].buffer, b.vectors[i].byteOffset, b.vectors[i].byteLength))).length;
    expect(differing).toBe(0);
    expectSameVectors(vectorsOf(one), vectorsOf(two));
  }, 180_000);

  it('tagsmith embed --workers 2 gives the same vectors as one worker, bit for bit (CLI, real file)', async () => {
    const one = tmp();
    const two = tmp();
    const r1 = await tagsmith(['embed', '--data', DATA, '--shard', '5/24', '--cache', one, '--json']);
    expect(r1.code, r1.stderr).toBe(0);
    const r2 = await tagsmith(['embed', '--data', DATA, '--shard', '5/24', '--cache', two, '--workers', '2', '--json']);
    expect(r2.code, r2.stderr).toBe(0);
    const [j1, j2] = [JSON.parse(r1.stdout), JSON.parse(r2.stdout)];
    expect(j1).toMatchObject({ shard: '5/24', workers: 1, questions: questions.length });
    expect(j1.cache.segment).toMatch(/^shard-5-of-24\./);
    expect(j2).toMatchObject({ shard: '5/24', workers: 2, texts: j1.texts, embedded: j1.texts });
    expect(j1.inShard).toBe(questions.filter((q) => shardOf(q, 24) === 5).length);
    expectSameVectors(vectorsOf(one), vectorsOf(two));
    // a second run of the shard finds everything in the first run's segment, and writes its own (empty) one
    const r3 = await tagsmith(['embed', '--data', DATA, '--shard', '5/24', '--cache', two, '--workers', '2', '--json']);
    const j3 = JSON.parse(r3.stdout);
    expect(j3).toMatchObject({ cached: j1.texts, embedded: 0 });
    expect(j3.cache.segment).not.toBe(j2.cache.segment);
  }, 180_000);

  it('refuses a bad --shard or --workers with the reason', async () => {
    const r = await tagsmith(['embed', '--data', DATA, '--shard', '8/8']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--shard 8\/8: i must be below N/);
    const w = await tagsmith(['embed', '--data', DATA, '--workers', '0']);
    expect(w.code).toBe(2);
    expect(w.stderr).toMatch(/--workers must be an integer from 1/);
  });
});
