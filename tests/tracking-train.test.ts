/**
 * `tagsmith train` with tracking, as a user runs it (real CLI process, real data from ../shared/data):
 * into a real MLflow server (read back over REST) and into the embedded file store (read back by our
 * reader and by MLflow itself); failing trainings end FAILED in both; `tagsmith runs` writes the page.
 *
 * Needs .venv-mlflow (scripts/ci/install.sh); without it the tests fail and say so.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Window } from 'happy-dom';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MlflowRestClient, readFileStore, runRecordFromRest, type FileRunRecord } from '../src/tracking';
import { SORT_SCRIPT } from '../src/tracking/compare';
import { f1MicroData, tagCoverageData } from '../src/charts/tracking';
import { MLFLOW_PYTHON, startMlflowServer, type MlflowServer } from '../scripts/lib/mlflow-server';
import { REPO, SHARED_DATA } from './helpers/paths';

import { tagsmith as runCli, type Result } from './helpers/cli';

/** The CLI with MLFLOW_TRACKING_URI cleared, so only --tracking-uri decides where runs go. */
const tagsmith = (args: string[], env: Record<string, string> = {}) => runCli(args, { MLFLOW_TRACKING_URI: '', ...env });

const API = join(SHARED_DATA, 'stackoverflow-api-2018.jsonl.gz');
const TITLES = join(SHARED_DATA, 'stackoverflow-sede-2009-2011-titles.csv');
const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');
const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

const EXPECTED_ARTIFACTS = [
  'dataset_summary.json',
  'metrics.csv',
  'model/head.bin',
  'model/tagsmith.json',
  'model/tfidf.json',
  'per_tag.csv',
  'plots/f1_micro.png',
  'plots/f1_micro.svg',
  'plots/tag_coverage.png',
  'plots/tag_coverage.svg',
];

const dir = mkdtempSync(join(tmpdir(), 'tagsmith-tracktrain-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A Data Explorer CSV whose rows have no tags: ingestion keeps nothing, training must fail. */
const NO_TAGS = join(dir, 'no-tags.csv');
writeFileSync(NO_TAGS, 'Id,Title,Body,Tags,CreationDate\n1,How do I sort a list?,<p>body</p>,,2022-01-01 10:00:00\n2,Why is my loop slow?,<p>body</p>,,2022-01-02 10:00:00\n');

const trainArgs = (out: string, uri: string, runName: string) => [
  'train', '--data', API, TITLES, '--vectorizer', 'tfidf', '--head', 'logreg', '--limit', '500', '--tags', '20',
  '--out', out, '--tracking-uri', uri, '--experiment', 'tagsmith-test', '--run-name', runName, '--json',
];

interface TrainJson {
  model: { version: string; dir: string };
  test: { n: number; p_at_k: number[]; r_at_k: number[]; f1_at_k: number[]; micro_f1: number; macro_f1: number; coverage: number };
  validation: { micro_f1: number };
  run: { id: string; name: string; experiment_id: string; location: string };
}

function checkPng(bytes: Uint8Array): void {
  expect([...bytes.slice(0, 8)]).toEqual(PNG_SIGNATURE);
  const view = new DataView(bytes.buffer, bytes.byteOffset);
  expect(view.getUint32(16)).toBeGreaterThan(300); // width
  expect(view.getUint32(20)).toBeGreaterThan(150); // height
}
function checkSvg(svg: string): void {
  expect(svg.startsWith('<svg')).toBe(true);
  expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
  expect(svg.replace(/xmlns(:xlink)?="[^"]+"/g, '')).not.toMatch(/https?:/);
}

describe('tagsmith train -> real MLflow server', () => {
  let server: MlflowServer;
  let client: MlflowRestClient;
  let ok: TrainJson;
  const model = join(dir, 'rest-model');

  beforeAll(async () => {
    server = await startMlflowServer();
    client = new MlflowRestClient(server.url);
    const r = await tagsmith(trainArgs(model, server.url, 'rest-ok'));
    expect(r.stderr).toContain('tracking: run rest-ok');
    expect(r.code).toBe(0);
    ok = JSON.parse(r.stdout);
  }, 300_000);
  afterAll(async () => {
    await server?.stop();
  });

  it('prints where the run went', () => {
    expect(ok.run.id).toMatch(/^[0-9a-f]{32}$/);
    expect(ok.run.location).toBe(`${server.url}/#/experiments/${ok.run.experiment_id}/runs/${ok.run.id}`);
  });

  it('logs params, metrics and tags (runs/get)', async () => {
    const run = runRecordFromRest(await client.getRun(ok.run.id));
    expect(run.status).toBe('FINISHED');
    expect(run.endTime).toBeGreaterThanOrEqual(run.startTime);
    expect(run.runName).toBe('rest-ok');
    const manifest = JSON.parse(readFileSync(join(model, 'tagsmith.json'), 'utf8'));
    expect(run.params).toMatchObject({
      vectorizer: 'tfidf',
      head: 'logreg',
      vocab_size: '20',
      tags_requested: '20',
      seed: '42',
      C: '4',
      max_epochs: '200',
      max_features: '50000',
      limit: '500',
      model_id: ok.model.version,
      epochs: String(manifest.training.params.epochs),
      'data.0.file': 'stackoverflow-api-2018.jsonl.gz',
      'data.0.sha256': sha256(API),
      'data.0.rows_kept': String(manifest.training.data[0].kept),
      'data.1.file': 'stackoverflow-sede-2009-2011-titles.csv',
      'data.1.sha256': sha256(TITLES),
      'data.1.rows_read': String(manifest.training.data[1].read),
    });
    for (let k = 1; k <= 5; k++) {
      expect(run.metrics[`test_p_at_${k}`].value).toBeCloseTo(ok.test.p_at_k[k - 1], 12);
      expect(run.metrics[`test_r_at_${k}`].value).toBeCloseTo(ok.test.r_at_k[k - 1], 12);
      expect(run.metrics[`test_f1_at_${k}`].value).toBeCloseTo(ok.test.f1_at_k[k - 1], 12);
      expect(run.metrics[`validation_p_at_${k}`]).toBeDefined();
    }
    expect(run.metrics.test_micro_f1.value).toBeCloseTo(ok.test.micro_f1, 12);
    expect(run.metrics.test_macro_f1.value).toBeCloseTo(ok.test.macro_f1, 12);
    expect(run.metrics.test_coverage.value).toBeCloseTo(ok.test.coverage, 12);
    expect(run.metrics.validation_micro_f1.value).toBeCloseTo(ok.validation.micro_f1, 12);
    expect(run.metrics.test_n.value).toBe(ok.test.n);
    expect(run.tags['mlflow.source.git.commit']).toBe(execFileSync('git', ['rev-parse', 'HEAD'], { cwd: REPO, encoding: 'utf8' }).trim());
    expect(run.tags['tagsmith.model_id']).toBe(ok.model.version);
    expect(run.tags['mlflow.note.content']).toContain('micro-F1');
  });

  it('logs the train_loss curve with its epochs as steps (metrics/get-history)', async () => {
    const manifest = JSON.parse(readFileSync(join(model, 'tagsmith.json'), 'utf8'));
    const loss: { epoch: number; loss: number }[] = manifest.training.loss;
    expect(loss.length).toBeGreaterThan(3);
    const history = await client.getMetricHistory(ok.run.id, 'train_loss');
    const got = history.map((p) => [p.step, p.value]).sort((a, b) => a[0] - b[0]);
    expect(got).toEqual(loss.map((h) => [h.epoch, h.loss]));
  });

  it('uploads the CSVs, plots and model files; downloads byte-identical (artifacts list + get-artifact)', async () => {
    const files = await client.listArtifactFiles(ok.run.id);
    expect(files.map((f) => f.path)).toEqual(EXPECTED_ARTIFACTS);
    for (const f of ['tagsmith.json', 'head.bin', 'tfidf.json']) {
      const got = await client.downloadArtifact(ok.run.id, `model/${f}`);
      expect(Buffer.compare(got, readFileSync(join(model, f)))).toBe(0);
    }
    checkPng(await client.downloadArtifact(ok.run.id, 'plots/f1_micro.png'));
    checkPng(await client.downloadArtifact(ok.run.id, 'plots/tag_coverage.png'));
    const svg = (await client.downloadArtifact(ok.run.id, 'plots/f1_micro.svg')).toString('utf8');
    checkSvg(svg);
    // the "all tags" bar of the test split is the run's test micro-F1
    expect(svg).toContain(ok.test.micro_f1.toFixed(3));
    const perTag = (await client.downloadArtifact(ok.run.id, 'per_tag.csv')).toString('utf8').trim().split('\n');
    expect(perTag).toHaveLength(21);
    expect(perTag[0]).toMatch(/^rank,tag,train_count,test_support/);
    const metricsCsv = (await client.downloadArtifact(ok.run.id, 'metrics.csv')).toString('utf8');
    expect(metricsCsv).toContain(`micro_f1,${ok.test.micro_f1},${ok.validation.micro_f1}`);
    const summary = JSON.parse((await client.downloadArtifact(ok.run.id, 'dataset_summary.json')).toString('utf8'));
    expect(summary.files.map((f: { sha256: string }) => f.sha256)).toEqual([sha256(API), sha256(TITLES)]);
    expect(summary.limit).toBe(500);
  });

  it('a training that fails ends FAILED on the server, and the CLI exits non-zero with a clear message', async () => {
    const r = await tagsmith(['train', '--data', NO_TAGS, '--vectorizer', 'tfidf', '--out', join(dir, 'rest-bad'), '--tracking-uri', server.url, '--experiment', 'tagsmith-test', '--run-name', 'rest-bad']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/tagsmith: error: only 0 tagged questions in .*no-tags\.csv/);
    expect(r.stderr).toMatch(/run rest-bad \([0-9a-f]{32}\) marked FAILED/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    const exp = await client.getExperimentByName('tagsmith-test');
    const runs = (await client.searchRuns([exp!.experiment_id])).map(runRecordFromRest);
    const bad = runs.find((x) => x.runName === 'rest-bad');
    expect(bad?.status).toBe('FAILED');
    expect(bad?.endTime).not.toBeNull();
    expect(bad?.params.vectorizer).toBe('tfidf'); // what was asked is there, even for a failed run
    expect(runs.find((x) => x.runName === 'rest-ok')?.status).toBe('FINISHED');
  });

  it('tagsmith runs over the server links to the MLflow UI and to get-artifact', async () => {
    const out = join(dir, 'rest-page');
    const r = await tagsmith(['runs', '--tracking-uri', server.url, '--out', out, '--json']);
    expect(r.code).toBe(0);
    const html = readFileSync(join(out, 'index.html'), 'utf8');
    expect(html).toContain('rest-ok');
    expect(html).toContain('rest-bad');
    expect(html).toContain(`${server.url}/#/experiments/${ok.run.experiment_id}/runs/${ok.run.id}`);
    expect(html).toContain(`${server.url}/get-artifact?run_id=${ok.run.id}&amp;path=plots%2Ff1_micro.png`);
  });
});

describe('tagsmith train -> embedded MLflow file store', () => {
  const store = join(dir, 'mlruns');
  const model = join(dir, 'file-model');
  let ok: TrainJson;
  let bad: Result;

  beforeAll(async () => {
    const r = await tagsmith(trainArgs(model, store, 'file-ok'));
    expect(r.code).toBe(0);
    ok = JSON.parse(r.stdout);
    bad = await tagsmith(['train', '--data', NO_TAGS, '--vectorizer', 'tfidf', '--out', join(dir, 'file-bad'), '--tracking-uri', `file://${store}`, '--experiment', 'tagsmith-test', '--run-name', 'file-bad']);
  }, 300_000);

  const runs = () => {
    const snap = readFileStore(store);
    expect(snap.warnings).toEqual([]);
    const exp = snap.experiments.find((e) => e.name === 'tagsmith-test');
    return Object.fromEntries((exp?.runs ?? []).map((r) => [r.runName, r])) as Record<string, FileRunRecord>;
  };

  it('writes a run our file-store reader reads back: params, metrics, loss history, artifacts', () => {
    const run = runs()['file-ok'];
    expect(run.runId).toBe(ok.run.id);
    expect(ok.run.location).toBe(run.runDir);
    expect(run.status).toBe('FINISHED');
    expect(run.params.model_id).toBe(ok.model.version);
    expect(run.params['data.0.sha256']).toBe(sha256(API));
    expect(run.metrics.test_micro_f1.value).toBeCloseTo(ok.test.micro_f1, 12);
    const manifest = JSON.parse(readFileSync(join(model, 'tagsmith.json'), 'utf8'));
    expect(run.metricHistory.train_loss.map((p) => [p.step, p.value])).toEqual(
      manifest.training.loss.map((h: { epoch: number; loss: number }) => [h.epoch, h.loss]),
    );
    expect(run.artifacts.map((a) => a.path)).toEqual(EXPECTED_ARTIFACTS);
    expect(Buffer.compare(readFileSync(join(run.artifactDir, 'model/head.bin')), readFileSync(join(model, 'head.bin')))).toBe(0);
    checkPng(readFileSync(join(run.artifactDir, 'plots/tag_coverage.png')));
    checkSvg(readFileSync(join(run.artifactDir, 'plots/tag_coverage.svg'), 'utf8'));
  });

  it('a failing training ends FAILED in the file store and exits 1', () => {
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/only 0 tagged questions/);
    expect(bad.stderr).toMatch(/marked FAILED: .*mlruns/);
    const run = runs()['file-bad'];
    expect(run.status).toBe('FAILED');
    expect(run.endTime).not.toBeNull();
  });

  it('MLflow itself (MLFLOW_ALLOW_FILE_STORE=true) lists both runs with their status, params, metrics and artifacts', () => {
    const script = `
import json, sys
from mlflow.tracking import MlflowClient
c = MlflowClient(tracking_uri=sys.argv[1])
e = c.get_experiment_by_name('tagsmith-test')
runs = c.search_runs([e.experiment_id], order_by=['attributes.run_name'])
ok = [r for r in runs if r.info.run_name == 'file-ok'][0]
def walk(p=None):
    out = []
    for f in c.list_artifacts(ok.info.run_id, p):
        out += walk(f.path) if f.is_dir else [f.path]
    return out
print(json.dumps({
  'runs': [[r.info.run_name, r.info.status] for r in runs],
  'params': ok.data.params, 'metrics': ok.data.metrics,
  'loss': [[m.step, m.value] for m in c.get_metric_history(ok.info.run_id, 'train_loss')],
  'artifacts': sorted(walk()),
}))
`;
    const out = execFileSync(MLFLOW_PYTHON, ['-c', script, store], {
      encoding: 'utf8',
      env: { ...process.env, MLFLOW_ALLOW_FILE_STORE: 'true', MLFLOW_TRACKING_URI: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
      maxBuffer: 64 << 20,
    });
    const got = JSON.parse(out.trim().split('\n').pop()!);
    expect(got.runs).toEqual([
      ['file-bad', 'FAILED'],
      ['file-ok', 'FINISHED'],
    ]);
    expect(got.params).toMatchObject({ vectorizer: 'tfidf', model_id: ok.model.version, 'data.1.sha256': sha256(TITLES) });
    expect(got.metrics.test_micro_f1).toBeCloseTo(ok.test.micro_f1, 12);
    expect(got.metrics.test_p_at_1).toBeCloseTo(ok.test.p_at_k[0], 12);
    expect(got.loss.length).toBeGreaterThan(3);
    expect(got.artifacts).toEqual(EXPECTED_ARTIFACTS);
  });

  it('tagsmith runs writes a self-contained page: both runs, a sortable table that sorts, plots, working artifact links', async () => {
    const out = join(dir, 'page');
    const r = await tagsmith(['runs', '--tracking-uri', store, '--out', out, '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ experiments: 2, runs: 2 }); // tagsmith-test and Default
    const html = readFileSync(join(out, 'index.html'), 'utf8');
    for (const s of ['file-ok', 'file-bad', 'FAILED', 'FINISHED', 'tagsmith-test', ok.model.version, '<table class="sortable"', '<svg']) expect(html).toContain(s);
    // nothing fetched from the network: no external script, style, image or link
    expect(html.replace(/xmlns(:xlink)?="[^"]+"/g, '')).not.toMatch(/https?:\/\//);
    // every artifact link resolves to a file of the store
    const hrefs = [...html.matchAll(/href="([^"#][^"]*)"/g)].map((m) => decodeURIComponent(m[1].replace(/&amp;/g, '&')));
    const artifactLinks = hrefs.filter((h) => h.includes('/artifacts/'));
    expect(artifactLinks.length).toBeGreaterThanOrEqual(EXPECTED_ARTIFACTS.length);
    for (const h of artifactLinks) expect(existsSync(resolve(out, h)), h).toBe(true);

    // the table sorts: load the page in a DOM, run its script, click "micro-F1"
    const window = new Window();
    window.document.write(html.replace(/<script>[\s\S]*?<\/script>/, ''));
    new Function('document', SORT_SCRIPT)(window.document);
    const table = window.document.querySelector('table.sortable')!;
    const headers = [...table.querySelectorAll('th')];
    const col = headers.findIndex((h) => h.textContent === 'micro-F1');
    expect(col).toBeGreaterThan(0);
    const names = () => [...table.querySelectorAll('tbody tr')].map((tr) => tr.querySelectorAll('td')[0].textContent);
    headers[col].click(); // ascending: the failed run has no metric and sorts last
    expect(names()).toEqual(['file-ok', 'file-bad']);
    const nameCol = headers[0];
    nameCol.click();
    expect(names()).toEqual(['file-bad', 'file-ok']);
    nameCol.click();
    expect(names()).toEqual(['file-ok', 'file-bad']);
    expect(nameCol.getAttribute('aria-sort')).toBe('descending');
    await window.happyDOM.close();
  });

  it('an unreachable tracking server stops before training, saying how to fix it', async () => {
    const out = join(dir, 'unreachable-model');
    const r = await tagsmith(['train', '--data', API, '--vectorizer', 'tfidf', '--limit', '300', '--out', out, '--tracking-uri', 'http://127.0.0.1:9']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/MLflow server http:\/\/127\.0\.0\.1:9 did not answer .*--no-track/);
    expect(existsSync(out)).toBe(false); // no model trained
  });

  it('tagsmith runs on a missing store says what to pass', async () => {
    const r = await tagsmith(['runs', '--tracking-uri', join(dir, 'nope'), '--out', join(dir, 'nope-page')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/cannot read runs from .*nope: .*does not exist.*--tracking-uri/);
  });
});

describe('tracking plots', () => {
  const row = (tag: string, tp: number, predicted: number, support: number) => ({ tag, truePositives: tp, predicted, support, precision: 0, recall: 0, f1: 0 });

  it('F1 micro per frequency band is sklearn micro-F1 over the band', () => {
    const perTag = Array.from({ length: 30 }, (_, i) => row(`t${i}`, i < 10 ? 5 : 1, 8, 10));
    const data = f1MicroData([{ split: 'test', perTag }]);
    expect(data.map((d) => d.label)).toEqual(['all 30 tags', 'tags 1-10', 'tags 11-30']);
    expect(data[0].value).toBeCloseTo((2 * (50 + 20)) / (240 + 300), 12);
    expect(data[1].value).toBeCloseTo((2 * 50) / (80 + 100), 12);
    expect(data[2].value).toBeCloseTo((2 * 20) / (160 + 200), 12);
  });

  it('tag coverage by vocabulary size is cumulative and ends at the training coverage', () => {
    const counts = Array.from({ length: 40 }, (_, i) => 100 - i);
    const total = counts.reduce((a, b) => a + b, 0);
    const data = tagCoverageData({ counts, trainCoverage: 0.5, splits: { test: 0.45 } });
    expect(data.map((d) => d.label)).toEqual(['train, top 10 tags', 'train, top 25 tags', 'train, top 40 tags', 'test, in vocabulary']);
    expect(data[2].value).toBeCloseTo(0.5, 12);
    expect(data[0].value).toBeCloseTo((counts.slice(0, 10).reduce((a, b) => a + b, 0) / total) * 0.5, 12);
    expect(data[0].value).toBeLessThan(data[1].value);
  });
});

