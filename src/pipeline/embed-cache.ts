/**
 * On-disk cache of sentence embeddings, keyed by sha256(text) and the encoder id, so re-running
 * training, evaluation or drift never embeds the same text twice.
 *
 * Layout: `<dir>/<encoder id>/*.bin`, segment files of records `[32-byte sha256 of the text][dim
 * float32 little-endian]`. A process appends (O_APPEND) to its own segment only (`vectors.bin`
 * unless told otherwise, e.g. `shard-3-of-64.<host>-<pid>-<random>.bin` for a run of `tagsmith embed --shard 3/64`) and reads
 * every segment in the folder. So caches filled anywhere (other shards, machines, a bucket) merge
 * by copying their segment files into one folder: no coordination, no rewrite. A record cut short
 * by a crash is ignored (and, in the process's own segment, overwritten) on the next open, so the
 * cache never serves a half-written vector. Hand-written because no npm key-value store is both
 * dependency-free and fast for ~100k fixed-size binary values.
 */
import { createHash } from 'node:crypto';
import { closeSync, fstatSync, ftruncateSync, mkdirSync, openSync, readdirSync, readSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_MAX_LENGTH } from '../runtime/encoder';

/** Segment file a process writes unless told otherwise. */
export const DEFAULT_SEGMENT = 'vectors.bin';

export function textKey(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** The cache's key for an encoder: its id, and its token window when not the default one. */
export function cacheEncoderKey(id: string, maxLength: number, defaultMaxLength = DEFAULT_MAX_LENGTH): string {
  return maxLength === defaultMaxLength ? id : `${id}-max${maxLength}`;
}

/** Folder name of an encoder's cache (ids may hold '/'). */
export function cacheFolderName(encoderId: string): string {
  return encoderId.replace(/[^\w.-]+/g, '_');
}

export class EmbeddingCache {
  private readonly vectors = new Map<string, Float32Array>();
  private readonly fd: number;
  private readonly recordBytes: number;
  /** The folder holding this encoder's segments. */
  readonly folder: string;
  /** Segment files read at open, with the records each held (own segment included). */
  readonly segments: { file: string; records: number }[] = [];

  constructor(
    readonly dir: string,
    readonly encoderId: string,
    readonly dim: number,
    /** The segment file this process appends to (a plain file name). */
    readonly segment: string = DEFAULT_SEGMENT,
    /**
     * 'all' (default): read every segment in the folder (what train, evaluate and drift need);
     * 'own': only this process's segment; `{ prefix }`: the segments whose names start so (a shard
     * job reads its own shard's segments, whoever wrote them: its memory stays that of one shard
     * however large the shared folder grows, and its own segment then holds every vector of the
     * shard that it did not find in them).
     */
    readonly read: 'all' | 'own' | { prefix: string } = 'all',
  ) {
    if (!/^[\w.-]+\.bin$/.test(segment)) throw new Error(`embedding cache: segment "${segment}" must be a plain file name ending in .bin`);
    this.folder = join(dir, cacheFolderName(encoderId));
    mkdirSync(this.folder, { recursive: true });
    this.recordBytes = 32 + dim * 4;
    // O_APPEND: each record is appended by the kernel in one write, so two processes sharing a
    // segment (a benchmark beside a training run) never overwrite each other's records.
    this.fd = openSync(join(this.folder, segment), 'a+');
    const size = fstatSync(this.fd).size;
    if (size % this.recordBytes !== 0) ftruncateSync(this.fd, size - (size % this.recordBytes)); // drop our torn last record
    const names =
      read === 'own'
        ? [segment]
        : readdirSync(this.folder)
            .filter((f) => f.endsWith('.bin') && (read === 'all' || f.startsWith(read.prefix) || f === segment))
            .sort();
    for (const name of names) {
      if (name === segment) this.segments.push({ file: name, records: this.loadFrom(this.fd) });
      else {
        // another writer's segment (another shard, maybe still being written): read its whole records only
        const fd = openSync(join(this.folder, name), 'r');
        try {
          this.segments.push({ file: name, records: this.loadFrom(fd) });
        } finally {
          closeSync(fd);
        }
      }
    }
  }

  /** Reads the whole records of one segment into the map; returns how many there were. */
  private loadFrom(fd: number): number {
    const size = fstatSync(fd).size;
    const whole = size - (size % this.recordBytes);
    const buf = Buffer.alloc(this.recordBytes * 4096);
    let records = 0;
    for (let offset = 0; offset < whole; ) {
      const n = readSync(fd, buf, 0, Math.min(buf.length, whole - offset), offset);
      if (n === 0) break;
      for (let r = 0; r + this.recordBytes <= n; r += this.recordBytes) {
        const key = buf.toString('hex', r, r + 32);
        const v = new Float32Array(this.dim);
        for (let i = 0; i < this.dim; i++) v[i] = buf.readFloatLE(r + 32 + i * 4);
        this.vectors.set(key, v);
        records++;
      }
      offset += n - (n % this.recordBytes);
    }
    return records;
  }

  /** Every vector read or written, by the sha256 of its text (hex). */
  entries(): IterableIterator<[string, Float32Array]> {
    return this.vectors.entries();
  }

  get size(): number {
    return this.vectors.size;
  }

  get(text: string): Float32Array | undefined {
    return this.vectors.get(textKey(text));
  }

  put(text: string, vector: Float32Array): void {
    if (vector.length !== this.dim) throw new Error(`embedding cache: vector of length ${vector.length}, expected ${this.dim}`);
    const key = textKey(text);
    if (this.vectors.has(key)) return;
    const rec = Buffer.alloc(this.recordBytes);
    rec.write(key, 0, 'hex');
    for (let i = 0; i < this.dim; i++) rec.writeFloatLE(vector[i], 32 + i * 4);
    writeSync(this.fd, rec, 0, rec.length);
    this.vectors.set(key, Float32Array.from(vector));
  }

  close(): void {
    closeSync(this.fd);
  }
}

export interface EmbedFn {
  (texts: string[]): Promise<Float32Array[]>;
}

/**
 * Embeds `texts` through the cache: only texts not cached are sent to `embed`, in batches of
 * `batchSize`, up to `concurrency` batches at a time (a pool of embedding workers). Returns
 * vectors in the order of `texts`.
 */
export async function embedWithCache(
  texts: readonly string[],
  cache: EmbeddingCache,
  embed: EmbedFn,
  opts: { batchSize?: number; concurrency?: number; onProgress?: (done: number, total: number) => void } = {},
): Promise<Float32Array[]> {
  const batchSize = opts.batchSize ?? 32;
  const out: (Float32Array | undefined)[] = texts.map((t) => cache.get(t));
  const missing: number[] = [];
  const seen = new Set<string>();
  out.forEach((v, i) => {
    if (!v && !seen.has(texts[i])) {
      seen.add(texts[i]);
      missing.push(i);
    }
  });
  // Longest first: batches of similar length waste less padding.
  missing.sort((a, b) => texts[b].length - texts[a].length);
  let done = texts.length - missing.length;
  opts.onProgress?.(done, texts.length);
  let next = 0;
  let failed = false;
  const runner = async () => {
    while (next < missing.length && !failed) {
      const idx = missing.slice(next, next + batchSize);
      next += batchSize;
      let vecs: Float32Array[];
      try {
        vecs = await embed(idx.map((i) => texts[i]));
      } catch (err) {
        failed = true; // the other runners stop after their batch at hand
        throw err;
      }
      idx.forEach((i, j) => cache.put(texts[i], vecs[j]));
      done += idx.length;
      opts.onProgress?.(done, texts.length);
    }
  };
  // every runner settles before the first error is thrown, so none writes to the cache after the
  // caller has closed it
  const settled = await Promise.allSettled(Array.from({ length: Math.max(1, opts.concurrency ?? 1) }, runner));
  const firstError = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (firstError) throw firstError.reason;
  return texts.map((t, i) => out[i] ?? cache.get(t)!);
}
