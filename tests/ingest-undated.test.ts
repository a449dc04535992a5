/**
 * Every real file (issue #11 item 1): the 2020 titles export (no date column, answers mixed in) and
 * the 83 undated items of the mixed API file are read; undated questions are kept for training and
 * counted by drift as "no date", outside every period.
 */
import { mkdtempSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Question } from '../src/core/types';
import { groupByPeriod } from '../src/drift/periods';
import { runDrift } from '../src/drift/run';
import { readQuestions, type FileReport } from '../src/pipeline/ingest';
import { newFileReport } from '../src/pipeline/ingest/report';
import { REPO, SHARED_DATA } from './helpers/paths';

const TITLES_2020 = join(SHARED_DATA, 'stackoverflow-sede-2020-titles.csv');
const MIXED = join(SHARED_DATA, 'stackoverflow-api-mixed-2008-2023.jsonl.gz');

async function readAll(file: string): Promise<{ qs: Question[]; rep: FileReport }> {
  const rep = newFileReport(file, 'sede-csv');
  const qs: Question[] = [];
  for await (const q of readQuestions(file, rep)) qs.push(q);
  return { qs, rep };
}

describe('undated real files', () => {
  it('2020 titles CSV (no date column): 22,974 undated questions kept, the 27,026 answers counted as not-a-question', async () => {
    const { qs, rep } = await readAll(TITLES_2020);
    expect(rep.read).toBe(50_000);
    expect(rep.kept).toBe(22_974);
    expect(rep.skipped).toEqual({ 'not-a-question': 27_026 });
    expect(rep.samples!.every((s) => s.reason === 'not-a-question' && s.line! > 1)).toBe(true);
    expect(qs.every((q) => q.created === undefined && q.title !== '' && q.tags.length > 0)).toBe(true);
    const ids = qs.map((q) => Number(q.id));
    // README: the file's posts have ids 60,036,630 .. 64,677,559 (created 2020-02 .. 2020-11).
    expect(Math.min(...ids)).toBeGreaterThanOrEqual(60_036_630);
    expect(Math.max(...ids)).toBeLessThanOrEqual(64_677_559);
  });

  it('mixed API file: all 3,217 questions kept, the 83 without creation_date undated, none skipped', async () => {
    const { qs, rep } = await readAll(MIXED);
    expect(rep.read).toBe(3_217);
    expect(rep.kept).toBe(3_217);
    expect(rep.skipped).toEqual({});
    expect(qs.filter((q) => q.created === undefined)).toHaveLength(83);
    const { groups, undated } = groupByPeriod(qs, 'year');
    expect(undated).toBe(83);
    expect([...groups.values()].reduce((n, g) => n + g.length, 0)).toBe(3_134);
  });

  it('a date that is present but unparsable is still a bad-date skip, not an undated question', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'tagsmith-undated-')), 'dates.csv');
    await writeFile(file, 'Id,Title,Tags,CreationDate\n1,t,<a>,not a date\n2,t,<a>,\n3,t,<a>,2020-01-01\n');
    const { qs, rep } = await readAll(file);
    expect(qs.map((q) => [q.id, q.created])).toEqual([['2', undefined], ['3', '2020-01-01T00:00:00.000Z']]);
    expect(rep.samples).toEqual([{ reason: 'bad-date', line: 2, id: '1' }]);
  });

  it('drift counts the 83 undated questions as "no date" and leaves them out of every period', async () => {
    const logs: string[] = [];
    const report = await runDrift({
      data: [MIXED],
      reference: '2019',
      months: '2020',
      by: 'year',
      model: join(REPO, 'models'),
      sample: 40,
      minQuestions: 20,
      cacheDir: join(REPO, '.cache/embeddings'),
      log: (l) => logs.push(l),
    });
    expect(report.data.kept).toBe(3_217);
    expect(report.data.undated).toBe(83);
    expect(Object.values(report.data.periodsInData).reduce((a, b) => a + b, 0)).toBe(3_134);
    expect(logs).toContain('83 question(s) with no creation date: counted as "no date", left out of every period');
  }, 300_000);
});
