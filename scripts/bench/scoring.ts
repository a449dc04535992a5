/**
 * `npm run bench:scoring`: everything a suggestion costs besides the sentence encoder, step by
 * step, in Node, on the shipped model: normalisation, TF-IDF, the 2,000-tag head, the re-ranker's
 * neighbour vote, its candidates' features and trees, ranking. The same `--questions` real
 * questions as bench:browser (2018 API file, title + markdown body as typed), embedded once
 * beforehand (not timed). Each step is timed `--reps` times per question (the first two dropped as
 * warm-up); the median per question, then p50 / p95 over questions.
 *
 * The head's dense block is also timed three ways in the same process: the WebAssembly SIMD kernel
 * the head uses (src/core/kernels/dense-dots), the same arithmetic in JavaScript (its fallback),
 * and the feature-major JavaScript loop the head used before (the reference), with ratios.
 *
 * Results: printed, and bench/results/scoring.json (`--out`).
 */
import { parseArgs } from 'node:util';
import { join } from 'node:path';
import { cpus, loadavg } from 'node:os';
import { typedQuestions } from '../lib/typed-questions';
import { quantile } from '../lib/quantile';
import { loadNodeSuggester } from '../../src/pipeline/model-io';
import { DEFAULT_MODEL_DIR } from '../../src/node/paths';
import { writeFileAtomic } from '../../src/node/fs-atomic';
import { buildRow, blockScale } from '../../src/core/suggester';
import { DenseDots, tagMajor } from '../../src/core/kernels/dense-dots';
import { addFeatureMajorDots, type Head } from '../../src/core/head';
import type { TfidfVectorizer } from '../../src/core/tfidf';
import type { QuestionText } from '../../src/core/normalize';

const { values: args } = parseArgs({
  options: {
    questions: { type: 'string', default: '250' },
    reps: { type: 'string', default: '7' },
    out: { type: 'string', default: join('bench', 'results', 'scoring.json') },
  },
});
const N = Number(args.questions);
const REPS = Number(args.reps);
if (!Number.isInteger(N) || N < 1 || !Number.isInteger(REPS) || REPS < 3) throw new Error('--questions must be a positive integer and --reps at least 3');

const r3 = (x: number) => Math.round(x * 1000) / 1000;

async function main() {
  const loadAtStart = loadavg()[0];
  const questions: QuestionText[] = (await typedQuestions(N)).map((q) => ({ ...q, bodyFormat: 'markdown' }));
  const s = await loadNodeSuggester(DEFAULT_MODEL_DIR);
  // the internals each step needs (the Suggester keeps them private: this is a white-box benchmark)
  const inner = s as unknown as { head: Head; tfidf: TfidfVectorizer };
  const { head, tfidf } = inner;
  const reranker = s.reranker;
  if (!reranker) throw new Error(`${DEFAULT_MODEL_DIR}: the model has no re-ranker; bench:scoring times the v2 model`);
  const texts = questions.map((q) => s.textOf(q));
  const embeddings = await (s as unknown as { embed: (t: string[]) => Promise<Float32Array[]> }).embed(texts);

  const T = head.numTags;
  const D = head.layout.denseDim;
  const byTag = tagMajor(head.dense, T, D);
  const wasm = new DenseDots(byTag, T, D);
  const js = new DenseDots(byTag, T, D, { engine: 'js' });
  const dw = head.layout.denseWeight;

  // each step's inputs computed once beforehand, so each step is timed alone
  const sparse = texts.map((t) => tfidf.transformOne(t));
  const rows = texts.map((t, i) => buildRow(embeddings[i], sparse[i], blockScale(s.manifest, t)));
  const headScores = rows.map((r) => head.scores(r));
  const votes = embeddings.map((e) => reranker.vote(e));
  const finalScores = texts.map((t, i) => reranker.apply(headScores[i], embeddings[i], t));
  const steps: Record<string, (i: number) => unknown> = {
    normalise: (i) => s.textOf(questions[i]),
    'TF-IDF': (i) => tfidf.transformOne(texts[i]),
    head: (i) => head.scores(rows[i]),
    "re-ranker: neighbours' vote": (i) => reranker.vote(embeddings[i]),
    're-ranker: candidates, features, trees': (i) => reranker.applyVote(headScores[i], votes[i], texts[i]),
    'rank (top 5)': (i) => s.rank(finalScores[i], { k: 5 }),
    // what the worker's headMs covers: all of the above, once
    total: (i) => s.rank(reranker.apply(head.scores(buildRow(embeddings[i], tfidf.transformOne(s.textOf(questions[i])), blockScale(s.manifest, texts[i]))), embeddings[i], texts[i]), { k: 5 }),
    'dense block: WebAssembly SIMD kernel': (i) => wasm.compute(embeddings[i], dw),
    'dense block: kernel arithmetic in JavaScript': (i) => js.compute(embeddings[i], dw),
    // the head's loop before the kernel (still its path for a block whose size is not a multiple of 8)
    'dense block: feature-major loop (before)': (i) => addFeatureMajorDots(new Float64Array(T), embeddings[i], dw, head.dense, T, D),
  };
  const times: Record<string, number[][]> = Object.fromEntries(Object.keys(steps).map((k) => [k, questions.map(() => [])]));
  for (let rep = 0; rep < REPS; rep++) {
    for (const [name, step] of Object.entries(steps)) {
      for (let i = 0; i < N; i++) {
        const t0 = performance.now();
        step(i);
        times[name][i].push(performance.now() - t0);
      }
    }
  }
  const perQuestion = (name: string) => times[name].map((xs) => quantile(xs.slice(2), 0.5));
  const summary = Object.fromEntries(
    Object.keys(steps).map((name) => {
      const m = perQuestion(name);
      return [name, { p50: r3(quantile(m, 0.5)), p95: r3(quantile(m, 0.95)), max: r3(Math.max(...m)) }];
    }),
  );
  const p50 = (name: string) => summary[name].p50;
  const result = {
    measuredAt: new Date().toISOString(),
    machine: { cpus: cpus().length, model: cpus()[0]?.model, loadavg1AtStart: loadAtStart, loadavg1AtEnd: loadavg()[0] },
    model: s.version,
    questions: N,
    repsPerQuestion: REPS,
    headEngine: s.headEngine,
    stepsMs: summary,
    denseBlock: {
      tags: T,
      features: D,
      speedupKernelVsBefore: r3(p50('dense block: feature-major loop (before)') / p50('dense block: WebAssembly SIMD kernel')),
      speedupJavaScriptPathVsBefore: r3(p50('dense block: feature-major loop (before)') / p50('dense block: kernel arithmetic in JavaScript')),
    },
  };
  console.log(`bench:scoring: model ${s.version}, ${N} real questions x ${REPS} runs each (median per question, then over questions); ${cpus().length} CPUs, load ${loadAtStart.toFixed(2)}; head's dense block in ${s.headEngine}`);
  for (const [name, v] of Object.entries(summary)) console.log(`  ${name.padEnd(46)} p50 ${v.p50.toFixed(3)} ms   p95 ${v.p95.toFixed(3)} ms   max ${v.max.toFixed(3)} ms`);
  console.log(`  dense block (${T} tags x ${D}): the kernel ${result.denseBlock.speedupKernelVsBefore}x the loop before, its JavaScript fallback ${result.denseBlock.speedupJavaScriptPathVsBefore}x (p50)`);
  writeFileAtomic(args.out!, `${JSON.stringify(result, null, 2)}\n`);
  console.log(`written: ${args.out}`);
}

main().catch((err) => {
  console.error(`bench:scoring: ${(err as Error).message}`);
  process.exitCode = 1;
});
