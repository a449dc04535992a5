/**
 * `npm run bench:quality`: our tag model next to the scikit-learn peers a user would pick, on the
 * SAME split, the same vocabulary and the same metric definitions.
 *
 *   npx tsx scripts/bench/quality.ts [--data FILE...] [--limit N] [--tags N] [--seed S]
 *        [--vectorizers tfidf,embeddings,hybrid] [--cache DIR] [--keep]
 *
 * Defaults are the training defaults (every Stack Overflow file of ../shared/data, 2,000 tags, seed 42).
 * Figures are given for the whole test part and per source file (2018 bodies, titles-only 2009-2011
 * and 2020, the mixed file, the 2022 export).
 *
 * Time split (unless --no-time-split): the same comparison for models trained on questions created
 * up to 2018 only (undated ones left out, since they may be later), scored on the mixed file's
 * questions from 2019 on: how much each model loses on questions from years it never saw.
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
import { availableParallelism, cpus, endianness, platform, release, totalmem, tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { embedTexts, prepareDataset, train, type Item, type TrainResult } from '../../src/pipeline/train';
import { DEFAULT_TRAIN } from '../../src/pipeline/train-defaults';
import { evaluateScores, summary, type Evaluation } from '../../src/learn/evaluation';
import { tuneThresholds } from '../../src/learn/thresholds';
import { labelIndices } from '../../src/learn/vocab';
import { loadSuggester } from '../../src/core/suggester';
import { nodeModelFiles } from '../../src/pipeline/model-io';
import { DEFAULT_MODEL_DIR, DEFAULT_TAGS, DEFAULT_TRAINING_DATA, PACKAGE_ROOT } from '../../src/node/paths';
import { loadQuestions } from '../../src/pipeline/load-data';
import { apiItem } from '../../src/pipeline/retrain';
import { normalizeQuestion } from '../../src/core/normalize';
import type { Question } from '../../src/core/types';
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
  threads: number;
  timeSplit: boolean;
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
    .option('--data <file...>', 'training files (default: the training defaults, every file of ../shared/data)')
    .option('--limit <n>', 'use a deterministic sample of N questions', intArg('--limit', 20))
    .option('--tags <n>', 'vocabulary size', intArg('--tags', 1), DEFAULT_TAGS)
    .option('--seed <n>', 'split seed', intArg('--seed', 0), 42)
    .option('--vectorizers <list>', 'our vectorizers to train (comma-separated: tfidf, embeddings, hybrid)', 'hybrid')
    .option('--cache <dir>', 'embedding cache directory', '.cache/embeddings')
    .option('--threads <n>', 'threads for ours and n_jobs for the peers', intArg('--threads', 1), Math.min(availableParallelism(), 8))
    .option('--no-time-split', 'skip the time split (trained on questions up to 2018, scored on the mixed file from 2019)')
    .option('--keep', 'keep the temporary directories (models, exported split, peer scores)')
    .parse(argv);
  const o = program.opts<{ data?: string[]; limit?: number; tags: number; seed: number; vectorizers: string; cache: string; threads: number; timeSplit: boolean; keep?: boolean }>();
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
    threads: o.threads,
    timeSplit: o.timeSplit,
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

/** One model's test figures, overall and per source file. */
interface Scored {
  model: string;
  note: string;
  fit: number;
  test: Summary;
  bySource: Record<string, Summary>;
}

interface Comparison {
  name: string;
  n: { train: number; validation: number; test: number };
  vocabulary: { size: number; trainCoverage: unknown };
  models: Scored[];
  /** With `evaluate` (time split): ours on the model's own test part (same period as its training), per source. */
  ownTest: Record<string, Record<string, Summary>>;
  ours: OursRun[];
  peers: PeersReport;
  peersWall: number;
  checks: { what: string; maxAbsDiff: number; field: string; thresholdsIdentical?: boolean }[];
  embeddings: { seconds: number; computed: number; cached: number } | null;
  data: unknown;
}

const short = (file: string) => file.replace(/^stackoverflow-/, '').replace(/\.(jsonl\.gz|csv)$/, '');

/**
 * Trains ours (per vectorizer) and the peers on `data`'s split and scores them on its test part,
 * or, with `evaluate`, on those questions instead (the time split): the peers get the same rows.
 */
async function compare(name: string, args: Args, data: string[], work: string, evaluate?: Question[]): Promise<Comparison> {
  const splitDir = join(work, name, 'split');
  mkdirSync(splitDir, { recursive: true });
  const needEmbeddings = args.vectorizers.some((v) => v !== 'tfidf');
  // At 2,000 tags a C grid and a tol=1e-6 refit cost hours on two cores: one C each (the middle of the grid).
  const big = args.tags > 500;
  const peerNames = [...(needEmbeddings ? ['lr_embeddings', ...(big ? [] : ['lr_embeddings_converged'])] : []), 'svc_tfidf'];
  const ds = await prepareDataset({ data, limit: args.limit, seed: args.seed, tags: args.tags }, log);
  const test: Item[] = evaluate
    ? evaluate.map((q) => ({ question: q, site: q.site, id: q.id, source: q.source, text: normalizeQuestion({ title: q.title, body: q.body, bodyFormat: q.bodyFormat }) }))
    : ds.split.test;
  const items: (Item & { part: Part })[] = [
    ...ds.split.train.map((it) => ({ ...it, part: 'train' as Part })),
    ...ds.split.validation.map((it) => ({ ...it, part: 'validation' as Part })),
    ...test.map((it) => ({ ...it, part: 'test' as Part })),
  ];
  const texts = items.map((it) => it.text);
  const n = { train: ds.split.train.length, validation: ds.split.validation.length, test: test.length };
  const offset = { train: 0, validation: n.train, test: n.train + n.validation };
  const rows = <T>(xs: T[], p: Part) => xs.slice(offset[p], offset[p] + n[p]);
  writeFileSync(
    join(splitDir, 'items.jsonl'),
    items.map((it) => JSON.stringify({ part: it.part, text: it.text, tags: it.question.tags, labels: labelIndices(it.question.tags, ds.tagIndex) })).join('\n') + '\n',
  );
  writeFileSync(join(splitDir, 'vocab.json'), JSON.stringify(ds.vocab.tags));
  let embeddings: Float32Array[] | undefined;
  let embeddingsInfo: Comparison['embeddings'] = null;
  if (needEmbeddings) {
    const t = Date.now();
    const e = await embedTexts(texts, DEFAULT_MODEL_DIR, args.cache);
    embeddingsInfo = { seconds: (Date.now() - t) / 1000, computed: texts.length - e.cached, cached: e.cached };
    embeddings = e.vectors;
    log(`embeddings: ${embeddingsInfo.computed} computed, ${e.cached} from cache, ${embeddingsInfo.seconds.toFixed(1)} s`);
    writeF32(join(splitDir, 'embeddings.f32'), embeddings);
  }
  const goldTest = rows(items, 'test').map((it) => it.question.tags);
  const sourcesTest = rows(items, 'test').map((it) => basename(it.source));
  const sources = [...new Set(sourcesTest)].sort();
  const bySource = (scores: ArrayLike<number>[], thresholds: number[]): Record<string, Summary> =>
    Object.fromEntries(
      sources.map((src) => {
        const idx = sourcesTest.flatMap((s, i) => (s === src ? [i] : []));
        return [src, summary(evaluateScores(idx.map((i) => scores[i]), idx.map((i) => goldTest[i]), ds.vocab.tags, thresholds))];
      }),
    );

  // --- ours, once per vectorizer ------------------------------------------------------------
  const ours: OursRun[] = [];
  const models: Scored[] = [];
  const crossOurs: { name: string; files: { validation: string; test: string }; thresholds: number[]; test: Summary }[] = [];
  const ownTest: Comparison['ownTest'] = {};
  for (const vectorizer of args.vectorizers) {
    const out = join(work, name, `ours-${vectorizer}`);
    log(`\n== ${name}: ours (${vectorizer}) ==`);
    const t = Date.now();
    const result = await train({ data, out, vectorizer, tags: args.tags, seed: args.seed, limit: args.limit, cacheDir: args.cache, encoderDir: DEFAULT_MODEL_DIR, threads: args.threads, log });
    const wall = (Date.now() - t) / 1000;
    const split = result.record.split;
    if (JSON.stringify(result.manifest.tags) !== JSON.stringify(ds.vocab.tags) || split.train !== n.train || split.validation !== n.validation) {
      throw new Error(`ours (${vectorizer}) was trained on a different split or vocabulary than the one exported for the peers`);
    }
    ours.push({ vectorizer, result, wall });
    // the exported model's scores (what ships), for the metric cross-check and the per-source table
    const suggester = await loadSuggester(nodeModelFiles(out), async () => async () => {
      throw new Error('bench:quality passes embeddings explicitly');
    });
    const scoresOf = async (p: Part) => suggester.scoreTexts(rows(texts, p), embeddings ? rows(embeddings, p) : undefined);
    const val = await scoresOf('validation');
    const testScores = await scoresOf('test');
    const valLabels = rows(items, 'validation').map((it) => labelIndices(it.question.tags, ds.tagIndex));
    const tuned = tuneThresholds(val, valLabels, ds.vocab.tags.length);
    const files = { validation: `ours_${vectorizer}_validation.f32`, test: `ours_${vectorizer}_test.f32` };
    writeF32(join(splitDir, files.validation), val);
    writeF32(join(splitDir, files.test), testScores);
    const ev = summary(evaluateScores(testScores, goldTest, ds.vocab.tags, tuned.thresholds));
    if (evaluate) {
      const own = ds.split.test;
      const ownEmb = embeddings ? (await embedTexts(own.map((it) => it.text), DEFAULT_MODEL_DIR, args.cache)).vectors : undefined;
      const ownScores = await suggester.scoreTexts(own.map((it) => it.text), ownEmb);
      const ownSources = [...new Set(own.map((it) => basename(it.source)))].sort();
      ownTest[`ours (${vectorizer})`] = Object.fromEntries([
        ['all', summary(evaluateScores(ownScores, own.map((it) => it.question.tags), ds.vocab.tags, tuned.thresholds))],
        ...ownSources.map((src) => {
          const idx = own.flatMap((it, i) => (basename(it.source) === src ? [i] : []));
          return [src, summary(evaluateScores(idx.map((i) => ownScores[i]), idx.map((i) => own[i].question.tags), ds.vocab.tags, tuned.thresholds))];
        }),
      ]);
    }
    crossOurs.push({ name: `ours_${vectorizer}`, files, thresholds: tuned.thresholds, test: ev });
    const p = result.record.params;
    models.push({
      model: `ours (${vectorizer})`,
      note:
        p.head === 'svc'
          ? `SVM C=${p.C} + ridge, beta ${p.svc?.beta}${p.svc && p.svc.beta_body !== p.svc.beta ? ` (with a body ${p.svc.beta_body})` : ''}`
          : `logreg C=${p.C}`,
      fit: result.timings.head,
      test: ev,
      bySource: bySource(testScores, tuned.thresholds),
    });
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
    lr_C_grid: big ? [4] : LR_C_GRID,
    svc_C_grid: big ? [0.5] : SVC_C_GRID,
    n_jobs: args.threads,
    threshold_grid: Array.from({ length: 19 }, (_, i) => Number((0.05 * (i + 1)).toFixed(2))),
    min_positives: 8,
    embedding_dim: embeddings?.[0]?.length ?? 0,
    blas_threads: 1, // n_jobs processes, one BLAS thread each
    crosscheck: crossOurs.map(({ name: nm, files }) => ({ name: nm, ...files })),
  };
  writeFileSync(join(splitDir, 'config.json'), JSON.stringify(config, null, 1));
  log(`\n== ${name}: scikit-learn peers (${peerNames.join(', ')}) ==`);
  const python = resolve(PACKAGE_ROOT, '.venv/bin/python');
  const t = Date.now();
  const proc = spawnSync(python, [resolve(PACKAGE_ROOT, 'scripts/bench/peers.py'), splitDir], { stdio: 'inherit' });
  if (proc.error) throw new Error(`could not run ${python} (${proc.error.message}); create the venv: python3 -m venv .venv && .venv/bin/pip install -r scripts/python/requirements.txt`);
  if (proc.status !== 0) throw new Error(`scripts/bench/peers.py failed (exit ${proc.status}); see its message above`);
  const peersWall = (Date.now() - t) / 1000;
  const peers = JSON.parse(readFileSync(join(splitDir, 'peers.json'), 'utf8')) as PeersReport;

  // --- the metric cross-check -------------------------------------------------------------------
  const checks: Comparison['checks'] = [];
  for (const o of crossOurs) {
    const py = peers.crosscheck.find((c) => c.name === o.name);
    if (!py) throw new Error(`peers.json has no cross-check of ${o.name}`);
    const same = py.thresholds.length === o.thresholds.length && py.thresholds.every((x, i) => x === o.thresholds[i]);
    checks.push({ what: `${o.name} scores: thresholds (TS tuneThresholds vs Python port) and test metrics (TS vs Python)`, thresholdsIdentical: same, ...(({ diff, field }) => ({ maxAbsDiff: diff, field }))(maxDiff(o.test, py.test)) });
  }
  const label: Record<string, string> = {
    lr_embeddings: 'scikit-learn LogisticRegression on embeddings',
    lr_embeddings_converged: `scikit-learn LogisticRegression on embeddings, tol=${LR_TIGHT.tol.toExponential(0)}`,
    svc_tfidf: 'scikit-learn TF-IDF + LinearSVC',
  };
  for (const [peerName, peer] of Object.entries(peers.peers)) {
    const scores = readF64Rows(join(splitDir, peer.test_scores_file), n.test, ds.vocab.tags.length);
    const ts = summary(evaluateScores(scores, goldTest, ds.vocab.tags, peer.thresholds));
    const { diff, field } = maxDiff(ts, peer.test);
    checks.push({ what: `${peerName} test scores: TS evaluateScores vs Python metrics`, maxAbsDiff: diff, field });
    models.push({ model: label[peerName] ?? peerName, note: `C=${peer.chosen_C}`, fit: peer.fit_seconds, test: ts, bySource: bySource(scores, peer.thresholds) });
  }
  log(`\n${name}: metric cross-check (same predictions through both implementations):`);
  for (const c of checks) {
    log(`  ${c.what}: max |diff| ${c.maxAbsDiff.toExponential(2)}${c.field ? ` (${c.field})` : ''}${c.thresholdsIdentical === undefined ? '' : `, thresholds ${c.thresholdsIdentical ? 'identical' : 'DIFFER'}`}`);
  }
  const bad = checks.filter((c) => !(c.maxAbsDiff <= AGREEMENT) || c.thresholdsIdentical === false);
  if (bad.length) throw new Error(`the TypeScript and Python evaluations disagree (tolerance ${AGREEMENT}): ${bad.map((c) => c.what).join('; ')}`);
  log(`  all agree within ${AGREEMENT}`);
  return { name, n, vocabulary: { size: ds.vocab.tags.length, trainCoverage: ds.vocab.coverage }, models, ownTest, ours, peers, peersWall, checks, embeddings: embeddingsInfo, data: ds.data };
}

const pct = (x: number) => (x * 100).toFixed(1);

function overallTable(c: Comparison): string[] {
  return [
    '| model | P@1 | P@3 | R@3 | P@5 | R@5 | micro-F1 | macro-F1 | abstain: all / with a vocabulary tag | fit s |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...c.models.map(({ model, note, test: e, fit }) =>
      `| ${model} (${note}) | ${pct(e.p_at_k[0])} | ${pct(e.p_at_k[2])} | ${pct(e.r_at_k[2])} | ${pct(e.p_at_k[4])} | ${pct(e.r_at_k[4])} | ${pct(e.micro_f1)} | ${pct(e.macro_f1)} | ${pct(e.abstain_rate)} / ${pct(e.abstain_rate_in_vocabulary)} | ${fit.toFixed(0)} |`,
    ),
  ];
}

function sourceTable(c: Comparison): string[] {
  const sources = Object.keys(c.models[0].bySource);
  return [
    `| model | ${sources.map((s) => `${short(s)} (${c.models[0].bySource[s].n}) P@1 / R@5 / micro-F1`).join(' | ')} |`,
    `|---|${sources.map(() => '---:').join('|')}|`,
    ...c.models.map((m) => `| ${m.model} | ${sources.map((s) => { const e = m.bySource[s]; return `${pct(e.p_at_k[0])} / ${pct(e.r_at_k[4])} / ${pct(e.micro_f1)}`; }).join(' | ')} |`),
    `| coverage (gold tags in the vocabulary) | ${sources.map((s) => `${pct(c.models[0].bySource[s].coverage)} %`).join(' | ')} |`,
  ];
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv);
  const started = new Date();
  const digest = sourceDigest(); // at start: other work may edit the tree during a long run
  const work = mkdtempSync(join(tmpdir(), 'tagsmith-bench-quality-'));
  log(`bench:quality: work directory ${work}`);
  try {
    const main = await compare('main', args, args.data, work);
    let aging: { comparison: Comparison; trainedOn: string; scoredOn: string; undatedLeftOut: number; rows: { model: string; inTime: number; inTimeMixed: number; inTimeMixedN: number; later: number; relativeLoss: number }[] } | undefined;
    if (args.timeSplit) {
      const CUT = '2019-01-01T00:00:00.000Z';
      const { questions } = await loadQuestions(args.data);
      const before = questions.filter((q) => q.created !== undefined && q.created < CUT);
      const later = questions.filter((q) => q.created !== undefined && q.created >= CUT && /mixed/.test(basename(q.source)));
      if (later.length === 0) throw new Error('time split: no question of --data from 2019 on in the mixed file; pass --no-time-split');
      // One file per source, named after it, so the time-split model's own test part is reported per
      // source too (the mixed file up to 2018 is the like-for-like reference for 2019-2023).
      const files = [...new Set(before.map((q) => basename(q.source)))].sort().map((src) => {
        const file = join(work, `up-to-2018-${src.replace(/\.(jsonl\.gz|csv|jsonl)$/, '')}.jsonl`);
        writeFileSync(file, before.filter((q) => basename(q.source) === src).map((q) => `${JSON.stringify(apiItem(q))}\n`).join(''));
        return file;
      });
      log(`\n== time split: ${before.length} questions created up to 2018 train; ${later.length} mixed-file questions from 2019 on score ==`);
      const comparison = await compare('time-split', args, files, work, later);
      // In-time reference: the same model on its own test part (questions up to 2018), all of it and
      // the mixed file's share (same source and skew as the 2019-2023 questions).
      aging = {
        comparison,
        trainedOn: 'questions created up to 2018 (all files)',
        scoredOn: 'the mixed file, questions created 2019-2023',
        undatedLeftOut: questions.filter((q) => q.created === undefined).length,
        rows: comparison.models.flatMap((m) => {
          const own = comparison.ownTest[m.model];
          if (!own) return [];
          const mixed = Object.entries(own).find(([src]) => /mixed/.test(src))?.[1];
          const ref = mixed ?? own.all;
          return [{ model: m.model, inTime: own.all.p_at_k[0], inTimeMixed: ref.p_at_k[0], inTimeMixedN: ref.n, later: m.test.p_at_k[0], relativeLoss: 1 - m.test.p_at_k[0] / ref.p_at_k[0] }];
        }),
      };
    }

    const lines = [
      `### All test questions (${main.n.test.toLocaleString('en-US')}; vocabulary ${main.vocabulary.size.toLocaleString('en-US')} tags)`,
      '',
      ...overallTable(main),
      '',
      '### Per source (test part)',
      '',
      ...sourceTable(main),
    ];
    if (aging) {
      lines.push(
        '',
        `### Time split: trained on ${aging.trainedOn}, scored on ${aging.scoredOn} (${aging.comparison.n.test})`,
        '',
        ...overallTable(aging.comparison),
        '',
        '| model | P@1, own test part up to 2018 (all sources) | P@1, own test part up to 2018, mixed file | P@1, mixed file 2019-2023 | relative loss (vs the mixed file up to 2018) |',
        '|---|---:|---:|---:|---:|',
        ...aging.rows.map((r) => `| ${r.model} | ${pct(r.inTime)} | ${pct(r.inTimeMixed)} (${r.inTimeMixedN}) | ${pct(r.later)} | ${pct(r.relativeLoss)} % |`),
      );
    }
    lines.push(
      '',
      `Figures in %. Ranking metrics count all gold tags (in or out of the vocabulary), so R@k cannot reach 100 %; ` +
        `micro/macro-F1 use each model's decisions (ours and LogisticRegression: thresholds tuned on validation; LinearSVC: its own predict). ` +
        `Peers at the same vocabulary and split: ${args.tags > 500 ? 'LinearSVC C=0.5, LogisticRegression C=4 (no grid at this vocabulary size: each fit takes minutes)' : `LinearSVC C from ${SVC_C_GRID.join('/')}, LogisticRegression C from ${LR_C_GRID.join('/')}, by validation micro-F1`}. ` +
        `"fit s" = fitting the classifier, features precomputed, ${args.threads} threads / n_jobs each, on a shared ${cpus().length}-core machine.`,
    );
    process.stdout.write(`${lines.join('\n')}\n`);

    const resultsDir = resolve(PACKAGE_ROOT, 'bench/results');
    mkdirSync(resultsDir, { recursive: true });
    const describe = (c: Comparison) => ({
      split: c.n,
      vocabulary: c.vocabulary,
      data: c.data,
      embeddings: c.embeddings,
      models: c.models,
      ours: Object.fromEntries(c.ours.map((o) => [o.vectorizer, { model: o.result.manifest.version, params: o.result.record.params, timings: o.result.timings, wallSeconds: o.wall, validation: summary(o.result.validation) }])),
      peers: Object.fromEntries(Object.entries(c.peers.peers).map(([k, p]) => [k, { ...p, thresholds: undefined, test_scores_file: undefined }])),
      peersWallSeconds: c.peersWall,
      crosscheck: { tolerance: AGREEMENT, checks: c.checks },
    });
    const report = {
      date: started.toISOString(),
      sourceSha256: digest,
      options: { ...args, data: args.data.map((f) => f.replace(`${resolve(PACKAGE_ROOT, '..')}/`, '../')), cache: undefined },
      machine: { cpu: cpus()[0]?.model, cores: cpus().length, memoryGiB: +(totalmem() / 2 ** 30).toFixed(1), platform: `${platform()} ${release()}`, node: process.version, python: main.peers.versions },
      table: lines.join('\n'),
      main: describe(main),
      timeSplit: aging ? { ...describe(aging.comparison), trainedOn: aging.trainedOn, scoredOn: aging.scoredOn, undatedLeftOut: aging.undatedLeftOut, aging: aging.rows } : null,
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
