/**
 * The drift monitor's own logic: periods, the verdict rules, and the numeric code it adds
 * (domain classifier, ROC AUC at drift sizes) checked against scikit-learn values written by
 * scripts/reference/drift_fixtures.py into tests/fixtures/reference/drift-monitor.json.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { rocAuc } from '../src/core/metrics';
import { aucNullStandardError, domainClassifierAuc, domainDrifted, stratifiedFolds } from '../src/drift/domain';
import { compareColumn } from '../src/drift/monitor';
import {
  defaultPeriods,
  granularityOf,
  groupByPeriod,
  parsePeriodList,
  periodIndex,
  PeriodFormatError,
  periodName,
  periodOfDate,
} from '../src/drift/periods';
import { decideVerdict, diffStandardError, VERDICT_RULES, type VerdictInput } from '../src/drift/verdict';
import { describeQuestion } from '../src/drift/descriptors';
import { REPO } from './helpers/paths';

interface MonitorFixture {
  versions: Record<string, string>;
  rocAuc: { name: string; labels: number[]; scores: number[]; auc: number }[];
  domainClassifier: { name: string; reference: number[][]; current: number[][]; folds: number; foldOf: number[]; proba: number[]; auc: number }[];
}

const fixture = JSON.parse(readFileSync(resolve(REPO, 'tests/fixtures/reference/drift-monitor.json'), 'utf8')) as MonitorFixture;

describe('ROC AUC at drift sizes matches sklearn roc_auc_score', () => {
  it('has the cases the issue asks for (n > 10,000, ties, unequal sizes)', () => {
    expect(fixture.rocAuc.some((c) => c.labels.length > 10_000)).toBe(true);
    expect(fixture.rocAuc.some((c) => new Set(c.scores).size < c.scores.length / 10)).toBe(true);
    expect(fixture.rocAuc.some((c) => c.labels.filter((l) => l === 1).length * 100 < c.labels.length)).toBe(true);
  });
  for (const c of fixture.rocAuc) {
    it(c.name, () => {
      expect(Math.abs(rocAuc(c.labels, c.scores) - c.auc)).toBeLessThan(1e-12);
    });
  }
});

describe('domain classifier matches sklearn LogisticRegression out-of-fold', () => {
  for (const c of fixture.domainClassifier) {
    it(c.name, () => {
      const r = domainClassifierAuc(c.reference, c.current, { folds: c.folds, foldOf: c.foldOf });
      let maxDiff = 0;
      r.scores.forEach((s, i) => (maxDiff = Math.max(maxDiff, Math.abs(s - c.proba[i]))));
      expect(maxDiff).toBeLessThan(2e-5);
      expect(Math.abs(r.auc - c.auc)).toBeLessThan(1e-3);
      expect(r.drifted).toBe(domainDrifted(c.auc, c.reference.length, c.current.length));
    });
  }
  it('tells a strong shift apart and not the same distribution', () => {
    const same = fixture.domainClassifier.find((c) => c.name.startsWith('same'))!;
    const strong = fixture.domainClassifier.find((c) => c.name.startsWith('strong'))!;
    expect(same.auc).toBeLessThan(0.6);
    expect(strong.auc).toBeGreaterThan(0.9);
  });
  it('stratified folds put each class evenly into every fold, seeded', () => {
    const f = stratifiedFolds(11, 7, 2, 5);
    expect(f.slice(0, 11).filter((x) => x === 0).length).toBe(6);
    expect(f.slice(11).filter((x) => x === 0).length).toBe(4);
    expect(stratifiedFolds(11, 7, 2, 5)).toEqual(f);
    expect(stratifiedFolds(11, 7, 2, 6)).not.toEqual(f);
  });
  it('drift needs AUC > 0.55 and more than 2 null standard errors above 0.5', () => {
    expect(aucNullStandardError(83, 120)).toBeCloseTo(Math.sqrt(204 / (12 * 83 * 120)), 15);
    expect(domainDrifted(0.56, 800, 800)).toBe(true); // 2 SE = 0.029
    expect(domainDrifted(0.55, 800, 800)).toBe(false); // Evidently's 0.55 is strict
    expect(domainDrifted(0.58, 83, 120)).toBe(false); // 2 SE = 0.083
    expect(domainDrifted(0.59, 83, 120)).toBe(true);
  });
  it('refuses too few rows with a RangeError', () => {
    expect(() => domainClassifierAuc([[1, 2]], [[3, 4], [5, 6]])).toThrow(/at least 2 rows on each side/);
  });
});

describe('periods', () => {
  it('reads the three granularities and names them back', () => {
    expect(granularityOf('2010-01')).toBe('month');
    expect(granularityOf('2010-Q3')).toBe('quarter');
    expect(granularityOf('2010')).toBe('year');
    expect(granularityOf('2010-1')).toBeUndefined();
    expect(periodName(periodIndex('2010-12', 'month'), 'month')).toBe('2010-12');
    expect(periodName(periodIndex('2010-12', 'month') + 1, 'month')).toBe('2011-01');
    expect(periodName(periodIndex('2010-q4', 'quarter') + 1, 'quarter')).toBe('2011-Q1');
  });
  it('puts dates into periods (UTC)', () => {
    expect(periodOfDate('2010-03-31T23:59:59.000Z', 'month')).toBe('2010-03');
    expect(periodOfDate('2010-03-31T23:59:59.000Z', 'quarter')).toBe('2010-Q1');
    expect(periodOfDate('2010-04-01T00:00:00.000Z', 'quarter')).toBe('2010-Q2');
    expect(periodOfDate('2010-04-01T00:00:00.000Z', 'year')).toBe('2010');
    expect(periodOfDate('not a date', 'month')).toBeUndefined();
  });
  it('parses ranges and lists, sorted and de-duplicated', () => {
    expect(parsePeriodList('2010-11..2011-02', 'month')).toEqual(['2010-11', '2010-12', '2011-01', '2011-02']);
    expect(parsePeriodList('2022, 2018,2018', 'year')).toEqual(['2018', '2022']);
    expect(parsePeriodList('2010-Q4..2011-Q1,2009-Q1', 'quarter')).toEqual(['2009-Q1', '2010-Q4', '2011-Q1']);
  });
  it('says what is wrong with a bad period and how to write it', () => {
    expect(() => periodIndex('2010-1', 'month')).toThrow(PeriodFormatError);
    expect(() => periodIndex('2010-1', 'month')).toThrow('--reference "2010-1" is not a month: write it as 2010-01');
    expect(() => periodIndex('2010-13', 'month')).toThrow(/month 13 does not exist/);
    expect(() => periodIndex('2010', 'month')).toThrow(/or pass --by year/);
    expect(() => parsePeriodList('2010-05..2010-02', 'month')).toThrow(/ends before it starts/);
    expect(() => parsePeriodList('2010..2011..2012', 'year')).toThrow(/one "\.\."/);
  });
  it('groups by period and counts undated items apart', () => {
    const items = [{ created: '2010-01-05T00:00:00Z' }, { created: '2010-01-31T00:00:00Z' }, { created: '2010-02-01T00:00:00Z' }, { created: '' }];
    const { groups, undated } = groupByPeriod(items, 'month');
    expect(undated).toBe(1);
    expect([...groups.entries()].map(([p, g]) => [p, g.length])).toEqual([
      ['2010-01', 2],
      ['2010-02', 1],
    ]);
  });
  it('defaults to the later periods with data, at most 12', () => {
    const months = Array.from({ length: 30 }, (_, i) => periodName(periodIndex('2009-06', 'month') + i, 'month'));
    expect(defaultPeriods(months, '2010-01', 'month')).toEqual(parsePeriodList('2010-02..2011-01', 'month'));
    expect(defaultPeriods(['2009', '2018', '2022', '2008'], '2009', 'year')).toEqual(['2018', '2022']);
  });
});

describe('verdict rules', () => {
  const base: VerdictInput = {
    p1: { reference: { value: 0.65, n: 500 }, current: { value: 0.64, n: 500 } },
    coverage: { reference: { value: 0.5, n: 2000 }, current: { value: 0.5, n: 2000 } },
    embeddingDrift: { share: 0.1, drifted: false },
    domain: { auc: 0.51, drifted: false },
  };
  it('stable when no rule fires, naming the figures', () => {
    const v = decideVerdict(base);
    expect(v.level).toBe('stable');
    expect(v.reasons[0]).toMatch(/^no rule fired: P@1 64.0 % vs 65.0 %/);
  });
  it('watch on a significant P@1 drop of 5+ points, retrain on 10+', () => {
    expect(decideVerdict({ ...base, p1: { reference: { value: 0.65, n: 2000 }, current: { value: 0.58, n: 2000 } } }).level).toBe('watch');
    const r = decideVerdict({ ...base, p1: { reference: { value: 0.65, n: 2000 }, current: { value: 0.5, n: 2000 } } });
    expect(r.level).toBe('retrain');
    expect(r.reasons[0]).toMatch(/P@1 on unseen questions fell from 65.0 % to 50.0 %/);
  });
  it('a retrain-sized drop within 3 standard errors is only watch', () => {
    const pair = { reference: { value: 0.7, n: 120 }, current: { value: 0.55, n: 120 } };
    const se = diffStandardError(pair.reference, pair.current);
    expect(0.15).toBeGreaterThan(2 * se);
    expect(0.15).toBeLessThan(3 * se);
    expect(decideVerdict({ ...base, p1: pair }).level).toBe('watch');
  });
  it('a drop within 2 standard errors (small periods) does not fire', () => {
    const small = { reference: { value: 0.7, n: 40 }, current: { value: 0.55, n: 40 } };
    expect(0.15).toBeLessThan(2 * diffStandardError(small.reference, small.current));
    expect(decideVerdict({ ...base, p1: small }).level).toBe('stable');
  });
  it(`P@1 is not compared below ${VERDICT_RULES.minSupervised} unseen questions`, () => {
    const v = decideVerdict({ ...base, p1: { reference: { value: 0.9, n: 29 }, current: { value: 0.1, n: 500 } } });
    expect(v.level).toBe('stable');
    expect(v.reasons[0]).toMatch(/P@1 not compared/);
  });
  it('coverage drop is label drift: watch at 5, retrain at 10 points', () => {
    expect(decideVerdict({ ...base, coverage: { reference: { value: 0.5, n: 3000 }, current: { value: 0.44, n: 3000 } } }).level).toBe('watch');
    const v = decideVerdict({ ...base, coverage: { reference: { value: 0.5, n: 3000 }, current: { value: 0.3, n: 3000 } } });
    expect(v.level).toBe('retrain');
    expect(v.reasons[0]).toMatch(/vocabulary does not know/);
  });
  it('embedding drift: watch alone or with a weak classifier; retrain with dataset drift and AUC >= 0.75', () => {
    expect(decideVerdict({ ...base, embeddingDrift: { share: 0.6, drifted: true } }).level).toBe('watch');
    expect(decideVerdict({ ...base, domain: { auc: 0.56, drifted: true } }).level).toBe('watch');
    expect(decideVerdict({ ...base, domain: { auc: 0.58, drifted: false } }).level).toBe('stable'); // small sample: not above chance
    expect(decideVerdict({ ...base, domain: { auc: 0.9, drifted: true } }).level).toBe('watch');
    const strong = { embeddingDrift: { share: 0.8, drifted: true }, domain: { auc: 0.75, drifted: true } };
    const v = decideVerdict({ ...base, ...strong, p1: undefined });
    expect(v.level).toBe('retrain');
    expect(v.reasons[0]).toMatch(/80.0 % of the embedding's PCA components drifted.*ROC AUC 0.750.*too few unseen labelled questions/);
  });
  it('strong input drift with P@1 held is watch (labels beat proxies); with P@1 falling, retrain', () => {
    const strong = { embeddingDrift: { share: 1, drifted: true }, domain: { auc: 0.95, drifted: true } };
    const held = decideVerdict({ ...base, ...strong });
    expect(held.level).toBe('watch');
    expect(held.reasons[0]).toMatch(/but P@1 on unseen questions \(64.0 % vs 65.0 %\) and tag coverage held: the model copes/);
    const fell = decideVerdict({ ...base, ...strong, p1: { reference: { value: 0.65, n: 2000 }, current: { value: 0.58, n: 2000 } } });
    expect(fell.level).toBe('retrain');
    expect(fell.reasons[0]).toMatch(/and P@1 on unseen questions fell$/);
    const newTags = decideVerdict({ ...base, ...strong, coverage: { reference: { value: 0.5, n: 3000 }, current: { value: 0.44, n: 3000 } } });
    expect(newTags.level).toBe('retrain');
    expect(newTags.reasons[0]).toMatch(/and tag coverage fell \(new tags\)$/);
  });
  it('lists every reason, the strongest first', () => {
    const v = decideVerdict({
      ...base,
      coverage: { reference: { value: 0.5, n: 3000 }, current: { value: 0.44, n: 3000 } },
      p1: { reference: { value: 0.65, n: 2000 }, current: { value: 0.5, n: 2000 } },
      domain: { auc: 0.6, drifted: true },
    });
    expect(v.level).toBe('retrain');
    expect(v.reasons).toHaveLength(3);
    expect(v.reasons[0]).toMatch(/^P@1/);
  });
});

describe('descriptors and column comparison', () => {
  it('measures title, body, code share and unknown tokens', () => {
    const d = describeQuestion(
      { title: 'Sort a list &amp; keep it', body: '<p>How?</p><pre><code>xs.sort()</code></pre>', bodyFormat: 'html' },
      'sort a list & keep it\nhow?\nxs.sort()',
      new Set(['sort', 'list', 'keep', 'it', 'how']),
    );
    expect(d.title_chars).toBe('Sort a list & keep it'.length);
    expect(d.body_chars).toBe('How?'.length + 'xs.sort()'.length);
    expect(d.code_share).toBeCloseTo(9 / 13, 12);
    expect(d.unknown_token_share).toBeCloseTo(1 / 6, 12); // xs.sort is the unknown token
  });
  it('a column with one value on both sides is not tested (no NaN)', () => {
    expect(compareColumn([0, 0, 0], [0, 0])).toBeNull();
    expect(compareColumn([0, 0, 1], [0, 0])?.method).toBe('z');
  });
});
