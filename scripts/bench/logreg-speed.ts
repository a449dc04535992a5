/**
 * Times the one-vs-rest logistic-regression trainer on synthetic data shaped like production:
 *   dense:  44,000 x 384 L2-normalised rows (sentence embeddings), 200 tags, ~3 tags per row
 *   sparse: 44,000 x 5,000 TF-IDF-like rows with ~40 non-zeros
 *   hybrid: both blocks together (optional)
 * and measures how far f16 / int8 quantised heads move the scores.
 *
 *   npx tsx scripts/bench/logreg-speed.ts [--n 44000] [--tags 200] [--only dense,sparse,hybrid]
 *        [--tol <trainer default>] [--maxEpochs 200] [--C 1] [--balanced] [--refTol 1e-8]
 *
 * With --refTol, each head is also trained to that (tight) tolerance and the report says how
 * far the --tol head's scores and objective are from that reference optimum.
 *
 * Data generation is seeded (seedrandom), so runs are comparable.
 */
import { pathToFileURL } from 'node:url';
import seedrandom from 'seedrandom';
import { maxScoreDrift, type FeatureRow } from '../../src/core/head';
import { trainOneVsRest, type TrainOptions } from '../../src/learn/logreg';

interface Args {
  n: number;
  tags: number;
  dense: number;
  vocab: number;
  nnz: number;
  only: string[];
  tol: number | undefined;
  maxEpochs: number;
  C: number;
  balanced: boolean;
  refTol: number;
}

function parseArgs(argv: string[]): Args {
  const a: Args = { n: 44000, tags: 200, dense: 384, vocab: 5000, nnz: 40, only: ['dense', 'sparse'], tol: undefined, maxEpochs: 200, C: 1, balanced: false, refTol: 0 };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i].replace(/^--/, '');
    if (k === 'balanced') {
      a.balanced = true;
      continue;
    }
    const v = argv[++i];
    if (v === undefined) throw new Error(`--${k} needs a value`);
    if (k === 'only') a.only = v.split(',');
    else if (k in a) (a as unknown as Record<string, number>)[k] = Number(v);
    else throw new Error(`unknown option --${k} (see the comment at the top of this file)`);
  }
  return a;
}

/** Synthetic multilabel data: Zipf tag popularity, 1..5 tags per row (mean ~3), features that carry the tags. */
export function makeData(a: Args, seed = 'tagsmith-bench') {
  const rng = seedrandom(seed);
  const gauss = (): number => {
    const u = 1 - rng();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
  };
  const T = a.tags;
  const prior = Array.from({ length: T }, (_, t) => 1 / (t + 1) ** 0.8);
  const cum: number[] = [];
  prior.reduce((s, v, i) => (cum[i] = s + v), 0);
  const total = cum[T - 1];
  const pickTag = (): number => {
    const u = rng() * total;
    let lo = 0;
    let hi = T - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cum[mid] < u) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  // Dense: common offset (anisotropy) + tag directions + noise, then L2-normalised.
  const d = a.dense;
  const mean = Float32Array.from({ length: d }, () => gauss() * 0.15);
  const dirs = Array.from({ length: T }, () => Float32Array.from({ length: d }, () => gauss() / Math.sqrt(d)));
  // Sparse: each tag has 30 characteristic terms; background terms are Zipf-distributed.
  const V = a.vocab;
  const tagTerms = Array.from({ length: T }, () => Int32Array.from({ length: 30 }, () => Math.floor(rng() * V)));
  const bgCum: number[] = [];
  for (let v = 0, s = 0; v < V; v++) bgCum[v] = s += 1 / (v + 1);
  const bgTerm = (): number => {
    const u = rng() * bgCum[V - 1];
    let lo = 0;
    let hi = V - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (bgCum[mid] < u) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  const labels: number[][] = [];
  const dense: Float32Array[] = [];
  const sparse: { indices: Int32Array; values: Float32Array }[] = [];
  for (let i = 0; i < a.n; i++) {
    const k = 1 + Math.floor(rng() * 5); // 1..5 tags, mean 3
    const ls = new Set<number>();
    while (ls.size < k) ls.add(pickTag());
    const tags = [...ls].sort((x, y) => x - y);
    labels.push(tags);
    const x = Float32Array.from(mean);
    for (const t of tags) for (let j = 0; j < d; j++) x[j] += 0.6 * dirs[t][j];
    for (let j = 0; j < d; j++) x[j] += gauss() * 0.06;
    let nrm = 0;
    for (let j = 0; j < d; j++) nrm += x[j] * x[j];
    nrm = Math.sqrt(nrm);
    for (let j = 0; j < d; j++) x[j] /= nrm;
    dense.push(x);
    const counts = new Map<number, number>();
    while (counts.size < a.nnz) {
      const term = rng() < 0.3 ? tagTerms[tags[Math.floor(rng() * tags.length)]][Math.floor(rng() * 30)] : bgTerm();
      counts.set(term, (counts.get(term) ?? 0) + 1);
    }
    const idx = Int32Array.from([...counts.keys()].sort((x, y) => x - y));
    const val = Float32Array.from(idx, (c) => (1 + Math.log(counts.get(c)!)) * Math.log(1 + V / (c + 1)));
    let s = 0;
    for (const v of val) s += v * v;
    s = Math.sqrt(s);
    for (let m = 0; m < val.length; m++) val[m] /= s;
    sparse.push({ indices: idx, values: val });
  }
  return { labels, dense, sparse };
}

function main(): void {
  const a = parseArgs(process.argv.slice(2));
  console.log(`node ${process.version}, ${process.arch}; options ${JSON.stringify(a)}`);
  let t0 = performance.now();
  const data = makeData(a);
  const meanLabels = data.labels.reduce((s, l) => s + l.length, 0) / a.n;
  console.log(`data: n=${a.n}, tags=${a.tags}, labels/row=${meanLabels.toFixed(2)}, generated in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const opts: TrainOptions = { C: a.C, tol: a.tol, maxEpochs: a.maxEpochs, classWeight: a.balanced ? 'balanced' : null };
  for (const kind of a.only) {
    const rows: FeatureRow[] = data.dense.map((x, i) =>
      kind === 'dense' ? { dense: x } : kind === 'sparse' ? { sparse: data.sparse[i] } : { dense: x, sparse: data.sparse[i] },
    );
    const dim = kind === 'dense' ? a.dense : kind === 'sparse' ? a.vocab : a.dense + a.vocab;
    t0 = performance.now();
    const cpu0 = process.cpuUsage();
    const res = trainOneVsRest(rows, data.labels, a.tags, { denseDim: kind === 'sparse' ? 0 : a.dense, sparseDim: kind === 'dense' ? 0 : a.vocab }, {
      ...opts,
      onProgress: (epoch, loss, info) => {
        if (epoch % 5 === 0 || info.activeTags === 0) {
          console.log(`  [${kind}] epoch ${epoch}: loss ${loss.toFixed(6)}, active tags ${info.activeTags}, max|grad| ${info.maxGrad.toExponential(2)}, ${info.seconds.toFixed(1)} s`);
        }
      },
    });
    const secs = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const cpuSecs = (cpu.user + cpu.system) / 1e6;
    const statuses: Record<string, number> = {};
    for (const s of res.tagStatus) statuses[s] = (statuses[s] ?? 0) + 1;
    console.log(
      `${kind}: ${a.n} x ${dim}, ${a.tags} tags: ${secs.toFixed(1)} s wall (${cpuSecs.toFixed(1)} s CPU), ${res.epochs} epochs, converged=${res.converged}, ` +
        `final loss ${res.history.at(-1)!.loss.toFixed(6)}, stop reasons ${JSON.stringify(statuses)}`,
    );
    const sample = rows.filter((_, i) => i % 44 === 0);
    if (a.refTol > 0) {
      t0 = performance.now();
      const ref = trainOneVsRest(rows, data.labels, a.tags, res.head.layout, { ...opts, tol: a.refTol, ftol: 0, maxEpochs: 2000 });
      let maxDiff = 0;
      for (const r of sample) {
        const x = res.head.scores(r);
        const y = ref.head.scores(r);
        for (let t = 0; t < x.length; t++) maxDiff = Math.max(maxDiff, Math.abs(x[t] - y[t]));
      }
      let gap = 0;
      for (let t = 0; t < a.tags; t++) gap = Math.max(gap, res.tagLoss[t] - ref.tagLoss[t]);
      console.log(
        `  reference (tol ${a.refTol}): ${((performance.now() - t0) / 1000).toFixed(1)} s, ${ref.epochs} epochs, converged=${ref.converged}; ` +
          `tol ${a.tol ?? 'default'} head: max |score diff| ${maxDiff.toExponential(2)}, max objective gap per tag ${gap.toExponential(2)}`,
      );
    }
    for (const enc of ['f16', 'int8'] as const) {
      const kib = (enc === 'f16' ? 2 : 1) * res.head.weights.length / 1024;
      const drift = maxScoreDrift(res.head, enc, sample);
      console.log(`  ${enc}: ~${kib.toFixed(0)} KiB (f32 ${(res.head.serialize('f32').length / 1024).toFixed(0)} KiB), max |score diff| ${drift.toExponential(2)} over ${sample.length} rows`);
    }
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main();
