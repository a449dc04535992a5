/**
 * `tagsmith drift` as a user runs it (a real process): clear usage errors with exit code 2, and a
 * small successful run on real data with --json.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import type { DriftReport as DriftJson } from '../src/drift/run';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SHARED_DATA } from './helpers/paths';

import { tagsmith, type Result } from './helpers/cli';

const DS = join(SHARED_DATA, 'stackoverflow-sede-2022-data-science.csv');
const TITLES = join(SHARED_DATA, 'stackoverflow-sede-2009-2011-titles.csv');
const noStack = (r: Result) => expect(r.stderr).not.toMatch(/at .*\.ts:\d+/);

describe('tagsmith drift errors', () => {
  it('a badly written --reference names the expected format', async () => {
    const r = await tagsmith(['drift', '--data', DS, '--reference', '2022-1']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('tagsmith: error: --reference "2022-1" is not a month: write it as 2010-01');
    noStack(r);
  });

  it('--reference in another granularity than --by says how to fix it', async () => {
    const r = await tagsmith(['drift', '--data', DS, '--reference', '2022', '--by', 'month']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--reference "2022" is not a month: write it as 2010-01 \(or pass --by year/);
  });

  it('a bad --months range is a usage error', async () => {
    const r = await tagsmith(['drift', '--data', DS, '--reference', '2022-01', '--months', '2022-05..2022-02']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--months "2022-05..2022-02": the range ends before it starts/);
  });

  it('a reference period without data says what the data covers', async () => {
    const r = await tagsmith(['drift', '--data', DS, '--reference', '2015-03']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      'tagsmith: error: --reference 2015-03: no questions created in that month in stackoverflow-sede-2022-data-science.csv (the data covers 2022-01..2022-12); pick a month with data',
    );
    noStack(r);
  });

  it('a reference with too few questions points at --min-questions', async () => {
    const r = await tagsmith(['drift', '--data', DS, '--reference', '2022-01', '--min-questions', '500']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--reference 2022-01: only 83 questions \(fewer than --min-questions 500\)/);
  });

  it('a missing file and an unknown --by are usage errors', async () => {
    const missing = await tagsmith(['drift', '--data', join(SHARED_DATA, 'nope.csv'), '--reference', '2022-01']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--data .*nope\.csv: no such file/);
    const by = await tagsmith(['drift', '--data', DS, '--reference', '2022-01', '--by', 'week']);
    expect(by.code).toBe(2);
    expect(by.stderr).toMatch(/Allowed choices are month, quarter, year/);
  });

  it('--reference is required', async () => {
    const r = await tagsmith(['drift', '--data', DS]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/required option '--reference <period>' not specified/);
  });
});

describe('tagsmith drift run', () => {
  it('by quarter with --json: verdicts, skipped periods, files', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'tagsmith-drift-cli-')), 'report');
    const r = await tagsmith(['drift', '--data', TITLES, '--reference', '2010-Q1', '--months', '2010-Q2..2010-Q3,2013-Q1', '--sample', '80', '--out', out, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout) as { reference: string; periods: { period: string; verdict: string; reasons: string[] }[]; skipped: { period: string }[]; files: string[]; run: null };
    expect(j.reference).toBe('2010-Q1');
    expect(j.periods.map((p) => p.period)).toEqual(['2010-Q2', '2010-Q3']);
    for (const p of j.periods) expect(['stable', 'watch', 'retrain']).toContain(p.verdict);
    expect(j.skipped.map((s) => s.period)).toEqual(['2013-Q1']);
    expect(j.run).toBeNull(); // no --tracking-uri: nothing logged
    expect(existsSync(join(out, 'index.html'))).toBe(true);
    expect(existsSync(join(out, 'period-2010-Q2.html'))).toBe(true);
  }, 300_000);
});

describe('tagsmith drift with too few questions', () => {
  it('lists a period below --min-questions as too few, does not analyse it, still writes the overview', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'tagsmith-drift-few-')), 'r');
    const r = await tagsmith(['drift', '--data', TITLES, '--reference', '2010-01', '--months', '2010-06', '--min-questions', '600', '--sample', '50', '--out', out, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout) as { periods: unknown[]; skipped: { period: string; questions: number; reason: string }[]; files: string[] };
    expect(j.periods).toEqual([]);
    expect(j.skipped).toEqual([{ period: '2010-06', questions: 596, reason: 'too few questions (596 < --min-questions 600)' }]);
    expect(j.files.sort()).toEqual(['drift.json', 'index.html']);
    const index = readFileSync(join(out, 'index.html'), 'utf8');
    expect(index).toContain('too few questions (596 &lt; --min-questions 600)');
    expect(index).toContain('No period was analysed.');
  }, 300_000);
});

describe('tagsmith drift --text title', () => {
  it('ignores bodies: body descriptors are all zero, the option is recorded', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'tagsmith-drift-title-')), 'r');
    const r = await tagsmith(['drift', '--data', DS, '--reference', '2022-01', '--months', '2022-02', '--sample', '40', '--text', 'title', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^drift by month, reference 2022-01 \(40 questions\)/);
    const j = JSON.parse(readFileSync(join(out, 'drift.json'), 'utf8')) as DriftJson;
    expect(j.options.text).toBe('title');
    expect(j.reference.descriptorMeans.body_chars).toBe(0);
    expect(j.periods[0].descriptorMeans.body_chars).toBe(0);
    expect(readFileSync(join(out, 'index.html'), 'utf8')).toContain('titles only (bodies ignored)');
  }, 300_000);
  it('rejects an unknown --text', async () => {
    const r = await tagsmith(['drift', '--data', DS, '--reference', '2022-01', '--text', 'body']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/Allowed choices are full, title/);
  });
});

describe('tagsmith drift --tracking-uri', () => {
  it('logs the report directory as artifacts of a run in an MLflow file store', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tagsmith-drift-track-'));
    const store = join(dir, 'mlruns');
    const r = await tagsmith(['drift', '--data', TITLES, '--reference', '2010-01', '--months', '2010-02', '--sample', '60', '--out', join(dir, 'report'), '--tracking-uri', store, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout) as { run: string | null };
    expect(j.run).toMatch(/^[0-9a-f]{32}$/);
    const found = readdirSync(store, { recursive: true }).map(String).filter((f) => f.endsWith(join('artifacts', 'drift', 'index.html')));
    expect(found).toHaveLength(1);
    expect(found[0]).toContain(j.run!);
  }, 300_000);
});
