/**
 * `npm run bench:quality`: our tag model next to the scikit-learn peers a user would pick, on the
 * SAME split, the same vocabulary and the same metric definitions.
 *
 *   npx tsx scripts/bench/quality.ts [--data FILE...] [--limit N] [--tags N] [--seed S]
 *        [--vectorizers tfidf,embeddings,hybrid] [--cache DIR] [--keep]
 *
 * Defaults are the training defaults (the 2018 API file + the 2009-2011 titles, 200 tags, seed 42).
 *
 * 1. Embeds every text once through the shared on-disk cache (when a vectorizer or peer needs it).
 * 2. Trains OUR model once per vectorizer with `train()` into temporary directories.
 * 3. Exports the very same split (`prepareDataset()` with the same options) for the peers and runs
 *    `.venv/bin/python scripts/bench/peers.py DIR`: OneVsRest LogisticRegression on the same
 *    embeddings (thresholds tuned like ours) and TF-IDF + OneVsRest LinearSVC (its own `predict`).
 * 4. Cross-checks the two metric implementations on the same predictions: each of our exported
 *    models' validation/test scores goes through the Python threshold tuning and metrics, each
 *    peer's test scores through our `evaluateScores`; every figure must agree within 1e-9.
 * 5. Prints one markdown table and writes bench/results/quality.json.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { cpus, endianness, platform, release, totalmem, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { embedTexts, prepareDataset, train, type Item, type TrainResult } from '../../src/pipeline/train';
import { DEFAULT_TRAIN } from '../../src/pipeline/train-defaults';
import { evaluateScores, summary, type Evaluation } from '../../src/learn/evaluation';
import { tuneThresholds } from '../../src/learn/thresholds';
import { labelIndices } from '../../src/learn/vocab';
import { loadSuggester } from '../../src/core/suggester';
import { nodeModelFiles } from '../../src/pipeline/model-io';
import { DEFAULT_MODEL_DIR, DEFAULT_TRAINING_DATA, PACKAGE_ROOT } from '../../src/node/paths';
import { TOKEN_PATTERN } from '../../src/core/tokenize';
import type { VectorizerKind } from '../../src/core/model';
import type { Part } from '../../src/pipeline/split';

type Summary = Omit<Evaluation, 'per_tag'>;
const VECTORIZERS: VectorizerKind[] = ['tfidf', 'embeddings', 'hybrid'];
const PARTS: Part[] = ['train', 'validation', 'test'];
/** Largest |difference| allowed between the TypeScript and Python figures on the same predictions. */
const AGREEMENT = 1e-9;
/** Peer settings: the C grids the brief asks for, and our own optimiser settings for the LR peer. */
const LR_C_GRID = [1, 4, 16];
const SVC_C_GRID = [0.1, 0.5, 1];
const LR_TOL = 1e-4; // scikit-learn's default tol (ours defaults to 1e-7: src/learn/logreg/index.ts)
/** The converged LR peer: the same model trained to a tight tolerance. */
const LR_TIGHT = { tol: 1e-6, maxIter: 2000 };

interface Args {
  data: string[];
  limit?: number;
  tags: number;
  seed: number;
  vectorizers: VectorizerKind[];
  cache: string;
  keep: boolean;
}

function intArg(name: string, min: number) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`${name} must be an integer >= ${min} (got "${v}")`);
    return n;
  };
}

function parseArgs(argv: string[]): Args {
  const program = new Command('bench:quality')
    .description('Our tag model vs the scikit-learn peers on the same split')
    .option('--data <file...>', 'training files (default: the training defaults)')
    .option('--limit <n>', 'use a deterministic sample of N questions', intArg('--limit', 20))
    .option('--tags <n>', 'vocabulary size', intArg('--tags', 1), 200)
    .option('--seed <n>', 'split seed', intArg('--seed', 0), 42)
    .option('--vectorizers <list>', 'our vectorizers to train (comma-separated)', 'tfidf,embeddings,hybrid')
    .option('--cache <dir>', 'embedding cache directory', '.cache/embeddings')
    .option('--keep', 'keep the temporary directories (models, exported split, peer scores)')
    .parse(argv);
  const o = program.opts<{ data?: string[]; limit?: number; tags: number; seed: number; vectorizers: string; cache: string; keep?: boolean }>();
  const vectorizers = o.vectorizers.split(',').map((v) => v.trim()).filter(Boolean);
  for (const v of vectorizers) {
    if (!VECTORIZERS.includes(v as VectorizerKind)) program.error(`--vectorizers: unknown "${v}" (use ${VECTORIZERS.join(', ')})`);
  }
  if (vectorizers.length === 0) program.error('--vectorizers: give at least one');
  return {
    data: (o.data ?? DEFAULT_TRAINING_DATA).map((f) => resolve(f)),
    limit: o.limit,
    tags: o.tags,
    seed: o.seed,
    vectorizers: vectorizers as VectorizerKind[],
    cache: resolve(o.cache),
    keep: Boolean(o.keep),
  };
}

const log = (line: string) => process.stderr.write(`${line}\n`);

/** sha256 over the paths and contents of src/ and scripts/bench/ (the repository has no commits to cite yet). */
function sourceDigest(): string {
  const hash = createHash('sha256');
  for (const dir of ['src', 'scripts/bench']) {
    const files = (readdirSync(resolve(PACKAGE_ROOT, dir), { recursive: true }) as string[]).filter((f) => /\.(ts|py)$/.test(f)).sort();
    for (const f of files) hash.update(`${dir}/${f}\0`).update(readFileSync(resolve(PACKAGE_ROOT, dir, f))).update('\0');
  }
  return hash.digest('hex');
}

/** Writes rows of equal length as one little-endian float32 matrix (the machine must be little-endian). */
function writeF32(file: string, rows: readonly ArrayLike<number>[]): void {
  if (endianness() !== 'LE') throw new Error('bench:quality writes float32 in native order and needs a little-endian machine');
  const dim = rows[0]?.length ?? 0;
  const out = new Float32Array(rows.length * dim);
  rows.forEach((r, i) => {
    if (r.length !== dim) throw new Error(`writeF32 ${file}: row ${i} has ${r.length} values, expected ${dim}`);
    out.set(r, i * dim);
  });
  writeFileSync(file, out);
}

function readF64Rows(file: string, rows: number, cols: number): Float64Array[] {
  const buf = readFileSync(file);
  if (buf.length !== rows * cols * 8) throw new Error(`${file}: ${buf.length} bytes, expected ${rows} x ${cols} float64`);
  const all = new Float64Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.length));
  return Array.from({ length: rows }, (_, i) => all.subarray(i * cols, (i + 1) * cols));
}

/** Largest |a - b| over the scalar and per-k figures of two evaluations (Infinity if a field is missing). */
function maxDiff(a: Summary, b: Summary): { diff: number; field: string } {
  let worst = { diff: 0, field: '' };
  const keys = ['n', 'p_at_k', 'r_at_k', 'f1_at_k', 'micro_precision', 'micro_recall', 'micro_f1', 'macro_f1', 'samples_f1', 'coverage', 'vocabulary_predicted_share', 'abstain_rate'] as const;
  for (const k of keys) {
    const x = ([] as number[]).concat(a[k] as number | number[]);
    const y = ([] as number[]).concat((b[k] ?? []) as number | number[]);
    for (let i = 0; i < Math.max(x.length, y.length); i++) {
      const d = x.length === y.length ? Math.abs(x[i] - y[i]) : Infinity;
      if (!(d <= worst.diff)) worst = { diff: Number.isNaN(d) ? Infinity : d, field: x.length > 1 ? `${k}[${i}]` : k };
    }
  }
  return worst;
}

interface OursRun {
  vectorizer: VectorizerKind;
  result: TrainResult;
  wall: number;
}

interface PeerResult {
  estimator: string;
  features: string;
  chosen_C: number;
  selection: string;
  grid: { C: number; validation_micro_f1: number; fit_seconds: number }[];
  fit_seconds: number;
  grid_seconds: number;
  thresholds: number[];
  validation: Summary;
  test: Summary;
  test_scores_file: string;
  [k: string]: unknown;
}

interface PeersReport {
  versions: Record<string, string>;
  blas_threads: number;
  threadpools: unknown[];
  peers: Record<string, PeerResult>;
  crosscheck: { name: string; thresholds: number[]; global_threshold: number; tags_with_own_threshold: number; test: Summary }[];
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv);
  const started = new Date();
  const digest = sourceDigest(); // at start: other work may edit the tree during a long run
  const work = mkdtempSync(join(tmpdir(), 'tagsmith-bench-quality-'));
  const splitDir = join(work, 'split');
  mkdirSync(splitDir);
  const needEmbeddings = args.vectorizers.some((v) => v !== 'tfidf');
  const peerNames = [...(needEmbeddings ? ['lr_embeddings', 'lr_embeddings_converged'] : []), 'svc_tfidf'];
  log(`bench:quality: work directory ${work}`);

  try {
    // --- the split, exported for the peers --------------------------------------------------
    const ds = await prepareDataset({ data: args.data, limit: args.limit, seed: args.seed, tags: args.tags }, log);
    const items: (Item & { part: Part })[] = PARTS.flatMap((p) => ds.split[p].map((it) => ({ ...it, part: p })));
    const texts = items.map((it) => it.text);
    const n = { train: ds.split.train.length, validation: ds.split.validation.length, test: ds.split.test.length };
    const offset = { train: 0, validation: n.train, test: n.train + n.validation };
    const rows = <T>(xs: T[], p: Part) => xs.slice(offset[p], offset[p] + n[p]);
    writeFileSync(
      join(splitDir, 'items.jsonl'),
      items.map((it) => JSON.stringify({ part: it.part, text: it.text, tags: it.question.tags, labels: labelIndices(it.question.tags, ds.tagIndex) })).join('\n') + '\n',
    );
    writeFileSync(join(splitDir, 'vocab.json'), JSON.stringify(ds.vocab.tags));
    let embeddings: Float32Array[] | undefined;
    let embedSeconds = 0;
    let embeddingsCached = 0;
    if (needEmbeddings) {
      const t = Date.now();
      const e = await embedTexts(texts, DEFAULT_MODEL_DIR, args.cache);
      embedSeconds = (Date.now() - t) / 1000;
      embeddings = e.vectors;
      embeddingsCached = e.cached;
      log(`embeddings: ${texts.length - e.cached} computed, ${e.cached} from cache, ${embedSeconds.toFixed(1)} s`);
      writeF32(join(splitDir, 'embeddings.f32'), embeddings);
    }

    // --- ours, once per vectorizer ------------------------------------------------------------
    const ours: OursRun[] = [];
    /** Our exported models' scores: files for peers.py, and our own thresholds and test figures on them. */
    const crossOurs: { name: string; files: { validation: string; test: string }; thresholds: number[]; test: Summary }[] = [];
    for (const vectorizer of args.vectorizers) {
      const out = join(work, `ours-${vectorizer}`);
      log(`\n== ours (${vectorizer}) ==`);
      const t = Date.now();
      const result = await train({
        data: args.data,
        out,
        vectorizer,
        tags: args.tags,
        seed: args.seed,
        limit: args.limit,
        cacheDir: args.cache,
        encoderDir: DEFAULT_MODEL_DIR,
        log,
      });
      const wall = (Date.now() - t) / 1000;
      // the same split and vocabulary as the export
      const split = result.manifest.training.split as { train: number; validation: number; test: number };
      if (JSON.stringify(result.manifest.tags) !== JSON.stringify(ds.vocab.tags) || split.train !== n.train || split.validation !== n.validation || split.test !== n.test) {
        throw new Error(`ours (${vectorizer}) was trained on a different split or vocabulary than the one exported for the peers`);
      }
      ours.push({ vectorizer, result, wall });
      // the exported model's scores (what ships), for the metric cross-check
      const suggester = await loadSuggester(nodeModelFiles(out), async () => async () => {
        throw new Error('bench:quality passes embeddings explicitly');
      });
      const scoresOf = async (p: Part) => suggester.scoreTexts(rows(texts, p), embeddings ? rows(embeddings, p) : undefined);
      const val = await scoresOf('validation');
      const test = await scoresOf('test');
      const valLabels = rows(items, 'validation').map((it) => labelIndices(it.question.tags, ds.tagIndex));
      const tuned = tuneThresholds(val, valLabels, ds.vocab.tags.length);
      const files = { validation: `ours_${vectorizer}_validation.f32`, test: `ours_${vectorizer}_test.f32` };
      writeF32(join(splitDir, files.validation), val);
      writeF32(join(splitDir, files.test), test);
      const goldTest = rows(items, 'test').map((it) => it.question.tags);
      crossOurs.push({ name: `ours_${vectorizer}`, files, thresholds: tuned.thresholds, test: summary(evaluateScores(test, goldTest, ds.vocab.tags, tuned.thresholds)) });
    }

    // --- the peers ------------------------------------------------------------------------------
    const config = {
      peers: peerNames,
      seed: args.seed,
      token_pattern: TOKEN_PATTERN,
      max_features: DEFAULT_TRAIN.maxFeatures,
      min_df: DEFAULT_TRAIN.minDf,
      max_iter: DEFAULT_TRAIN.maxEpochs,
      tol: LR_TOL,
      tight_tol: LR_TIGHT.tol,
      tight_max_iter: LR_TIGHT.maxIter,
      lr_C_grid: LR_C_GRID,
      svc_C_grid: SVC_C_GRID,
      threshold_grid: Array.from({ length: 19 }, (_, i) => Number((0.05 * (i + 1)).toFixed(2))),
      min_positives: 8,
      embedding_dim: embeddings?.[0]?.length ?? 0,
      blas_threads: 1, // ours trains on one thread (Node); see peers.py for why more BLAS threads are not fairer here
      crosscheck: crossOurs.map(({ name, files }) => ({ name, ...files })),
    };
    writeFileSync(join(splitDir, 'config.json'), JSON.stringify(config, null, 1));
    log(`\n== scikit-learn peers (${peerNames.join(', ')}) ==`);
    const python = resolve(PACKAGE_ROOT, '.venv/bin/python');
    const t = Date.now();
    const proc = spawnSync(python, [resolve(PACKAGE_ROOT, 'scripts/bench/peers.py'), splitDir], { stdio: 'inherit' });
    if (proc.error) throw new Error(`could not run ${python} (${proc.error.message}); create the venv: python3 -m venv .venv && .venv/bin/pip install -r scripts/python/requirements.txt`);
    if (proc.status !== 0) throw new Error(`scripts/bench/peers.py failed (exit ${proc.status}); see its message above`);
    const peersWall = (Date.now() - t) / 1000;
    const peers = JSON.parse(readFileSync(join(splitDir, 'peers.json'), 'utf8')) as PeersReport;

    // --- the metric cross-check -------------------------------------------------------------------
    const checks: { what: string; maxAbsDiff: number; field: string; thresholdsIdentical?: boolean }[] = [];
    const goldTest = rows(items, 'test').map((it) => it.question.tags);
    for (const ours of crossOurs) {
      const py = peers.crosscheck.find((c) => c.name === ours.name);
      if (!py) throw new Error(`peers.json has no cross-check of ${ours.name}`);
      const same = py.thresholds.length === ours.thresholds.length && py.thresholds.every((x, i) => x === ours.thresholds[i]);
      checks.push({ what: `${ours.name} scores: thresholds (TS tuneThresholds vs Python port) and test metrics (TS vs Python)`, thresholdsIdentical: same, ...(({ diff, field }) => ({ maxAbsDiff: diff, field }))(maxDiff(ours.test, py.test)) });
    }
    for (const [name, peer] of Object.entries(peers.peers)) {
      const scores = readF64Rows(join(splitDir, peer.test_scores_file), n.test, ds.vocab.tags.length);
      const ts = summary(evaluateScores(scores, goldTest, ds.vocab.tags, peer.thresholds));
      const { diff, field } = maxDiff(ts, peer.test);
      checks.push({ what: `${name} test scores: TS evaluateScores vs Python metrics`, maxAbsDiff: diff, field });
    }
    log('\nmetric cross-check (same predictions through both implementations):');
    for (const c of checks) {
      log(`  ${c.what}: max |diff| ${c.maxAbsDiff.toExponential(2)}${c.field ? ` (${c.field})` : ''}${c.thresholdsIdentical === undefined ? '' : `, thresholds ${c.thresholdsIdentical ? 'identical' : 'DIFFER'}`}`);
    }
    const bad = checks.filter((c) => !(c.maxAbsDiff <= AGREEMENT) || c.thresholdsIdentical === false);
    if (bad.length) throw new Error(`the TypeScript and Python evaluations disagree (tolerance ${AGREEMENT}): ${bad.map((c) => c.what).join('; ')}`);
    log(`  all agree within ${AGREEMENT}`);

    // --- the table ----------------------------------------------------------------------------------
    const label: Record<string, string> = {
      lr_embeddings: 'scikit-learn LogisticRegression on embeddings',
      lr_embeddings_converged: `scikit-learn LogisticRegression on embeddings, tol=${LR_TIGHT.tol.toExponential(0)}`,
      svc_tfidf: 'scikit-learn TF-IDF + LinearSVC',
    };
    const table = [
      ...ours.map((o) => ({ model: `ours (${o.vectorizer})`, e: summary(o.result.test), fit: o.result.timings.head, note: `C=${o.result.manifest.training.params && (o.result.manifest.training.params as { C: number }).C}` })),
      ...Object.entries(peers.peers).map(([name, p]) => ({ model: label[name] ?? name, e: p.test, fit: p.fit_seconds, note: `C=${p.chosen_C}` })),
    ];
    const pct = (x: number) => (x * 100).toFixed(1);
    const lines = [
      '| model | P@1 | P@3 | R@3 | F1@3 | P@5 | R@5 | micro-F1 | macro-F1 | fit s |',
      '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
      ...table.map(({ model, e, fit, note }) =>
        `| ${model} (${note}) | ${pct(e.p_at_k[0])} | ${pct(e.p_at_k[2])} | ${pct(e.r_at_k[2])} | ${pct(e.f1_at_k[2])} | ${pct(e.p_at_k[4])} | ${pct(e.r_at_k[4])} | ${pct(e.micro_f1)} | ${pct(e.macro_f1)} | ${fit.toFixed(1)} |`,
      ),
      '',
      `Test part: ${n.test.toLocaleString('en-US')} questions (train ${n.train.toLocaleString('en-US')}, validation ${n.validation.toLocaleString('en-US')}), ` +
        `vocabulary ${ds.vocab.tags.length} tags, coverage ${pct(table[0].e.coverage)} % of the test questions' gold tag assignments are in the vocabulary ` +
        `(ranking metrics count all gold tags, so R@k cannot reach 100 %). Figures in %. ` +
        `Ours: C=${DEFAULT_TRAIN.C} (default, not tuned), thresholds tuned on validation. ` +
        `LogisticRegression: C picked from ${LR_C_GRID.join('/')} by validation micro-F1, thresholds tuned with our procedure; ` +
        `default tol=${LR_TOL.toExponential(0)}, and the same model at the chosen C trained to tol=${LR_TIGHT.tol.toExponential(0)} (max_iter ${LR_TIGHT.maxIter}). ` +
        `LinearSVC: C picked from ${SVC_C_GRID.join('/')} by validation micro-F1, its own predict (decision > 0). ` +
        `"fit s" = fitting the classifier at the chosen C, features precomputed (TF-IDF and embeddings not included), one thread each (ours: Node; peers: BLAS limited to 1 thread), on a shared ${cpus().length}-core machine.`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);

    // --- results file -------------------------------------------------------------------------------
    const resultsDir = resolve(PACKAGE_ROOT, 'bench/results');
    mkdirSync(resultsDir, { recursive: true });
    const report = {
      date: started.toISOString(),
      sourceSha256: digest,
      options: { ...args, data: args.data.map((f) => f.replace(`${resolve(PACKAGE_ROOT, '..')}/`, '../')), cache: undefined },
      machine: { cpu: cpus()[0]?.model, cores: cpus().length, memoryGiB: +(totalmem() / 2 ** 30).toFixed(1), platform: `${platform()} ${release()}`, node: process.version, python: peers.versions, peerBlasThreads: peers.blas_threads, threadpoolsAvailable: peers.threadpools },
      data: ds.data,
      split: n,
      vocabulary: { size: ds.vocab.tags.length, trainCoverage: ds.vocab.coverage },
      embeddings: needEmbeddings ? { seconds: embedSeconds, computed: texts.length - embeddingsCached, cached: embeddingsCached } : null,
      table: lines.join('\n'),
      ours: Object.fromEntries(
        ours.map((o) => [o.vectorizer, { model: o.result.manifest.version, params: o.result.manifest.training.params, timings: o.result.timings, wallSeconds: o.wall, test: summary(o.result.test), validation: summary(o.result.validation) }]),
      ),
      peers: Object.fromEntries(Object.entries(peers.peers).map(([k, p]) => [k, { ...p, thresholds: undefined, test_scores_file: undefined }])),
      peersWallSeconds: peersWall,
      crosscheck: { tolerance: AGREEMENT, checks },
    };
    const file = join(resultsDir, 'quality.json');
    writeFileSync(file, `${JSON.stringify(report, null, 1)}\n`);
    log(`\nwrote ${file}`);
  } finally {
    if (args.keep) log(`kept ${work}`);
    else rmSync(work, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:quality: error: ${err instanceof Error ? err.message : String(err)}\n`);
  if (process.env.TAGSMITH_DEBUG === '1' && err instanceof Error) process.stderr.write(`${err.stack}\n`);
  process.exitCode = 1;
});
