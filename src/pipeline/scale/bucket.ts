/**
 * Shard vectors in S3-compatible storage (`--bucket s3://BUCKET/PREFIX`), for fleets without a
 * shared folder: a shard embeds into a local cache folder, starting from the segments the bucket
 * already holds for it (a retried shard resumes), and uploads its own segment when done, as one
 * object (`PREFIX/<encoder>/shard-i-of-N.<writer>.bin`; an object is written whole, so a reader
 * never sees half of one). The bucket's layout is the cache folder's, so `--pull` (or `aws s3 sync`) into a cache
 * directory is the merge. Credentials and region come from the usual AWS variables;
 * `AWS_ENDPOINT_URL` points at S3-compatible storage (MinIO, Ceph, moto), with path-style URLs.
 */
import { createReadStream, existsSync, mkdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, NoSuchKey, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { UsageError } from '../../node/errors';

export interface BucketLocation {
  bucket: string;
  /** Key prefix without leading or trailing '/', '' for the bucket's root. */
  prefix: string;
}

export function parseBucket(url: string): BucketLocation {
  const m = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/.exec(url);
  if (!m) throw new UsageError(`--bucket ${url}: expected s3://BUCKET/PREFIX (a bucket name of 3-63 lower-case letters, digits, dots or dashes)`);
  return { bucket: m[1], prefix: (m[2] ?? '').replace(/^\/+|\/+$/g, '') };
}

export function s3Client(): S3Client {
  const endpoint = process.env.AWS_ENDPOINT_URL_S3 ?? process.env.AWS_ENDPOINT_URL;
  return new S3Client({ region: process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1', ...(endpoint ? { endpoint, forcePathStyle: true } : {}) });
}

const keyOf = (loc: BucketLocation, rel: string) => (loc.prefix ? `${loc.prefix}/${rel}` : rel);

/**
 * Downloads `rel` (a path under the prefix) to `file` atomically; false when the bucket has none
 * (or, with `onlyIfLarger`, when it is not larger than the local file, which is then kept: a segment
 * only grows, so the larger copy holds the other's records).
 */
export async function downloadObject(client: S3Client, loc: BucketLocation, rel: string, file: string, opts: { onlyIfLarger?: boolean } = {}): Promise<boolean> {
  let body: Uint8Array;
  try {
    const res = await client.send(new GetObjectCommand({ Bucket: loc.bucket, Key: keyOf(loc, rel) }));
    body = await res.Body!.transformToByteArray();
  } catch (err) {
    if (err instanceof NoSuchKey || (err as { name?: string }).name === 'NoSuchKey') return false;
    throw new Error(`s3://${loc.bucket}/${keyOf(loc, rel)}: cannot download: ${(err as Error).message}`);
  }
  if (opts.onlyIfLarger && existsSync(file) && statSync(file).size >= body.length) return false;
  const tmp = `${file}.${process.pid}.download`;
  writeFileSync(tmp, body);
  renameSync(tmp, file);
  return true;
}

export async function uploadFile(client: S3Client, loc: BucketLocation, file: string, rel: string): Promise<void> {
  try {
    await client.send(new PutObjectCommand({ Bucket: loc.bucket, Key: keyOf(loc, rel), Body: createReadStream(file), ContentLength: statSync(file).size }));
  } catch (err) {
    throw new Error(`s3://${loc.bucket}/${keyOf(loc, rel)}: cannot upload ${file}: ${(err as Error).message}`);
  }
}

/**
 * Downloads the segments under the prefix (all: the merge of every shard; or those whose path
 * under it starts with `startsWith`, e.g. one shard's) into `cacheDir`, each kept locally when the
 * local copy is not smaller; returns their paths relative to it.
 */
export async function pullSegments(client: S3Client, loc: BucketLocation, cacheDir: string, startsWith = ''): Promise<string[]> {
  const pulled: string[] = [];
  let token: string | undefined;
  do {
    const prefix = `${loc.prefix ? `${loc.prefix}/` : ''}${startsWith}`;
    const page = await client.send(new ListObjectsV2Command({ Bucket: loc.bucket, Prefix: prefix || undefined, ContinuationToken: token }));
    for (const obj of page.Contents ?? []) {
      const rel = loc.prefix ? obj.Key!.slice(loc.prefix.length + 1) : obj.Key!;
      if (!/^[\w.-]+\/[\w.-]+\.bin$/.test(rel) || rel.startsWith('.')) continue; // <encoder>/<segment>.bin only, never '..'
      mkdirSync(join(cacheDir, rel.split('/')[0]), { recursive: true });
      if (await downloadObject(client, loc, rel, join(cacheDir, rel), { onlyIfLarger: true })) pulled.push(rel);
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return pulled;
}
