/** Atomic file writes: write to a temporary file beside the target, fsync, then rename over it. */
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname, basename, join } from 'node:path';
import { createHash, randomUUID } from 'node:crypto';

/**
 * `tmpDir` (same filesystem) holds the temporary file; default: beside the target. Give another
 * one when readers list the target's folder (MLflow reads every file in `params/` as a param).
 */
export function writeFileAtomic(file: string, data: string | Uint8Array, tmpDir = dirname(file)): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = join(tmpDir, `.${basename(file)}.${process.pid}.${randomUUID()}.tmp`);
  try {
    const fd = openSync(tmp, 'w');
    try {
      const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
      let off = 0;
      while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, file);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}
