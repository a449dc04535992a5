/**
 * `npm run bench:embed`: sentence-embedding throughput, our Node encoder vs Python, on the same
 * 2,000 real Stack Overflow texts (title + body as plain text, first 2,000 questions of
 * stackoverflow-api-2018.jsonl.gz).
 *
 * Node: src/runtime/encoder.ts (transformers.js 2.17.2's tokenizer, the pinned onnxruntime-node, int8 file), called with
 * 32 texts at a time, once one text per ONNX run (the encoder's default) and once 32 per run.
 * Python (scripts/bench/embed_python.py, spawned with .venv-model/bin/python): sentence-transformers
 * float on CPU, and onnxruntime on the same int8 file. Each after a warm-up, default threads.
 * Also reports how close the Node vectors are to sentence-transformers' on these texts.
 * Writes bench/results/embed.json.
 *
 * Options: --limit N (texts, default 2000), --repeats N (passes, median kept; default 1),
 *          --python PATH (default .venv-model/bin/python).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { parseArgs } from 'node:util';
import { decodeHTML } from 'entities';
import { createEncoder, EMBEDDING_DIM } from '../../src/runtime/encoder';
import { nodeOnnxRuntime } from '../../src/pipeline/encoder-node';
import { PACKAGE_ROOT, SHARED_DATA } from '../../src/node/paths';

const BATCH = 32;

const { values: args } = parseArgs({
  options: {
    limit: { type: 'string', default: '2000' },
    repeats: { type: 'string', default: '1' },
    python: { type: 'string', default: resolve(PACKAGE_ROOT, '.venv-model/bin/python') },
  },
});
const limit = Number(args.limit);
const repeats = Number(args.repeats);
if (!Number.isInteger(limit) || limit < BATCH) throw new Error(`--limit must be an integer >= ${BATCH}, got ${args.limit}`);
if (!Number.isInteger(repeats) || repeats < 1) throw new Error(`--repeats must be a positive integer, got ${args.repeats}`);

/** Tags out, entities decoded, whitespace collapsed: crude, but both sides get the very same strings. */
function plain(html: string): string {
  return decodeHTML(html.replace(/<[^>]*>/g, ' ')).replace(/\s+/g, ' ').trim();
}

function loadTexts(n: number): string[] {
  const file = resolve(SHARED_DATA, 'stackoverflow-api-2018.jsonl.gz');
  if (!existsSync(file)) throw new Error(`bench:embed: ${file} not found (set TAGSMITH_SHARED_DATA to the shared data folder)`);
  const lines = gunzipSync(readFileSync(file)).toString('utf8').split('\n').filter((l) => l.trim() !== '');
  return lines.slice(0, n).map((line, i) => {
    const q = JSON.parse(line) as { title?: string; body?: string };
    if (typeof q.title !== 'string' || typeof q.body !== 'string') throw new Error(`bench:embed: ${file} line ${i + 1} has no title/body`);
    return `${plain(q.title)}\n${plain(q.body)}`;
  });
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** Warm-up on one batch, then `repeats` passes of BATCH texts per embed() call. */
async function benchNode(texts: string[], runBatchSize: number): Promise<{ rate: number; vectors: Float32Array[] }> {
  const encoder = await createEncoder({ localModelPath: resolve(PACKAGE_ROOT, 'models') + '/', runBatchSize, runtime: nodeOnnxRuntime() });
  await encoder.embed(texts.slice(0, BATCH));
  const rates: number[] = [];
  let vectors: Float32Array[] = [];
  for (let r = 0; r < repeats; r++) {
    vectors = [];
    const t0 = performance.now();
    for (let i = 0; i < texts.length; i += BATCH) vectors.push(...(await encoder.embed(texts.slice(i, i + BATCH))));
    rates.push(texts.length / ((performance.now() - t0) / 1000));
  }
  await encoder.dispose();
  return { rate: median(rates), vectors };
}

function cosineStats(a: Float32Array[], flat: Float32Array): { min: number; p1: number; mean: number } {
  const cos = a.map((v, i) => {
    let d = 0;
    for (let k = 0; k < EMBEDDING_DIM; k++) d += v[k] * flat[i * EMBEDDING_DIM + k];
    return d;
  });
  const sorted = [...cos].sort((x, y) => x - y);
  const r = (x: number) => Math.round(x * 1e5) / 1e5;
  return { min: r(sorted[0]), p1: r(sorted[Math.floor(sorted.length / 100)]), mean: r(cos.reduce((s, x) => s + x, 0) / cos.length) };
}

async function main(): Promise<void> {
  const texts = loadTexts(limit);
  const loadBefore = loadavg()[0];
  const tmp = mkdtempSync(join(tmpdir(), 'bench-embed-'));
  try {
    const textsFile = join(tmp, 'texts.json');
    writeFileSync(textsFile, JSON.stringify(texts));
    console.log(`bench:embed: ${texts.length} texts, batch ${BATCH}, ${repeats} pass(es) each, ${cpus().length} cores`);

    const single = await benchNode(texts, 1);
    console.log(`node encoder (32 texts per call, 1 per ONNX run): ${single.rate.toFixed(1)} texts/s`);
    const batched = await benchNode(texts, BATCH);
    console.log(`node encoder (32 texts per call, 32 per ONNX run): ${batched.rate.toFixed(1)} texts/s`);

    if (!existsSync(args.python)) throw new Error(`bench:embed: ${args.python} not found; run scripts/model/build-encoder.sh (it makes .venv-model)`);
    const pyOut = join(tmp, 'python.json');
    const embOut = join(tmp, 'float.f32');
    const py = spawnSync(
      args.python,
      [resolve(PACKAGE_ROOT, 'scripts/bench/embed_python.py'), '--texts', textsFile, '--out', pyOut, '--emb-out', embOut, '--batch', String(BATCH), '--repeats', String(repeats)],
      { stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, HF_HUB_OFFLINE: '1', TRANSFORMERS_OFFLINE: '1' } },
    );
    if (py.status !== 0) throw new Error(`bench:embed: embed_python.py failed (exit ${py.status ?? py.signal})`);
    const python = JSON.parse(readFileSync(pyOut, 'utf8')) as {
      results: Record<string, { texts_per_s: number; batch: number }>;
      [k: string]: unknown;
    };
    const floatBuf = readFileSync(embOut);
    const floatVecs = new Float32Array(floatBuf.buffer, floatBuf.byteOffset, floatBuf.byteLength / 4);

    const st = python.results.sentence_transformers_float.texts_per_s;
    const ortInt8 = python.results.onnxruntime_int8.texts_per_s;
    const ratios = {
      node_vs_sentence_transformers: Math.round((single.rate / st) * 100) / 100,
      node_vs_onnxruntime_int8: Math.round((single.rate / ortInt8) * 100) / 100,
      node_batched_vs_onnxruntime_int8: Math.round((batched.rate / ortInt8) * 100) / 100,
    };
    console.log(`ratio node/python: ${ratios.node_vs_sentence_transformers} (vs sentence-transformers float), ${ratios.node_vs_onnxruntime_int8} (vs onnxruntime int8, batch ${BATCH})`);
    const fidelity = {
      node_1_per_run_vs_float: cosineStats(single.vectors, floatVecs),
      node_32_per_run_vs_float: cosineStats(batched.vectors, floatVecs),
    };
    console.log(`node vs sentence-transformers float on these texts: ${JSON.stringify(fidelity)}`);

    const report = {
      benchmark: 'bench:embed',
      date: new Date().toISOString(),
      data: { file: 'stackoverflow-api-2018.jsonl.gz', texts: texts.length, text: 'first questions: title + "\\n" + body, tags stripped, entities decoded' },
      batch: BATCH,
      repeats,
      machine: { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, memory_gib: Math.round(totalmem() / 2 ** 30), platform: `${process.platform}-${process.arch}`,
        // Other work on the machine skews the figures: 1-minute load average at start and end.
        load_average_1m: { start: Math.round(loadBefore * 100) / 100, end: Math.round(loadavg()[0] * 100) / 100 } },
      node: {
        version: process.version,
        runtime: `tokenizer: @xenova/transformers 2.17.2; model: ${nodeOnnxRuntime().name}`,
        encoder_1_per_run: { texts_per_s: Math.round(single.rate * 100) / 100 },
        encoder_32_per_run: { texts_per_s: Math.round(batched.rate * 100) / 100 },
      },
      python,
      ratios,
      fidelity_cosine: fidelity,
    };
    const outFile = resolve(PACKAGE_ROOT, 'bench/results/embed.json');
    mkdirSync(resolve(outFile, '..'), { recursive: true });
    writeFileSync(outFile, JSON.stringify(report, null, 2) + '\n');
    console.log(`wrote ${outFile}`);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

await main();
