/**
 * The one-vs-rest logistic-regression trainer (src/learn/logreg/index.ts) and head
 * (src/core/head.ts), checked against scikit-learn.
 * Reference: tests/fixtures/reference/logreg.json, made by scripts/reference/logreg_fixture.py.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  Head,
  QUANT_TOLERANCE,
  float16BitsToFloat32,
  float32ToFloat16Bits,
  maxScoreDrift,
  type FeatureLayout,
  type FeatureRow,
} from '../src/core/head';
import { trainOneVsRest, type TrainOptions } from '../src/learn/logreg';
import { REPO } from './helpers/paths';

interface Case {
  name: string;
  C: number;
  classWeight: 'balanced' | null;
  layout: FeatureLayout;
  coef: number[][];
  intercept: number[];
  proba: number[][];
  objective: number[];
}
interface Fixture {
  versions: Record<string, string>;
  n: number;
  numTags: number;
  dense: number[][];
  sparse: { indices: number[]; values: number[] }[];
  labels: number[][];
  cases: Case[];
  float16: { value: number; bits: number }[];
}

const fx = JSON.parse(readFileSync(resolve(REPO, 'tests/fixtures/reference/logreg.json'), 'utf8')) as Fixture;
const T = fx.numTags;

/** The fixture's rows as the trainer sees them, restricted to the blocks the case's layout has. */
function rowsFor(layout: FeatureLayout): FeatureRow[] {
  return fx.dense.map((d, i) => {
    const r: FeatureRow = {};
    if (layout.denseDim > 0) r.dense = Float32Array.from(d);
    if (layout.sparseDim > 0) r.sparse = { indices: Int32Array.from(fx.sparse[i].indices), values: Float32Array.from(fx.sparse[i].values) };
    return r;
  });
}

/** Tight settings, like the fixture's sklearn tol=1e-10 fits. */
const TIGHT: TrainOptions = { tol: 1e-8, ftol: 0, maxEpochs: 500 };

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

const hybrid = fx.cases.find((c) => c.name === 'hybrid')!;

describe(`trainOneVsRest vs scikit-learn ${fx.versions.sklearn}`, () => {
  it.each(fx.cases.map((c) => [c.name, c] as const))('%s: same coefficients, intercepts, probabilities and objective', (_, c) => {
    const rows = rowsFor(c.layout);
    const res = trainOneVsRest(rows, fx.labels, T, c.layout, { ...TIGHT, C: c.C, classWeight: c.classWeight });
    expect(res.converged).toBe(true);
    expect(res.tagStatus.every((s) => s === 'gradient')).toBe(true);
    const { head } = res;
    expect(head.dim).toBe(c.layout.denseDim + c.layout.sparseDim);
    for (let t = 0; t < T; t++) {
      const w = Array.from({ length: head.dim }, (_, j) => head.weights[j * T + t]);
      expect(maxAbsDiff(w, c.coef[t])).toBeLessThan(1e-4);
      expect(Math.abs(head.bias[t] - c.intercept[t])).toBeLessThan(1e-4);
      // Same optimum: our objective is not above sklearn's (beyond rounding).
      expect(res.tagLoss[t]).toBeLessThan(c.objective[t] + 1e-10);
      expect(res.tagLoss[t]).toBeGreaterThan(c.objective[t] - 1e-8);
    }
    let maxP = 0;
    rows.forEach((r, i) => (maxP = Math.max(maxP, maxAbsDiff(head.scores(r), c.proba[i]))));
    expect(maxP).toBeLessThan(1e-5);
  });

  it('with the default tolerance lands within 1e-4 of sklearn\'s probabilities', () => {
    const rows = rowsFor(hybrid.layout);
    const res = trainOneVsRest(rows, fx.labels, T, hybrid.layout, { C: hybrid.C });
    expect(res.converged).toBe(true);
    let maxP = 0;
    rows.forEach((r, i) => (maxP = Math.max(maxP, maxAbsDiff(res.head.scores(r), hybrid.proba[i]))));
    expect(maxP).toBeLessThan(1e-4);
  });

  it('a numeric dim infers the dense block from the rows', () => {
    const res = trainOneVsRest(rowsFor(hybrid.layout), fx.labels, T, 60, { ...TIGHT, C: hybrid.C });
    expect(res.head.layout).toEqual({ denseDim: 20, sparseDim: 40, denseWeight: 1, sparseWeight: 1 });
    expect(maxAbsDiff(res.head.bias, hybrid.intercept)).toBeLessThan(1e-4);
  });
});

describe('trainOneVsRest: determinism and convergence reporting', () => {
  it('gives identical results for the same seed, twice', () => {
    const c = fx.cases.find((x) => x.name === 'hybrid_balanced')!;
    const run = () => trainOneVsRest(rowsFor(c.layout), fx.labels, T, c.layout, { C: c.C, classWeight: c.classWeight });
    const a = run();
    const b = run();
    expect(Array.from(a.head.weights)).toEqual(Array.from(b.head.weights));
    expect(Array.from(a.head.bias)).toEqual(Array.from(b.head.bias));
    expect(a.history).toEqual(b.history);
    expect(a.epochs).toBe(b.epochs);
  });

  it('reports every epoch, a non-increasing loss, and converged=true', () => {
    const seen: { epoch: number; loss: number; active: number }[] = [];
    const res = trainOneVsRest(rowsFor(hybrid.layout), fx.labels, T, hybrid.layout, {
      ...TIGHT,
      C: hybrid.C,
      onProgress: (epoch, loss, info) => seen.push({ epoch, loss, active: info.activeTags }),
    });
    expect(res.converged).toBe(true);
    expect(res.epochs).toBeGreaterThan(3);
    expect(res.epochs).toBeLessThan(TIGHT.maxEpochs!);
    expect(seen.map((s) => s.epoch)).toEqual(Array.from({ length: res.epochs + 1 }, (_, e) => e));
    expect(res.history).toEqual(seen.map(({ epoch, loss }) => ({ epoch, loss })));
    for (let e = 1; e < res.history.length; e++) expect(res.history[e].loss).toBeLessThanOrEqual(res.history[e - 1].loss);
    expect(res.history.at(-1)!.loss).toBeLessThan(res.history[0].loss);
    // the reported loss is the mean of sklearn's per-tag objectives at the optimum
    const skMean = hybrid.objective.reduce((s, v) => s + v, 0) / T;
    expect(Math.abs(res.history.at(-1)!.loss - skMean)).toBeLessThan(1e-9);
    expect(seen.at(-1)!.active).toBe(0);
  });

  it('stops at maxEpochs and says it did not converge', () => {
    const res = trainOneVsRest(rowsFor(hybrid.layout), fx.labels, T, hybrid.layout, { ...TIGHT, maxEpochs: 2 });
    expect(res.epochs).toBe(2);
    expect(res.converged).toBe(false);
    expect(res.tagStatus).toContain('maxEpochs');
    expect(res.history).toHaveLength(3);
  });

  it('gives a tag without positives a constant near-zero score', () => {
    const rows = rowsFor(hybrid.layout);
    const res = trainOneVsRest(rows, fx.labels, T + 1, hybrid.layout, TIGHT);
    expect(res.tagStatus[T]).toBe('constant');
    expect(res.converged).toBe(true);
    expect(res.head.scores(rows[0])[T]).toBeLessThan(1e-12);
    // the other tags are unaffected
    expect(maxAbsDiff(res.head.bias.subarray(0, T), hybrid.intercept)).toBeLessThan(1e-4);
  });
});

describe('trainOneVsRest: bad input is refused with a clear message', () => {
  const rows = rowsFor(hybrid.layout);
  const L = hybrid.layout;
  it.each([
    ['label out of range', () => trainOneVsRest(rows, fx.labels.map((l, i) => (i === 3 ? [T] : l)), T, L), /labels\[3\] contains 5/],
    ['rows/labels mismatch', () => trainOneVsRest(rows, fx.labels.slice(1), T, L), /600 rows but 599 label lists/],
    ['dense length', () => trainOneVsRest([{ ...rows[0], dense: new Float32Array(3) }, ...rows.slice(1)], fx.labels, T, L), /rows\[0\]: dense length 3/],
    [
      'unsorted sparse',
      () => trainOneVsRest([{ ...rows[0], sparse: { indices: Int32Array.of(5, 2), values: Float32Array.of(1, 1) } }, ...rows.slice(1)], fx.labels, T, L),
      /rows\[0\]: sparse index 2 at position 1 is not strictly increasing/,
    ],
    ['NaN feature', () => trainOneVsRest([{ ...rows[0], dense: new Float32Array(20).fill(NaN) }, ...rows.slice(1)], fx.labels, T, L), /dense\[0\] is NaN/],
    ['bad C', () => trainOneVsRest(rows, fx.labels, T, L, { C: 0 }), /C must be a finite number > 0/],
  ])('%s', (_, f, msg) => {
    expect(f).toThrow(msg);
  });
});

describe('Head serialisation', () => {
  const rows = rowsFor(hybrid.layout);
  const trained = trainOneVsRest(rows, fx.labels, T, hybrid.layout, { ...TIGHT, C: hybrid.C, tags: ['a', 'b', 'c', 'd', 'e'] }).head;

  it('f32 round-trips exactly, with layout, tag names and metadata', () => {
    const bytes = trained.serialize('f32');
    const back = Head.deserialize(bytes);
    expect(back.layout).toEqual(trained.layout);
    expect(back.tags).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(back.meta).toEqual(trained.meta);
    expect(Array.from(back.weights)).toEqual(Array.from(trained.weights));
    expect(Array.from(back.bias)).toEqual(Array.from(trained.bias));
    expect(Array.from(back.scores(rows[0]))).toEqual(Array.from(trained.scores(rows[0])));
    // also from an unaligned copy (e.g. a slice of a bigger buffer)
    const shifted = new Uint8Array(bytes.length + 1);
    shifted.set(bytes, 1);
    expect(Array.from(Head.deserialize(shifted.subarray(1)).weights)).toEqual(Array.from(trained.weights));
  });

  it.each(['f16', 'int8'] as const)('%s keeps scores within its documented tolerance', (enc) => {
    const bytes = trained.serialize(enc);
    const f32Bytes = trained.serialize('f32').length;
    // The sparse block also stores a uint16 tag id per weight and a uint32 offset per feature
    // (format 2), which quantisation does not shrink: hence 0.65 rather than 0.5 for int8.
    expect(bytes.length).toBeLessThan(f32Bytes * (enc === 'f16' ? 0.75 : 0.65));
    const back = Head.deserialize(bytes);
    let maxErr = 0;
    for (const r of rows) maxErr = Math.max(maxErr, maxAbsDiff(back.scores(r), trained.scores(r)));
    expect(maxErr).toBeGreaterThan(0); // it really is quantised
    expect(maxErr).toBeLessThan(QUANT_TOLERANCE[enc]);
    if (enc === 'f16') expect(maxErr).toBeLessThan(1e-3);
    expect(maxScoreDrift(trained, enc, rows)).toBe(maxErr);
  });

  it('still reads format 1 (the full matrix, as the 200-tag model shipped it) into the same head', () => {
    // Format 1 written by hand: magic, header length, JSON header, pad to 8, bias f32[T], weights f32[dim*T].
    const header = new TextEncoder().encode(JSON.stringify({ format: 'tagsmith-head', version: 1, numTags: T, layout: trained.layout, encoding: 'f32', tags: trained.tags }));
    const start = (8 + header.length + 7) & ~7;
    const W = trained.weights;
    const buf = new DataView(new ArrayBuffer(start + 4 * T + 4 * W.length));
    buf.setUint32(0, 0x44485354, true);
    buf.setUint32(4, header.length, true);
    new Uint8Array(buf.buffer, 8).set(header);
    trained.bias.forEach((b, t) => buf.setFloat32(start + 4 * t, b, true));
    W.forEach((w, i) => buf.setFloat32(start + 4 * T + 4 * i, w, true));
    const back = Head.deserialize(new Uint8Array(buf.buffer));
    expect(Array.from(back.weights)).toEqual(Array.from(W));
    for (const r of rows.slice(0, 20)) expect(Array.from(back.scores(r))).toEqual(Array.from(trained.scores(r)));
  });

  it('refuses damaged bytes', () => {
    const bytes = trained.serialize('f32');
    expect(() => Head.deserialize(bytes.subarray(0, bytes.length - 4))).toThrow(/size is \d+ bytes, header implies/);
    const bad = bytes.slice();
    bad[0] = 0;
    expect(() => Head.deserialize(bad)).toThrow(/bad magic/);
  });

  it('scores check the row against the layout', () => {
    expect(() => trained.scores({ dense: new Float32Array(5) })).toThrow(/dense features of length 20/);
    expect(() => trained.scores({ dense: new Float32Array(20), sparse: { indices: Int32Array.of(40), values: Float32Array.of(1) } })).toThrow(
      /sparse index 40 outside/,
    );
  });

  it('float16 conversion matches numpy bit for bit', () => {
    for (const { value, bits } of fx.float16) {
      expect(float32ToFloat16Bits(value), `float16(${value})`).toBe(bits);
      const back = float16BitsToFloat32(bits);
      if (Number.isFinite(back)) expect(Math.abs(back - value)).toBeLessThanOrEqual(Math.abs(value) * 2 ** -11 + 2 ** -25);
    }
  });
});
