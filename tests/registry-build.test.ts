/**
 * `npm run bundle:server` built from a registry alias (TAGSMITH_MODEL=registry:champion): the bundle
 * ships exactly the champion's files; an alias that is not set stops the build with the fix.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO, SHARED_DATA } from './helpers/paths';
import { tagsmith } from './helpers/cli';

const dir = mkdtempSync(join(tmpdir(), 'tagsmith-registry-build-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const store = join(dir, 'mlruns');

function bundle(out: string, model: string): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [join(REPO, 'node_modules/tsx/dist/cli.mjs'), 'scripts/bundle-server.ts', '--out', out, '--no-smoke'],
      { cwd: REPO, env: { ...process.env, MLFLOW_TRACKING_URI: store, TAGSMITH_MODEL: model } },
      (err, _stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stderr }),
    );
  });
}

describe('bundle:server from a registry alias', () => {
  it('ships the files of the version the alias points to', async () => {
    const model = join(dir, 'model');
    const t = await tagsmith(
      ['train', '--data', join(SHARED_DATA, 'stackoverflow-api-2018.jsonl.gz'), '--vectorizer', 'tfidf', '--limit', '300', '--tags', '10', '--out', model, '--json'],
      { MLFLOW_TRACKING_URI: store },
    );
    expect(t.code).toBe(0);
    const missing = await bundle(join(dir, 'none'), 'registry:champion');
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toMatch(/has no alias 'champion' .*tagsmith promote --version N --alias champion/);

    const p = await tagsmith(['promote', '--version', '1', '--data', join(SHARED_DATA, 'stackoverflow-sede-2022-data-science.csv')], { MLFLOW_TRACKING_URI: store });
    expect(p.code).toBe(0);
    const out = join(dir, 'bundle');
    const b = await bundle(out, 'registry:champion');
    expect(b.stderr).toContain("model: registry:champion = 'tagsmith' version 1");
    expect(b.code).toBe(0);
    for (const f of ['tagsmith.json', 'head.bin', 'tfidf.json']) expect(readFileSync(join(out, 'model', f))).toEqual(readFileSync(join(model, f)));
  }, 180_000);
});
