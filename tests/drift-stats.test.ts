import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  centroid,
  chi2Sf,
  columnDrift,
  cosineDistance,
  datasetDrift,
  erfc,
  fitPca,
  jensenShannon,
  kolmogorovCdf,
  kolmogorovSf,
  ks2samp,
  normalCdf,
  pcaTransform,
  smirnovSf,
  tagCountJensenShannon,
  wassersteinDistance,
  wassersteinNormed,
  type DriftMethod,
} from '../src/drift/stats';
import { REPO } from './helpers/paths';

/** A sample stored inline or as a slice of a stored base sample plus a dyadic shift. */
type SampleSpec = number[] | { base: string; start?: number; end?: number; shift?: number };

/** Written by scripts/reference/drift_fixtures.py. */
interface DriftFixture {
  versions: Record<string, string>;
  bases: Record<string, number[]>;
  kstwo: { n: number; x: number; sf: number; cdf: number }[];
  smirnov: { n: number; x: number; sf: number }[];
  ks2samp: {
    name: string;
    a: SampleSpec;
    b: SampleSpec;
    statistic: number;
    pvalue: number;
    method: 'exact' | 'asymp';
    location: number;
    sign: 1 | -1;
  }[];
  wasserstein: {
    name: string;
    u: SampleSpec;
    v: SampleSpec;
    uWeights?: number[];
    vWeights?: number[];
    distance: number;
    refStd?: number;
    normed?: number;
  }[];
  jensenshannon: { name: string; p: number[]; q: number[]; base2: number; natural: number }[];
  tagCounts: {
    name: string;
    reference: Record<string, number>;
    current: Record<string, number>;
    keys: string[];
    distance: number;
  }[];
  cosine: { name: string; u: number[]; v: number[]; distance: number }[];
  centroid: { rows: number[][]; mean: number[] };
  special: {
    erfc: { x: number; value: number }[];
    normalCdf: { z: number; value: number }[];
    chi2Sf: { stat: number; df: number; value: number }[];
  };
  pca: {
    name: string;
    k: number;
    svdSolver: string;
    fitSolver: string;
    shape: [number, number];
    mean: number[];
    components: number[][];
    explainedVariance: number[];
    explainedVarianceRatio: number[];
    singularValues: number[];
    projections: number[][];
    data?: number[][];
    current?: number[][];
    generator?: { seed: number; rows: number; cols: number; extraRows: number };
  }[];
  columnDrift: {
    name: string;
    reference: SampleSpec;
    current: SampleSpec;
    method: DriftMethod;
    score: number;
    drifted: boolean;
  }[];
  datasetDrift: { flags: boolean[]; nDrifted: number; share: number; drifted: boolean }[];
}

const fixture = JSON.parse(
  readFileSync(resolve(REPO, 'tests/fixtures/reference/drift.json'), 'utf8'),
) as DriftFixture;

function sample(spec: SampleSpec): number[] {
  if (Array.isArray(spec)) return spec;
  const base = fixture.bases[spec.base];
  if (!base) throw new Error(`fixture has no base sample "${spec.base}"`);
  const shift = spec.shift ?? 0;
  return base.slice(spec.start ?? 0, spec.end).map((x) => x + shift);
}

/** |actual - expected| <= abs + rel * |expected|, with a readable failure message. */
function expectClose(actual: number, expected: number, rel: number, abs: number, what: string): void {
  const ok = actual === expected || Math.abs(actual - expected) <= abs + rel * Math.abs(expected);
  if (!ok) {
    throw new Error(
      `${what}: got ${actual}, expected ${expected} (diff ${Math.abs(actual - expected)}, rel ${Math.abs(actual - expected) / Math.abs(expected)})`,
    );
  }
}

/**
 * p-values: 1e-9 relative (the brief asked for ~1e-6; the implementation reaches ~1e-11, so the
 * tighter bound catches regressions). Below 1e-300, where SciPy's own results depend on where its
 * intermediate terms underflow, only "< 1e-300" is required.
 */
function expectPValue(actual: number, expected: number, what: string): void {
  if (expected >= 1e-300) expectClose(actual, expected, 1e-9, 0, what);
  else expect(actual, what).toBeLessThan(1e-300);
}

/** xorshift32 and the exact dyadic matrix of drift_fixtures.py `generated_matrix`. */
function generatedMatrix(seed: number, rows: number, cols: number, extraRows: number): [number[][], number[][]] {
  let s = seed >>> 0;
  const next = (): number => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s;
  };
  const scales = [16, 12, 10, 8, 6, 5, 4, 3];
  const L = scales.length;
  const W: number[][] = [];
  for (let l = 0; l < L; l++) W.push(Array.from({ length: cols }, () => (next() % 16) - 8));
  const all: number[][] = [];
  for (let r = 0; r < rows + extraRows; r++) {
    const z = scales.map((sc) => ((next() % 256) - 128) * sc);
    const row = new Array<number>(cols);
    for (let j = 0; j < cols; j++) {
      let acc = 0;
      for (let l = 0; l < L; l++) acc += z[l] * W[l][j];
      row[j] = acc / 1024 + ((next() % 128) - 64) / 256;
    }
    all.push(row);
  }
  return [all.slice(0, rows), all.slice(rows)];
}

describe('fixture', () => {
  it('was generated with the recorded library versions', () => {
    expect(Object.keys(fixture.versions).sort()).toEqual(['numpy', 'python', 'scipy', 'sklearn']);
    expect(fixture.kstwo.length).toBeGreaterThan(400);
    expect(fixture.ks2samp.length).toBeGreaterThan(25);
  });
});

describe('Kolmogorov distribution (scipy.stats.kstwo, scipy.special.smirnov)', () => {
  it('kolmogorovSf / kolmogorovCdf match kstwo.sf / kstwo.cdf on every branch', () => {
    for (const { n, x, sf, cdf } of fixture.kstwo) {
      expectPValue(kolmogorovSf(n, x), sf, `kstwo.sf(${x}, ${n})`);
      expectClose(kolmogorovCdf(n, x), cdf, 1e-9, 1e-13, `kstwo.cdf(${x}, ${n})`);
    }
  });

  it('smirnovSf matches scipy.special.smirnov', () => {
    for (const { n, x, sf } of fixture.smirnov) expectPValue(smirnovSf(n, x), sf, `smirnov(${n}, ${x})`);
  });

  it('rejects a non-integer n', () => {
    expect(() => kolmogorovSf(2.5, 0.3)).toThrow(/positive integer/);
  });
});

describe('ks2samp = scipy.stats.ks_2samp (two-sided, auto)', () => {
  for (const c of fixture.ks2samp) {
    it(c.name, () => {
      const res = ks2samp(sample(c.a), sample(c.b));
      expectClose(res.statistic, c.statistic, 1e-9, 0, 'statistic');
      expectPValue(res.pvalue, c.pvalue, 'pvalue');
      expect(res.method).toBe(c.method);
      expect(res.location).toBe(c.location);
      expect(res.sign).toBe(c.sign);
    });
  }

  it('rejects empty samples and NaN with a message naming the sample', () => {
    expect(() => ks2samp([], [1])).toThrow(/sample "a" is empty/);
    expect(() => ks2samp([1, 2], [1, Number.NaN])).toThrow(/sample "b".*index 1/);
  });
});

describe('wasserstein = scipy.stats.wasserstein_distance; normed = Evidently', () => {
  for (const c of fixture.wasserstein) {
    it(c.name, () => {
      const u = sample(c.u);
      const v = sample(c.v);
      expectClose(wassersteinDistance(u, v, c.uWeights, c.vWeights), c.distance, 1e-9, 1e-15, 'distance');
      if (c.normed !== undefined) expectClose(wassersteinNormed(u, v), c.normed, 1e-9, 1e-15, 'normed');
    });
  }

  it('rejects mismatched or negative weights', () => {
    expect(() => wassersteinDistance([1, 2], [3], [1], [1])).toThrow(/uWeights has 1 entries/);
    expect(() => wassersteinDistance([1], [3], [-1], [1])).toThrow(/uWeights\[0\] = -1/);
  });
});

describe('jensenShannon = scipy.spatial.distance.jensenshannon', () => {
  for (const c of fixture.jensenshannon) {
    it(c.name, () => {
      expectClose(jensenShannon(c.p, c.q), c.base2, 1e-9, 1e-12, 'base 2 (default)');
      expectClose(jensenShannon(c.p, c.q, Math.E), c.natural, 1e-9, 1e-12, 'natural log');
    });
  }

  for (const c of fixture.tagCounts) {
    it(`tag counts: ${c.name}`, () => {
      const res = tagCountJensenShannon(c.reference, c.current);
      expect(res.keys).toEqual(c.keys);
      expectClose(res.distance, c.distance, 1e-9, 1e-12, 'distance');
      const asMap = tagCountJensenShannon(new Map(Object.entries(c.reference)), new Map(Object.entries(c.current)));
      expect(asMap.distance).toBe(res.distance);
    });
  }

  it('rejects vectors of different length and all-zero vectors', () => {
    expect(() => jensenShannon([1, 2], [1])).toThrow(/align both/);
    expect(() => jensenShannon([0, 0], [1, 1])).toThrow(/sums to 0/);
  });
});

describe('cosine distance and centroid', () => {
  for (const c of fixture.cosine) {
    it(c.name, () => expectClose(cosineDistance(c.u, c.v), c.distance, 1e-9, 1e-12, 'cosine'));
  }

  it('centroid = numpy mean(axis=0)', () => {
    const got = centroid(fixture.centroid.rows);
    fixture.centroid.mean.forEach((m, j) => expectClose(got[j], m, 1e-12, 1e-14, `mean[${j}]`));
  });

  it('rejects the zero vector and ragged rows', () => {
    expect(() => cosineDistance([0, 0], [1, 2])).toThrow(/zero vector/);
    expect(() => centroid([[1, 2], [3]])).toThrow(/row 1 has 1 values, expected 2/);
  });
});

describe('special functions (scipy.special.erfc, norm.cdf, chi2.sf)', () => {
  it('erfc', () => {
    for (const { x, value } of fixture.special.erfc) expectClose(erfc(x), value, 1e-12, 0, `erfc(${x})`);
  });
  it('normal cdf', () => {
    for (const { z, value } of fixture.special.normalCdf) expectClose(normalCdf(z), value, 1e-12, 0, `Phi(${z})`);
  });
  it('chi-square sf for 1-4 degrees of freedom', () => {
    for (const { stat, df, value } of fixture.special.chi2Sf) {
      expectClose(chi2Sf(stat, df), value, 1e-12, 1e-300, `chi2.sf(${stat}, ${df})`);
    }
  });
});

describe('PCA = sklearn.decomposition.PCA', () => {
  for (const c of fixture.pca) {
    it(`${c.name} (sklearn solver ${c.fitSolver})`, () => {
      let X: number[][];
      let current: number[][];
      if (c.data && c.current) {
        X = c.data;
        current = c.current;
      } else if (c.generator) {
        [X, current] = generatedMatrix(c.generator.seed, c.generator.rows, c.generator.cols, c.generator.extraRows);
      } else {
        throw new Error(`fixture PCA case ${c.name} has neither data nor generator`);
      }
      expect([X.length, X[0].length]).toEqual(c.shape);

      const t0 = performance.now();
      const model = fitPca(X, c.k);
      const ms = performance.now() - t0;
      console.log(`fitPca ${c.shape[0]}x${c.shape[1]}, k=${c.k}: ${ms.toFixed(0)} ms`);

      c.mean.forEach((m, j) => expectClose(model.mean[j], m, 1e-10, 1e-12, `mean[${j}]`));
      for (let i = 0; i < c.k; i++) {
        expectClose(model.explainedVariance[i], c.explainedVariance[i], 1e-9, 0, `explained_variance_[${i}]`);
        expectClose(model.explainedVarianceRatio[i], c.explainedVarianceRatio[i], 1e-9, 0, `explained_variance_ratio_[${i}]`);
        expectClose(model.singularValues[i], c.singularValues[i], 1e-9, 0, `singular_values_[${i}]`);
      }
      // Components up to sign (1e-9; the brief asked ~1e-6). Our sign rule is sklearn's svd_flip,
      // so the signs must agree as well.
      const signs = c.components.map((ref, i) => {
        const dot = ref.reduce((s, v, j) => s + v * model.components[i][j], 0);
        expect(Math.abs(Math.abs(dot) - 1), `|<component ${i}, sklearn>| = 1`).toBeLessThan(1e-9);
        ref.forEach((v, j) => expectClose(Math.sign(dot) * model.components[i][j], v, 0, 1e-9, `components_[${i}][${j}]`));
        return Math.sign(dot);
      });
      expect(signs.every((s) => s === 1)).toBe(true);

      const proj = pcaTransform(model, current);
      c.projections.forEach((row, r) =>
        row.forEach((v, i) => expectClose(signs[i] * proj[r][i], v, 1e-9, 1e-9, `projection[${r}][${i}]`)),
      );
    });
  }

  it('rejects bad shapes and component counts', () => {
    expect(() => fitPca([[1, 2]], 1)).toThrow(/at least 2 rows/);
    expect(() => fitPca([[1, 2], [3, 4]], 3)).toThrow(/1\.\.2/);
    expect(() => fitPca([[1, 2], [3]], 1)).toThrow(/row 1 has 1 values/);
  });
});

describe('Evidently-style drift decisions', () => {
  for (const c of fixture.columnDrift) {
    it(c.name, () => {
      const res = columnDrift(sample(c.reference), sample(c.current));
      expect(res.method).toBe(c.method);
      if (c.method === 'ks' || c.method === 'chisquare' || c.method === 'z') expectPValue(res.score, c.score, 'p-value');
      else expectClose(res.score, c.score, 1e-9, 1e-15, 'distance');
      expect(res.drifted).toBe(c.drifted);
    });
  }

  it('datasetDrift: drift when >= 50 % of columns drift', () => {
    for (const c of fixture.datasetDrift) {
      const res = datasetDrift(c.flags);
      expect([res.nDrifted, res.share, res.drifted]).toEqual([c.nDrifted, c.share, c.drifted]);
    }
  });
});
