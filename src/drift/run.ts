/**
 * `tagsmith drift` end to end, minus the command line: read the data, slice it into periods,
 * sample, embed (through the on-disk cache) and score each question once, then hand everything to
 * the monitor. Node-only (files, encoder); the computing is monitor.ts, the rendering report/.
 */
import { readFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import type { Question } from '../core/types';
import { TfidfVectorizer } from '../core/tfidf';
import { loadQuestions } from '../pipeline/load-data';
import { loadNodeSuggester } from '../pipeline/model-io';
import { assignPart, splitKey } from '../pipeline/split';
import { embedTexts } from '../pipeline/train';
import { UsageError } from '../node/errors';
import type { FileReport } from '../pipeline/ingest';
import { describeQuestion } from './descriptors';
import { analyzePeriod, analyzeReference, type MonitorItem, type PeriodData, type PeriodResult } from './monitor';
import { defaultPeriods, granularityOf, groupByPeriod, parsePeriodList, periodIndex, PeriodFormatError, type Granularity } from './periods';
import { VERDICT_RULES, type VerdictLevel } from './verdict';
import { DOMAIN_AUC_NULL_SE, DOMAIN_AUC_THRESHOLD } from './domain';
import { retrainCommand } from './retrain-command';

export interface DriftOptions {
  data: string[];
  reference: string;
  /** `--months`: a range A..B or a comma list; default: the later periods with data (at most 12). */
  months?: string;
  /** Default: the granularity the reference is written in. */
  by?: Granularity;
  model: string;
  /** Periods with fewer questions are listed as too few, not analysed. Default 50. */
  minQuestions?: number;
  /** Questions sampled per period (seeded). Default 800. */
  sample?: number;
  seed?: number;
  cacheDir: string;
  pcaComponents?: number;
  /**
   * `title`: drop every body before embedding and scoring, so files with bodies compare fairly
   * with a titles-only export (otherwise the format change dominates the drift). Default `full`.
   */
  text?: 'full' | 'title';
  /** Progress/log lines (stderr in the CLI). */
  log?: (line: string) => void;
}

export interface SkippedPeriod {
  period: string;
  questions: number;
  reason: string;
}

export interface DriftReport {
  format: 'tagsmith-drift';
  formatVersion: 1;
  createdAt: string;
  options: { by: Granularity; reference: string; periods: string[]; sample: number; minQuestions: number; seed: number; pcaComponents: number; text: 'full' | 'title' };
  model: { dir: string; version: string; vectorizer: string; trainingFiles: string[]; splitSeed: number | null; tags: number };
  data: {
    files: Pick<FileReport, 'file' | 'format' | 'read' | 'kept' | 'skipped' | 'repaired'>[];
    duplicates: number;
    kept: number;
    /** Questions with no creation date, or one that gave no period (counted as "no date", not analysed). */
    undated: number;
    /** Periods present in the data, with their question counts. */
    periodsInData: Record<string, number>;
  };
  /** Which questions the supervised metrics are computed on, in words. */
  supervisedOn: string;
  reference: PeriodResult;
  periods: PeriodResult[];
  skippedPeriods: SkippedPeriod[];
  referenceScatter: [number, number][];
  rules: typeof VERDICT_RULES & { domainAuc: number; domainAucNullSe: number; ksPValue: number; wassersteinNormed: number; datasetDriftShare: number; ksMaxReferenceRows: number };
  summary: {
    analysed: number;
    counts: Record<VerdictLevel, number>;
    worst: { period: string; level: VerdictLevel } | null;
    /** When a period says retrain: the exact `tagsmith retrain` command (newest period held out). */
    retrainCommand: string | null;
  };
  timings: { seconds: Record<string, number>; texts: number; embeddedNew: number };
}

const now = () => performance.now() / 1000;

function seededSample<T extends Question>(items: T[], n: number, seed: number): T[] {
  // Seeded hash order (like the split), so a period's sample is the same in every run and keeps
  // the same questions when data is added.
  return [...items]
    .map((q) => ({ q, k: splitKey(seed + 7919, q) }))
    .sort((a, b) => a.k - b.k || (a.q.id < b.q.id ? -1 : 1))
    .slice(0, n)
    .map((x) => x.q);
}

export async function runDrift(opts: DriftOptions): Promise<DriftReport> {
  const log = opts.log ?? (() => {});
  const t0 = now();
  const timings: Record<string, number> = {};
  const by: Granularity = opts.by ?? granularityOf(opts.reference) ?? 'month';
  const minQuestions = opts.minQuestions ?? 50;
  const sampleSize = opts.sample ?? 800;
  const seed = opts.seed ?? 42;
  const pcaComponents = opts.pcaComponents ?? 10;
  let requested: string[] | undefined;
  try {
    periodIndex(opts.reference, by, '--reference'); // validates the reference's format (a clear usage error)
    requested = opts.months ? parsePeriodList(opts.months, by, '--months') : undefined;
  } catch (err) {
    if (err instanceof PeriodFormatError) throw new UsageError(err.message);
    throw err;
  }
  const reference = parsePeriodList(opts.reference, by, '--reference')[0];
  if (requested?.includes(reference)) requested = requested.filter((p) => p !== reference);

  const text = opts.text ?? 'full';
  const loaded = await loadQuestions(opts.data);
  const report = loaded.report;
  const questions = text === 'title' ? loaded.questions.map((q): Question => ({ ...q, body: '', bodyMarkdown: undefined })) : loaded.questions;
  timings.load = now() - t0;
  const { groups, undated } = groupByPeriod(questions, by);
  if (undated > 0) log(`${undated} question(s) with no creation date: counted as "no date", left out of every period`);
  const periodsInData = Object.fromEntries([...groups.entries()].sort(([a], [b]) => periodIndex(a, by) - periodIndex(b, by)).map(([p, q]) => [p, q.length]));
  const span = Object.keys(periodsInData);
  const spanText = span.length ? `the data covers ${span[0]}..${span[span.length - 1]}` : 'no question has a usable creation date';
  const files = opts.data.map((f) => basename(f)).join(', ');
  const refQuestions = groups.get(reference) ?? [];
  if (refQuestions.length === 0) {
    throw new UsageError(`--reference ${reference}: no questions created in that ${by} in ${files} (${spanText}); pick a ${by} with data`);
  }
  if (refQuestions.length < minQuestions) {
    throw new UsageError(
      `--reference ${reference}: only ${refQuestions.length} questions (fewer than --min-questions ${minQuestions}) in ${files}; pick a ${by} with more data or lower --min-questions`,
    );
  }
  const current = requested ?? defaultPeriods(groups.keys(), reference, by);
  if (current.length === 0) throw new UsageError(`no ${by} after --reference ${reference} has data in ${files} (${spanText}); pass --months`);

  // The model (and its encoder) is loaded once the periods are known to be usable.
  const modelDir = resolve(opts.model);
  const suggester = await loadNodeSuggester(modelDir);
  const manifest = suggester.manifest;
  const trainingFiles = ((manifest.training.data ?? []) as { file: string }[]).map((d) => d.file);
  const splitSeed = ((manifest.training.params ?? {}) as { seed?: number }).seed ?? null;

  const skippedPeriods: SkippedPeriod[] = [];
  const analysed: { period: string; all: Question[]; sample: Question[] }[] = [];
  for (const p of current) {
    const all = groups.get(p) ?? [];
    if (all.length < minQuestions) {
      skippedPeriods.push({ period: p, questions: all.length, reason: all.length === 0 ? 'no questions' : `too few questions (${all.length} < --min-questions ${minQuestions})` });
    } else analysed.push({ period: p, all, sample: seededSample(all, sampleSize, seed) });
  }
  const refSample = seededSample(refQuestions, sampleSize, seed);
  for (const s of skippedPeriods) log(`${s.period}: ${s.reason}, not analysed`);

  // Embed and score every sampled question once (the cache makes reruns cheap).
  const all = [...refSample, ...analysed.flatMap((a) => a.sample)];
  const texts = all.map((q) => suggester.textOf(q));
  const t1 = now();
  const { vectors, cached } = await embedTexts(texts, modelDir, resolve(opts.cacheDir), suggester.manifest.encoder);
  timings.embed = now() - t1;
  const t2 = now();
  const scores: Float32Array[] = [];
  for (let i = 0; i < texts.length; i += 512) scores.push(...(await suggester.scoreTexts(texts.slice(i, i + 512), vectors.slice(i, i + 512))));
  timings.score = now() - t2;

  const tfidfState = manifest.tfidf ? JSON.parse(await readFile(join(modelDir, manifest.tfidf.file), 'utf8')) : undefined;
  const vocabulary = new Set(tfidfState ? TfidfVectorizer.fromJSON(tfidfState).vocabulary : []);
  const training = new Set(trainingFiles);
  const items: MonitorItem[] = all.map((q, i) => ({
    id: `${q.site}/${q.id}`,
    tags: q.tags,
    embedding: vectors[i],
    scores: scores[i],
    unseen: !training.has(q.source) || (splitSeed !== null && assignPart(splitSeed, q) === 'test'),
    descriptors: describeQuestion(q, texts[i], vocabulary),
  }));

  const t3 = now();
  const mopts = { tags: suggester.tags, thresholds: manifest.thresholds, seed, pcaComponents };
  let offset = 0;
  const take = (n: number) => items.slice(offset, (offset += n));
  const refData: PeriodData = { period: reference, total: refQuestions.length, items: take(refSample.length) };
  const ref = analyzeReference(refData, mopts);
  const periods: PeriodResult[] = [];
  for (const a of analysed) {
    const result = analyzePeriod(ref, { period: a.period, total: a.all.length, items: take(a.sample.length) }, mopts);
    periods.push(result);
    log(`${a.period}: ${result.verdict!.level} (${result.verdict!.reasons[0]})`);
  }
  timings.analyze = now() - t3;
  timings.total = now() - t0;

  const counts: Record<VerdictLevel, number> = { stable: 0, watch: 0, retrain: 0 };
  for (const p of periods) counts[p.verdict!.level]++;
  const rank = { stable: 0, watch: 1, retrain: 2 } as const;
  const worstPeriod = periods.reduce<PeriodResult | null>((w, p) => (!w || rank[p.verdict!.level] > rank[w.verdict!.level] ? p : w), null);

  const unseenFiles = [...new Set(questions.map((q) => q.source))].filter((f) => !training.has(f));
  const seenFiles = [...new Set(questions.map((q) => q.source))].filter((f) => training.has(f));
  const supervisedOn = [
    'Supervised metrics (P@k, R@k, F1@k, micro-F1) use only questions the model never saw:',
    unseenFiles.length ? `all questions of ${unseenFiles.join(', ')} (files the model did not train on)` : '',
    seenFiles.length
      ? `${unseenFiles.length ? 'and ' : ''}the held-out test part (10 %, split seed ${splitSeed}) of ${seenFiles.join(', ')}, which the model trained on (its train part) and tuned thresholds on (validation part)`
      : '',
    '. Label drift (coverage, tag distributions) and the unsupervised metrics use every sampled question.',
  ]
    .filter(Boolean)
    .join(' ')
    .replace(' .', '.');

  return {
    format: 'tagsmith-drift',
    formatVersion: 1,
    createdAt: new Date().toISOString(),
    options: { by, reference, periods: current, sample: sampleSize, minQuestions, seed, pcaComponents: ref.pca.nComponents, text },
    model: { dir: modelDir, version: suggester.version, vectorizer: manifest.vectorizer, trainingFiles, splitSeed, tags: suggester.tags.length },
    data: {
      files: report.files.map(({ file, format, read, kept, skipped, repaired }) => ({ file: basename(file), format, read, kept, skipped, repaired })),
      duplicates: report.duplicates,
      kept: report.kept,
      undated,
      periodsInData,
    },
    supervisedOn,
    reference: ref.result,
    periods,
    skippedPeriods,
    referenceScatter: ref.scatter,
    rules: {
      ...VERDICT_RULES,
      domainAuc: DOMAIN_AUC_THRESHOLD,
      domainAucNullSe: DOMAIN_AUC_NULL_SE,
      ksPValue: 0.05,
      wassersteinNormed: 0.1,
      datasetDriftShare: 0.5,
      ksMaxReferenceRows: 1000,
    },
    summary: {
      analysed: periods.length,
      counts,
      worst: worstPeriod ? { period: worstPeriod.period, level: worstPeriod.verdict!.level } : null,
      retrainCommand: counts.retrain > 0 ? retrainCommand(opts.data, periods.at(-1)!.period, manifest.vectorizer) : null,
    },
    timings: { seconds: Object.fromEntries(Object.entries(timings).map(([k, v]) => [k, Math.round(v * 10) / 10])), texts: texts.length, embeddedNew: texts.length - cached },
  };
}
