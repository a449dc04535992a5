/**
 * `npm run experiment` end to end on a small real subset: one run per model variant (vectorisers, one embedding weight vs one per kind of question, the logreg head) and a comparison run in
 * one experiment of a fresh file store, the comparison table (CSV/HTML/Markdown) and plots, and models
 * kept out of models/.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileStore, type FileRunRecord } from '../src/tracking';
import { REPO } from './helpers/paths';

const dir = mkdtempSync(join(tmpdir(), 'tagsmith-experiment-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      [join(REPO, 'node_modules/tsx/dist/cli.mjs'), join(REPO, 'scripts/experiment.ts'), ...args],
      { cwd: REPO, env: { ...process.env, CI: 'true', MLFLOW_TRACKING_URI: '' }, maxBuffer: 64 << 20 },
      (err, stdout, stderr) => done({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

const VARIANT_NAMES = ['tfidf', 'embeddings', 'hybrid', 'hybrid-no-rerank', 'hybrid-one-beta', 'hybrid-logreg'];

describe('npm run experiment', () => {
  const store = join(dir, 'mlruns');
  const out = join(dir, 'out');
  let stdout = '';
  let runs: Record<string, FileRunRecord>;
  const modelsMtime = statSync(join(REPO, 'models/tagsmith.json')).mtimeMs;

  beforeAll(async () => {
    const r = await run(['--limit', '300', '--tags', '20', '--tracking-uri', store, '--out', out]);
    expect(r.stderr).not.toMatch(/error/);
    expect(r.code).toBe(0);
    stdout = r.stdout;
    const snap = readFileStore(store);
    const exp = snap.experiments.find((e) => e.name === 'tagsmith-vectorizers');
    runs = Object.fromEntries((exp?.runs ?? []).map((x) => [x.runName, x]));
  }, 600_000);

  it('leaves one FINISHED run per variant and a comparison run in tagsmith-vectorizers', () => {
    expect(Object.keys(runs).sort()).toEqual(['comparison-300', 'embeddings-300', 'hybrid-300', 'hybrid-logreg-300', 'hybrid-no-rerank-300', 'hybrid-one-beta-300', 'tfidf-300']);
    for (const v of VARIANT_NAMES) {
      const r = runs[`${v}-300`];
      expect(r.status).toBe('FINISHED');
      expect(r.params.vectorizer).toBe(v.split('-')[0]);
      expect(r.tags['tagsmith.variant']).toBe(v);
      expect(r.params.limit).toBe('300');
      expect(r.metrics.test_p_at_1.value).toBeGreaterThan(0.1); // far above chance; micro-F1 can be 0 on 300 questions
      expect(r.artifacts.map((a) => a.path)).toContain('plots/f1_micro.png');
    }
    // what each variant changes
    expect(runs['hybrid-300'].params).toMatchObject({ head: 'svc', beta_by_kind: 'true', rerank: 'true' });
    expect(Number(runs['hybrid-300'].params.rerank_trees)).toBeGreaterThan(0);
    expect(runs['hybrid-no-rerank-300'].params).toMatchObject({ head: 'svc', rerank: 'false' });
    expect(runs['hybrid-no-rerank-300'].params.rerank_trees).toBeUndefined();
    expect(Number(runs['hybrid-300'].params.beta_body)).toBeGreaterThan(0);
    expect(runs['hybrid-one-beta-300'].params).toMatchObject({ head: 'svc', beta_by_kind: 'false' });
    expect(runs['hybrid-one-beta-300'].params.beta_body).toBe(runs['hybrid-one-beta-300'].params.beta);
    expect(runs['hybrid-logreg-300'].params.head).toBe('logreg');
    // same data, split and vocabulary for all
    const splits = new Set(VARIANT_NAMES.map((v) => runs[`${v}-300`].params.split_test));
    expect(splits.size).toBe(1);
    expect(new Set(VARIANT_NAMES.map((v) => runs[`${v}-300`].params.vocab_size)).size).toBe(1);
    expect(runs['comparison-300'].status).toBe('FINISHED');
    expect(runs['comparison-300'].params.compared_runs.split(',').sort()).toEqual(VARIANT_NAMES.map((v) => runs[`${v}-300`].runId).sort());
  });

  it('logs the comparison table and plots, with the runs\' own numbers', () => {
    const cmp = runs['comparison-300'];
    expect(cmp.artifacts.map((a) => a.path)).toEqual([
      'comparison.csv',
      'comparison.html',
      'comparison.md',
      'plots/compare_f1_micro.png',
      'plots/compare_f1_micro.svg',
      'plots/compare_test_metrics.png',
      'plots/compare_test_metrics.svg',
    ]);
    const rows = parse(readFileSync(join(cmp.artifactDir, 'comparison.csv')), { columns: true }) as Record<string, string>[];
    expect(rows.map((r) => r.run)).toEqual(VARIANT_NAMES.map((v) => `${v}-300`));
    for (const row of rows) {
      const r = runs[row.run];
      expect(row.run_id).toBe(r.runId);
      expect(Number(row.test_micro_f1)).toBe(r.metrics.test_micro_f1.value);
      expect(Number(row.test_p_at_1)).toBe(r.metrics.test_p_at_1.value);
    }
    const html = readFileSync(join(cmp.artifactDir, 'comparison.html'), 'utf8');
    expect(html).toContain('<table class="sortable"');
    expect((html.match(/<svg/g) ?? []).length).toBe(2);
    const png = readFileSync(join(cmp.artifactDir, 'plots/compare_test_metrics.png'));
    expect([...png.subarray(0, 4)]).toEqual([0x89, 0x50, 0x4e, 0x47]);
    // the Markdown table is printed too
    expect(stdout).toMatch(/\| hybrid-300 \| [\d.]+ \|/);
  });

  it('keeps models out of models/', () => {
    for (const v of VARIANT_NAMES) expect(statSync(join(out, 'models', v, 'tagsmith.json')).isFile()).toBe(true);
    expect(statSync(join(REPO, 'models/tagsmith.json')).mtimeMs).toBe(modelsMtime);
  });

  it('refuses bad options with a usage message', async () => {
    const r = await run(['--vectorizers', 'tfidf,bert', '--tracking-uri', store]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown "bert"/);
    const m = await run(['--out', join(REPO, 'models', 'x'), '--tracking-uri', store]);
    expect(m.code).toBe(2);
    expect(m.stderr).toMatch(/inside the shipped models\/ directory/);
  });
});
