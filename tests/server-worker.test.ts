/**
 * The inference worker thread (src/server/inference.ts): loads the model off the HTTP thread,
 * answers like the Suggester, reports a bad model directory clearly, and survives a crash.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encoderThreadsPerWorker, WorkerBackend } from '../src/server/inference';
import { DEFAULT_MODEL_DIR } from '../src/node/paths';
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

  it('several workers share the cores for their encoders instead of each taking all of them', () => {
    expect(encoderThreadsPerWorker(1, 8)).toBe(0); // one worker: onnxruntime's choice (every core)
    expect(encoderThreadsPerWorker(2, 2)).toBe(1);
    expect(encoderThreadsPerWorker(2, 8)).toBe(4);
    expect(encoderThreadsPerWorker(3, 8)).toBe(2);
    expect(encoderThreadsPerWorker(4, 2)).toBe(1); // more workers than cores: one thread each
  });

  it('two workers on the shipped model (encoder threads shared) answer exactly like the in-process Suggester', async () => {
    const backend = await WorkerBackend.start(DEFAULT_MODEL_DIR, { threads: 2 });
    try {
      const reference = await loadNodeSuggester(DEFAULT_MODEL_DIR);
      const qs = [
        { title: 'Parse JSON in Python', body: '<p>json.loads fails on a file</p>', bodyFormat: 'html' as const },
        { title: 'Center a div with CSS flexbox', body: '<p>justify-content does nothing</p>', bodyFormat: 'html' as const },
      ];
      // both at once: one goes to each worker
      const got = await Promise.all(qs.map((q) => backend.suggest(q, 5)));
      for (let i = 0; i < qs.length; i++) expect(got[i]).toEqual(await reference.suggest(qs[i], { k: 5 }));
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
