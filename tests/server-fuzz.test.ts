/**
 * Fuzzing with schemathesis (Python, in .venv-fuzz) against the served /openapi.json: generated
 * valid and invalid requests must never get a 5xx, and every answer must match the documented
 * status codes, content types and schemas. Needs `bash scripts/ci/schemathesis.sh install`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadNodeSuggester } from '../src/pipeline/model-io';
import type { Suggester } from '../src/core/suggester';
import { REPO } from './helpers/paths';
import { testModelDir } from './helpers/server-model';
import { startServer, type RunningServer } from './helpers/server-listen';

const SCHEMATHESIS = join(REPO, '.venv-fuzz/bin/schemathesis');

function fuzz(url: string, maxExamples: number): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn('bash', ['scripts/ci/schemathesis.sh', 'run', url], {
      cwd: REPO,
      env: { ...process.env, FUZZ_MAX_EXAMPLES: String(maxExamples) },
    });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('exit', (code) => resolve({ code, output }));
  });
}

let suggester: Suggester;
let server: RunningServer;

beforeAll(async () => {
  if (!existsSync(SCHEMATHESIS)) return;
  suggester = await loadNodeSuggester(await testModelDir());
  server = await startServer({ suggester });
});
afterAll(async () => server?.close());

describe('schemathesis', () => {
  it('is installed', () => {
    expect(existsSync(SCHEMATHESIS), `${SCHEMATHESIS} is missing: run 'bash scripts/ci/schemathesis.sh install'`).toBe(true);
  });

  it('finds no 5xx and no deviation from the OpenAPI document', async () => {
    expect(existsSync(SCHEMATHESIS), "run 'bash scripts/ci/schemathesis.sh install'").toBe(true);
    const { code, output } = await fuzz(server.url, 50);
    expect(output).toMatch(/Tested:\s+2\b/); // both operations: /predict and /health
    const generated = Number(/(\d+) generated/.exec(output)?.[1] ?? 0);
    expect(generated).toBeGreaterThanOrEqual(50);
    expect(code, output).toBe(0);
    expect(output).toMatch(/No issues found/);
  }, 120_000);

  it('does report a server that fails (the check can fail)', async () => {
    expect(existsSync(SCHEMATHESIS), "run 'bash scripts/ci/schemathesis.sh install'").toBe(true);
    const broken = Object.create(suggester) as Suggester;
    broken.suggest = async () => {
      throw new Error('broken on purpose');
    };
    const bad = await startServer({ suggester: broken });
    try {
      const { code, output } = await fuzz(bad.url, 10);
      expect(code).not.toBe(0);
      expect(output).toMatch(/Server error/);
    } finally {
      await bad.close();
    }
  }, 120_000);
});
