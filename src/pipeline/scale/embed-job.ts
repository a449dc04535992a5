/**
 * `tagsmith embed`: fills the embedding cache for the questions of some data files, or of one
 * deterministic shard of them (`--shard i/N`), with `--workers K` threads. The vectors are those
 * training, evaluation and drift compute (same normalised text, same encoder, same cache key), so
 * they find them in the cache; each shard writes its own segment file, and segments from anywhere
 * merge by copying them into one cache folder (src/pipeline/embed-cache.ts).
 */
import { join, resolve } from 'node:path';
import { normalizeQuestion } from '../../core/normalize';
import { DEFAULT_ENCODER_ID, DEFAULT_MAX_LENGTH, EMBEDDING_DIM } from '../../runtime/encoder';
import { DEFAULT_MODEL_DIR } from '../../node/paths';
import { startProgress } from '../../node/progress';
import { cacheEncoderKey, cacheFolderName, DEFAULT_SEGMENT, EmbeddingCache, embedWithCache } from '../embed-cache';
import { parseBucket, pullSegments, s3Client, uploadFile } from './bucket';
import { statSync } from 'node:fs';
import { checkFiles } from '../load-data';
import { formatReport, ingestStream } from '../ingest';
import { createNodeEncoder } from '../encoder-node';
import { formatShard, shardOf, shardPrefix, shardSegment, type Shard } from './shard';
import { startEmbedPool } from './embed-pool';
import type { Question } from '../../core/types';

export interface EmbedJobOptions {
  /** Data files (any format ingest reads). */
  data: string[];
  /** Only this shard's questions (default: all). */
  shard?: Shard;
  /** Embedding cache directory (as train's `--cache`). */
  cacheDir: string;
  /** Worker threads (default 1: the encoder in this thread, every core for it). */
  workers?: number;
  /** Folder holding the encoder (default: the shipped models/). */
  encoderDir?: string;
  /** Texts per message to a worker. */
  batchSize?: number;
  /** Progress bar on stderr (default true). */
  progress?: boolean;
  /** Already ingested questions (tests): `data` is then not read. */
  questions?: Question[];
  /**
   * S3-compatible storage for this shard's segment (src/pipeline/scale/bucket.ts): downloaded into
   * `cacheDir` first if the bucket has it, uploaded when done.
   */
  bucket?: string;
  /** Hears the embedding's progress (texts done, of total). */
  onProgress?: (done: number, total: number) => void;
  /** Where the ingestion report goes (default: nowhere). */
  log?: (line: string) => void;
}

export interface EmbedJobReport {
  shard: string | null;
  /** Questions read (after ingestion's de-duplication). */
  questions: number;
  /** Of those, in this shard. */
  inShard: number;
  /** Distinct normalised texts of the shard's questions. */
  texts: number;
  /** Texts found in the cache (any segment), not embedded again. */
  cached: number;
  /** Texts embedded by this run. */
  embedded: number;
  workers: number;
  /** Loading the encoder(s), before the first text. */
  startSeconds: number;
  /** Embedding, after the start. */
  seconds: number;
  /** Embedded texts per second, start excluded (0 when all were cached). */
  textsPerSecond: number;
  /** Where this run's vectors went. */
  cache: { folder: string; segment: string };
  /** The object they were uploaded to, with --bucket. */
  uploaded?: string;
  /** Rows the ingestion skipped (bad records), from its report. */
  skippedRows: number;
}

/** The normalised texts (the model's input, as training builds it) of the questions in `shard`. */
export function shardTexts(questions: readonly Question[], shard?: Shard): { inShard: number; texts: string[] } {
  const mine = shard ? questions.filter((q) => shardOf(q, shard.count) === shard.index) : questions;
  return { inShard: mine.length, texts: [...new Set(mine.map(questionText))] };
}

/** What the encoder sees of a question: its normalised text, as training builds it (prepareDataset). */
const questionText = (q: Question) => normalizeQuestion({ title: q.title, body: q.body, bodyFormat: q.bodyFormat });

export async function embedJob(opts: EmbedJobOptions): Promise<EmbedJobReport> {
  const workers = opts.workers ?? 1;
  if (!Number.isInteger(workers) || workers < 1) throw new Error(`embed: workers must be a positive integer, got ${workers}`);
  let read = 0;
  let skippedRows = 0;
  let inShard: number;
  let texts: string[];
  if (opts.questions) {
    read = opts.questions.length;
    ({ inShard, texts } = shardTexts(opts.questions, opts.shard));
  } else {
    // streamed: only the shard's texts are kept (the full dump's questions would not fit in memory)
    checkFiles(opts.data);
    const total = opts.data.reduce((a, f) => a + statSync(f).size, 0);
    const bar = opts.progress === false ? undefined : startProgress('Reading data', Math.round(total / 1024), 'KiB');
    const { questions, report } = ingestStream(opts.data, { onProgress: (done) => bar?.update(Math.round(done / 1024)) });
    const unique = new Set<string>();
    inShard = 0;
    try {
      for await (const q of questions) {
        read++;
        if (opts.shard && shardOf(q, opts.shard.count) !== opts.shard.index) continue;
        inShard++;
        unique.add(questionText(q));
      }
    } finally {
      bar?.stop();
    }
    texts = [...unique];
    skippedRows = report.files.reduce((a, f) => a + Object.values(f.skipped).reduce((x, y) => x + y, 0), 0);
    opts.log?.(formatReport(report));
  }
  const encoderDir = resolve(opts.encoderDir ?? DEFAULT_MODEL_DIR);
  const segment = opts.shard ? shardSegment(opts.shard) : DEFAULT_SEGMENT;
  const encoderKey = cacheEncoderKey(DEFAULT_ENCODER_ID, DEFAULT_MAX_LENGTH);
  const folder = cacheFolderName(encoderKey);
  const remote = opts.bucket ? { client: s3Client(), loc: parseBucket(opts.bucket), rel: `${folder}/${segment}` } : undefined;
  if (remote) {
    // resume from what earlier runs of this shard uploaded (each file kept locally when not smaller)
    await pullSegments(remote.client, remote.loc, resolve(opts.cacheDir), `${folder}/${opts.shard ? shardPrefix(opts.shard) : segment}`);
  }
  // a shard keeps to its own shard's segments, a bucket's upload to what it will upload: see EmbeddingCache's `read`
  const reads = opts.shard ? { prefix: shardPrefix(opts.shard) } : remote ? ('own' as const) : ('all' as const);
  const cache = new EmbeddingCache(resolve(opts.cacheDir), encoderKey, EMBEDDING_DIM, segment, reads);
  const cached = texts.filter((t) => cache.get(t)).length;
  const t0 = performance.now();
  let tReady = t0;
  let tDone = t0;
  let pool: Awaited<ReturnType<typeof startEmbedPool>> | undefined;
  let bar: ReturnType<typeof startProgress> | undefined;
  try {
    pool = workers > 1 ? await startEmbedPool({ workers, encoderDir }) : undefined;
    const embed = pool ? pool.embed : (await createNodeEncoder(encoderDir)).embed;
    tReady = performance.now();
    bar = opts.progress === false ? undefined : startProgress('Embedding', texts.length, 'texts');
    await embedWithCache(texts, cache, embed, {
      batchSize: opts.batchSize ?? 16,
      concurrency: workers,
      onProgress: (d, total) => {
        bar?.update(d);
        opts.onProgress?.(d, total);
      },
    });
    tDone = performance.now();
  } finally {
    bar?.stop();
    cache.close();
    await pool?.close();
  }
  if (remote) await uploadFile(remote.client, remote.loc, join(cache.folder, segment), remote.rel);
  const seconds = (tDone - tReady) / 1000;
  const embedded = texts.length - cached;
  return {
    shard: opts.shard ? formatShard(opts.shard) : null,
    questions: read,
    inShard,
    texts: texts.length,
    cached,
    embedded,
    workers,
    startSeconds: Math.round((tReady - t0) / 10) / 100,
    seconds: Math.round(seconds * 100) / 100,
    textsPerSecond: embedded > 0 ? Math.round((embedded / seconds) * 10) / 10 : 0,
    cache: { folder: cache.folder, segment },
    ...(remote ? { uploaded: `s3://${remote.loc.bucket}/${remote.loc.prefix ? `${remote.loc.prefix}/` : ''}${remote.rel}` } : {}),
    skippedRows,
  };
}
