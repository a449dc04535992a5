/**
 * Retraining (Node): the questions of the given files are split by creation date. Those created
 * before `holdoutFrom` (plus the undated ones) train a candidate, tracked and registered like any
 * `tagsmith train`; those created from `holdoutFrom` on are held out, so the champion and the
 * candidate can be scored on the newest period, which the candidate never saw (the promotion gate
 * also leaves out what the champion trained on).
 *
 * The training part is written as Stack Exchange API items (JSON lines) so that `train()` reads it
 * like any export and the run records it as a data file with its sha256.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { escapeUTF8 } from 'entities';
import type { Question } from '../core/types';
import type { ModelVersion } from '../tracking/registry';
import { UsageError } from '../node/errors';
import { loadQuestions } from './load-data';
import type { TrainOptions, TrainResult } from './train';
import { trainTracked, type TrackOptions, type TrackedRunInfo } from './train-tracking';

/** `2021`, `2021-Q2`, `2021-03` or `2021-03-15` (drift's period spellings too) -> the ISO instant it starts (UTC). */
export function periodStart(period: string): string {
  const q = /^(\d{4})-Q([1-4])$/.exec(period);
  if (q) return new Date(Date.UTC(Number(q[1]), (Number(q[2]) - 1) * 3, 1)).toISOString();
  const m = /^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?$/.exec(period);
  const d = m && new Date(Date.UTC(Number(m[1]), Number(m[2] ?? 1) - 1, Number(m[3] ?? 1)));
  if (!m || !d || Number.isNaN(d.getTime()) || d.getUTCMonth() !== Number(m[2] ?? 1) - 1) {
    throw new UsageError(`--holdout-from ${period}: write a year (2021), a quarter (2021-Q2), a month (2021-03) or a day (2021-03-15)`);
  }
  return d.toISOString();
}

export interface HoldoutSplit {
  train: Question[];
  holdout: Question[];
  /** Questions without a creation date: they cannot be placed in time, so they only train. */
  undated: number;
}

export function splitByDate(questions: readonly Question[], from: string): HoldoutSplit {
  const split: HoldoutSplit = { train: [], holdout: [], undated: 0 };
  for (const q of questions) {
    if (!q.created) split.undated++;
    if (q.created && q.created >= from) split.holdout.push(q);
    else split.train.push(q);
  }
  return split;
}

/** One question as a Stack Exchange API item (what the API-JSON reader reads back to the same Question). */
export function apiItem(q: Question): Record<string, unknown> {
  return {
    question_id: Number(q.id),
    title: escapeUTF8(q.title),
    ...(q.bodyFormat === 'html' && q.body ? { body: q.body } : {}),
    ...(q.bodyMarkdown || q.bodyFormat === 'markdown' ? { body_markdown: escapeUTF8(q.bodyMarkdown ?? q.body) } : {}),
    tags: q.tags,
    ...(q.created ? { creation_date: Math.floor(Date.parse(q.created) / 1000) } : {}),
  };
}

export interface RetrainOptions {
  data: string[];
  holdoutFrom: string;
  /** Where the training part is written (JSON lines) and the candidate exported (`model/`). */
  workDir: string;
  train: Omit<TrainOptions, 'data' | 'out'>;
  track: TrackOptions & { register: string };
}

export interface RetrainResult {
  split: HoldoutSplit;
  trainFile: string;
  result: TrainResult;
  run: TrackedRunInfo;
  candidate: ModelVersion;
}

export async function retrainCandidate(opts: RetrainOptions): Promise<RetrainResult> {
  const from = periodStart(opts.holdoutFrom);
  const { questions } = await loadQuestions(opts.data);
  const split = splitByDate(questions, from);
  if (split.holdout.length === 0) throw new UsageError(`no question of --data was created on or after ${opts.holdoutFrom}: nothing to score the models on`);
  if (split.train.length === 0) throw new UsageError(`every question of --data was created on or after ${opts.holdoutFrom}: nothing to train on`);
  const workDir = resolve(opts.workDir);
  mkdirSync(workDir, { recursive: true });
  const trainFile = join(workDir, `retrain-before-${opts.holdoutFrom}.jsonl`);
  writeFileSync(trainFile, split.train.map((q) => `${JSON.stringify(apiItem(q))}\n`).join(''));
  const { result, run, registered } = await trainTracked(
    { ...opts.train, data: [trainFile], out: join(workDir, 'model') },
    {
      ...opts.track,
      tags: {
        ...opts.track.tags,
        'tagsmith.command': 'retrain',
        'tagsmith.retrain.data': opts.data.join(' '),
        'tagsmith.retrain.holdout_from': opts.holdoutFrom,
      },
    },
  );
  if (!registered) throw new Error(`retrain: run ${run.runId} finished but registered no version`);
  return { split, trainFile, result, run, candidate: registered };
}
