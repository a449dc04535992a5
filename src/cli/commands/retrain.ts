/**
 * `tagsmith retrain`: trains a candidate on the questions of --data created before --holdout-from,
 * registers it, then runs the promotion gate on the held-out newest period (questions neither model
 * trained on) and moves the alias only if the candidate passes.
 */
import { resolve } from 'node:path';
import { checkFiles } from '../../pipeline/load-data';
import { retrainCandidate } from '../../pipeline/retrain';
import type { TrainOptions } from '../../pipeline/train';
import { promote, runPromoteReport } from './promote';

export interface RetrainCommandOptions extends Pick<TrainOptions, 'vectorizer' | 'tags' | 'seed' | 'limit'> {
  data: string[];
  holdoutFrom: string;
  name: string;
  alias: string;
  workDir: string;
  cache: string;
  trackingUri?: string;
  experiment: string;
  json?: boolean;
}

export async function runRetrainCommand(opts: RetrainCommandOptions): Promise<void> {
  checkFiles(opts.data);
  const r = await retrainCandidate({
    data: opts.data,
    holdoutFrom: opts.holdoutFrom,
    workDir: opts.workDir,
    train: { vectorizer: opts.vectorizer, tags: opts.tags, seed: opts.seed, limit: opts.limit, cacheDir: resolve(opts.cache) },
    track: { trackingUri: opts.trackingUri, experiment: opts.experiment, register: opts.name },
  });
  const say = (s: string) => (opts.json ? process.stderr : process.stdout).write(`${s}\n`);
  say(
    `retrain: ${r.split.train.length.toLocaleString('en-US')} questions before ${opts.holdoutFrom} (${r.split.undated} undated) trained ` +
      `'${r.candidate.name}' version ${r.candidate.version} (run ${r.run.runId}); ${r.split.holdout.length.toLocaleString('en-US')} from ${opts.holdoutFrom} on are held out`,
  );
  const outcome = await promote({
    name: opts.name,
    version: r.candidate.version,
    alias: opts.alias,
    data: opts.data,
    questions: r.split.holdout,
    cache: opts.cache,
    trackingUri: opts.trackingUri,
    json: opts.json,
  });
  runPromoteReport({ name: opts.name, alias: opts.alias, json: opts.json }, outcome, {
    retrain: { train_questions: r.split.train.length, undated: r.split.undated, holdout_questions: r.split.holdout.length, run_id: r.run.runId, model_dir: r.result.outDir },
  });
}
