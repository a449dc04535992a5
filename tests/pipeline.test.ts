import { describe, expect, it } from 'vitest';
import { mkdtempSync, statSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assignPart, splitQuestions } from '../src/pipeline/split';
import { buildVocabulary, labelIndices } from '../src/learn/vocab';
import { tuneThresholds } from '../src/learn/thresholds';
import { EmbeddingCache, embedWithCache } from '../src/pipeline/embed-cache';
import { evaluateScores, topK } from '../src/learn/evaluation';
import { sample } from '../src/pipeline/train';
import type { Question } from '../src/core/types';

const q = (id: number, source = 'a.csv', tags: string[] = ['x']): Question => ({
  id: String(id),
  site: 'stackoverflow.com',
  title: `t${id}`,
  body: '',
  bodyFormat: 'html',
  tags,
  created: '2020-01-01T00:00:00.000Z',
  source,
});

describe('split', () => {
  const qs = Array.from({ length: 10000 }, (_, i) => q(i, i % 3 ? 'a.csv' : 'b.xml'));

  it('is deterministic for a seed, independent of input order, with the asked proportions', () => {
    const a = splitQuestions(qs, 42);
    const b = splitQuestions([...qs].reverse(), 42);
    expect(new Set(a.test.map((x) => x.id))).toEqual(new Set(b.test.map((x) => x.id)));
    expect(a.train.length / qs.length).toBeCloseTo(0.8, 1);
    expect(a.validation.length / qs.length).toBeCloseTo(0.1, 1);
    expect(a.counts['a.csv'].train + a.counts['b.xml'].train).toBe(a.train.length);
    const c = splitQuestions(qs, 43);
    expect(new Set(c.test.map((x) => x.id))).not.toEqual(new Set(a.test.map((x) => x.id)));
  });

  it('never moves a question between parts when data is added', () => {
    const before = qs.slice(0, 5000).map((x) => assignPart(7, x));
    const after = splitQuestions(qs, 7);
    const part = new Map<string, string>();
    for (const p of ['train', 'validation', 'test'] as const) for (const x of after[p]) part.set(x.id, p);
    expect(qs.slice(0, 5000).map((x) => part.get(x.id))).toEqual(before);
  });

  it('rejects ratios that do not add up to 1', () => {
    expect(() => splitQuestions(qs, 1, { train: 0.8, validation: 0.3, test: 0.1 })).toThrow(/add up to 1/);
  });

  it('samples a deterministic subset across sources', () => {
    const s1 = sample(qs, 100, 1);
    expect(s1).toHaveLength(100);
    expect(sample(qs, 100, 1)).toEqual(s1);
    expect(new Set(s1.map((x) => x.source)).size).toBe(2);
  });
});

describe('vocabulary', () => {
  it('keeps the top-N tags (ties by name) and reports coverage', () => {
    const v = buildVocabulary([['a', 'b'], ['a', 'c'], ['a', 'b'], ['d']], 2);
    expect(v.tags).toEqual(['a', 'b']);
    expect(v.counts).toEqual([3, 2]);
    expect(v.coverage.assignments).toBeCloseTo(5 / 7);
    expect(v.coverage.questions).toBeCloseTo(3 / 4);
    expect(v.coverage.distinctTags).toBe(4);
    expect(buildVocabulary([['z'], ['y']], 1).tags).toEqual(['y']);
    expect(() => buildVocabulary([], 0)).toThrow(/positive integer/);
  });

  it('maps tags to sorted unique label indices', () => {
    expect(labelIndices(['c', 'a', 'zz', 'a'], new Map([['a', 0], ['c', 2]]))).toEqual([0, 2]);
  });
});

describe('thresholds', () => {
  it('finds the threshold that separates a tag best, and a global one for rare tags', () => {
    // tag 0: positives score 0.6+, negatives 0.3-; tag 1: 2 positives only (too few for its own)
    const scores: number[][] = [];
    const labels: number[][] = [];
    for (let i = 0; i < 100; i++) {
      const pos = i % 2 === 0;
      scores.push([pos ? 0.62 + (i % 7) / 100 : 0.3 - (i % 5) / 100, i < 2 ? 0.9 : 0.1]);
      labels.push([...(pos ? [0] : []), ...(i < 2 ? [1] : [])]);
    }
    const r = tuneThresholds(scores, labels, 2, { minPositives: 8 });
    expect(r.thresholds[0]).toBeGreaterThan(0.3);
    expect(r.thresholds[0]).toBeLessThanOrEqual(0.62);
    expect(r.thresholds[1]).toBe(r.global);
    expect(r.perTag).toBe(1);
  });
});

describe('evaluation', () => {
  it('ranks with topK and computes metrics over all gold tags', () => {
    expect(topK([0.1, 0.9, 0.5, 0.9], 3)).toEqual([1, 3, 2]);
    const e = evaluateScores(
      [
        [0.9, 0.2, 0.1],
        [0.1, 0.8, 0.7],
      ],
      [['a', 'out-of-vocab'], ['b']],
      ['a', 'b', 'c'],
      [0.5, 0.5, 0.5],
    );
    expect(e.n).toBe(2);
    expect(e.p_at_k[0]).toBe(1);
    expect(e.r_at_k[0]).toBe(1);
    // post 1: hits 1 of min(2,2) at k=2; post 2: 1 of min(2,1)
    expect(e.r_at_k[1]).toBeCloseTo((0.5 + 1) / 2);
    expect(e.coverage).toBeCloseTo(2 / 3);
    // thresholded: post 1 predicts a (tp); post 2 predicts b (tp) and c (fp)
    expect(e.micro_precision).toBeCloseTo(2 / 3);
    expect(e.micro_recall).toBeCloseTo(1);
    expect(e.abstain_rate).toBe(0);
    expect(e.abstain_rate_in_vocabulary).toBe(0);
  });

  it('counts abstentions overall and among questions that have a vocabulary tag', () => {
    // q1: gold a (in vocab), nothing above threshold -> abstains; q2: gold x only (out of vocab),
    // abstains; q3: gold b, predicts b.
    const e = evaluateScores(
      [
        [0.1, 0.2],
        [0.1, 0.1],
        [0.1, 0.9],
      ],
      [['a'], ['x'], ['b']],
      ['a', 'b'],
      [0.5, 0.5],
    );
    expect(e.abstain_rate).toBeCloseTo(2 / 3);
    expect(e.abstain_rate_in_vocabulary).toBeCloseTo(1 / 2);
  });
});

describe('embedding cache', () => {
  it('embeds each distinct text once, survives a reopen and ignores a torn record', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tagsmith-cache-'));
    let calls = 0;
    const embed = async (texts: string[]) => {
      calls += texts.length;
      return texts.map((t) => Float32Array.from([t.length, 1, 2]));
    };
    const cache = new EmbeddingCache(dir, 'enc/x', 3);
    const v = await embedWithCache(['aa', 'b', 'aa'], cache, embed, { batchSize: 1 });
    expect(calls).toBe(2);
    expect(Array.from(v[0])).toEqual([2, 1, 2]);
    expect(Array.from(v[2])).toEqual([2, 1, 2]);
    cache.close();
    const file = join(dir, 'enc_x', 'vectors.bin');
    const size = statSync(file).size;
    expect(size).toBe(2 * (32 + 12));
    appendFileSync(file, Buffer.alloc(10)); // a crash in the middle of a write
    const again = new EmbeddingCache(dir, 'enc/x', 3);
    expect(again.size).toBe(2);
    await embedWithCache(['aa', 'b', 'ccc'], again, embed);
    expect(calls).toBe(3);
    again.close();
    expect(statSync(file).size).toBe(3 * (32 + 12));
    expect(() => new EmbeddingCache(dir, 'enc/x', 3).put('z', new Float32Array(4))).toThrow(/expected 3/);
  });
});
