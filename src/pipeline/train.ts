/**
 * `tagsmith train`: real Stack Overflow exports in, an exported tag model out.
 *
 * ingest -> normalise -> seeded split -> top-N tag vocabulary -> features (TF-IDF, sentence
 * embeddings through the on-disk cache, or both) -> one-vs-rest logistic regression -> per-tag
 * thresholds on validation -> evaluation on test -> atomic export.
 */
import { createReadStream } from 'node:fs';
import { createHash } from 'node:crypto';
import { basename } from 'node:path';
import { DEFAULT_NORMALIZE_OPTIONS, hasBody, NORMALIZATION_VERSION, normalizeQuestion } from '../core/normalize';
import { TfidfVectorizer, type SparseVector, type TfidfConfig } from '../core/tfidf';
import { blockScale, buildRow } from '../core/suggester';
import type { FeatureRow, Head } from '../core/head';
import type { EncoderSpec, ModelManifest, VectorizerKind } from '../core/model';
import type { Question } from '../core/types';
import { formatReport, loadQuestions } from './load-data';
import { splitKey, splitQuestions, DEFAULT_SPLIT, type Part, type Split } from './split';
import { buildVocabulary, labelIndices, type TagVocabulary } from '../learn/vocab';
import { trainOneVsRestAsync } from '../learn/logreg';
import { tuneThresholds } from '../learn/thresholds';
import { evaluateScores, summary, type Evaluation } from '../learn/evaluation';
import { startProgress } from '../node/progress';
import { availableParallelism } from 'node:os';
import { cacheEncoderKey, EmbeddingCache, embedWithCache } from './embed-cache';
import { exportModel } from './model-io';
import type { IngestReport } from './ingest';
import { DEFAULT_TRAIN } from './train-defaults';
import { trainSvcHead } from './head-svc';
import type { Reranker } from '../core/rerank';
import { trainReranker } from '../learn/rerank-train';

export interface TrainOptions {
  data: string[];
  out: string;
  vectorizer: VectorizerKind;
  tags: number;
  seed: number;
  C?: number;
  classWeight?: 'balanced' | null;
  maxEpochs?: number;
  maxFeatures?: number;
  limit?: number;
  cacheDir: string;
  /** Directory holding the encoder folder (default: the model directory, then the shipped models/). */
  encoderDir?: string;
  /** Block weights of hybrid rows [dense, sparse] (logreg head). */
  blockWeights?: [number, number];
  /** Head learner (default DEFAULT_TRAIN.head). */
  head?: 'svc' | 'logreg';
  /** SVM head: TF-IDF weights kept per tag (0 keeps all). */
  keep?: number;
  /** Training threads of the SVM head (default: the cores available). */
  threads?: number;
  /**
   * SVM head, hybrid: choose the embedding weight separately for titles alone and for questions
   * with a body (default true); false: one weight for all (the experiment's `hybrid-one-beta`).
   */
  betaByKind?: boolean;
  /**
   * SVM head, hybrid: add the re-ranker (core/rerank: neighbours' votes and trees over the head's
   * candidates; default true). false: the head's scores are final (the experiment's `hybrid-head`).
   */
  rerank?: boolean;
  /** Progress lines for humans (stderr). */
  log?: (line: string) => void;
}

/** Training options with every default applied (what is trained, logged and recorded). */
export interface ResolvedTrainOptions extends TrainOptions {
  head: 'svc' | 'logreg';
  C: number;
  /** SVM head only. */
  keep?: number;
  ridgeAlpha?: number;
  classWeight: 'balanced' | null;
  maxEpochs: number;
  /** TF-IDF settings (tfidf and hybrid models). */
  maxFeatures: number;
  minDf: number;
  /** Hybrid models only. */
  blockWeights?: [number, number];
}

export function resolveTrainOptions(opts: TrainOptions): ResolvedTrainOptions {
  const head = opts.head ?? DEFAULT_TRAIN.head;
  return {
    ...opts,
    head,
    C: opts.C ?? (head === 'svc' ? DEFAULT_TRAIN.svcC : DEFAULT_TRAIN.C),
    keep: head === 'svc' ? (opts.keep ?? DEFAULT_TRAIN.keep) : undefined,
    betaByKind: head === 'svc' && opts.vectorizer === 'hybrid' ? (opts.betaByKind ?? true) : undefined,
    rerank: head === 'svc' && opts.vectorizer === 'hybrid' ? (opts.rerank ?? true) : false,
    ridgeAlpha: head === 'svc' ? DEFAULT_TRAIN.ridgeAlpha : undefined,
    classWeight: opts.classWeight ?? null,
    maxEpochs: opts.maxEpochs ?? DEFAULT_TRAIN.maxEpochs,
    maxFeatures: opts.maxFeatures ?? DEFAULT_TRAIN.maxFeatures,
    minDf: DEFAULT_TRAIN.minDf,
    blockWeights: opts.vectorizer === 'hybrid' && head === 'logreg' ? (opts.blockWeights ?? [...DEFAULT_TRAIN.blockWeights]) : undefined,
  };
}

/** What a trained model records about its training (the manifest's `training` section). */
export interface TrainingRecord {
  params: {
    vectorizer: VectorizerKind;
    head: 'svc' | 'logreg';
    tags: number;
    seed: number;
    C: number;
    class_weight: 'balanced' | 'none';
    max_epochs: number;
    epochs: number;
    converged: boolean;
    tfidf?: Partial<TfidfConfig> & { features: number };
    block_weights?: [number, number];
    /** SVM head: weights kept per tag, ridge penalty, chosen embedding weight, Platt scaling, validation search. */
    svc?: {
      keep: number;
      ridge_alpha: number;
      /** Embedding weight for titles alone (for every question when beta_body equals it). */
      beta: number;
      /** Embedding weight for questions with a body. */
      beta_body: number;
      platt: { a: number; c: number };
      beta_search: { group: string; beta: number; n: number; p1: number; r5: number }[];
      kept_weights: number;
      mean_iterations: number;
    };
    /** The re-ranker's settings and what it was trained on (core/rerank). */
    rerank?: {
      components: number;
      explained_variance: number;
      k: number;
      power: number;
      head_candidates: number;
      neighbour_candidates: number;
      trees: number;
      depth: number;
      learning_rate: number;
      rows: number;
      positives: number;
      candidate_recall: number;
    };
    limit: number | null;
    split: typeof DEFAULT_SPLIT;
    global_threshold: number;
    tags_with_own_threshold: number;
  };
  data: DataFileSummary[];
  ingest: { duplicates: number; kept: number };
  split: { train: number; validation: number; test: number; bySource: Split<Item>['counts'] };
  vocabulary: { size: number; coverage: TagVocabulary['coverage']; counts: number[] };
  loss: { epoch: number; loss: number }[];
  timings: Record<string, number>;
}

export interface DataFileSummary {
  file: string;
  sha256: string;
  bytes: number;
  format: string;
  read: number;
  kept: number;
  skipped: Record<string, number>;
}

export interface TrainResult {
  manifest: ModelManifest;
  /** The options as trained (defaults applied). */
  options: ResolvedTrainOptions;
  /** The manifest's `training` section, typed. */
  record: TrainingRecord;
  outDir: string;
  test: Evaluation;
  validation: Evaluation;
  data: DataFileSummary[];
  history: { epoch: number; loss: number }[];
  timings: Record<string, number>;
}

async function fileSha256(file: string): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of createReadStream(file)) {
    hash.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return { sha256: hash.digest('hex'), bytes };
}

export async function summarizeData(report: IngestReport): Promise<DataFileSummary[]> {
  return Promise.all(
    report.files.map(async (f) => ({
      file: basename(f.file),
      ...(await fileSha256(f.file)),
      format: f.format,
      read: f.read,
      kept: f.kept,
      skipped: f.skipped,
    })),
  );
}

/** A deterministic subset of `limit` questions spread over all sources (by a seeded hash, not file order). */
export function sample<T extends Question>(questions: T[], limit: number | undefined, seed: number): T[] {
  if (!limit || limit >= questions.length) return questions;
  return questions
    .map((q) => ({ q, key: splitKey(seed + 7919, q) }))
    .sort((a, b) => a.key - b.key)
    .slice(0, limit)
    .map((x) => x.q);
}

export interface Item {
  question: Question;
  site: string;
  id: string;
  source: string;
  /** The normalised text the model sees. */
  text: string;
}

export interface Dataset {
  split: Split<Item>;
  vocab: TagVocabulary;
  tagIndex: Map<string, number>;
  report: IngestReport;
  data: DataFileSummary[];
}

/** Ingests, normalises, samples, splits and builds the tag vocabulary (steps shared by train and bench:quality). */
export async function prepareDataset(
  opts: Pick<TrainOptions, 'data' | 'limit' | 'seed' | 'tags'>,
  log: (line: string) => void = () => {},
): Promise<Dataset> {
  const { questions: all, report } = await loadQuestions(opts.data);
  const questions = sample(all, opts.limit, opts.seed);
  if (questions.length < 20) {
    throw new Error(`only ${questions.length} tagged questions in ${opts.data.join(', ')}; training needs at least 20`);
  }
  const items: Item[] = questions.map((q) => ({
    question: q,
    site: q.site,
    id: q.id,
    source: q.source,
    text: normalizeQuestion({ title: q.title, body: q.body, bodyFormat: q.bodyFormat }),
  }));
  const data = await summarizeData(report);
  log(formatReport(report));
  log(`data: ${questions.length.toLocaleString('en-US')} questions from ${data.length} file(s)${opts.limit ? ` (sample of ${all.length.toLocaleString('en-US')})` : ''}`);
  const split = splitQuestions(items, opts.seed);
  const vocab = buildVocabulary(split.train.map((it) => it.question.tags), opts.tags);
  const tagIndex = new Map(vocab.tags.map((tg, i) => [tg, i]));
  log(
    `split: train ${split.train.length}, validation ${split.validation.length}, test ${split.test.length}; ` +
      `vocabulary ${vocab.tags.length} tags covering ${(vocab.coverage.assignments * 100).toFixed(1)} % of tag assignments ` +
      `(${vocab.coverage.distinctTags} distinct tags)`,
  );
  return { split, vocab, tagIndex, report, data };
}

/** Texts to embed from which a pool of embedding threads pays for its start (~2 s). */
const POOL_FROM_TEXTS = 500;

/**
 * Sentence embeddings of `texts` through the on-disk cache, with a progress bar. `spec` is the
 * encoder a model was trained with (scoring a model must embed as it did); without it, the default
 * encoder found for `encoderDir` (training a new model). Cache entries are keyed by the text, the
 * encoder id and, when not the default, its token window. With `workers` > 1 and at least
 * POOL_FROM_TEXTS texts missing, they are embedded by that many threads (one ONNX session per
 * core: ~1.5x one session on two cores, bench:scale; the same vectors bit for bit).
 */
export async function embedTexts(
  texts: string[],
  encoderDir: string,
  cacheDir: string,
  spec?: EncoderSpec,
  opts: { workers?: number } = {},
): Promise<{ spec: EncoderSpec; vectors: Float32Array[]; cached: number; /** embedding threads used */ workers: number }> {
  const [{ createNodeEncoder }, { DEFAULT_MAX_LENGTH }] = await Promise.all([import('./encoder-node'), import('../runtime/encoder')]);
  const encoder = await createNodeEncoder(encoderDir, spec);
  const { id, dim, maxLength } = encoder.spec;
  const cache = new EmbeddingCache(cacheDir, cacheEncoderKey(id, maxLength), dim);
  const cached = texts.filter((x) => cache.get(x)).length;
  const workers = opts.workers ?? 1;
  let pool: Awaited<ReturnType<typeof import('./scale/embed-pool').startEmbedPool>> | undefined;
  let bar: ReturnType<typeof startProgress> | undefined;
  try {
    if (workers > 1 && new Set(texts).size - cached >= POOL_FROM_TEXTS) {
      const [{ startEmbedPool }, { encoderHome }] = await Promise.all([import('./scale/embed-pool'), import('./encoder-node')]);
      pool = await startEmbedPool({ workers, encoderDir: await encoderHome(encoderDir, spec), spec: encoder.spec });
    }
    bar = startProgress('Embedding', texts.length, 'texts');
    const vectors = await embedWithCache(texts, cache, pool ? pool.embed : encoder.embed, { batchSize: pool ? 16 : 32, concurrency: pool ? workers : 1, onProgress: (d) => bar?.update(d) });
    return { spec: encoder.spec, vectors, cached, workers: pool ? workers : 1 };
  } finally {
    bar?.stop();
    cache.close();
    await pool?.close();
  }
}

export async function train(requested: TrainOptions): Promise<TrainResult> {
  const opts = resolveTrainOptions(requested);
  const log = opts.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const timings: Record<string, number> = {};
  const t0 = Date.now();
  const lap = (name: string, since: number) => (timings[name] = (Date.now() - since) / 1000);

  // 1-2. data, split and vocabulary
  let t = Date.now();
  const { split, vocab, tagIndex, report, data } = await prepareDataset(opts, log);
  lap('data', t);

  // 3. features
  t = Date.now();
  const parts: Part[] = ['train', 'validation', 'test'];
  const allItems = parts.flatMap((p) => split[p]);
  const allTexts = allItems.map((it) => it.text);
  let tfidf: TfidfVectorizer | undefined;
  let sparse: SparseVector[] | undefined;
  const tfidfConfig: Partial<TfidfConfig> = { maxFeatures: opts.maxFeatures, minDf: opts.minDf };
  if (opts.vectorizer !== 'embeddings') {
    tfidf = new TfidfVectorizer(tfidfConfig).fit(split.train.map((it) => it.text));
    sparse = tfidf.transform(allTexts);
    log(`tfidf: ${tfidf.size.toLocaleString('en-US')} features`);
  }
  let dense: Float32Array[] | undefined;
  let encoderSpec: ModelManifest['encoder'];
  if (opts.vectorizer !== 'tfidf') {
    // one encoder thread per core, up to 4 (measured: ~1.5x on 2 cores, bench:scale; more untested)
    const embedded = await embedTexts(allTexts, opts.encoderDir ?? opts.out, opts.cacheDir, undefined, { workers: Math.min(4, availableParallelism()) });
    encoderSpec = embedded.spec;
    dense = embedded.vectors;
    const cached = embedded.cached;
    log(`embeddings: ${allTexts.length - cached} computed${embedded.workers > 1 ? ` by ${embedded.workers} threads` : ''}, ${cached} from cache`);
  }
  lap('features', t);

  const blockWeights = opts.blockWeights ?? [1, 1]; // [1, 1]: no weighting when a block is absent
  const labels = allItems.map((it) => labelIndices(it.question.tags, tagIndex));
  const layout = {
    denseDim: dense ? dense[0].length : 0,
    sparseDim: tfidf?.size ?? 0,
    denseWeight: blockWeights[0],
    sparseWeight: blockWeights[1],
  };
  const nTrain = split.train.length;
  const nVal = split.validation.length;
  const range = (p: Part): [number, number] =>
    p === 'train' ? [0, nTrain] : p === 'validation' ? [nTrain, nTrain + nVal] : [nTrain + nVal, allItems.length];
  const slice = <T>(xs: T[], p: Part) => xs.slice(...range(p));
  /** Feature rows of a part, built as the Suggester builds them (`blockScale`: body weights where the model has them). */
  const rowsOf = (p: Part, w: Pick<ModelManifest, 'blockWeights' | 'bodyBlockWeights'>): FeatureRow[] => {
    const [from, to] = range(p);
    return allItems.slice(from, to).map((it, k) => buildRow(dense?.[from + k], sparse?.[from + k], blockScale(w, it.text)));
  };

  // 4. head
  t = Date.now();
  let fit: { head: Head; epochs: number; converged: boolean; history: { epoch: number; loss: number }[] };
  let svcRecord: TrainingRecord['params']['svc'];
  let headWeights: { blockWeights: [number, number]; bodyBlockWeights?: [number, number] } | undefined;
  if (opts.head === 'svc') {
    const bar = startProgress('Training head', vocab.tags.length, 'tags');
    try {
      const r = await trainSvcHead(
        {
          dense,
          sparse,
          labels,
          validationGold: split.validation.map((it) => it.question.tags),
          validationHasBody: opts.betaByKind ? split.validation.map((it) => hasBody(it.text)) : undefined,
          nTrain,
          nValidation: nVal,
          numTags: vocab.tags.length,
          denseDim: layout.denseDim,
          sparseDim: layout.sparseDim,
        },
        { C: opts.C, alpha: opts.ridgeAlpha!, keep: opts.keep!, betaGrid: DEFAULT_TRAIN.betaGrid, threads: opts.threads, seed: opts.seed, tags: vocab.tags, onProgress: (d) => bar.update(d) },
      );
      headWeights = { blockWeights: r.blockWeights, bodyBlockWeights: r.bodyBlockWeights };
      fit = { head: r.head, epochs: Math.round(r.svc.meanIterations), converged: r.svc.converged === vocab.tags.length, history: [] };
      svcRecord = {
        keep: opts.keep!,
        ridge_alpha: opts.ridgeAlpha!,
        beta: r.beta,
        beta_body: r.betaBody,
        platt: r.platt,
        beta_search: r.betaSearch,
        kept_weights: r.keptWeights,
        mean_iterations: r.svc.meanIterations,
      };
      log(`head: SVM on ${tfidf?.size ?? 0} terms (${r.keptWeights.toLocaleString('en-US')} weights kept) + ridge on embeddings, beta ${r.beta}${r.betaBody !== r.beta ? ` (with a body ${r.betaBody})` : ''}, Platt a ${r.platt.a.toFixed(3)} c ${r.platt.c.toFixed(3)}`);
    } finally {
      bar.stop();
    }
  } else {
    const bar = startProgress('Training head', opts.maxEpochs, 'epochs');
    try {
      fit = await trainOneVsRestAsync(rowsOf('train', { blockWeights }), slice(labels, 'train'), vocab.tags.length, layout, {
        C: opts.C,
        tags: vocab.tags,
        classWeight: opts.classWeight,
        maxEpochs: opts.maxEpochs,
        onProgress: (epoch) => bar.update(epoch),
      });
    } finally {
      bar.stop();
    }
    const lastLoss = fit.history.at(-1)?.loss;
    log(`head: ${fit.epochs} epochs, ${fit.converged ? 'converged' : 'stopped at the epoch cap'}, final loss ${lastLoss?.toFixed(5)}`);
  }
  lap('head', t);

  // 5. re-ranker (hybrid SVM head): neighbours from train, trees from validation (cross-fitted scores)
  const headScoresOf = (p: Part) => rowsOf(p, headWeights ?? { blockWeights }).map((r) => fit.head.scores(r));
  let reranker: Reranker | undefined;
  let rerankRecord: TrainingRecord['params']['rerank'];
  let valScores: Float32Array[];
  if (opts.rerank && dense) {
    t = Date.now();
    const r = trainReranker({
      tags: vocab.tags,
      tagCounts: vocab.counts,
      trainEmbeddings: slice(dense, 'train'),
      trainLabels: slice(labels, 'train'),
      validationEmbeddings: slice(dense, 'validation'),
      validationHeadScores: headScoresOf('validation'),
      validationTexts: slice(allItems, 'validation').map((it) => it.text),
      validationLabels: slice(labels, 'validation'),
    });
    reranker = r.reranker;
    valScores = r.validationScores;
    const s = reranker.settings;
    rerankRecord = {
      components: reranker.index.components,
      explained_variance: r.explainedVariance,
      k: s.k,
      power: s.power,
      head_candidates: s.headCandidates,
      neighbour_candidates: s.neighbourCandidates,
      trees: reranker.gbdt.trees,
      depth: reranker.gbdt.depth,
      learning_rate: r.gbdt.learningRate,
      rows: r.rows,
      positives: r.positives,
      candidate_recall: r.candidateRecall,
    };
    lap('rerank', t);
    log(`re-ranker: ${reranker.index.count} neighbours x ${reranker.index.components} components (${(r.explainedVariance * 100).toFixed(1)} % of the variance), ${reranker.gbdt.trees} trees on ${r.rows} candidates (${(r.candidateRecall * 100).toFixed(1)} % of validation gold tags among them)`);
  } else {
    valScores = headScoresOf('validation');
  }
  const scoresOf = (p: Part): Float32Array[] => {
    const head = headScoresOf(p);
    if (!reranker) return head;
    const [from] = range(p);
    return head.map((sc, k) => reranker!.apply(sc, dense![from + k], allItems[from + k].text));
  };

  // 6. thresholds (validation) and evaluation (test)
  t = Date.now();
  const tuned = tuneThresholds(valScores, slice(labels, 'validation'), vocab.tags.length);
  const goldOf = (p: Part) => slice(allItems, p).map((it) => it.question.tags);
  const validation = evaluateScores(valScores, goldOf('validation'), vocab.tags, tuned.thresholds);
  const test = evaluateScores(scoresOf('test'), goldOf('test'), vocab.tags, tuned.thresholds);
  lap('evaluation', t);
  timings.total = (Date.now() - t0) / 1000;

  // 7. export
  const record: TrainingRecord = {
    params: {
      vectorizer: opts.vectorizer,
      head: opts.head,
      tags: opts.tags,
      seed: opts.seed,
      C: opts.C,
      class_weight: opts.classWeight ?? 'none',
      max_epochs: opts.maxEpochs,
      epochs: fit.epochs,
      converged: fit.converged,
      tfidf: tfidf ? { ...tfidfConfig, features: tfidf.size } : undefined,
      block_weights: opts.blockWeights,
      ...(svcRecord ? { svc: svcRecord } : {}),
      ...(rerankRecord ? { rerank: rerankRecord } : {}),
      limit: opts.limit ?? null,
      split: DEFAULT_SPLIT,
      global_threshold: tuned.global,
      tags_with_own_threshold: tuned.perTag,
    },
    data,
    ingest: { duplicates: report.duplicates, kept: report.kept },
    split: { train: nTrain, validation: nVal, test: split.test.length, bySource: split.counts },
    vocabulary: { size: vocab.tags.length, coverage: vocab.coverage, counts: vocab.counts },
    loss: fit.history,
    timings,
  };
  const manifest = await exportModel(opts.out, {
    vectorizer: opts.vectorizer,
    normalization: { version: NORMALIZATION_VERSION, options: { ...DEFAULT_NORMALIZE_OPTIONS } },
    encoder: encoderSpec,
    tfidf,
    blockWeights: opts.vectorizer !== 'hybrid' ? undefined : (headWeights?.blockWeights ?? opts.blockWeights ?? [1, 1]),
    bodyBlockWeights: opts.vectorizer === 'hybrid' ? headWeights?.bodyBlockWeights : undefined,
    tags: vocab.tags,
    thresholds: tuned.thresholds,
    head: fit.head,
    reranker,
    training: { ...record },
    metrics: { test: summary(test), validation: summary(validation) },
  });
  log(`exported model ${manifest.version} to ${opts.out}`);
  return { manifest, options: opts, record, outDir: opts.out, test, validation, data, history: fit.history, timings };
}
