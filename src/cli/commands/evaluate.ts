import { basename, resolve } from 'node:path';
import { loadQuestions } from '../../pipeline/load-data';
import { loadNodeSuggester } from '../../pipeline/model-io';
import { assignPart } from '../../pipeline/split';
import { evaluateScores, summary } from '../../learn/evaluation';
import { formatEvaluation } from '../format';
import { embedTexts, type TrainingRecord } from '../../pipeline/train';
import { UsageError } from '../../node/errors';
import type { Question } from '../../core/types';
import type { Suggester } from '../../core/suggester';

export type EvalPart = 'all' | 'test' | 'validation' | 'unseen';

/** Keeps the questions of `part` relative to the model's own training split. */
export function selectPart(questions: Question[], suggester: Suggester, part: EvalPart): Question[] {
  if (part === 'all') return questions;
  const training = suggester.manifest.training as Partial<TrainingRecord>; // JSON from the manifest: may be an older model's
  const params = training.params ?? ({} as Partial<TrainingRecord['params']>);
  const data = training.data ?? [];
  if (params.seed === undefined) throw new UsageError(`--part ${part}: the model does not record its split seed`);
  const trainingFiles = new Set(data.map((d) => d.file));
  return questions.filter((q) => {
    const p = assignPart(params.seed!, q);
    if (part === 'unseen') return !trainingFiles.has(q.source) || p === 'test';
    return trainingFiles.has(q.source) && p === part;
  });
}

/** Scores questions with the model, embedding through the on-disk cache. */
export async function scoreQuestions(suggester: Suggester, questions: Question[], modelDir: string, cacheDir: string): Promise<Float32Array[]> {
  const texts = questions.map((q) => suggester.textOf(q));
  const spec = suggester.manifest.encoder;
  const embeddings = suggester.manifest.vectorizer !== 'tfidf' && spec ? (await embedTexts(texts, modelDir, cacheDir, spec)).vectors : undefined;
  const out: Float32Array[] = [];
  const batch = 512;
  for (let i = 0; i < texts.length; i += batch) {
    out.push(...(await suggester.scoreTexts(texts.slice(i, i + batch), embeddings?.slice(i, i + batch))));
  }
  return out;
}

export async function runEvaluateCommand(opts: { data: string[]; model: string; part: EvalPart; cache: string; json?: boolean }): Promise<void> {
  const modelDir = resolve(opts.model);
  const suggester = await loadNodeSuggester(modelDir);
  const { questions: all } = await loadQuestions(opts.data);
  const questions = selectPart(all, suggester, opts.part);
  if (questions.length === 0) throw new UsageError(`no questions to evaluate in ${opts.data.map((f) => basename(f)).join(', ')} (part ${opts.part})`);
  const scores = await scoreQuestions(suggester, questions, modelDir, resolve(opts.cache));
  const evaluation = evaluateScores(scores, questions.map((q) => q.tags), suggester.tags, suggester.manifest.thresholds);
  if (opts.json) process.stdout.write(`${JSON.stringify({ ...summary(evaluation), model: { version: suggester.version }, part: opts.part })}\n`);
  else process.stdout.write(`${formatEvaluation(evaluation, `evaluation (${opts.part})`)}\nmodel ${suggester.version}\n`);
}
