/**
 * Opening input files: existence checks, gzip detection by magic bytes, byte counting for progress,
 * a decompressed head for format sniffing, and streaming UTF-8 decoding that counts repairs.
 */
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { pipeline, Transform, type Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { IngestError } from './errors';

/** Size of the decompressed head used to sniff the format. */
export const HEAD_BYTES = 64 * 1024;

/**
 * Largest record read (a JSON line, a CSV row's fields, a Posts.xml row's attributes), in characters
 * (bytes for CSV). A Stack Overflow question is at most ~30,000 characters of body plus its markdown;
 * an API page of 100 such items stays under this. Larger records are skipped as `too-large`.
 */
export const MAX_RECORD_CHARS = 16 * 1024 * 1024;

const isGzip = (b: Uint8Array) => b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b;

/** Checks that `file` is a readable regular file and returns its size in bytes. */
export async function fileSize(file: string): Promise<number> {
  try {
    const st = await stat(file);
    if (st.isDirectory()) throw new IngestError(file, 'is a directory; pass the data files inside it (e.g. .../Posts.xml)');
    return st.size;
  } catch (err) {
    if (err instanceof IngestError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new IngestError(file, 'file not found; check the path (relative paths are resolved from the current directory)');
    if (code === 'EACCES') throw new IngestError(file, 'permission denied; make the file readable');
    throw new IngestError(file, `cannot open: ${(err as Error).message}`);
  }
}

/** First bytes of the file after gunzip (when gzip), and whether it is gzip. */
export async function readHead(file: string): Promise<{ head: Buffer; gzip: boolean; size: number }> {
  const size = await fileSize(file);
  const fh = await open(file, 'r');
  let raw: Buffer;
  try {
    const buf = Buffer.alloc(Math.min(size, HEAD_BYTES));
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    raw = buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
  if (!isGzip(raw)) return { head: raw, gzip: false, size };
  return { head: await gunzipHead(file), gzip: true, size };
}

/**
 * The first HEAD_BYTES of a gzip file's content, decompressed as a stream and stopped there (a small
 * file can expand to gigabytes). A file that ends before its gzip stream does is reported as
 * truncated, not as empty.
 */
async function gunzipHead(file: string): Promise<Buffer> {
  const parts: Buffer[] = [];
  let length = 0;
  const gunzip = createReadStream(file).pipe(createGunzip());
  try {
    for await (const chunk of gunzip as AsyncIterable<Buffer>) {
      parts.push(chunk);
      length += chunk.length;
      if (length >= HEAD_BYTES) break;
    }
  } catch (err) {
    throw new IngestError(file, `is a truncated or corrupt gzip file (${(err as Error).message}); download or compress it again`);
  } finally {
    gunzip.destroy();
  }
  return Buffer.concat(parts).subarray(0, HEAD_BYTES);
}

/**
 * Opens `file` as a stream of decompressed bytes. `onBytes(n)` is called with the number of
 * compressed bytes read from disk, chunk by chunk (for progress bars).
 */
export function openBytes(file: string, gzip: boolean, onBytes?: (n: number) => void): Readable {
  const disk = createReadStream(file, { highWaterMark: 256 * 1024 });
  const counter = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      onBytes?.(chunk.length);
      cb(null, chunk);
    },
  });
  const noop = () => {};
  // pipeline destroys every stream with the first error, so consumers of the last stream see it.
  return gzip ? pipeline(disk, counter, createGunzip(), noop) : pipeline(disk, counter, noop);
}

const REPLACEMENT = '\uFFFD';
const REPLACEMENT_UTF8 = Buffer.from(REPLACEMENT, 'utf8');

/** Counts literal U+FFFD characters (EF BF BD) already present in the bytes. */
export function countLiteralReplacements(buf: Buffer): number {
  let n = 0;
  for (let i = buf.indexOf(REPLACEMENT_UTF8); i !== -1; i = buf.indexOf(REPLACEMENT_UTF8, i + 3)) n++;
  return n;
}

/** Counts U+FFFD characters in a string. */
export function countReplacementChars(s: string): number {
  let n = 0;
  for (let i = s.indexOf(REPLACEMENT); i !== -1; i = s.indexOf(REPLACEMENT, i + 1)) n++;
  return n;
}

/**
 * Decodes a byte stream as UTF-8 (BOM stripped), replacing invalid sequences with U+FFFD and
 * reporting each chunk's number of replacements made (literal U+FFFD in the input are not counted,
 * except when one is split across two chunks, which is too rare to matter).
 */
export async function* decodeUtf8(bytes: AsyncIterable<Buffer>, onInvalid: (n: number) => void): AsyncGenerator<string> {
  const dec = new TextDecoder('utf-8', { fatal: false, ignoreBOM: false });
  for await (const chunk of bytes) {
    const text = dec.decode(chunk, { stream: true });
    if (text.includes(REPLACEMENT)) onInvalid(Math.max(0, countReplacementChars(text) - countLiteralReplacements(chunk)));
    if (text) yield text;
  }
  const tail = dec.decode();
  if (tail) {
    if (tail.includes(REPLACEMENT)) onInvalid(countReplacementChars(tail));
    yield tail;
  }
}
