import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse } from 'csv-parse/sync';
import { TfidfVectorizer, type SparseVector, type TfidfConfig } from '../src/core/tfidf';
import { REPO, SHARED_DATA } from './helpers/paths';

/** Written by scripts/reference/sklearn_fixtures.py (scikit-learn TfidfVectorizer). */
interface Rows {
  indices: number[];
  values: number[];
}
interface Setting {
  name: string;
  config: TfidfConfig;
  vocabulary: string[];
  idf: number[];
  fit: Rows[];
  heldOut: Rows[];
  tie?: { tiedTerms: string[]; keptFromTie: number; sklearnOwnVocabulary: string[] };
}
interface TfidfFixture {
  versions: Record<string, string>;
  fitTexts: string[];
  heldOutTexts: string[];
  fitTokens: string[][];
  settings: Setting[];
}
const fixture = JSON.parse(readFileSync(resolve(REPO, 'tests/fixtures/reference/tfidf.json'), 'utf8')) as TfidfFixture;
const setting = (name: string): Setting => fixture.settings.find((s) => s.name === name)!;

const REL = 1e-6;
const close = (a: number, b: number): boolean => Math.abs(a - b) <= REL * Math.abs(b) + 1e-12;

/** Describes the first difference between our rows and sklearn's, or returns null when they agree. */
function rowsDiffer(ours: SparseVector[], ref: Rows[]): string | null {
  if (ours.length !== ref.length) return `${ours.length} rows, expected ${ref.length}`;
  for (let i = 0; i < ref.length; i++) {
    const a = ours[i];
    const b = ref[i];
    if (Array.from(a.indices).join() !== b.indices.join()) return `row ${i}: indices ${Array.from(a.indices)} vs ${b.indices}`;
    for (let j = 0; j < b.values.length; j++) {
      if (!close(a.values[j], b.values[j])) return `row ${i}, term ${b.indices[j]}: ${a.values[j]} vs ${b.values[j]}`;
    }
  }
  return null;
}

function idfDiffers(ours: Float64Array | number[], ref: number[]): string | null {
  if (ours.length !== ref.length) return `${ours.length} idf values, expected ${ref.length}`;
  const j = ref.findIndex((x, i) => !close(ours[i], x));
  return j < 0 ? null : `idf[${j}] = ${ours[j]}, expected ${ref[j]}`;
}

describe('TfidfVectorizer matches scikit-learn', () => {
  it('fixture covers the required settings', () => {
    expect(fixture.fitTexts.length).toBeGreaterThanOrEqual(60);
    expect(fixture.settings.map((s) => s.name)).toEqual(['default', 'plain', 'pruned', 'max_features_tie']);
    expect(fixture.versions['scikit-learn']).toMatch(/^\d+\.\d+/);
  });

  for (const s of fixture.settings) {
    describe(`setting ${s.name}`, () => {
      const v = new TfidfVectorizer(s.config);
      const fitRows = v.fitTransform(fixture.fitTexts);

      it('has the same vocabulary and idf', () => {
        expect(v.vocabulary).toEqual(s.vocabulary);
        expect(idfDiffers(v.idf, s.idf)).toBeNull();
      });
      it('transforms the fitted documents alike', () => {
        expect(rowsDiffer(fitRows, s.fit)).toBeNull();
      });
      it('transforms held-out documents alike (unknown words, empty text)', () => {
        expect(rowsDiffer(v.transform(fixture.heldOutTexts), s.heldOut)).toBeNull();
      });
      it('gives the same result from pre-tokenised documents and from fit + transform', () => {
        const w = new TfidfVectorizer(s.config).fit(fixture.fitTokens);
        expect(w.vocabulary).toEqual(s.vocabulary);
        expect(rowsDiffer(w.transform(fixture.fitTexts), s.fit)).toBeNull();
      });
      it('survives toJSON -> JSON text -> fromJSON unchanged', () => {
        const back = TfidfVectorizer.fromJSON(JSON.parse(JSON.stringify(v)));
        expect(back.vocabulary).toEqual(v.vocabulary);
        expect(back.config).toEqual(v.config);
        expect(back.transform(fixture.heldOutTexts)).toEqual(v.transform(fixture.heldOutTexts));
        expect(rowsDiffer(back.transform(fixture.fitTexts), s.fit)).toBeNull();
      });
    });
  }

  it('breaks max_features ties alphabetically and otherwise keeps what sklearn keeps', () => {
    const s = setting('max_features_tie');
    const tie = s.tie!;
    const v = new TfidfVectorizer(s.config).fit(fixture.fitTexts);
    const ours = new Set(v.vocabulary);
    const tied = new Set(tie.tiedTerms);
    expect(tie.keptFromTie).toBeGreaterThan(0);
    expect(tie.keptFromTie).toBeLessThan(tied.size);
    expect(tie.tiedTerms.filter((t) => ours.has(t))).toEqual(tie.tiedTerms.slice(0, tie.keptFromTie));
    // sklearn's own pick (numpy's unstable argsort) may differ inside the tie group only
    expect(tie.sklearnOwnVocabulary.length).toBe(v.size);
    expect(tie.sklearnOwnVocabulary.filter((t) => !tied.has(t))).toEqual(v.vocabulary.filter((t) => !tied.has(t)));
  });

  it('detects a wrong setting (the comparison is discriminating)', () => {
    const s = setting('default');
    const noSublinear = new TfidfVectorizer({ ...s.config, sublinearTf: false }).fitTransform(fixture.fitTexts);
    expect(rowsDiffer(noSublinear, s.fit)).not.toBeNull();
    const noSmooth = new TfidfVectorizer({ ...s.config, smoothIdf: false }).fit(fixture.fitTexts);
    expect(idfDiffers(noSmooth.idf, s.idf)).not.toBeNull();
    const minDf2 = new TfidfVectorizer({ ...s.config, minDf: 2 }).fit(fixture.fitTexts);
    expect(minDf2.size).toBeLessThan(s.vocabulary.length);
  });
});

describe('TfidfVectorizer state and errors', () => {
  it('serialises a 5,000-term model from real titles well under 1 MB', () => {
    const csv = readFileSync(resolve(SHARED_DATA, 'stackoverflow-sede-2009-2011-titles.csv'), 'utf8');
    const rows = parse(csv, { from_line: 2, relax_column_count: true }) as string[][];
    const titles = rows.map((r) => r[1]);
    expect(titles.length).toBeGreaterThan(20_000);
    const v = new TfidfVectorizer({ maxFeatures: 5000 }).fit(titles);
    expect(v.size).toBe(5000);
    const bytes = new TextEncoder().encode(JSON.stringify(v)).length;
    expect(bytes).toBeLessThan(250_000);
    const back = TfidfVectorizer.fromJSON(JSON.parse(JSON.stringify(v)));
    expect(back.transform(titles.slice(0, 200))).toEqual(v.transform(titles.slice(0, 200)));
  });

  it('rows are unit length with ascending indices', () => {
    const v = new TfidfVectorizer();
    for (const row of v.fitTransform(fixture.fitTexts)) {
      const norm = Math.hypot(...row.values);
      if (row.indices.length > 0) expect(norm).toBeCloseTo(1, 6);
      for (let j = 1; j < row.indices.length; j++) expect(row.indices[j]).toBeGreaterThan(row.indices[j - 1]);
    }
  });

  it('refuses bad configurations, input and states with a clear message', () => {
    expect(() => new TfidfVectorizer({ minDf: 1.5 })).toThrow(/minDf = 1.5 must be a whole document count/);
    expect(() => new TfidfVectorizer({ maxDf: { fraction: 2 } })).toThrow(/maxDf/);
    expect(() => new TfidfVectorizer({ maxFeatures: 0 })).toThrow(/maxFeatures = 0/);
    expect(() => new TfidfVectorizer().transform(['x'])).toThrow(/transform before fit/);
    expect(() => new TfidfVectorizer().fit([])).toThrow(/no documents/);
    expect(() => new TfidfVectorizer().fit(['!!', '?'])).toThrow(/empty vocabulary/);
    expect(() => new TfidfVectorizer({ minDf: 5, maxDf: 2 }).fit(fixture.fitTexts)).toThrow(/maxDf .* is below minDf/);
    expect(() => new TfidfVectorizer({ minDf: 66 }).fit(fixture.fitTexts)).toThrow(/no terms remain/);
    expect(() => new TfidfVectorizer().fit([42 as unknown as string])).toThrow(/document 0 is number/);

    const state = new TfidfVectorizer().fit(fixture.fitTexts).toJSON();
    expect(() => TfidfVectorizer.fromJSON({ ...state, tokenizer: { version: 'old', pattern: '\\w+' } })).toThrow(/re-train/);
    expect(() => TfidfVectorizer.fromJSON({ ...state, idf: state.idf.slice(1) })).toThrow(/as long as the vocabulary/);
    expect(() => TfidfVectorizer.fromJSON({ ...state, vocabulary: [state.vocabulary[0], ...state.vocabulary.slice(0, -1)] })).toThrow(/duplicate/);
    expect(() => TfidfVectorizer.fromJSON({ ...state, config: { norm: 'l2' } })).toThrow(/config lacks/);
    expect(() => TfidfVectorizer.fromJSON(null)).toThrow(/state is null/);
  });
});
