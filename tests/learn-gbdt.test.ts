/**
 * The re-ranker's gradient-boosted trees (src/learn/gbdt.ts trains, src/core/gbdt.ts evaluates),
 * checked against scikit-learn's HistGradientBoostingClassifier with the same settings on a seeded
 * problem (tests/fixtures/reference/gbdt.json, made by scripts/reference/gbdt_fixture.py). The two
 * bin and break ties differently, so the trees are not compared; what they predict is.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GbdtModel } from '../src/core/gbdt';
import { binEdges, trainGbdt } from '../src/learn/gbdt';
import { REPO } from './helpers/paths';

interface Fixture {
  params: { max_depth: number; learning_rate: number; max_iter: number; min_samples_leaf: number; l2_regularization: number; max_bins: number };
  features: number;
  x_train: number[];
  y_train: number[];
  x_test: number[];
  y_test: number[];
  proba_test: number[];
  log_loss_test: number;
  auc_test: number;
}
const fx = JSON.parse(readFileSync(resolve(REPO, 'tests/fixtures/reference/gbdt.json'), 'utf8')) as Fixture;
const F = fx.features;

function logLoss(y: number[], p: number[]): number {
  let s = 0;
  y.forEach((v, i) => {
    const q = Math.min(Math.max(p[i], 1e-15), 1 - 1e-15);
    s -= v ? Math.log(q) : Math.log(1 - q);
  });
  return s / y.length;
}

/** ROC AUC by ranks (ties get the mean rank), as scikit-learn's roc_auc_score. */
function auc(y: number[], p: number[]): number {
  const order = p.map((_, i) => i).sort((a, b) => p[a] - p[b]);
  const ranks = new Float64Array(p.length);
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && p[order[j + 1]] === p[order[i]]) j++;
    for (let k = i; k <= j; k++) ranks[order[k]] = (i + j) / 2 + 1;
    i = j + 1;
  }
  const pos = y.filter((v) => v === 1).length;
  const neg = y.length - pos;
  let sum = 0;
  y.forEach((v, i) => v === 1 && (sum += ranks[i]));
  return (sum - (pos * (pos + 1)) / 2) / (pos * neg);
}

function pearson(a: number[], b: number[]): number {
  const ma = a.reduce((s, v) => s + v, 0) / a.length;
  const mb = b.reduce((s, v) => s + v, 0) / b.length;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  a.forEach((v, i) => {
    sab += (v - ma) * (b[i] - mb);
    saa += (v - ma) ** 2;
    sbb += (b[i] - mb) ** 2;
  });
  return sab / Math.sqrt(saa * sbb);
}

describe('gradient-boosted trees vs scikit-learn HistGradientBoostingClassifier', () => {
  const model = trainGbdt(Float32Array.from(fx.x_train), Uint8Array.from(fx.y_train), F, {
    trees: fx.params.max_iter,
    depth: fx.params.max_depth,
    learningRate: fx.params.learning_rate,
    minLeaf: fx.params.min_samples_leaf,
    l2: fx.params.l2_regularization,
    maxBins: fx.params.max_bins,
  });
  const xTest = Float32Array.from(fx.x_test);
  const ours = fx.y_test.map((_, i) => model.probability(xTest, i * F));

  it('predicts held-out rows as well as scikit-learn (log-loss within 2 %, AUC within 0.005)', () => {
    const ll = logLoss(fx.y_test, ours);
    expect(Math.abs(ll - fx.log_loss_test) / fx.log_loss_test).toBeLessThan(0.02);
    expect(Math.abs(auc(fx.y_test, ours) - fx.auc_test)).toBeLessThan(0.005);
    // the metric code itself agrees with scikit-learn's on scikit-learn's probabilities
    expect(logLoss(fx.y_test, fx.proba_test)).toBeCloseTo(fx.log_loss_test, 10);
    expect(auc(fx.y_test, fx.proba_test)).toBeCloseTo(fx.auc_test, 10);
  });

  it('agrees with scikit-learn row by row (correlation of the probabilities > 0.98)', () => {
    expect(pearson(ours, fx.proba_test)).toBeGreaterThan(0.98);
  });

  it('learns: far better than the base rate, and more trees fit the training rows better', () => {
    const rate = fx.y_train.reduce((s, v) => s + v, 0) / fx.y_train.length;
    expect(logLoss(fx.y_test, ours)).toBeLessThan(logLoss(fx.y_test, fx.y_test.map(() => rate)) - 0.1);
    const xTrain = Float32Array.from(fx.x_train);
    const few = trainGbdt(xTrain, Uint8Array.from(fx.y_train), F, { trees: 5, depth: 4, learningRate: 0.1 });
    const trainLoss = (m: GbdtModel) => logLoss(fx.y_train, fx.y_train.map((_, i) => m.probability(xTrain, i * F)));
    expect(trainLoss(model)).toBeLessThan(trainLoss(few));
  });

  it('survives a JSON round trip exactly (unsplit nodes included)', () => {
    const back = GbdtModel.fromJSON(JSON.parse(JSON.stringify(model.toJSON())));
    fx.y_test.forEach((_, i) => expect(back.margin(xTest, i * F)).toBe(model.margin(xTest, i * F)));
    // a feature that never varies cannot be split on: every node sends rows left (+Infinity)
    const flat = trainGbdt(new Float32Array(100).fill(3), Uint8Array.from({ length: 100 }, (_, i) => i % 2), 1, { trees: 2, depth: 2 });
    expect([...flat.threshold].every((t) => t === Infinity)).toBe(true);
    const again = GbdtModel.fromJSON(JSON.parse(JSON.stringify(flat.toJSON())));
    expect(again.probability([3])).toBeCloseTo(0.5, 6);
  });
});

describe('gbdt details', () => {
  it('splits a separable feature between the two values', () => {
    const x = Float32Array.from({ length: 200 }, (_, i) => (i < 100 ? 1 : 5));
    const y = Uint8Array.from({ length: 200 }, (_, i) => (i < 100 ? 0 : 1));
    const m = trainGbdt(x, y, 1, { trees: 30, depth: 1, learningRate: 0.3, minLeaf: 5 });
    expect(m.threshold[0]).toBe(3);
    expect(m.probability([1])).toBeLessThan(0.1);
    expect(m.probability([5])).toBeGreaterThan(0.9);
  });

  it('bin edges: midpoints of distinct values, quantiles when there are more than maxBins', () => {
    expect([...binEdges([3, 1, 2, 2, 1], 255)]).toEqual([1.5, 2.5]);
    const many = binEdges(Float32Array.from({ length: 10000 }, (_, i) => i), 10);
    expect(many.length).toBe(9);
    for (let i = 1; i < many.length; i++) expect(many[i]).toBeGreaterThan(many[i - 1]);
    expect(many[4]).toBeCloseTo(4999.5, 0);
  });

  it('refuses bad shapes and damaged models with a clear message', () => {
    expect(() => trainGbdt(new Float32Array(5), new Uint8Array(2), 2)).toThrow(/5 values for 2 rows x 2 features/);
    expect(() => GbdtModel.fromJSON({ base: 0, depth: 2, features: 1, feature: [0], threshold: [1], leaf: [0, 0, 0, 0] })).toThrow(/complete trees of depth 2/);
    expect(() => GbdtModel.fromJSON({ base: 0, depth: 1, features: 1, feature: [3], threshold: [1], leaf: [0, 0] })).toThrow(/feature 3 of 1/);
  });
});
