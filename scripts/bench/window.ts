/**
 * `npm run bench:window`: what the encoder's token window costs and buys. The shipped model scores
 * the test part of its own split (questions with a body: titles alone are far shorter than any
 * window) with its encoder truncating at 128, 192 and 256 word pieces (256 is what it was trained
 * with, sentence-transformers' max_seq_length). For each window: P@1, R@5 and micro-F1, the share of
 * questions cut, and the encoder's time per question in Node (median, p95), in one run, so the
 * ratios hold on a busy machine. Question: may the browser truncate earlier to cut its p95?
 * Also the same questions with no encoder at all: the TF-IDF block alone, what the extension's
 * cold start answers while the encoder loads (`noEncoder`).
 *
 *   npm run bench:window [-- --limit N] [--windows 128,192,256]
 *
 * Writes bench/results/window.json.
 */
import { parseArgs } from 'node:util';
import { join } from 'node:path';
import { cpus, loadavg } from 'node:os';
import { loadQuestions } from '../../src/pipeline/load-data';
import { loadNodeSuggester } from '../../src/pipeline/model-io';
import { nodeOnnxRuntime } from '../../src/pipeline/encoder-node';
import { createEncoder } from '../../src/runtime/encoder';
import { hasBody } from '../../src/core/normalize';
import { evaluateScores } from '../../src/learn/evaluation';
import { selectPart } from '../../src/cli/commands/evaluate';
import { DEFAULT_MODEL_DIR, DEFAULT_TRAINING_DATA } from '../../src/node/paths';
import { writeFileAtomic } from '../../src/node/fs-atomic';
import { quantile } from '../lib/quantile';

const { values: args } = parseArgs({
  options: {
    limit: { type: 'string', default: '1500' },
    windows: { type: 'string', default: '128,192,256' },
    out: { type: 'string', default: join('bench', 'results', 'window.json') },
  },
});
const limit = Number(args.limit);
const windows = args.windows!.split(',').map(Number);
if (!Number.isInteger(limit) || limit < 1) throw new Error(`--limit must be a positive integer, got ${args.limit}`);
if (windows.some((w) => !Number.isInteger(w) || w < 2 || w > 512)) throw new Error(`--windows must be integers in [2, 512], got ${args.windows}`);

const r1 = (x: number) => Math.round(x * 10) / 10;

async function main(): Promise<void> {
  const loadAtStart = loadavg()[0];
  const suggester = await loadNodeSuggester(DEFAULT_MODEL_DIR);
  const { questions: all } = await loadQuestions(DEFAULT_TRAINING_DATA);
  const withBody = selectPart(all, suggester, 'test').filter((q) => hasBody(suggester.textOf(q)));
  // every k-th, so the sample spans all sources with bodies in their proportions
  const step = Math.max(1, Math.floor(withBody.length / limit));
  const questions = withBody.filter((_, i) => i % step === 0).slice(0, limit);
  const texts = questions.map((q) => suggester.textOf(q));
  console.log(`bench:window: model ${suggester.version}, ${questions.length} test questions with a body (of ${withBody.length}); windows ${windows.join(', ')}; ${cpus().length} CPUs, load ${loadAtStart.toFixed(2)}`);

  const runtime = nodeOnnxRuntime();
  // Each text's length in word pieces, uncut (BERT's 512 positions), counted once.
  const full = await createEncoder({ localModelPath: `${DEFAULT_MODEL_DIR}/`, maxLength: 512, runtime });
  const pieces = full.tokenize(texts).map((ids) => ids.length);
  await full.dispose();
  const rows = [];
  for (const maxLength of windows) {
    const encoder = await createEncoder({ localModelPath: `${DEFAULT_MODEL_DIR}/`, maxLength, runtime });
    const cut = pieces.filter((n) => n > maxLength).length;
    await encoder.embed(texts.slice(0, 3)); // warm up
    const ms: number[] = [];
    const vectors: Float32Array[] = [];
    for (const t of texts) {
      const t0 = performance.now();
      vectors.push(...(await encoder.embed([t])));
      ms.push(performance.now() - t0);
    }
    await encoder.dispose();
    const scores = await suggester.scoreTexts(texts, vectors);
    const ev = evaluateScores(scores, questions.map((q) => q.tags), suggester.tags, suggester.manifest.thresholds);
    const row = {
      maxLength,
      truncatedShare: Math.round((cut / texts.length) * 1000) / 1000,
      p1: ev.p_at_k[0],
      r5: ev.r_at_k[4],
      microF1: ev.micro_f1,
      microPrecision: ev.micro_precision,
      microRecall: ev.micro_recall,
      encoderMs: { p50: r1(quantile(ms, 0.5)), p95: r1(quantile(ms, 0.95)), mean: r1(ms.reduce((a, b) => a + b, 0) / ms.length) },
    };
    rows.push(row);
    console.log(
      `window ${maxLength}: ${(row.truncatedShare * 100).toFixed(1)} % cut; P@1 ${(row.p1 * 100).toFixed(1)}, R@5 ${(row.r5 * 100).toFixed(1)}, micro-F1 ${(row.microF1 * 100).toFixed(1)}; encoder p50 ${row.encoderMs.p50} ms, p95 ${row.encoderMs.p95} ms`,
    );
  }
  // No encoder at all: the TF-IDF block alone, what the extension answers while the encoder loads
  // (Suggester.suggestWithoutEncoder, the cold start's provisional suggestions).
  const bare = evaluateScores(
    texts.map((t) => suggester.scoreWithoutEncoder(t)!),
    questions.map((q) => q.tags),
    suggester.tags,
    suggester.manifest.thresholds,
  );
  const noEncoder = { p1: bare.p_at_k[0], r5: bare.r_at_k[4], microF1: bare.micro_f1, microPrecision: bare.micro_precision, microRecall: bare.micro_recall };
  console.log(
    `no encoder (provisional answers): P@1 ${(noEncoder.p1 * 100).toFixed(1)}, R@5 ${(noEncoder.r5 * 100).toFixed(1)}, micro-F1 ${(noEncoder.microF1 * 100).toFixed(1)} ` +
      `(precision ${(noEncoder.microPrecision * 100).toFixed(1)}, recall ${(noEncoder.microRecall * 100).toFixed(1)})`,
  );
  const ref = rows.find((r) => r.maxLength === 256) ?? rows[rows.length - 1];
  const result = {
    benchmark: 'bench:window',
    measuredAt: new Date().toISOString(),
    model: suggester.version,
    runtime: runtime.name,
    questions: questions.length,
    machine: { cpus: cpus().length, loadavg1AtStart: loadAtStart, loadavg1AtEnd: loadavg()[0] },
    windows: rows.map((r) => ({
      ...r,
      vs256: { p1Points: r1((r.p1 - ref.p1) * 1000) / 10, r5Points: r1((r.r5 - ref.r5) * 1000) / 10, p95Ratio: Math.round((r.encoderMs.p95 / ref.encoderMs.p95) * 100) / 100 },
    })),
    noEncoder: { ...noEncoder, vs256: { p1Points: r1((noEncoder.p1 - ref.p1) * 1000) / 10, r5Points: r1((noEncoder.r5 - ref.r5) * 1000) / 10 } },
  };
  writeFileAtomic(args.out!, `${JSON.stringify(result, null, 2)}\n`);
  console.log(`written: ${args.out}`);
}

main().catch((err) => {
  console.error(`bench:window: ${(err as Error).message}`);
  process.exitCode = 1;
});
