/**
 * Atomic writes: a file is written to a temporary file beside the target, fsynced, then renamed
 * over it; a folder is rebuilt in a staging folder beside it and swapped in as a whole.
 */
import { closeSync, constants, cpSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname, basename, join } from 'node:path';
import { randomUUID } from 'node:crypto';

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

const staged = (dir: string, kind: 'staging' | 'old') => new RegExp(`^\\.${basename(dir).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.${kind}-(\\d+)-`);

/** True while process `pid` runs (its folders belong to an export still going on). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Finishes or undoes what an earlier `replaceDirAtomically` left when its process was killed
 * (folders of a process still running are left alone): a leftover staging folder is removed (its
 * model was never complete); if the process died between its two renames (no `dir`, an `.old`
 * beside it), the old folder is put back.
 */
export function recoverDir(dir: string): void {
  const parent = dirname(dir);
  if (!existsSync(parent)) return;
  const dead = (kind: 'staging' | 'old') =>
    readdirSync(parent).filter((e) => {
      const m = staged(dir, kind).exec(e);
      return m !== null && !alive(Number(m[1]));
    });
  for (const e of dead('staging')) rmSync(join(parent, e), { recursive: true, force: true });
  const olds = dead('old').sort();
  if (!existsSync(dir) && olds.length) renameSync(join(parent, olds.pop()!), dir);
  for (const e of olds) rmSync(join(parent, e), { recursive: true, force: true });
}

/**
 * Replaces folder `dir` as a whole: a staging folder beside it starts as a copy of `dir` (files
 * `fill` does not rewrite, such as an encoder folder, come along; copy-on-write clones where the
 * filesystem offers them, real copies elsewhere, never hard links that a write in place would
 * change in the old folder too), `fill` writes the new files into it, then two renames swap it in. Until the swap `dir` is untouched, so
 * a reader (or a kill at any moment) sees the old folder or the new one, never a mix; a kill in
 * the microseconds between the two renames is undone by `recoverDir`, which runs first.
 */
export async function replaceDirAtomically(dir: string, fill: (staging: string) => void | Promise<void>): Promise<void> {
  recoverDir(dir);
  const parent = dirname(dir);
  const tag = `${process.pid}-${randomUUID().slice(0, 8)}`;
  const staging = join(parent, `.${basename(dir)}.staging-${tag}`);
  try {
    if (existsSync(dir)) cpSync(dir, staging, { recursive: true, mode: constants.COPYFILE_FICLONE });
    else mkdirSync(staging, { recursive: true });
    await fill(staging);
  } catch (err) {
    rmSync(staging, { recursive: true, force: true });
    throw err;
  }
  if (existsSync(dir)) {
    const old = join(parent, `.${basename(dir)}.old-${tag}`);
    renameSync(dir, old);
    renameSync(staging, dir);
    rmSync(old, { recursive: true, force: true });
  } else {
    renameSync(staging, dir);
  }
}
