import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  indicatorFromSets,
  multilabelScores,
  perTagTable,
  rankingMetrics,
  rocAuc,
  tagCoverage,
  type Average,
  type PRF,
  type RankingMetrics,
  type TagCoverage,
} from '../src/core/metrics';
import { REPO } from './helpers/paths';

/** Written by scripts/reference/sklearn_fixtures.py. */
interface MetricsFixture {
  versions: Record<string, string>;
  multilabel: {
    name: string;
    labels: string[];
    yTrue: number[][];
    yPred: number[][];
    trueSets: string[][];
    predSets: string[][];
    sklearn: Record<Average, PRF> & {
      perLabel: { precision: number[]; recall: number[]; f1: number[]; support: number[]; predicted: number[] };
    };
  }[];
  ranking: { name: string; maxK: number; predicted: string[][]; gold: string[][]; expected: RankingMetrics }[];
  coverage: { name: string; vocabulary: string[]; gold: string[][]; predicted: string[][]; expected: TagCoverage }[];
  roc: { name: string; labels: number[]; scores: number[]; auc: number | null; undefined: string | null }[];
}
const fixture = JSON.parse(readFileSync(resolve(REPO, 'tests/fixtures/reference/metrics.json'), 'utf8')) as MetricsFixture;

const REL = 1e-6;
const close = (a: number, b: number): boolean => Math.abs(a - b) <= REL * Math.abs(b) + 1e-12;
const expectClose = (a: number, b: number, what: string): void => {
  expect(close(a, b), `${what}: ${a} vs expected ${b}`).toBe(true);
};

describe('thresholded multilabel metrics match sklearn precision_recall_fscore_support(zero_division=0)', () => {
  it('fixture has the edge cases', () => {
    expect(fixture.multilabel.map((c) => c.name)).toEqual(
      expect.arrayContaining(['absent and unpredicted labels, empty rows', 'all predictions empty']),
    );
  });
  for (const c of fixture.multilabel) {
    it(c.name, () => {
      const fromSets = {
        t: indicatorFromSets(c.trueSets, c.labels),
        p: indicatorFromSets(c.predSets, c.labels),
      };
      expect(fromSets.t.ignored + fromSets.p.ignored).toBe(0);
      for (const avg of ['micro', 'macro', 'samples'] as const) {
        const ref = c.sklearn[avg];
        for (const [rows, form] of [
          [[c.yTrue, c.yPred], 'indicator'],
          [[fromSets.t.rows, fromSets.p.rows], 'sets'],
        ] as const) {
          const got = multilabelScores(rows[0], rows[1], avg);
          for (const m of ['precision', 'recall', 'f1'] as const) expectClose(got[m], ref[m], `${avg} ${m} (${form})`);
        }
      }
      const table = perTagTable(c.yTrue, c.yPred, c.labels);
      const ref = c.sklearn.perLabel;
      expect(table.map((r) => r.tag)).toEqual(c.labels);
      table.forEach((r, j) => {
        expect(r.support).toBe(ref.support[j]);
        expect(r.predicted).toBe(ref.predicted[j]);
        expectClose(r.precision, ref.precision[j], `${r.tag} precision`);
        expectClose(r.recall, ref.recall[j], `${r.tag} recall`);
        expectClose(r.f1, ref.f1[j], `${r.tag} f1`);
      });
    });
  }

  it('ignores (and counts) labels outside the label set', () => {
    const { rows, ignored } = indicatorFromSets([['a', 'zz'], ['b', 'b']], ['a', 'b']);
    expect(rows.map((r) => Array.from(r))).toEqual([[1, 0], [0, 1]]);
    expect(ignored).toBe(1);
  });

  it('refuses malformed input', () => {
    expect(() => multilabelScores([[1, 0]], [], 'micro')).toThrow(/1 rows, yPred 0/);
    expect(() => multilabelScores([[1, 0]], [[1]], 'micro')).toThrow(/row 0 has 2 true \/ 1 predicted columns/);
    expect(() => multilabelScores([[2, 0]], [[1, 0]], 'macro')).toThrow(/must be 0 or 1/);
    expect(() => multilabelScores([[1]], [[1]], 'weighted' as Average)).toThrow(/use 'micro', 'macro' or 'samples'/);
    expect(() => perTagTable([[1, 0]], [[1, 0]], ['a'])).toThrow(/1 labels for 2 indicator columns/);
  });
});

describe('ranking metrics P@k, R@k, F1@k match the numpy reference', () => {
  for (const c of fixture.ranking) {
    it(c.name, () => {
      const got = rankingMetrics(c.predicted, c.gold, c.maxK);
      expect(got.evaluatedPosts).toBe(c.expected.evaluatedPosts);
      expect(got.excludedEmptyGold).toBe(c.expected.excludedEmptyGold);
      expect(got.atK.map((x) => x.k)).toEqual(c.expected.atK.map((x) => x.k));
      got.atK.forEach((x, i) => {
        const ref = c.expected.atK[i];
        expectClose(x.precision, ref.precision, `P@${x.k}`);
        expectClose(x.recall, ref.recall, `R@${x.k}`);
        expectClose(x.f1, ref.f1, `F1@${x.k}`);
      });
    });
  }

  it('random case has empty gold sets, short lists and hits', () => {
    const c = fixture.ranking.find((r) => r.name === 'random')!;
    expect(c.expected.excludedEmptyGold).toBeGreaterThan(0);
    expect(c.predicted.some((p) => p.length < 5)).toBe(true);
    expect(c.expected.atK[4].recall).toBeGreaterThan(0);
  });

  it('refuses malformed input', () => {
    expect(() => rankingMetrics([['a']], [])).toThrow(/1 predicted lists but 0 gold sets/);
    expect(() => rankingMetrics([['a', 'a']], [['a']])).toThrow(/predicted\[0\] repeats a tag/);
    expect(() => rankingMetrics([['a']], [['a']], 0)).toThrow(/maxK = 0/);
  });
});

describe('tag coverage', () => {
  for (const c of fixture.coverage) {
    it(c.name, () => {
      const got = tagCoverage(c.gold, c.predicted, c.vocabulary);
      expect(got.goldAssignments).toBe(c.expected.goldAssignments);
      expect(got.goldAssignmentsInVocabulary).toBe(c.expected.goldAssignmentsInVocabulary);
      expect(got.vocabularyTagsPredicted).toBe(c.expected.vocabularyTagsPredicted);
      expect(got.predictedOutsideVocabulary).toBe(c.expected.predictedOutsideVocabulary);
      expectClose(got.goldAssignmentCoverage, c.expected.goldAssignmentCoverage, 'gold coverage');
      expectClose(got.vocabularyPredictedShare, c.expected.vocabularyPredictedShare, 'vocabulary share');
    });
  }

  it('counts predicted tags outside the vocabulary and is 0 for empty input', () => {
    expect(tagCoverage([['a']], [['a', 'zz']], ['a', 'b']).predictedOutsideVocabulary).toBe(1);
    const empty = tagCoverage([], [], []);
    expect(empty.goldAssignmentCoverage).toBe(0);
    expect(empty.vocabularyPredictedShare).toBe(0);
  });
});

describe('rocAuc matches sklearn roc_auc_score', () => {
  for (const c of fixture.roc) {
    it(c.name, () => {
      if (c.auc === null) {
        expect(c.undefined).toMatch(/one class/i);
        expect(() => rocAuc(c.labels, c.scores)).toThrow(/only one class present/);
      } else {
        expectClose(rocAuc(c.labels, c.scores), c.auc, 'auc');
        expectClose(rocAuc(c.labels.map((l) => l === 1), c.scores), c.auc, 'auc with boolean labels');
      }
    });
  }

  it('refuses malformed input', () => {
    expect(() => rocAuc([0, 1], [0.5])).toThrow(/2 labels but 1 scores/);
    expect(() => rocAuc([0, 2], [0.1, 0.5])).toThrow(/labels\[1\] = 2/);
    expect(() => rocAuc([0, 1], [0.1, Number.NaN])).toThrow(/scores\[1\] = NaN/);
  });
});
