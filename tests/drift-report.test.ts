/**
 * `tagsmith drift` on real data, small: the titles export, reference 2010-01, three months (one of
 * them without data), 500 questions a period (about 50 of them unseen by the model). Checks drift.json's content, the HTML pages (every
 * figure present, escaped, self-contained) and the "too few questions" path.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runDrift, type DriftReport } from '../src/drift/run';
import { renderPeriod, writeDriftReport } from '../src/drift/report/pages';
import { esc } from '../src/drift/report/html';
import { REPO, SHARED_DATA } from './helpers/paths';

const TITLES = join(SHARED_DATA, 'stackoverflow-sede-2009-2011-titles.csv');

describe('drift report on real data (titles 2010, small sample)', () => {
  const out = mkdtempSync(join(tmpdir(), 'tagsmith-drift-'));
  let report: DriftReport;
  let files: string[];

  beforeAll(async () => {
    report = await runDrift({
      data: [TITLES],
      reference: '2010-01',
      months: '2010-02,2010-06,2012-01',
      model: join(REPO, 'models'),
      sample: 500,
      minQuestions: 50,
      cacheDir: join(REPO, '.cache/embeddings'),
    });
    ({ files } = await writeDriftReport(report, out));
  }, 300_000);

  it('analyses the periods with data and lists the one without', () => {
    expect(report.options).toMatchObject({ by: 'month', reference: '2010-01', periods: ['2010-02', '2010-06', '2012-01'], sample: 500, minQuestions: 50 });
    expect(report.periods.map((p) => p.period)).toEqual(['2010-02', '2010-06']);
    expect(report.skippedPeriods).toEqual([{ period: '2012-01', questions: 0, reason: 'no questions' }]);
    expect(report.reference).toMatchObject({ period: '2010-01', questions: 751, sampled: 500 });
    expect(report.periods[0]).toMatchObject({ questions: 682, sampled: 500 });
  });

  it('counts what ingestion skipped and says which data the supervised metrics use', () => {
    const f = report.data.files[0];
    expect(f.file).toBe('stackoverflow-sede-2009-2011-titles.csv');
    expect(f.skipped['duplicate-id']).toBe(1664);
    expect(f.repaired['invalid-utf8-rows']).toBeGreaterThan(0);
    expect(report.data.periodsInData['2010-01']).toBe(751);
    expect(report.supervisedOn).toMatch(/held-out test part \(10 %, split seed 42\) of stackoverflow-sede-2009-2011-titles\.csv/);
    // the titles file is a training file: only its test part is unseen (about 10 %)
    for (const p of [report.reference, ...report.periods]) {
      expect(p.unseen).toBeLessThan(p.sampled * 0.2);
      expect(p.supervised?.n).toBe(p.unseen); // every titles question has tags
      expect(p.supervised!.p_at_k[0]).toBeGreaterThan(0.3);
      expect(p.supervised!.p_at_k[0]).toBeLessThan(0.95);
      expect(p.supervised!.p_at_k[4]).toBeLessThan(p.supervised!.p_at_k[0]);
    }
  });

  it('holds every figure per period, in range', () => {
    for (const p of report.periods) {
      const u = p.unsupervised!;
      expect(p.labels.coverage).toBeGreaterThan(0.3);
      expect(p.labels.coverage).toBeLessThan(0.95);
      expect(p.labels.goldTagsJs).toBeGreaterThan(0);
      expect(p.labels.goldTagsJs).toBeLessThanOrEqual(1);
      expect(u.centroidCosineDistance).toBeGreaterThan(0);
      expect(u.centroidCosineDistance).toBeLessThan(0.5);
      expect(u.components).toHaveLength(10);
      for (const c of u.components) expect(c.method).toBe('ks'); // reference of 500 rows <= 1000
      expect(u.driftShare).toBe(u.components.filter((c) => c.drifted).length / 10);
      expect(u.domainAuc).toBeGreaterThan(0.2);
      expect(u.domainAuc).toBeLessThan(0.9);
      expect(u.scatter.length).toBe(300);
      expect(u.descriptors.map((d) => d.name)).toEqual(['title_chars', 'body_chars', 'code_share', 'unknown_token_share']);
      expect(u.descriptors[1].test).toBeNull(); // titles only: no body on either side
      expect(p.descriptorMeans.title_chars).toBeGreaterThan(20);
      expect(['stable', 'watch', 'retrain']).toContain(p.verdict!.level);
      expect(p.verdict!.reasons.length).toBeGreaterThan(0);
      expect(p.labels.rising.length + p.labels.falling.length).toBeGreaterThan(0);
    }
    expect(report.summary.analysed).toBe(2);
    expect(Object.values(report.summary.counts).reduce((a, b) => a + b)).toBe(2);
  });

  it('writes index.html, one page per analysed period and drift.json', () => {
    expect(files.sort()).toEqual(['drift.json', 'index.html', 'period-2010-02.html', 'period-2010-06.html']);
    expect(readdirSync(out).sort()).toEqual(files.sort()); // no temp files left behind
    const json = JSON.parse(readFileSync(join(out, 'drift.json'), 'utf8')) as DriftReport;
    expect(json.periods.map((p) => p.verdict!.level)).toEqual(report.periods.map((p) => p.verdict!.level));
  });

  it('the pages are self-contained and show every section', () => {
    const index = readFileSync(join(out, 'index.html'), 'utf8');
    for (const name of files.filter((f) => f.endsWith('.html'))) {
      const html = readFileSync(join(out, name), 'utf8');
      expect(html).not.toMatch(/<script|<link|<img|<iframe|@import/i);
      expect(html).not.toMatch(/(?:src|href)\s*=\s*["']?(?:https?:)?\/\//i);
      expect(html).not.toMatch(/url\(\s*["']?(?:https?:)?\/\//i);
    }
    expect((index.match(/<svg/g) ?? []).length).toBe(12); // counts, quality, labels, centroid, drift share, AUC, 4 descriptors, scatter, tags
    expect(index).toContain('2012-01');
    expect(index).toContain('no questions');
    expect(index).toContain('First vs last period');
    expect(index).toMatch(/href="period-2010-02.html"/);
    const month = readFileSync(join(out, 'period-2010-02.html'), 'utf8');
    expect((month.match(/<svg/g) ?? []).length).toBe(3);
    for (const s of ['Supervised: model quality', 'Labels: tag drift', 'Unsupervised', 'Text descriptors', 'Verdict rules', 'KS p-value per PCA component']) expect(month).toContain(s);
  });

  it('escapes data text everywhere, in tables and in charts', async () => {
    const evil = '<script>alert("x")</script>&';
    const p = structuredClone(report.periods[0]);
    p.labels.rising = [{ tag: evil, reference: 0, current: 0.1, change: 0.1, inVocabulary: false }];
    p.verdict = { level: 'watch', reasons: [evil] };
    const html = await renderPeriod({ ...report, periods: [p] }, p);
    expect(html).not.toContain('<script>');
    expect(html).toContain(esc(evil));
    expect(esc(`a"b'c<d>&`)).toBe('a&quot;b&#39;c&lt;d&gt;&amp;');
  });
});
