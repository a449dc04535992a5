/**
 * What a tracked `tagsmith train` run logs (Node-only): params (settings, data files with rows and
 * sha256), every evaluation metric of the test and validation parts, the `train_loss` curve, tags, and
 * artifacts (metrics.csv, per_tag.csv, dataset_summary.json, the F1-micro and tag-coverage plots as SVG
 * and PNG, and the exported model files under `model/`).
 *
 * `trainTracked` wraps `train()` in `withRun`, so a training that throws leaves a FAILED run and one
 * stopped by Ctrl-C or SIGTERM a KILLED run.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { toCsv } from '../tracking/csv';
import { MANIFEST_FILE, modelFiles as manifestFiles, type ModelManifest } from '../core/model';
import type { Evaluation } from '../learn/evaluation';
import { writeFileAtomic } from '../node/fs-atomic';
import { resolveTrainOptions, train, type ResolvedTrainOptions, type TrainOptions, type TrainResult } from './train';
import { DEFAULT_SPLIT } from './split';
import { f1MicroChart, tagCoverageChart } from '../charts/tracking';
import { createTracker, withRun } from '../tracking';
import { createRegistry, registerModel, type ModelVersion } from '../tracking/registry';
import type { ParamValue, Run, Tracker } from '../tracking/types';

export const DEFAULT_TRAIN_EXPERIMENT = 'tagsmith-train';

/** Params known before training starts (logged first, so a failed run still shows what was asked). */
export function requestParams(opts: ResolvedTrainOptions): Record<string, ParamValue> {
  const p: Record<string, ParamValue> = {
    vectorizer: opts.vectorizer,
    head: opts.head,
    tags_requested: opts.tags,
    seed: opts.seed,
    C: opts.C,
    class_weight: opts.classWeight ?? 'none',
    max_epochs: opts.maxEpochs,
    limit: opts.limit ?? 'none',
    split: `train ${DEFAULT_SPLIT.train} / validation ${DEFAULT_SPLIT.validation} / test ${DEFAULT_SPLIT.test}`,
    data_files: opts.data.length,
  };
  if (opts.vectorizer !== 'embeddings') {
    p.max_features = opts.maxFeatures;
    p.min_df = opts.minDf;
  }
  if (opts.blockWeights) p.block_weights = JSON.stringify(opts.blockWeights);
  if (opts.head === 'svc') {
    p.keep = opts.keep ?? 'all';
    p.ridge_alpha = opts.ridgeAlpha ?? 'none';
    if (opts.betaByKind !== undefined) p.beta_by_kind = opts.betaByKind;
    if (opts.vectorizer === 'hybrid') p.rerank = opts.rerank ?? true;
  }
  return p;
}

/** Params known once training is done: the model id, vocabulary, epochs run, data files and split sizes. */
export function resultParams(result: TrainResult): Record<string, ParamValue> {
  const tr = result.record;
  const p: Record<string, ParamValue> = {
    model_id: result.manifest.version,
    vocab_size: result.manifest.tags.length,
    epochs: tr.params.epochs,
    converged: tr.params.converged,
    global_threshold: tr.params.global_threshold,
  };
  if (tr.params.svc && result.manifest.vectorizer === 'hybrid') {
    p.beta = tr.params.svc.beta;
    p.beta_body = tr.params.svc.beta_body;
  }
  if (tr.params.rerank) {
    const r = tr.params.rerank;
    Object.assign(p, { rerank_components: r.components, rerank_k: r.k, rerank_trees: r.trees, rerank_candidate_recall: r.candidate_recall });
  }
  if (result.manifest.tfidf) p.tfidf_features = result.manifest.tfidf.features;
  if (result.manifest.encoder) p.encoder = result.manifest.encoder.id;
  p.split_train = tr.split.train;
  p.split_validation = tr.split.validation;
  p.split_test = tr.split.test;
  result.data.forEach((d, i) => {
    p[`data.${i}.file`] = d.file;
    p[`data.${i}.sha256`] = d.sha256;
    p[`data.${i}.rows_read`] = d.read;
    p[`data.${i}.rows_kept`] = d.kept;
    p[`data.${i}.format`] = d.format;
  });
  return p;
}

/** The scalar fields of an Evaluation, logged as `<split>_<key>` and written to metrics.csv. */
const SCALAR_KEYS = [
  'n',
  'micro_precision',
  'micro_recall',
  'micro_f1',
  'macro_f1',
  'samples_f1',
  'coverage',
  'vocabulary_predicted_share',
  'abstain_rate',
  'abstain_rate_in_vocabulary',
] as const;

/** Every scalar of an evaluation as `<prefix>_<name>`, with P@k/R@k/F1@k spelled `p_at_1`, ... */
export function evaluationMetrics(prefix: string, e: Evaluation): Record<string, number> {
  const m: Record<string, number> = {};
  for (const [name, values] of [['p_at', e.p_at_k], ['r_at', e.r_at_k], ['f1_at', e.f1_at_k]] as const) {
    values.forEach((v, i) => (m[`${prefix}_${name}_${i + 1}`] = v));
  }
  for (const key of SCALAR_KEYS) m[`${prefix}_${key}`] = e[key];
  return m;
}

/** All metrics of a training result: test_*, validation_*, train_coverage and timings (seconds). */
export function resultMetrics(result: TrainResult): Record<string, number> {
  const { coverage } = result.record.vocabulary;
  const m: Record<string, number> = { ...evaluationMetrics('test', result.test), ...evaluationMetrics('validation', result.validation) };
  m.train_coverage = coverage.assignments;
  m.train_question_coverage = coverage.questions;
  const last = result.history.at(-1);
  if (last) m.train_final_loss = last.loss;
  for (const [k, v] of Object.entries(result.timings)) m[`time_${k}_s`] = v;
  return m;
}

/** metrics.csv: one row per metric, one column per evaluated split. */
export function metricsCsv(result: TrainResult): string {
  const rows: (string | number)[][] = [['metric', 'test', 'validation']];
  for (const [name, key] of [['P@', 'p_at_k'], ['R@', 'r_at_k'], ['F1@', 'f1_at_k']] as const) {
    result.test[key].forEach((v, i) => rows.push([`${name}${i + 1}`, v, result.validation[key][i]]));
  }
  for (const key of SCALAR_KEYS) rows.push([key, result.test[key], result.validation[key]]);
  return toCsv(rows);
}

/** per_tag.csv: each vocabulary tag with its training count and test/validation support, P, R, F1. */
export function perTagCsv(result: TrainResult): string {
  const { counts } = result.record.vocabulary;
  const rows: (string | number)[][] = [
    [
      'rank',
      'tag',
      'train_count',
      'test_support',
      'test_predicted',
      'test_precision',
      'test_recall',
      'test_f1',
      'validation_support',
      'validation_predicted',
      'validation_precision',
      'validation_recall',
      'validation_f1',
      'threshold',
    ],
  ];
  result.manifest.tags.forEach((tag, i) => {
    const t = result.test.per_tag[i];
    const v = result.validation.per_tag[i];
    rows.push([
      i + 1,
      tag,
      counts[i],
      t.support,
      t.predicted,
      t.precision,
      t.recall,
      t.f1,
      v.support,
      v.predicted,
      v.precision,
      v.recall,
      v.f1,
      result.manifest.thresholds[i],
    ]);
  });
  return toCsv(rows);
}

/** dataset_summary.json: which data, how much of it was kept, the split and the vocabulary's coverage. */
export function datasetSummary(result: TrainResult): Record<string, unknown> {
  const tr = result.record;
  return {
    files: result.data,
    ingest: tr.ingest,
    limit: result.options.limit ?? null,
    seed: result.options.seed,
    split: tr.split,
    vocabulary: {
      size: tr.vocabulary.size,
      coverage: tr.vocabulary.coverage,
      top_tags: result.manifest.tags.slice(0, 20).map((tag, i) => ({ tag, train_count: tr.vocabulary.counts[i] })),
    },
    evaluated: { test: result.test.n, validation: result.validation.n },
  };
}

/** Writes every artifact file of a training result into `dir` (metrics.csv, per_tag.csv, ..., plots/). */
export async function writeTrainArtifacts(dir: string, result: TrainResult): Promise<string[]> {
  const { vocabulary } = result.record;
  const files: Record<string, string | Uint8Array> = {
    'metrics.csv': metricsCsv(result),
    'per_tag.csv': perTagCsv(result),
    'dataset_summary.json': `${JSON.stringify(datasetSummary(result), null, 2)}\n`,
  };
  const subtitle = `${result.options.vectorizer}, model ${result.manifest.version}`;
  const f1 = await f1MicroChart(
    [
      { split: 'test', perTag: result.test.per_tag },
      { split: 'validation', perTag: result.validation.per_tag },
    ],
    subtitle,
  );
  files['plots/f1_micro.svg'] = f1.svg;
  files['plots/f1_micro.png'] = f1.png;
  const cov = await tagCoverageChart(
    {
      counts: vocabulary.counts,
      trainCoverage: vocabulary.coverage.assignments,
      splits: { test: result.test.coverage, validation: result.validation.coverage },
      predictedShare: { test: result.test.vocabulary_predicted_share, validation: result.validation.vocabulary_predicted_share },
    },
    subtitle,
  );
  files['plots/tag_coverage.svg'] = cov.svg;
  files['plots/tag_coverage.png'] = cov.png;
  for (const [rel, data] of Object.entries(files)) writeFileAtomic(join(dir, rel), data);
  return Object.keys(files);
}

/** The files of an exported model directory (those the manifest names; the encoder is referenced by id). */
export function modelFiles(manifest: ModelManifest): string[] {
  return [MANIFEST_FILE, ...manifestFiles(manifest).map((f) => f.file)];
}

/** Logs a finished training into `run`: params, metrics, the loss curve, tags and artifacts. */
export async function logTrainResult(run: Run, result: TrainResult): Promise<void> {
  const { vectorizer } = result.options;
  await run.logParams(resultParams(result));
  await run.logMetrics(resultMetrics(result));
  await run.logMetricHistory(
    'train_loss',
    result.history.map((h) => ({ step: h.epoch, value: h.loss })),
  );
  await run.setTags({
    'tagsmith.model_id': result.manifest.version,
    'tagsmith.vectorizer': vectorizer,
    'mlflow.note.content':
      `tagsmith ${vectorizer} tag model ${result.manifest.version}: ${result.manifest.tags.length} tags, ` +
      `test P@1 ${result.test.p_at_k[0].toFixed(3)}, micro-F1 ${result.test.micro_f1.toFixed(3)} ` +
      `on ${result.test.n} questions.`,
  });
  const tmp = mkdtempSync(join(tmpdir(), 'tagsmith-artifacts-'));
  try {
    for (const rel of await writeTrainArtifacts(tmp, result)) {
      const slash = rel.lastIndexOf('/');
      await run.logArtifact(join(tmp, rel), slash < 0 ? undefined : rel.slice(0, slash));
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  for (const f of modelFiles(result.manifest)) await run.logArtifact(join(result.outDir, f), 'model');
}

export interface TrackOptions {
  /** Tracking URI (else MLFLOW_TRACKING_URI, else ./mlruns). */
  trackingUri?: string;
  experiment?: string;
  runName?: string;
  tags?: Record<string, string>;
  /** Called once the run exists (e.g. to print where it goes). */
  onStart?: (run: Run, tracker: Tracker) => void;
  /** Signals that end the run KILLED (default SIGINT and SIGTERM; [] to leave signals alone). */
  killOnSignals?: readonly NodeJS.Signals[];
  /** Register the exported model as a new version of this registered model once the run is FINISHED. */
  register?: string;
}

export interface TrackedRunInfo {
  runId: string;
  runName: string;
  experimentId: string;
  experiment: string;
  trackingUri: string;
  kind: Tracker['kind'];
  /** Where to look at the run: the MLflow UI page (server) or the run directory (file store). */
  location: string;
}

/** Where a run can be looked at. */
export function runLocation(tracker: Tracker, run: Pick<Run, 'runId' | 'experimentId'>): string {
  return tracker.kind === 'rest'
    ? `${tracker.uri.replace(/\/+$/, '')}/#/experiments/${run.experimentId}/runs/${run.runId}`
    : join(tracker.uri, run.experimentId, run.runId);
}

/** An error from a tracked training, carrying the run that was marked FAILED. */
export interface TrackedFailure {
  trackedRun?: TrackedRunInfo;
}

/**
 * `train()` inside a tracked run. The run is created first (so a broken tracking server stops before
 * minutes of training), gets the request params, then the results; a throw ends it FAILED and the
 * error carries `trackedRun`.
 */
export async function trainTracked(
  opts: TrainOptions,
  track: TrackOptions = {},
): Promise<{ result: TrainResult; run: TrackedRunInfo; registered?: ModelVersion }> {
  const tracker = createTracker(track.trackingUri);
  const experiment = track.experiment ?? DEFAULT_TRAIN_EXPERIMENT;
  let info: TrackedRunInfo | undefined;
  let done: { result: TrainResult; run: TrackedRunInfo };
  try {
    done = await withRun(
      tracker,
      { experiment, runName: track.runName, tags: { 'tagsmith.command': 'train', ...track.tags } },
      async (run) => {
        info = {
          runId: run.runId,
          runName: run.runName,
          experimentId: run.experimentId,
          experiment,
          trackingUri: tracker.uri,
          kind: tracker.kind,
          location: runLocation(tracker, run),
        };
        track.onStart?.(run, tracker);
        await run.logParams(requestParams(resolveTrainOptions(opts)));
        const result = await train(opts);
        await logTrainResult(run, result);
        return { result, run: info };
      },
      { killOnSignals: track.killOnSignals ?? ['SIGINT', 'SIGTERM'] },
    );
  } catch (err) {
    if (info && err && typeof err === 'object') (err as TrackedFailure).trackedRun = info;
    throw err;
  }
  if (!track.register) return done;
  // After the run is FINISHED: a version always points at a complete run.
  const { result, run } = done;
  try {
    const registered = await registerModel(createRegistry(track.trackingUri), {
      name: track.register,
      runId: run.runId,
      modelDir: result.outDir,
      files: modelFiles(result.manifest),
      tags: { 'tagsmith.model_id': result.manifest.version, 'tagsmith.vectorizer': result.options.vectorizer },
    });
    return { ...done, registered };
  } catch (err) {
    throw new Error(
      `run ${run.runName} (${run.runId}) finished and the model is in ${result.outDir}, but registering it as '${track.register}' ` +
        `failed: ${(err as Error).message}`,
      { cause: err },
    );
  }
}
