/**
 * Exporting a model replaces its folder as a whole: killed at any moment (here: SIGKILL in the
 * middle of writing the new files, and between the two renames of the swap), the old model stays in
 * place and loadable, and nothing half-written is left behind once the next export has run.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { recoverDir, replaceDirAtomically } from '../src/node/fs-atomic';
import { exportModel, loadNodeSuggester } from '../src/pipeline/model-io';
import { testModelDir } from './helpers/server-model';
import { REPO } from './helpers/paths';

const root = mkdtempSync(join(tmpdir(), 'tagsmith-atomic-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Runs `code` (TypeScript, through tsx) in a child process that may kill itself. */
function child(code: string): { status: number | null; signal: NodeJS.Signals | null; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { cwd: REPO, encoding: 'utf8' });
  return { status: r.status, signal: r.signal, stderr: r.stderr };
}

const leftovers = (dir: string) => readdirSync(join(dir, '..')).filter((e) => e.includes('.staging-') || e.includes('.old-') || e.endsWith('.tmp'));

describe('replaceDirAtomically', () => {
  it('a process killed while filling the new folder leaves the old one untouched; the next call cleans up', async () => {
    const dir = join(root, 'a', 'model');
    mkdirSync(join(dir, 'encoder'), { recursive: true });
    writeFileSync(join(dir, 'head.bin'), 'old head');
    writeFileSync(join(dir, 'tagsmith.json'), 'old manifest');
    writeFileSync(join(dir, 'encoder', 'weights'), 'big weights');
    const r = child(`
      import { writeFileSync } from 'node:fs';
      import { join } from 'node:path';
      import { replaceDirAtomically } from './src/node/fs-atomic.ts';
      await replaceDirAtomically(${JSON.stringify(dir)}, (staging) => {
        writeFileSync(join(staging, 'head.bin'), 'NEW head');
        process.kill(process.pid, 'SIGKILL'); // before the manifest is written
      });`);
    expect(r.signal).toBe('SIGKILL');
    expect(readFileSync(join(dir, 'head.bin'), 'utf8')).toBe('old head');
    expect(readFileSync(join(dir, 'tagsmith.json'), 'utf8')).toBe('old manifest');
    expect(leftovers(dir)).toHaveLength(1); // the dead process's staging folder
    await replaceDirAtomically(dir, (staging) => writeFileSync(join(staging, 'tagsmith.json'), 'new manifest'));
    expect(readFileSync(join(dir, 'tagsmith.json'), 'utf8')).toBe('new manifest');
    expect(readFileSync(join(dir, 'head.bin'), 'utf8')).toBe('old head'); // not rewritten: kept
    expect(readFileSync(join(dir, 'encoder', 'weights'), 'utf8')).toBe('big weights');
    expect(leftovers(dir)).toEqual([]);
  });

  it('a kill between the two renames is undone: the old folder comes back', () => {
    const dir = join(root, 'b', 'model');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'tagsmith.json'), 'old manifest');
    // the state after rename(dir -> .old) and before rename(staging -> dir)
    const deadPid = 999_999_999; // above any pid_max: no such process
    renameSync(dir, join(root, 'b', `.model.old-${deadPid}-abc`));
    mkdirSync(join(root, 'b', `.model.staging-${deadPid}-abc`));
    mkdirSync(join(root, 'b', `.model.staging-${process.pid}-live`)); // an export still running: left alone
    expect(existsSync(dir)).toBe(false);
    recoverDir(dir);
    expect(readFileSync(join(dir, 'tagsmith.json'), 'utf8')).toBe('old manifest');
    expect(leftovers(dir)).toEqual([`.model.staging-${process.pid}-live`]);
  });

  it('a fill that throws leaves the folder as it was and no staging folder', async () => {
    const dir = join(root, 'c', 'model');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'x'), 'old');
    await expect(
      replaceDirAtomically(dir, (staging) => {
        writeFileSync(join(staging, 'x'), 'new');
        throw new Error('disk full');
      }),
    ).rejects.toThrow('disk full');
    expect(readFileSync(join(dir, 'x'), 'utf8')).toBe('old');
    expect(leftovers(dir)).toEqual([]);
  });
});

describe('exportModel', () => {
  it('killed after writing the new head, before the manifest: the old model still loads, unchanged', async () => {
    const dir = join(root, 'e', 'model');
    cpSync(await testModelDir(), dir, { recursive: true });
    const before = await loadNodeSuggester(dir);
    // A new model (another bias) whose manifest kills the process when it is serialised, i.e. after
    // head.bin and tfidf.json were written: before the whole-folder swap this left the old
    // manifest beside a new head.bin, a model refused for its hashes.
    const r = child(`
      import { readFileSync } from 'node:fs';
      import { join } from 'node:path';
      import { Head } from './src/core/head.ts';
      import { TfidfVectorizer } from './src/core/tfidf.ts';
      import { exportModel } from './src/pipeline/model-io.ts';
      const dir = ${JSON.stringify(dir)};
      const m = JSON.parse(readFileSync(join(dir, 'tagsmith.json'), 'utf8'));
      const old = Head.deserialize(readFileSync(join(dir, m.head.file)));
      const head = Head.fromMatrix(old.layout, old.numTags, old.weights, old.bias.map((b) => b + 0.5), { tags: old.tags });
      const tfidf = TfidfVectorizer.fromJSON(JSON.parse(readFileSync(join(dir, m.tfidf.file), 'utf8')));
      await exportModel(dir, { ...m, head, tfidf, training: { toJSON() { process.kill(process.pid, 'SIGKILL'); } } });`);
    expect(r.signal, r.stderr).toBe('SIGKILL');
    const after = await loadNodeSuggester(dir);
    expect(after.version).toBe(before.version);
    const q = { title: 'How do I sort a list of dictionaries by a value in Python?', body: '' };
    expect(await after.suggest(q)).toEqual(await before.suggest(q));
  });

  it('replaces a model in place: the new one loads, files it does not write are kept, nothing is left over', async () => {
    const src = await testModelDir();
    const dir = join(root, 'd', 'model');
    cpSync(src, dir, { recursive: true });
    writeFileSync(join(dir, 'README.md'), 'notes');
    const before = await loadNodeSuggester(dir);
    const headInode = statSync(join(dir, before.manifest.head.file)).ino;
    const m = await exportModel(dir, {
      ...before.manifest,
      tfidf: (before as unknown as { tfidf: never }).tfidf,
      head: (before as unknown as { head: never }).head,
      thresholds: before.manifest.thresholds.map((t) => Math.min(1, t + 0.01)),
    });
    expect(m.version).not.toBe(before.version);
    const after = await loadNodeSuggester(dir);
    expect(after.version).toBe(m.version);
    expect(readFileSync(join(dir, 'README.md'), 'utf8')).toBe('notes');
    expect(statSync(join(dir, m.head.file)).ino).not.toBe(headInode); // rewritten, not edited in place
    expect(leftovers(dir)).toEqual([]);
  });
});
