/**
 * The v2 head's learners checked against scikit-learn, and the head they make:
 * - src/learn/svc.ts (dual coordinate descent) vs LinearSVC(loss='squared_hinge', dual=True);
 * - src/learn/ridge.ts vs Ridge(fit_intercept=True);
 * - src/learn/calibrate.ts vs LogisticRegression on the one feature z (unpenalised);
 * - src/pipeline/svc-threads.ts: the same weights, bit for bit, on 1 and 2 threads;
 * - src/pipeline/head-svc.ts: the folded head scores sigmoid(a (svc + beta ridge) + c).
 * Reference: tests/fixtures/reference/svc_ridge.json, made by scripts/reference/svc_ridge_fixture.py.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { blockScale, buildRow } from '../src/core/suggester';
import { Head, sigmoid } from '../src/core/head';
import { buildDesign } from '../src/learn/logreg/design';
import { positivesByTag, rowSquaredNorms, trainSvcTag } from '../src/learn/svc';
import { trainRidge } from '../src/learn/ridge';
import { fitPlatt } from '../src/learn/calibrate';
import { trainSvcThreads } from '../src/pipeline/svc-threads';
import { trainSvcHead } from '../src/pipeline/head-svc';
import { REPO } from './helpers/paths';

interface Fixture {
  sparse: [number[], number[]][];
  sparseDim: number;
  dense: number[][];
  labels: number[][];
  svc: { C: number; coef: number[][]; intercept: number[]; decision: number[][] }[];
  ridge: { alpha: number; coef: number[][]; intercept: number[] }[];
  platt: { a: number; c: number };
}
const fx = JSON.parse(readFileSync(resolve(REPO, 'tests/fixtures/reference/svc_ridge.json'), 'utf8')) as Fixture;
const T = fx.svc[0].coef.length;
const sparseRows = fx.sparse.map(([c, v]) => ({ indices: Int32Array.from(c), values: Float32Array.from(v) }));
const denseRows = fx.dense.map((d) => Float32Array.from(d));
const X = buildDesign(sparseRows.map((sparse) => ({ sparse })), { denseDim: 0, sparseDim: fx.sparseDim, denseWeight: 1, sparseWeight: 1 });
const positives = positivesByTag(fx.labels, T);

const maxAbs = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
};

describe('linear SVM (dual coordinate descent) vs scikit-learn LinearSVC', () => {
  const norms = rowSquaredNorms(X);
  for (const c of fx.svc) {
    it(`C=${c.C}: the same weights and intercepts, every tag`, () => {
      for (let t = 0; t < T; t++) {
        const r = trainSvcTag(X, norms, positives[t], { C: c.C, tol: 1e-8, maxIter: 100000 });
        expect(r.converged).toBe(true);
        // Column 0 is the intercept (a weight on a constant 1, as LIBLINEAR's bias term).
        expect(Math.abs(r.w[0] - c.intercept[t])).toBeLessThan(1e-4);
        expect(maxAbs(r.w.subarray(1), c.coef[t])).toBeLessThan(1e-4);
      }
    });
  }

  it('stops early with the default (LIBLINEAR) tolerance and still ranks like the optimum', () => {
    const r = trainSvcTag(X, rowSquaredNorms(X), positives[0], { C: 0.5 });
    const ref = fx.svc[0];
    expect(r.converged).toBe(true);
    expect(maxAbs(r.w.subarray(1), ref.coef[0])).toBeLessThan(0.05);
  });

  it('gives the same weights, bit for bit, on one and on two threads', async () => {
    const run = async (threads: number) => {
      const out: Float32Array[] = [];
      await trainSvcThreads(X, positives, { C: 0.5, threads, onTag: (t, w) => (out[t] = w) });
      return out;
    };
    const [one, two] = [await run(1), await run(2)];
    expect(one).toHaveLength(T);
    for (let t = 0; t < T; t++) expect(Array.from(two[t])).toEqual(Array.from(one[t]));
  });

  it('refuses a label outside the vocabulary and a bad C, naming them', () => {
    expect(() => positivesByTag([[0], [T]], T)).toThrow(`label ${T} of row 1 is outside [0, ${T})`);
    expect(() => trainSvcTag(X, rowSquaredNorms(X), positives[0], { C: 0 })).toThrow(/C must be a finite number > 0/);
  });
});

describe('ridge vs scikit-learn Ridge', () => {
  for (const r of fx.ridge) {
    it(`alpha=${r.alpha}: the same coefficients and intercepts`, () => {
      const got = trainRidge(denseRows, fx.labels, T, r.alpha);
      const d = denseRows[0].length;
      for (let t = 0; t < T; t++) {
        expect(maxAbs(Array.from({ length: d }, (_, j) => got.W[j * T + t]), r.coef[t])).toBeLessThan(1e-5);
        expect(Math.abs(got.bias[t] - r.intercept[t])).toBeLessThan(1e-5);
      }
    });
  }
});

describe('Platt scaling vs scikit-learn LogisticRegression on the margin', () => {
  it('finds the same slope and offset', () => {
    const z = fx.labels.map((_, i) => Float64Array.from(fx.svc[0].decision, (col) => col[i]));
    const p = fitPlatt(z, fx.labels);
    expect(Math.abs(p.a - fx.platt.a)).toBeLessThan(1e-5);
    expect(Math.abs(p.c - fx.platt.c)).toBeLessThan(1e-5);
  });
});

describe('the SVM + ridge head (trainSvcHead)', () => {
  it('folds beta and Platt into one linear head: scores = sigmoid(a (svc + ridge bias + beta x·W) + c)', async () => {
    const n = fx.labels.length;
    const nTrain = 300;
    const tags = Array.from({ length: T }, (_, t) => `tag${t}`);
    const r = await trainSvcHead(
      {
        dense: denseRows,
        sparse: sparseRows,
        labels: fx.labels,
        validationGold: fx.labels.slice(nTrain).map((ls) => ls.map((t) => tags[t])),
        nTrain,
        nValidation: n - nTrain,
        numTags: T,
        denseDim: denseRows[0].length,
        sparseDim: fx.sparseDim,
      },
      { C: 0.5, alpha: 1, keep: 0, betaGrid: [0.5, 1, 2], threads: 1, tags },
    );
    expect([0.5, 1, 2]).toContain(r.beta);
    expect(r.betaSearch).toHaveLength(3);
    // Recompute one row by hand from the separately trained parts.
    const Xtr = buildDesign(sparseRows.slice(0, nTrain).map((sparse) => ({ sparse })), { denseDim: 0, sparseDim: fx.sparseDim, denseWeight: 1, sparseWeight: 1 });
    const ridge = trainRidge(denseRows.slice(0, nTrain), fx.labels.slice(0, nTrain), T, 1);
    const norms = rowSquaredNorms(Xtr);
    const pos = positivesByTag(fx.labels.slice(0, nTrain), T);
    const i = 350;
    const scores = r.head.scores({ dense: denseRows[i], sparse: sparseRows[i] });
    for (let t = 0; t < T; t++) {
      const w = trainSvcTag(Xtr, norms, pos[t], { C: 0.5, seed: 1 }).w;
      let svc = w[0];
      sparseRows[i].indices.forEach((c, k) => (svc += w[1 + c] * sparseRows[i].values[k]));
      let rd = 0;
      denseRows[i].forEach((x, j) => (rd += x * ridge.W[j * T + t]));
      expect(scores[t]).toBeCloseTo(sigmoid(r.platt.a * (svc + ridge.bias[t] + r.beta * rd) + r.platt.c), 5);
    }
    expect(r.blockWeights).toEqual([r.beta, 1]);
    expect(r.bodyBlockWeights).toBeUndefined(); // no validationHasBody: one beta
  });

  it('chooses one beta for titles alone and one for questions with a body, each the best of its own validation rows', async () => {
    const n = fx.labels.length;
    const nTrain = 300;
    const tags = Array.from({ length: T }, (_, t) => `tag${t}`);
    const withBody = Array.from({ length: n - nTrain }, (_, r) => r % 3 !== 0);
    const grid = [0.25, 0.5, 1, 2, 4];
    const r = await trainSvcHead(
      {
        dense: denseRows,
        sparse: sparseRows,
        labels: fx.labels,
        validationGold: fx.labels.slice(nTrain).map((ls) => ls.map((t) => tags[t])),
        validationHasBody: withBody,
        nTrain,
        nValidation: n - nTrain,
        numTags: T,
        denseDim: denseRows[0].length,
        sparseDim: fx.sparseDim,
      },
      { C: 0.5, alpha: 1, keep: 0, betaGrid: [0, ...grid], threads: 1, tags }, // 0 is no block weight: left out
    );
    expect(r.betaSearch.map((b) => `${b.group} ${b.beta} ${b.n}`)).toEqual([
      ...grid.map((b) => `title ${b} ${withBody.filter((x) => !x).length}`),
      ...grid.map((b) => `body ${b} ${withBody.filter(Boolean).length}`),
    ]);
    const best = (g: string) => r.betaSearch.filter((b) => b.group === g).reduce((a, b) => (b.p1 + b.r5 > a.p1 + a.r5 + 1e-12 ? b : a)).beta;
    expect(r.beta).toBe(best('title'));
    expect(r.betaBody).toBe(best('body'));
    expect(r.blockWeights).toEqual([r.beta, 1]);
    expect(r.bodyBlockWeights).toEqual(r.betaBody === r.beta ? undefined : [r.betaBody, 1]);
    // A question with a body, scored as the Suggester scores it, uses betaBody.
    const ridge = trainRidge(denseRows.slice(0, nTrain), fx.labels.slice(0, nTrain), T, 1);
    const i = 360;
    const scale = blockScale({ blockWeights: r.blockWeights, bodyBlockWeights: r.bodyBlockWeights }, 'a title\na body');
    const withB = r.head.logits(buildRow(denseRows[i], sparseRows[i], scale));
    const plain = r.head.logits(buildRow(denseRows[i], sparseRows[i]));
    for (let t = 0; t < T; t++) {
      let rd = 0;
      denseRows[i].forEach((x, j) => (rd += x * ridge.W[j * T + t]));
      expect(withB[t] - plain[t]).toBeCloseTo(r.platt.a * (r.betaBody - r.beta) * rd, 4);
    }
    await expect(trainSvcHead({ dense: denseRows, sparse: sparseRows, labels: fx.labels, validationGold: [], nTrain, nValidation: n - nTrain, numTags: T, denseDim: denseRows[0].length, sparseDim: fx.sparseDim }, { C: 0.5, alpha: 1, keep: 5, betaGrid: [0], threads: 1, tags })).rejects.toThrow(/betaGrid \[0\] has no positive weight/);
  });

  it.each(['tfidf', 'embeddings'] as const)('trains a %s-only head (the other block absent)', async (only) => {
    const tags = Array.from({ length: T }, (_, t) => `t${t}`);
    const r = await trainSvcHead(
      {
        dense: only === 'embeddings' ? denseRows : undefined,
        sparse: only === 'tfidf' ? sparseRows : undefined,
        labels: fx.labels,
        validationGold: fx.labels.slice(300).map((ls) => ls.map((t) => tags[t])),
        nTrain: 300,
        nValidation: 100,
        numTags: T,
        denseDim: only === 'embeddings' ? denseRows[0].length : 0,
        sparseDim: only === 'tfidf' ? fx.sparseDim : 0,
      },
      { C: 0.5, alpha: 1, keep: 0, betaGrid: [0.5, 1], threads: 1, tags },
    );
    const row = only === 'tfidf' ? { sparse: sparseRows[350] } : { dense: denseRows[350] };
    const s = r.head.scores(row);
    expect(s.every((x) => x > 0 && x < 1)).toBe(true);
    expect(r.betaSearch).toHaveLength(1); // nothing to weigh against
    expect(r.keptWeights).toBe(only === 'tfidf' ? r.head.sparseNnz : 0);
  });

  it('keeps only the `keep` largest TF-IDF weights per tag, and the head round-trips in f16 and int8', async () => {
    const base = {
      dense: denseRows,
      sparse: sparseRows,
      labels: fx.labels,
      validationGold: fx.labels.slice(300).map((ls) => ls.map((t) => `t${t}`)),
      nTrain: 300,
      nValidation: 100,
      numTags: T,
      denseDim: denseRows[0].length,
      sparseDim: fx.sparseDim,
    };
    const tags = Array.from({ length: T }, (_, t) => `t${t}`);
    const r = await trainSvcHead(base, { C: 0.5, alpha: 1, keep: 5, betaGrid: [1], threads: 1, tags });
    expect(r.keptWeights).toBe(5 * T);
    const perTag = new Array(T).fill(0);
    r.head.sparse.tags.forEach((t) => perTag[t]++);
    expect(perTag).toEqual(new Array(T).fill(5));
    for (const [enc, tol] of [['f32', 0], ['f16', 1e-3], ['int8', 5e-2]] as const) {
      const back = Head.deserialize(r.head.serialize(enc));
      expect(back.sparseNnz).toBe(r.head.sparseNnz);
      let worst = 0;
      for (let i = 0; i < 50; i++) worst = Math.max(worst, maxAbs(back.scores({ dense: denseRows[i], sparse: sparseRows[i] }), r.head.scores({ dense: denseRows[i], sparse: sparseRows[i] })));
      expect(worst).toBeLessThanOrEqual(tol);
    }
  });
});
