/**
 * The model the server tests run against: a small TF-IDF model trained from real questions, once
 * per machine (cached in the OS temp dir, keyed by the training settings and the data file), so the
 * tests never depend on what models/ holds. One place to change it for every server test.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, renameSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { train } from '../../src/pipeline/train';
import { MANIFEST_FILE } from '../../src/core/model';
import { SHARED_DATA } from './paths';

export const TEST_MODEL_DATA = resolve(SHARED_DATA, 'stackoverflow-api-2018.jsonl.gz');
const SETTINGS = { vectorizer: 'tfidf', tags: 80, seed: 42, limit: 5000 } as const;

let pending: Promise<string> | undefined;

/** Directory of the test model (trained on first use, ~10 s). */
export function testModelDir(): Promise<string> {
  pending ??= (async () => {
    const data = statSync(TEST_MODEL_DATA);
    const key = createHash('sha256').update(JSON.stringify({ SETTINGS, size: data.size, mtime: data.mtimeMs, v: 1 })).digest('hex').slice(0, 12);
    const dir = join(tmpdir(), `tagsmith-server-test-model-${key}`);
    if (existsSync(join(dir, MANIFEST_FILE))) return dir;
    // Train into a private directory, then rename: test files running in parallel never see half a model.
    const work = mkdtempSync(join(tmpdir(), 'tagsmith-server-test-model-work-'));
    await train({ ...SETTINGS, data: [TEST_MODEL_DATA], out: work, cacheDir: join(work, '.cache'), log: () => {} });
    rmSync(join(work, '.cache'), { recursive: true, force: true });
    try {
      renameSync(work, dir);
    } catch {
      rmSync(work, { recursive: true, force: true }); // another test file won the race: use its copy
    }
    return dir;
  })();
  return pending;
}
