/**
 * Suggester.rank picks the k best tags by partial selection (src/core/suggester.ts): it must return
 * exactly what a full sort (score descending, lower tag index first on ties) minus the excluded
 * tags returns, for any scores, ties included.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Suggester } from '../src/core/suggester';
import { Head } from '../src/core/head';
import type { ModelManifest } from '../src/core/model';

const T = 40;
const tags = Array.from({ length: T }, (_, t) => `tag-${t}`);
const manifest = { vectorizer: 'tfidf', tags, thresholds: tags.map(() => 0.5) } as unknown as ModelManifest;
const head = Head.fromMatrix({ denseDim: 0, sparseDim: 1, denseWeight: 1, sparseWeight: 1 }, T, new Float32Array(T), new Float32Array(T));
const suggester = new Suggester(manifest, head, {} as never, undefined);

function bySort(scores: number[], k: number, exclude: string[]): string[] {
  const ex = new Set(exclude.map((e) => e.toLowerCase()));
  return scores
    .map((s, t) => ({ s, t }))
    .filter(({ t }) => !ex.has(tags[t]))
    .sort((a, b) => b.s - a.s || a.t - b.t)
    .slice(0, k)
    .map(({ t }) => tags[t]);
}

describe('Suggester.rank', () => {
  it('equals a full sort minus the excluded tags, ties included', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(0, 0.1, 0.5, 0.5, 0.9, 1), { minLength: T, maxLength: T }),
        fc.integer({ min: 0, max: 12 }),
        fc.subarray(tags.map((t, i) => (i % 3 ? t : t.toUpperCase()))),
        (scores, k, exclude) => {
          const got = suggester.rank(Float32Array.from(scores), { k, exclude }).map((s) => s.name);
          expect(got).toEqual(bySort(Array.from(Float32Array.from(scores)), k, exclude));
        },
      ),
      { numRuns: 500 },
    );
  });
});
