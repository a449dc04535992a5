/**
 * `tagsmith retrain` on real data (CLI process, file store): the 2018 model is champion; the
 * candidate trains on the 2018 file plus the 2008-2023 file up to 2021, both are scored on the 2021+
 * questions (counted here independently from the raw file), and the gate decides the alias.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { periodStart, splitByDate } from '../src/pipeline/retrain';
import type { Question } from '../src/core/types';
import { SHARED_DATA } from './helpers/paths';
import { tagsmith as runCli } from './helpers/cli';

const dir = mkdtempSync(join(tmpdir(), 'tagsmith-retrain-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const store = join(dir, 'mlruns');
const tagsmith = (args: string[]) => runCli([...args, '--tracking-uri', store], { MLFLOW_TRACKING_URI: '' });
const API = join(SHARED_DATA, 'stackoverflow-api-2018.jsonl.gz');
const MIXED = join(SHARED_DATA, 'stackoverflow-api-mixed-2008-2023.jsonl.gz');

describe('periodStart / splitByDate', () => {
  it('starts years, months and days at 00:00 UTC and refuses other spellings', () => {
    expect(periodStart('2021')).toBe('2021-01-01T00:00:00.000Z');
    expect(periodStart('2021-03')).toBe('2021-03-01T00:00:00.000Z');
    expect(periodStart('2021-03-15')).toBe('2021-03-15T00:00:00.000Z');
    expect(() => periodStart('2021-13')).toThrow(/--holdout-from 2021-13: write a year/);
    expect(() => periodStart('March')).toThrow(/--holdout-from/);
  });
  it('holds out from the instant on, trains on the rest and counts the undated', () => {
    const q = (id: string, created: string) => ({ id, created }) as Question;
    const s = splitByDate([q('1', '2020-12-31T23:59:59.000Z'), q('2', '2021-01-01T00:00:00.000Z'), q('3', '')], periodStart('2021'));
    expect(s.train.map((x) => x.id)).toEqual(['1', '3']);
    expect(s.holdout.map((x) => x.id)).toEqual(['2']);
    expect(s.undated).toBe(1);
  });
});

describe('tagsmith retrain', () => {
  it('trains on the older questions, scores both models on the newest period and gates the alias', async () => {
    const champ = await tagsmith(['train', '--data', API, '--vectorizer', 'tfidf', '--limit', '800', '--tags', '20', '--out', join(dir, 'champ'), '--json']);
    expect(champ.code).toBe(0);
    const first = await tagsmith(['promote', '--version', '1', '--data', MIXED]);
    expect(first.code).toBe(0);

    const r = await tagsmith([
      'retrain', '--data', API, MIXED, '--holdout-from', '2021', '--vectorizer', 'tfidf', '--limit', '800', '--tags', '20',
      '--work-dir', join(dir, 'work'), '--json',
    ]);
    expect(r.stderr).not.toMatch(/error/);
    const decision = JSON.parse(r.stdout.trim().split('\n').pop()!);
    // The held-out questions, counted from the raw file: created in 2021 or later (the 2018 file ends in 2018).
    const newer = gunzipSync(readFileSync(MIXED)).toString('utf8').split('\n').filter(Boolean)
      .map((l) => JSON.parse(l) as { creation_date?: number })
      .filter((o) => (o.creation_date ?? 0) >= Date.UTC(2021, 0, 1) / 1000).length;
    expect(newer).toBeGreaterThan(100);
    expect(decision.retrain.holdout_questions).toBe(newer);
    expect(decision.questions).toBe(newer); // neither model trained on any of them
    expect(decision).toMatchObject({ candidate: '2', champion: '1' });
    const passed = decision.checks.every((c: { ok: boolean }) => c.ok);
    expect(decision.promoted).toBe(passed);
    expect(r.code).toBe(passed ? 0 : 1);

    // The candidate's training file holds no question from the held-out period.
    const trainFile = readFileSync(join(dir, 'work', 'retrain-before-2021.jsonl'), 'utf8').split('\n').filter(Boolean);
    expect(trainFile.length).toBe(decision.retrain.train_questions);
    // (questions with no creation date train too: they cannot be placed in the held-out period)
    const dates = trainFile.map((l) => (JSON.parse(l) as { creation_date?: number }).creation_date);
    for (const d of dates) if (d !== undefined) expect(d).toBeLessThan(Date.UTC(2021, 0, 1) / 1000);
    expect(dates.filter((d) => d !== undefined).length).toBeGreaterThan(trainFile.length / 2);

    const pulled = await tagsmith(['pull', '--alias', 'champion', '--out', join(dir, 'pulled'), '--json']);
    expect(JSON.parse(pulled.stdout).version).toBe(passed ? '2' : '1');
  }, 240_000);
});
