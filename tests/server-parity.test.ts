/**
 * Parity: for 50 real questions, the API returns the tags the shared Suggester returns (the code
 * path of the CLI and of the extension's worker: `loadSuggester` over the model files), in the same
 * order, with the same scores (to the API's 4 decimals).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSuggester, type Suggester } from '../src/core/suggester';
import { nodeModelFiles } from '../src/pipeline/model-io';
import type { Question } from '../src/core/types';
import { testModelDir } from './helpers/server-model';
import { realQuestions } from './helpers/server-questions';
import { postJson, startServer, type RunningServer } from './helpers/server-listen';

let server: RunningServer;
let reference: Suggester;
let questions: Question[];

beforeAll(async () => {
  const dir = await testModelDir();
  // The server loads its own copy from disk; the reference is loaded like the extension's worker does.
  server = await startServer({ modelDir: dir });
  reference = await loadSuggester(nodeModelFiles(dir));
  questions = await realQuestions(50);
});
afterAll(async () => server?.close());

describe('API parity with the Suggester', () => {
  it('gives the same tags in the same order for 50 real questions', async () => {
    expect(questions).toHaveLength(50);
    for (const q of questions) {
      const res = await postJson(server.url, { title: q.title, body: q.body, body_format: q.bodyFormat, k: 10 });
      expect(res.status, q.id).toBe(200);
      const expected = await reference.suggest({ title: q.title, body: q.body, bodyFormat: q.bodyFormat }, { k: 10 });
      expect(res.json.tags.map((t: { name: string }) => t.name), q.id).toEqual(expected.map((t) => t.name));
      expect(res.json.tags.map((t: { score: number }) => t.score), q.id).toEqual(expected.map((t) => Number(t.score.toFixed(4))));
    }
    // The questions are varied enough to exercise the model (not 50 copies of one answer).
    const firstTags = new Set<string>();
    for (const q of questions) firstTags.add((await reference.suggest(q, { k: 1 }))[0].name);
    expect(firstTags.size).toBeGreaterThan(5);
  });

  it('the markdown path matches too (what the extension reads from the editor)', async () => {
    const md = { title: 'Merge two dicts', body: 'How do I merge `a = {1: 2}` and `b = {3: 4}`?\n\n```python\nc = {**a, **b}\n```' };
    const res = await postJson(server.url, { ...md, k: 8 });
    const expected = await reference.suggest({ ...md, bodyFormat: 'markdown' }, { k: 8 });
    expect(res.json.tags.map((t: { name: string }) => t.name)).toEqual(expected.map((t) => t.name));
  });
});
