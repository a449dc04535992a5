/**
 * On-disk cache of sentence embeddings, keyed by sha256(text) and the encoder id, so re-running
 * training, evaluation or drift never embeds the same text twice.
 *
 * Layout: `<dir>/<encoder id>/vectors.bin`, an append-only file of records
 * `[32-byte sha256 of the text][dim float32 little-endian]`. Appending (O_APPEND) is the only write; a record
 * cut short by a crash is ignored (and overwritten) on the next open, so the cache never serves a
 * half-written vector. Hand-written because no npm key-value store is both dependency-free and
 * fast for ~100k fixed-size binary values; this is 60 lines.
 */
import { createHash } from 'node:crypto';
import { closeSync, fstatSync, ftruncateSync, mkdirSync, openSync, readSync, writeSync } from 'node:fs';
import { join } from 'node:path';

export function textKey(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

export class EmbeddingCache {
  private readonly vectors = new Map<string, Float32Array>();
  private readonly fd: number;
  private readonly recordBytes: number;

  constructor(
    readonly dir: string,
    readonly encoderId: string,
    readonly dim: number,
  ) {
    const folder = join(dir, encoderId.replace(/[^\w.-]+/g, '_'));
    mkdirSync(folder, { recursive: true });
    const file = join(folder, 'vectors.bin');
    this.recordBytes = 32 + dim * 4;
    // O_APPEND: each record is appended by the kernel in one write, so two processes sharing the
    // cache (a benchmark beside a training run) never overwrite each other's records.
    this.fd = openSync(file, 'a+');
    this.load();
  }

  private load(): void {
    const size = fstatSync(this.fd).size;
    const whole = size - (size % this.recordBytes);
    if (whole !== size) ftruncateSync(this.fd, whole); // drop a torn last record
    const chunkRecords = 4096;
    const buf = Buffer.alloc(this.recordBytes * chunkRecords);
    for (let offset = 0; offset < whole; ) {
      const n = readSync(this.fd, buf, 0, Math.min(buf.length, whole - offset), offset);
      for (let r = 0; r + this.recordBytes <= n; r += this.recordBytes) {
        const key = buf.toString('hex', r, r + 32);
        const v = new Float32Array(this.dim);
        for (let i = 0; i < this.dim; i++) v[i] = buf.readFloatLE(r + 32 + i * 4);
        this.vectors.set(key, v);
      }
      offset += n;
    }
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
 * Embeds `texts` through the cache: only texts not cached are sent to `embed`, in batches.
 * Returns vectors in the order of `texts`.
 */
export async function embedWithCache(
  texts: readonly string[],
  cache: EmbeddingCache,
  embed: EmbedFn,
  opts: { batchSize?: number; onProgress?: (done: number, total: number) => void } = {},
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
  for (let s = 0; s < missing.length; s += batchSize) {
    const idx = missing.slice(s, s + batchSize);
    const vecs = await embed(idx.map((i) => texts[i]));
    idx.forEach((i, j) => cache.put(texts[i], vecs[j]));
    done += idx.length;
    opts.onProgress?.(done, texts.length);
  }
  return texts.map((t, i) => out[i] ?? cache.get(t)!);
}
