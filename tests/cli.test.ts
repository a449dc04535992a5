/**
 * The `tagsmith` CLI as a user runs it: a real process, real data from ../shared/data.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SHARED_DATA } from './helpers/paths';
import { tagsmith } from './helpers/cli';

const API = join(SHARED_DATA, 'stackoverflow-api-2018.jsonl.gz');
const TITLES = join(SHARED_DATA, 'stackoverflow-sede-2009-2011-titles.csv');
const SAMPLE_2022 = join(SHARED_DATA, 'fixtures/sede-2022-sample.csv');

describe('tagsmith CLI', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tagsmith-cli-'));
  const model = join(dir, 'model');
  let trained: { model: { version: string }; test: { n: number; micro_f1: number; p_at_k: number[] } };
  let trainLog = '';

  beforeAll(async () => {
    const r = await tagsmith(['train', '--data', API, TITLES, '--vectorizer', 'tfidf', '--limit', '6000', '--tags', '40', '--out', model, '--json', '--no-track']);
    expect(r.stderr).not.toMatch(/at .*\.ts:\d+/); // no stack trace
    expect(r.code).toBe(0);
    trained = JSON.parse(r.stdout);
    trainLog = r.stderr;
  });

  it('trains a TF-IDF model on real data and exports it', () => {
    // the ingestion report, with every skip by reason, is part of the training log
    expect(trainLog).toMatch(/duplicate-id=1,664, no-tags=2/);
    expect(trainLog).toMatch(/22 cross-file duplicates dropped/);
    expect(trainLog).toMatch(/--no-track\), so the model is not registered/); // said, not skipped silently
    expect(trained.model.version).toMatch(/^[0-9a-f]{12}$/);
    expect(trained.test.n).toBeGreaterThan(400);
    // far above chance with 40 tags; a broken pipeline (shuffled labels, wrong features) scores near 0
    expect(trained.test.p_at_k[0]).toBeGreaterThan(0.3);
    for (const f of ['tagsmith.json', 'head.bin', 'tfidf.json']) expect(existsSync(join(model, f))).toBe(true);
    const manifest = JSON.parse(readFileSync(join(model, 'tagsmith.json'), 'utf8'));
    expect(manifest.tags).toHaveLength(40);
    expect(manifest.training.data.map((d: { file: string }) => d.file)).toEqual([
      'stackoverflow-api-2018.jsonl.gz',
      'stackoverflow-sede-2009-2011-titles.csv',
    ]);
    expect(manifest.training.data[0].sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('is reproducible: the same command gives the same model version', async () => {
    const again = join(dir, 'again');
    const r = await tagsmith(['train', '--data', API, TITLES, '--vectorizer', 'tfidf', '--limit', '6000', '--tags', '40', '--out', again, '--json', '--no-track']);
    expect(JSON.parse(r.stdout).model.version).toBe(trained.model.version);
  });

  it('suggests tags as JSON', async () => {
    const r = await tagsmith(['suggest', '--model', model, '--title', 'How do I parse JSON in JavaScript?', '--k', '3', '--json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.model.version).toBe(trained.model.version);
    expect(out.tags).toHaveLength(3);
    expect(out.tags.map((t: { name: string }) => t.name)).toContain('javascript');
    expect(out.tags[0].score).toBeGreaterThanOrEqual(out.tags[1].score);
  });

  it('evaluates on another file with the documented JSON shape', async () => {
    const r = await tagsmith(['evaluate', '--model', model, '--data', SAMPLE_2022, '--json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.n).toBe(352);
    for (const key of ['p_at_k', 'r_at_k', 'f1_at_k']) expect(out[key]).toHaveLength(5);
    expect(typeof out.micro_f1).toBe('number');
    expect(out.coverage).toBeGreaterThan(0);
    expect(out.coverage).toBeLessThan(1);
  });

  it('evaluates only the held-out test part of its training files with --part test', async () => {
    const r = await tagsmith(['evaluate', '--model', model, '--data', API, TITLES, '--part', 'test', '--json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    // the test part of the full files is larger than that of the 6,000-question sample
    expect(out.n).toBeGreaterThan(trained.test.n);
    expect(out.p_at_k[0]).toBeGreaterThan(0.3);
  });

  it('ingests every file of ../shared/data and reports skips', async () => {
    const files = [API, TITLES, join(SHARED_DATA, 'stackoverflow-sede-2022-data-science.csv'), SAMPLE_2022, join(SHARED_DATA, 'fixtures/sede-2008-top-voted.csv'), join(SHARED_DATA, 'fixtures/cardano.stackexchange.com/Posts.xml')];
    const out = join(dir, 'all.jsonl.gz');
    const r = await tagsmith(['ingest', '--data', ...files, '--out', out, '--json']);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.files).toHaveLength(6);
    expect(report.files[1].skipped['duplicate-id']).toBe(1664);
    expect(report.files[5].skipped['not-a-question']).toBe(1588);
    expect(existsSync(out)).toBe(true);
  });

  it('gives clear errors and non-zero exits for bad arguments and files', async () => {
    const missing = await tagsmith(['train', '--data', join(dir, 'nope.csv'), '--out', join(dir, 'x'), '--no-track']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/nope\.csv: no such file/);

    const bad = join(dir, 'notes.txt');
    writeFileSync(bad, 'just some notes\nnot an export\n');
    const unknown = await tagsmith(['ingest', '--data', bad]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/notes\.txt/);
    expect(unknown.stderr).not.toMatch(/\n\s+at /);

    const k = await tagsmith(['suggest', '--title', 'x', '--k', '99', '--model', model]);
    expect(k.code).toBe(2);
    expect(k.stderr).toMatch(/--k must be an integer from 1 to 20/);

    const vec = await tagsmith(['train', '--vectorizer', 'bert']);
    expect(vec.code).toBe(2);
    expect(vec.stderr).toMatch(/Allowed choices are tfidf, embeddings, hybrid/);

    const noModel = await tagsmith(['suggest', '--title', 'x', '--model', dir]);
    expect(noModel.code).toBe(2);
    expect(noModel.stderr).toMatch(/no tagsmith\.json here/);
  });
});
