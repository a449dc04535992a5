import { resolve } from 'node:path';
import { train, type TrainOptions, type TrainResult } from '../../pipeline/train';
import { summary } from '../../learn/evaluation';
import { formatEvaluation } from '../format';
import { UsageError } from '../../node/errors';
import { checkFiles } from '../../pipeline/load-data';
import { MlflowUnavailableError } from '../../tracking';
import { DEFAULT_MODEL_NAME, type ModelVersion } from '../../tracking/registry';
import { DEFAULT_TRAIN_EXPERIMENT, trainTracked, type TrackedFailure, type TrackedRunInfo } from '../../pipeline/train-tracking';

/** CLI options: the training options as typed on the command line (class weight and cache as given). */
export interface TrainCommandOptions
  extends Pick<TrainOptions, 'data' | 'out' | 'vectorizer' | 'tags' | 'seed' | 'C' | 'maxEpochs' | 'maxFeatures' | 'limit' | 'head' | 'keep' | 'threads' | 'rerank'> {
  classWeight: string;
  cache: string;
  json?: boolean;
  /** commander's `--no-track`: false turns tracking off. */
  track?: boolean;
  trackingUri?: string;
  experiment?: string;
  runName?: string;
  /** Registered model name; commander's `--no-register` gives false. */
  register?: string | false;
}

export async function runTrainCommand(opts: TrainCommandOptions): Promise<void> {
  if (opts.classWeight !== 'none' && opts.classWeight !== 'balanced') {
    throw new UsageError(`--class-weight must be none or balanced (got "${opts.classWeight}")`);
  }
  const trainOpts: TrainOptions = {
    data: opts.data,
    out: resolve(opts.out),
    vectorizer: opts.vectorizer,
    tags: opts.tags,
    seed: opts.seed,
    C: opts.C,
    classWeight: opts.classWeight === 'balanced' ? 'balanced' : null,
    maxEpochs: opts.maxEpochs,
    maxFeatures: opts.maxFeatures,
    head: opts.head,
    keep: opts.keep,
    threads: opts.threads,
    rerank: opts.rerank,
    limit: opts.limit,
    cacheDir: resolve(opts.cache),
  };
  let result: TrainResult;
  let run: TrackedRunInfo | undefined;
  let registered: ModelVersion | undefined;
  if (opts.track === false) {
    // No run, so nothing to register from: say so rather than skip it silently.
    if (opts.register !== false) process.stderr.write('tracking: off (--no-track), so the model is not registered\n');
    result = await train(trainOpts);
  } else {
    // A typo in --data is a usage error, not a failed run: check before a run is created.
    checkFiles(opts.data);
    try {
      ({ result, run, registered } = await trainTracked(trainOpts, {
        register: opts.register === false ? undefined : (opts.register ?? DEFAULT_MODEL_NAME),
        trackingUri: opts.trackingUri,
        experiment: opts.experiment ?? DEFAULT_TRAIN_EXPERIMENT,
        runName: opts.runName,
        onStart: (r, tracker) =>
          process.stderr.write(
            `tracking: run ${r.runName} (${r.runId}) in experiment '${opts.experiment ?? DEFAULT_TRAIN_EXPERIMENT}' at ${tracker.uri}\n`,
          ),
      }));
    } catch (err) {
      const failed = (err as TrackedFailure | null)?.trackedRun;
      if (failed) process.stderr.write(`tracking: run ${failed.runName} (${failed.runId}) marked FAILED: ${failed.location}\n`);
      else if (err instanceof MlflowUnavailableError) {
        throw new Error(`${err.message} Or pass --no-track to train without tracking.`);
      }
      throw err;
    }
  }
  const runJson = run
    ? { id: run.runId, name: run.runName, experiment_id: run.experimentId, experiment: run.experiment, tracking_uri: run.trackingUri, location: run.location }
    : null;
  const registeredJson = registered ? { name: registered.name, version: registered.version, source: registered.source } : null;
  if (opts.json) {
    process.stdout.write(
      `${JSON.stringify({ model: { version: result.manifest.version, dir: result.outDir }, test: summary(result.test), validation: summary(result.validation), run: runJson, registered: registeredJson })}\n`,
    );
  } else {
    process.stdout.write(`${formatEvaluation(result.test, 'test')}\nmodel ${result.manifest.version} written to ${result.outDir}\n`);
    if (run) process.stdout.write(`run ${run.runName} (${run.runId}) logged to experiment '${run.experiment}': ${run.location}\n`);
    if (registered) {
      process.stdout.write(
        `registered as '${registered.name}' version ${registered.version}; promote it with: tagsmith promote --name ${registered.name} --version ${registered.version} --data FILE...\n`,
      );
    }
  }
}
