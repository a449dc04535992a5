/**
 * `npm run experiment`: the model variants compared as tracked runs. Trains each variant (the three
 * vectorisers, and the hybrid without its re-ranker, with one embedding weight for all questions or
 * with the logistic regression head) on the same data, split and vocabulary (one MLflow run each, in experiment
 * `tagsmith-vectorizers`), then logs a `comparison` run holding the table (CSV, HTML, Markdown) and
 * bar plots across the runs. The same files are left in `--out` (default `experiment-out/`).
 *
 *   npm run experiment                               # 6,000 questions of the default data
 *   npm run experiment -- --full                     # all 83k questions
 *   npm run experiment -- --tracking-uri http://127.0.0.1:5000 --limit 2000 --variants tfidf,hybrid
 *
 * Models go to `<out>/models/<variant>/`, never to `models/`. Embeddings are cached in
 * `.cache/embeddings/`, so the variants embed each question once.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { VectorizerKind } from '../src/core/model';
import type { TrainOptions } from '../src/pipeline/train';
import { DEFAULT_TRAINING_DATA, PACKAGE_ROOT } from '../src/node/paths';
import { writeFileAtomic } from '../src/node/fs-atomic';
import { checkFiles } from '../src/pipeline/load-data';
import { createTracker, resolveTrackingUri, withRun } from '../src/tracking';
import { trainTracked, runLocation, type TrackedRunInfo } from '../src/pipeline/train-tracking';
import { comparisonCharts, comparisonCsv, comparisonMarkdown, comparisonTable, htmlPage, inlineSvg, escapeHtml, type ComparedRun } from '../src/tracking/compare';
import { requestParams, resultMetrics, resultParams } from '../src/pipeline/train-tracking';

export const DEFAULT_EXPERIMENT = 'tagsmith-vectorizers';
export const DEFAULT_LIMIT = 6000;
/** What each variant changes from `tagsmith train`'s defaults (the default model is `hybrid`). */
export const VARIANTS: Record<string, { vectorizer: VectorizerKind } & Pick<TrainOptions, 'head' | 'betaByKind' | 'rerank'>> = {
  tfidf: { vectorizer: 'tfidf' },
  embeddings: { vectorizer: 'embeddings' },
  hybrid: { vectorizer: 'hybrid' },
  'hybrid-no-rerank': { vectorizer: 'hybrid', rerank: false },
  'hybrid-one-beta': { vectorizer: 'hybrid', betaByKind: false },
  'hybrid-logreg': { vectorizer: 'hybrid', head: 'logreg' },
};
const NAMES = Object.keys(VARIANTS);

const USAGE = `usage: npm run experiment -- [--limit N | --full] [--variants ${NAMES.join(',')}] [--data FILE...]
       [--tracking-uri URI] [--experiment NAME] [--out DIR] [--tags N] [--seed S] [--cache DIR]`;

function fail(msg: string): never {
  process.stderr.write(`experiment: error: ${msg}\n${USAGE}\n`);
  process.exit(2);
}

function intArg(name: string, v: string | undefined, dflt: number): number {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) fail(`--${name} must be a positive integer (got "${v}")`);
  return n;
}

async function main(): Promise<void> {
  let args;
  try {
    args = parseArgs({
      options: {
        limit: { type: 'string' },
        full: { type: 'boolean', default: false },
        variants: { type: 'string' },
        vectorizers: { type: 'string' }, // the option's earlier name
        data: { type: 'string', multiple: true },
        'tracking-uri': { type: 'string' },
        experiment: { type: 'string', default: DEFAULT_EXPERIMENT },
        out: { type: 'string', default: 'experiment-out' },
        tags: { type: 'string' },
        seed: { type: 'string' },
        cache: { type: 'string', default: join(PACKAGE_ROOT, '.cache/embeddings') },
        help: { type: 'boolean', default: false },
      },
      strict: true,
    }).values;
  } catch (err) {
    fail((err as Error).message);
  }
  if (args.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  if (args.full && args.limit) fail('give either --limit N or --full, not both');
  const limit = args.full ? undefined : intArg('limit', args.limit, DEFAULT_LIMIT);
  if (args.variants && args.vectorizers) fail('give --variants (or its earlier name --vectorizers) once');
  const flag = args.vectorizers ? 'vectorizers' : 'variants';
  const variants = (args.variants ?? args.vectorizers ?? NAMES.join(',')).split(',').map((v) => v.trim());
  for (const v of variants) if (!(v in VARIANTS)) fail(`--${flag}: unknown "${v}" (use ${NAMES.join(', ')})`);
  const data = args.data?.length ? args.data : DEFAULT_TRAINING_DATA;
  try {
    checkFiles(data);
  } catch (err) {
    fail((err as Error).message);
  }
  const out = resolve(args.out);
  if (out === resolve(PACKAGE_ROOT, 'models') || out.startsWith(resolve(PACKAGE_ROOT, 'models') + '/')) {
    fail(`--out ${out} is inside the shipped models/ directory; pick another directory`);
  }
  const trackingUri = resolveTrackingUri(args['tracking-uri']);
  const tags = intArg('tags', args.tags, 200);
  const seed = args.seed === undefined ? 42 : Number(args.seed);
  const group = `vectorizers-${new Date().toISOString().replace(/[-:]/g, '').slice(0, 15)}`;
  const sizeLabel = limit ? `${limit}` : 'full';

  process.stderr.write(
    `experiment '${args.experiment}' at ${trackingUri}: ${variants.join(', ')} on ${limit ? `${limit.toLocaleString('en-US')} questions` : 'all questions'} of ${data.length} file(s); models in ${join(out, 'models')}\n`,
  );
  const compared: ComparedRun[] = [];
  const runs: TrackedRunInfo[] = [];
  const wall: Record<string, number> = {};
  for (const variant of variants) {
    const t0 = Date.now();
    process.stderr.write(`\n== ${variant} ==\n`);
    const trainOpts = {
      data,
      out: join(out, 'models', variant),
      ...VARIANTS[variant],
      tags,
      seed,
      limit,
      cacheDir: resolve(args.cache),
    };
    const { result, run } = await trainTracked(
      trainOpts,
      {
        trackingUri,
        experiment: args.experiment,
        runName: `${variant}-${sizeLabel}`,
        tags: { 'tagsmith.experiment_group': group, 'tagsmith.kind': 'vectorizer', 'tagsmith.variant': variant },
      },
    );
    wall[variant] = (Date.now() - t0) / 1000;
    process.stderr.write(`${variant}: run ${run.runId}, test micro-F1 ${result.test.micro_f1.toFixed(3)}, ${wall[variant].toFixed(1)} s\n`);
    runs.push(run);
    compared.push({
      runId: run.runId,
      runName: run.runName,
      status: 'FINISHED',
      params: Object.fromEntries(
        Object.entries({ ...requestParams(result.options), ...resultParams(result) }).map(([k, v]) => [k, String(v)]),
      ),
      metrics: resultMetrics(result),
    });
  }

  // The comparison: files in <out>/comparison, and a run of its own holding them.
  const cmpDir = join(out, 'comparison');
  mkdirSync(join(cmpDir, 'plots'), { recursive: true });
  const charts = await comparisonCharts(compared);
  const markdown = comparisonMarkdown(compared);
  const html = htmlPage(
    `tagsmith model variants (${sizeLabel})`,
    `<h1>Model variants</h1><p class="muted">experiment <code>${escapeHtml(args.experiment)}</code> at <code>${escapeHtml(trackingUri)}</code>; ` +
      `${limit ? `${limit.toLocaleString('en-US')} questions` : 'all questions'}, ${tags} tags, seed ${seed}; metrics on the test part. Click a header to sort.</p>` +
      `<div class="scroll">${comparisonTable(compared)}</div><div class="plots">${Object.values(charts)
        .map((c) => `<figure>${inlineSvg(c.svg)}</figure>`)
        .join('')}</div>`,
  );
  const files: Record<string, string | Uint8Array> = {
    'comparison.csv': comparisonCsv(compared),
    'comparison.html': html,
    'comparison.md': markdown,
  };
  for (const [name, c] of Object.entries(charts)) {
    files[`plots/${name}.svg`] = c.svg;
    files[`plots/${name}.png`] = c.png;
  }
  for (const [rel, content] of Object.entries(files)) writeFileAtomic(join(cmpDir, rel), content);

  const tracker = createTracker(trackingUri);
  const cmpRun = await withRun(
    tracker,
    { experiment: args.experiment, runName: `comparison-${sizeLabel}`, tags: { 'tagsmith.experiment_group': group, 'tagsmith.kind': 'comparison' } },
    async (run) => {
      await run.logParams({
        variants: variants.join(','),
        limit: limit ?? 'none',
        tags_requested: tags,
        seed,
        compared_runs: runs.map((r) => r.runId).join(','),
      });
      const best = [...compared].sort((a, b) => (b.metrics.test_micro_f1 ?? 0) - (a.metrics.test_micro_f1 ?? 0))[0];
      await run.setTags({
        'tagsmith.best_run': best.runId,
        'mlflow.note.content': `Model variants compared on ${sizeLabel} questions; best test micro-F1: ${best.runName} (${best.metrics.test_micro_f1.toFixed(3)}).\n\n${markdown}`,
      });
      for (const [variant, s] of Object.entries(wall)) await run.logMetrics({ [`wall_${variant}_s`]: s });
      for (const rel of Object.keys(files)) {
        const slash = rel.lastIndexOf('/');
        await run.logArtifact(join(cmpDir, rel), slash < 0 ? undefined : rel.slice(0, slash));
      }
      return { runId: run.runId, location: runLocation(tracker, run) };
    },
  );
  process.stderr.write(`\ncomparison run ${cmpRun.runId}: ${cmpRun.location}\ncomparison files: ${cmpDir}\n`);
  process.stdout.write(`${markdown}\nwall time: ${Object.entries(wall).map(([k, v]) => `${k} ${v.toFixed(1)} s`).join(', ')}\n`);
}

main().catch((err: unknown) => {
  const e = err as Error & { trackedRun?: TrackedRunInfo };
  process.stderr.write(`experiment: error: ${e?.message ?? String(err)}\n`);
  if (e?.trackedRun) process.stderr.write(`experiment: run ${e.trackedRun.runName} (${e.trackedRun.runId}) marked FAILED: ${e.trackedRun.location}\n`);
  if (process.env.TAGSMITH_DEBUG === '1' && e?.stack) process.stderr.write(`${e.stack}\n`);
  process.exit(1);
});
