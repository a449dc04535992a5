/**
 * The shipped model (models/) served from the deployable bundle: `npm run bundle:server` with its
 * defaults, started from its own directory, answers like the Suggester loaded in this process
 * (hybrid model: the encoder runs through the bundle's own onnxruntime). Fails, never skips, when
 * models/ has no trained model: the repository must ship one.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadNodeSuggester } from '../src/pipeline/model-io';
import type { Suggester } from '../src/core/suggester';
import { REPO } from './helpers/paths';
import { realQuestions } from './helpers/server-questions';
import { postJson } from './helpers/server-listen';
import { buildBundle, startBundle, type BuiltBundle } from './helpers/server-bundle';

const MODELS = join(REPO, 'models');
const MANIFEST = join(MODELS, 'tagsmith.json');

let work: string;
let built: BuiltBundle | undefined;

beforeAll(() => {
  if (!existsSync(MANIFEST)) return;
  work = mkdtempSync(join(tmpdir(), 'tagsmith-shipped-bundle-'));
  built = buildBundle(['--out', join(work, 'server'), '--no-smoke']); // default --model: models/
});
afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('the shipped model in the bundle', () => {
  it('serves the tags of the in-process Suggester for 20 real questions', async () => {
    expect(existsSync(MANIFEST), `${MANIFEST} is missing: train the shipped model (npm run train) before running this test`).toBe(true);
    expect(built?.status, built?.stdout).toBe(0);
    const manifest = JSON.parse(readFileSync(MANIFEST, 'utf8')) as { version: string; vectorizer: string };
    const reference: Suggester = await loadNodeSuggester(MODELS);
    const running = await startBundle(join(work, 'server'), 120_000);
    try {
      const health = await (await fetch(`${running.url}/health`)).json();
      expect(health.model).toMatchObject({ loaded: true, version: manifest.version, vectorizer: manifest.vectorizer });
      for (const q of await realQuestions(20)) {
        const res = await postJson(running.url, { title: q.title, body: q.body, body_format: q.bodyFormat, k: 5 });
        expect(res.status, q.id).toBe(200);
        const expected = await reference.suggest(q, { k: 5 });
        expect(res.json.tags.map((t: { name: string }) => t.name), q.id).toEqual(expected.map((t) => t.name));
        res.json.tags.forEach((t: { score: number }, i: number) => expect(Math.abs(t.score - expected[i].score), q.id).toBeLessThanOrEqual(1e-4));
      }
      expect(await running.stop()).toBe(0);
    } finally {
      await running.stop();
    }
  }, 300_000);
});
