/**
 * The deployable bundle (npm run bundle:server): built into a temp directory outside the repository
 * (so no node_modules up the tree can help it), started with `node server.js` from inside it,
 * checked over HTTP, stopped with SIGTERM. Uses the test model; tests/server-shipped.test.ts does
 * the same with the shipped models/.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadNodeSuggester } from '../src/pipeline/model-io';
import type { Suggester } from '../src/core/suggester';
import { testModelDir } from './helpers/server-model';
import { realQuestions } from './helpers/server-questions';
import { postJson } from './helpers/server-listen';
import { REPO } from './helpers/paths';
import { buildBundle, startBundle, type BuiltBundle, type RunningBundle } from './helpers/server-bundle';

let work: string;
let out: string;
let built: BuiltBundle;
let reference: Suggester;

beforeAll(async () => {
  const model = await testModelDir();
  reference = await loadNodeSuggester(model);
  work = mkdtempSync(join(tmpdir(), 'tagsmith-bundle-test-'));
  out = join(work, 'server');
  built = buildBundle(['--model', model, '--out', out, '--no-smoke']);
});
afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)).map((f) => `${e.name}/${f}`) : [e.name]));
}

describe('bundle:server', () => {
  it('builds, printing each part and the total against the budget', () => {
    expect(built.status, built.stdout).toBe(0);
    expect(built.stdout).toMatch(/total\s+[\d.]+ MB\s+\(budget 100 MB\)/);
    expect(built.stdout).toMatch(/vendor\s+[\d.]+ MB/);
  });

  it('holds only what the server needs', () => {
    const all = files(out);
    for (const f of ['server.js', 'package.json', 'Procfile', 'public/demo.js', 'static/swagger-ui-bundle.js', 'model/tagsmith.json', 'model/head.bin', 'model/SHA256SUMS']) {
      expect(all, f).toContain(f);
    }
    expect(all.some((f) => f.startsWith('node_modules/'))).toBe(false);
    expect(all.filter((f) => f.endsWith('.map'))).toEqual([]);
    // onnxruntime-node's binaries for linux-x64 only (the package ships six platforms).
    const binaries = all.filter((f) => f.includes('/bin/napi-v6/'));
    expect(binaries.length).toBeGreaterThan(0);
    expect(binaries.every((f) => f.includes('/bin/napi-v6/linux/x64/'))).toBe(true);
    const pkg = JSON.parse(readFileSync(join(out, 'package.json'), 'utf8'));
    expect(pkg).toMatchObject({ type: 'module', main: 'server.js' });
    expect(pkg.dependencies).toBeUndefined();
    expect(readFileSync(join(out, 'Procfile'), 'utf8')).toBe('web: node server.js\n');
    // The model directory checks out against its own SHA256SUMS.
    expect(readFileSync(join(out, 'model/SHA256SUMS'), 'utf8')).toMatch(/^[0-9a-f]{64} {2}head\.bin$/m);
  });

  it('starts with `node server.js` from its own directory and serves the API, docs and demo', async () => {
    let running: RunningBundle | undefined;
    try {
      running = await startBundle(out);
      const health = await (await fetch(`${running.url}/health`)).json();
      expect(health).toMatchObject({ status: 'ok', model: { loaded: true, version: reference.version } });
      for (const q of await realQuestions(5)) {
        const res = await postJson(running.url, { title: q.title, body: q.body, body_format: q.bodyFormat, k: 5 });
        expect(res.status).toBe(200);
        const expected = await reference.suggest(q, { k: 5 });
        expect(res.json.tags.map((t: { name: string }) => t.name)).toEqual(expected.map((t) => t.name));
      }
      expect((await postJson(running.url, { title: '' })).status).toBe(400);
      const asset = await fetch(`${running.url}/docs/static/swagger-ui-bundle.js`);
      expect(asset.status).toBe(200);
      expect((await asset.arrayBuffer()).byteLength).toBeGreaterThan(100_000);
      expect(await (await fetch(`${running.url}/docs`)).text()).toMatch(/swagger/i);
      expect(await (await fetch(`${running.url}/demo.js`)).text()).toBe(readFileSync(join(out, 'public/demo.js'), 'utf8'));
      expect(await running.stop()).toBe(0);
      expect(running.output()).toContain('server closed');
    } finally {
      await running?.stop();
    }
  });

  // The test model above has no encoder; this one is the shipped hybrid model, so the bundled
  // encoder (onnxruntime-node from vendor/, transformers.js' tokenizer) answers /predict/ too
  // (a runtime upgrade once broke only this path). The script's own smoke test asks one question.
  it('bundles the shipped hybrid model and answers a question with its encoder (built-in smoke test)', () => {
    const r = buildBundle(['--model', join(REPO, 'models'), '--out', join(work, 'hybrid')]);
    expect(r.stdout).toMatch(/smoke test: .*\/predict\/ -> python/);
    expect(r.status).toBe(0);
    // the re-ranker travels with it, byte for byte
    expect(readFileSync(join(work, 'hybrid', 'model', 'rerank.bin')).equals(readFileSync(join(REPO, 'models', 'rerank.bin')))).toBe(true);
  }, 120_000);

  it('fails when the bundle is over its budget', () => {
    const small = join(work, 'over-budget');
    const r = buildBundle(['--model', join(out, 'model'), '--out', small, '--budget-mb', '1', '--no-smoke']);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/over its 1 MB budget/);
  });

  it('refuses a directory without a model, saying what to pass', () => {
    const r = buildBundle(['--model', work, '--out', join(work, 'nomodel'), '--no-smoke']);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/tagsmith\.json not found: pass --model DIR/);
    expect(existsSync(join(work, 'nomodel'))).toBe(false); // checked before anything is built
  });
});
