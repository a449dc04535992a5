/**
 * The inference worker thread (src/server/inference.ts): loads the model off the HTTP thread,
 * answers like the Suggester, reports a bad model directory clearly, and survives a crash.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WorkerBackend } from '../src/server/inference';
import { UsageError } from '../src/node/errors';
import { buildServer } from '../src/server/app';
import { loadNodeSuggester } from '../src/pipeline/model-io';
import { testModelDir } from './helpers/server-model';

describe('WorkerBackend', () => {
  it('answers exactly like the Suggester it loads', async () => {
    const dir = await testModelDir();
    const backend = await WorkerBackend.start(dir);
    try {
      const reference = await loadNodeSuggester(dir);
      expect(backend.ready).toBe(true);
      expect(backend.info).toEqual({ version: reference.version, vectorizer: 'tfidf', tags: reference.tags.length });
      const q = { title: 'Parse JSON in Python', body: '<p>json.loads fails</p>', bodyFormat: 'html' as const };
      expect(await backend.suggest(q, 7)).toEqual(await reference.suggest(q, { k: 7 }));
    } finally {
      await backend.close();
    }
  });

  it('refuses a directory without a model, with the loader message', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'tagsmith-no-model-'));
    await expect(WorkerBackend.start(empty)).rejects.toThrow(/no tagsmith\.json here; pass --model DIR/);
    await expect(WorkerBackend.start(empty)).rejects.toBeInstanceOf(UsageError); // exit code 2 in the CLI
    await expect(buildServer({ modelDir: empty, logger: false })).rejects.toThrow(/no tagsmith\.json here/);
  });

  it('fails the request a crash takes down, then restarts the worker', async () => {
    const crashes: Error[] = [];
    const script = new URL('./helpers/server-crashing-worker.ts', import.meta.url);
    const backend = await WorkerBackend.start('/unused', { script, onCrash: (e) => crashes.push(e) });
    try {
      expect(await backend.suggest({ title: 'ok' }, 1)).toHaveLength(1);
      await expect(backend.suggest({ title: 'boom' }, 1)).rejects.toThrow(/exited with code 3/);
      expect(crashes).toHaveLength(1);
      // While the new worker loads, requests get a 503 the client may retry.
      expect(backend.ready).toBe(false);
      await expect(backend.suggest({ title: 'ok' }, 1)).rejects.toMatchObject({ statusCode: 503, retryAfterSeconds: 1 });
      for (let i = 0; i < 100 && !backend.ready; i++) await new Promise((r) => setTimeout(r, 50));
      expect(backend.ready).toBe(true);
      expect(await backend.suggest({ title: 'ok' }, 1)).toEqual([{ name: 'ok', score: 1, threshold: 0.5, confident: true }]);
    } finally {
      await backend.close();
    }
  });
});
