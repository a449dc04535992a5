/**
 * Experiment tracking (src/tracking): the REST backend against a real MLflow server, the embedded MLflow
 * file store read back by our reader AND by MLflow itself, plus the pure parts (batching, key rules,
 * float formatting, URI dispatch, retries).
 *
 * Needs .venv-mlflow: `bash scripts/ci/mlflow.sh install`. Without it the MLflow-backed tests fail.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  FileStoreTracker,
  MlflowApiError,
  MlflowRestClient,
  MlflowUnavailableError,
  RestTracker,
  TrackingInputError,
  createTracker,
  readFileStore,
  runRecordFromRest,
  withRun,
  type Run,
} from '../src/tracking';
import { MLFLOW_BATCH_LIMITS, packBatches, type LogBatch } from '../src/tracking/batch';
import { gitCommit } from '../src/tracking/context';
import { generateExperimentId } from '../src/tracking/file-store';
import { checkKey, pythonFloatRepr } from '../src/tracking/validate';
import { MLFLOW_PYTHON, freePort, requireMlflowVenv, startMlflowServer, type MlflowServer } from '../scripts/lib/mlflow-server';

const tmpRoots: string[] = [];
function tmp(prefix: string): string {
  const d = mkdtempSync(join(tmpdir(), `tagsmith-${prefix}-`));
  tmpRoots.push(d);
  return d;
}
afterAll(() => {
  for (const d of tmpRoots) rmSync(d, { recursive: true, force: true });
});

/** Everything one test run logs, so the REST and file-store checks compare against the same data. */
function fixtureRunData(dir: string) {
  const params: Record<string, string | number | boolean> = {};
  for (let i = 0; i < 150; i++) params[`p${String(i).padStart(3, '0')}`] = i % 3 === 0 ? `value ${i}` : i % 3 === 1 ? i * 0.5 : i % 2 === 0;
  const t0 = 1_700_000_000_000;
  const loss = Array.from({ length: 1500 }, (_, i) => ({ step: i, value: 1 / (1 + i) + (i % 7) * 1e-3, timestamp: t0 + i }));
  const csv = 'tag,precision,recall\npython,0.91,0.88\n"c#",0.75,0.7\n';
  const svg = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10" fill="#c00"/></svg>\n';
  const csvFile = join(dir, 'per-tag.csv');
  const svgFile = join(dir, 'curve.svg');
  writeFileSync(csvFile, csv);
  writeFileSync(svgFile, svg);
  const reportDir = join(dir, 'report');
  mkdirSync(join(reportDir, 'plots', 'deep'), { recursive: true });
  const reportFiles: Record<string, string> = {
    'index.html': '<h1>report</h1>\n',
    'plots/a.json': '{"a":1}\n',
    'plots/deep/b.txt': 'ünïcödé ✓\n',
  };
  for (const [rel, content] of Object.entries(reportFiles)) writeFileSync(join(reportDir, rel), content);
  const expectedArtifacts: Record<string, string> = {
    'data/per-tag.csv': csv,
    'curve.svg': svg,
    ...Object.fromEntries(Object.entries(reportFiles).map(([k, v]) => [`report/${k}`, v])),
    'notes/summary.md': '# Summary\nall good\n',
  };
  return { params, loss, csvFile, svgFile, reportDir, expectedArtifacts };
}
type Fixture = ReturnType<typeof fixtureRunData>;

/** Logs the fixture into `run` through the public API only. */
async function logFixture(run: Run, f: Fixture): Promise<void> {
  await run.logParams(f.params);
  await run.logParams({ p000: f.params.p000 }); // same value again: allowed
  await run.logMetricHistory('loss', f.loss);
  await run.logMetrics({ 'eval/f1': 0.25, 'eval/precision': 0.5 }, 1);
  await run.logMetrics({ 'eval/f1': 0.75 }, 2);
  await run.setTags({ model: 'tfidf-logreg', 'data.version': 'so-2024' });
  await run.logArtifact(f.csvFile, 'data');
  await run.logArtifact(f.svgFile);
  await run.logArtifactDir(f.reportDir, 'report');
  await run.logText('# Summary\nall good\n', 'notes/summary.md');
}

describe('tracking: pure parts', () => {
  it('packs log-batch requests within MLflow limits, keeping order', () => {
    const all: LogBatch = {
      params: Array.from({ length: 150 }, (_, i) => ({ key: `p${i}`, value: String(i) })),
      metrics: Array.from({ length: 1500 }, (_, i) => ({ key: 'loss', value: i, timestamp: i, step: i })),
      tags: Array.from({ length: 5 }, (_, i) => ({ key: `t${i}`, value: 'x' })),
    };
    const batches = packBatches(all);
    for (const b of batches) {
      expect(b.params.length).toBeLessThanOrEqual(100);
      expect(b.metrics.length).toBeLessThanOrEqual(1000);
      expect(b.tags.length).toBeLessThanOrEqual(100);
      expect(b.params.length + b.metrics.length + b.tags.length).toBeLessThanOrEqual(1000);
      expect(Buffer.byteLength(JSON.stringify({ run_id: 'x'.repeat(32), ...b }))).toBeLessThanOrEqual(1_000_000);
    }
    expect(batches.flatMap((b) => b.params)).toEqual(all.params);
    expect(batches.flatMap((b) => b.metrics)).toEqual(all.metrics);
    expect(batches.flatMap((b) => b.tags)).toEqual(all.tags);
    expect(batches.length).toBe(3); // 100 params | 50 params + 950 metrics | 550 metrics + 5 tags
  });

  it('splits on the 1 MB request size even when counts allow more', () => {
    const all: LogBatch = {
      params: Array.from({ length: 100 }, (_, i) => ({ key: `p${i}`, value: 'v'.repeat(6000) })),
      metrics: [],
      tags: Array.from({ length: 100 }, (_, i) => ({ key: `t${i}`, value: 't'.repeat(8000) })),
    };
    const batches = packBatches(all);
    expect(batches.length).toBe(2);
    for (const b of batches) expect(Buffer.byteLength(JSON.stringify(b))).toBeLessThanOrEqual(MLFLOW_BATCH_LIMITS.maxBytes + 10);
    expect(batches.flatMap((b) => b.tags)).toEqual(all.tags);
  });

  it('applies MLflow key rules', () => {
    for (const ok of ['lr', 'eval/f1', 'a.b-c_d e:f', 'élan']) expect(() => checkKey('param', ok)).not.toThrow();
    for (const bad of ['', '../x', '/abs', 'a//b', 'a/', 'a/./b', 'semi;colon', 'x'.repeat(251)]) {
      expect(() => checkKey('metric', bad), bad).toThrow(TrackingInputError);
    }
  });

  it('makes 18-digit experiment ids like MLflow', () => {
    const ids = new Set(Array.from({ length: 200 }, () => generateExperimentId()));
    expect(ids.size).toBe(200);
    for (const id of ids) expect(id).toMatch(/^[1-9]\d{17}$/);
  });

  it('chooses the backend from the URI, then MLFLOW_TRACKING_URI, then ./mlruns', () => {
    const dir = tmp('uri');
    expect(createTracker('http://127.0.0.1:5000/')).toBeInstanceOf(RestTracker);
    expect(createTracker('http://127.0.0.1:5000/').uri).toBe('http://127.0.0.1:5000');
    expect(createTracker(pathToFileURL(dir).href).uri).toBe(dir);
    expect(createTracker(join(dir, 'mlruns'))).toBeInstanceOf(FileStoreTracker);
    expect(() => createTracker('sqlite:///x.db')).toThrow(/mlflow server --backend-store-uri sqlite/);
    const saved = process.env.MLFLOW_TRACKING_URI;
    try {
      process.env.MLFLOW_TRACKING_URI = 'https://mlflow.example.test';
      expect(createTracker().kind).toBe('rest');
      delete process.env.MLFLOW_TRACKING_URI;
      expect(createTracker().uri).toBe(join(process.cwd(), 'mlruns'));
    } finally {
      if (saved === undefined) delete process.env.MLFLOW_TRACKING_URI;
      else process.env.MLFLOW_TRACKING_URI = saved;
    }
  });

  it('reads the git commit when there is one, and nothing otherwise', () => {
    const repo = tmp('git');
    expect(gitCommit(repo)).toBeUndefined(); // not a repository
    const git = (...args: string[]) =>
      execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.test', ...args], { cwd: repo, encoding: 'utf8' });
    git('init', '-q');
    expect(gitCommit(repo)).toBeUndefined(); // no commit yet
    git('commit', '-q', '--allow-empty', '-m', 'x');
    expect(gitCommit(repo)).toBe(git('rev-parse', 'HEAD').trim());
  });
});

describe('tracking: REST retries (local fake server)', () => {
  let server: Server;
  let url = '';
  let hits = 0;
  let mode: 'flaky' | 'bad-request' = 'flaky';
  beforeAll(async () => {
    server = createServer((req, res) => {
      hits++;
      if (mode === 'bad-request') {
        res.writeHead(400, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error_code: 'INVALID_PARAMETER_VALUE', message: 'Changing param values is not allowed.' }));
      } else if (hits <= 2) {
        res.writeHead(hits === 1 ? 503 : 429);
        res.end('busy');
      } else {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ experiment_id: '7' }));
      }
    });
    const port = await freePort();
    await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
    url = `http://127.0.0.1:${port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('retries 503 and 429, then succeeds', async () => {
    hits = 0;
    mode = 'flaky';
    const client = new MlflowRestClient(url, { attempts: 4, baseDelayMs: 5 });
    expect(await client.createExperiment('x')).toBe('7');
    expect(hits).toBe(3);
  });

  it('does not retry a 4xx and surfaces MLflow’s message', async () => {
    hits = 0;
    mode = 'bad-request';
    const client = new MlflowRestClient(url, { attempts: 4, baseDelayMs: 5 });
    const err = await client.createExperiment('x').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MlflowApiError);
    expect((err as MlflowApiError).errorCode).toBe('INVALID_PARAMETER_VALUE');
    expect(String(err)).toMatch(/Changing param values is not allowed/);
    expect(hits).toBe(1);
  });

  it('gives a clear error naming the server and the call when nothing listens', async () => {
    const port = await freePort(); // closed again: connection refused
    const tracker = createTracker(`http://127.0.0.1:${port}`, { retry: { attempts: 3, baseDelayMs: 10 } });
    const t0 = Date.now();
    const err = await tracker.startRun({ experiment: 'e' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MlflowUnavailableError);
    const msg = String((err as Error).message);
    expect(msg).toContain(`http://127.0.0.1:${port}`);
    expect(msg).toContain('GET /api/2.0/mlflow/experiments/get-by-name');
    expect(msg).toContain('after 3 attempts');
    expect(msg).toMatch(/ECONNREFUSED/);
    expect(Date.now() - t0).toBeLessThan(5000);
  });
});

describe('tracking: REST backend against a real MLflow server', () => {
  let server: MlflowServer;
  let tracker: RestTracker;
  beforeAll(async () => {
    server = await startMlflowServer();
    tracker = createTracker(server.url, { retry: { attempts: 3, baseDelayMs: 100 } }) as RestTracker;
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('logs params, metrics, tags and artifacts, and reads them all back', async () => {
    const f = fixtureRunData(tmp('rest-run'));
    const run = await tracker.startRun({ experiment: 'tagsmith-test', runName: 'rest-full', tags: { purpose: 'test' } });
    await logFixture(run, f);
    // Write-once params: a different value is refused with MLflow's own message.
    const err = await run.logParams({ p001: 'changed' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MlflowApiError);
    expect(String(err)).toMatch(/Changing param values is not allowed/);
    await run.end('FINISHED');
    await expect(run.logMetrics({ late: 1 })).rejects.toThrow(/already ended with FINISHED/);

    const client = tracker.client;
    const rec = runRecordFromRest(await client.getRun(run.runId));
    expect(rec.status).toBe('FINISHED');
    expect(rec.endTime).toBeGreaterThanOrEqual(rec.startTime);
    expect(rec.runName).toBe('rest-full');
    expect(rec.experimentId).toBe(run.experimentId);
    expect(Object.keys(rec.params)).toHaveLength(150);
    expect(rec.params).toEqual(Object.fromEntries(Object.entries(f.params).map(([k, v]) => [k, String(v)])));
    expect(rec.tags).toMatchObject({
      'mlflow.runName': 'rest-full',
      'mlflow.source.type': 'LOCAL',
      purpose: 'test',
      model: 'tfidf-logreg',
      'data.version': 'so-2024',
    });
    expect(rec.tags['mlflow.user']).toBeTruthy();
    expect(rec.tags['mlflow.source.name']).toBeTruthy();
    expect(rec.metrics['eval/f1'].value).toBe(0.75);
    expect(rec.metrics['eval/f1'].step).toBe(2);
    expect(rec.metrics.loss).toMatchObject({ step: 1499, value: f.loss[1499].value });

    const history = await client.getMetricHistory(run.runId, 'loss');
    expect(history).toHaveLength(1500);
    const byStep = [...history].sort((a, b) => a.step - b.step);
    expect(byStep).toEqual(f.loss);
    expect(await client.getMetricHistory(run.runId, 'eval/f1')).toHaveLength(2);

    const files = await client.listArtifactFiles(run.runId);
    expect(files.map((x) => x.path)).toEqual(Object.keys(f.expectedArtifacts).sort());
    for (const file of files) {
      const want = f.expectedArtifacts[file.path];
      expect(file.size).toBe(Buffer.byteLength(want));
      expect((await client.downloadArtifact(run.runId, file.path)).toString('utf8')).toBe(want);
    }
    const top = await client.listArtifacts(run.runId);
    expect(top.find((e) => e.path === 'report')?.isDir).toBe(true);
  });

  it('ends a run FAILED on the server when the body throws, and rethrows', async () => {
    let runId = '';
    const boom = new Error('training diverged');
    await expect(
      withRun(tracker, { experiment: 'tagsmith-test', runName: 'rest-fails' }, async (run) => {
        runId = run.runId;
        await run.logMetrics({ loss: 9.5 });
        throw boom;
      }),
    ).rejects.toBe(boom);
    const rec = runRecordFromRest(await tracker.client.getRun(runId));
    expect(rec.status).toBe('FAILED');
    expect(rec.endTime).not.toBeNull();
    expect(rec.metrics.loss.value).toBe(9.5);
  });

  it('finds experiments and runs through search', async () => {
    const value = await withRun(tracker, { experiment: 'tagsmith-search' }, async (run) => {
      await run.logParams({ seed: 1 });
      return run.runId;
    });
    const exps = await tracker.client.searchExperiments();
    const exp = exps.find((e) => e.name === 'tagsmith-search');
    expect(exp).toBeDefined();
    const runs = await tracker.client.searchRuns([exp!.experiment_id]);
    expect(runs.map((r) => r.info.run_id)).toEqual([value]);
    expect(runs[0].info.status).toBe('FINISHED');
    expect(runs[0].info.run_name).toMatch(/^run-\d{8}-\d{6}-[0-9a-f]{4}$/);
    // The same experiment is found again rather than created twice.
    expect(await tracker.experimentId('tagsmith-search')).toBe(exp!.experiment_id);
  });
});

describe('tracking: embedded MLflow file store', () => {
  let root = '';
  let f: Fixture;
  let okRun = { runId: '', experimentId: '' };
  let failedRunId = '';

  beforeAll(async () => {
    const dir = tmp('filestore');
    root = join(dir, 'mlruns');
    f = fixtureRunData(dir);
    const tracker = createTracker(root);
    const run = await tracker.startRun({ experiment: 'tagsmith-test', runName: 'file-full', tags: { purpose: 'test' } });
    okRun = { runId: run.runId, experimentId: run.experimentId };
    await logFixture(run, f);
    await run.logMetrics({ odd: 1e-20, big: 1e300, whole: 3, neg: -0.5 });
    await expect(run.logParams({ p001: 'changed' })).rejects.toThrow(/Changing param values is not allowed/);
    await run.end('FINISHED');
    await withRun(tracker, { experiment: 'tagsmith-test', runName: 'file-fails' }, async (r) => {
      failedRunId = r.runId;
      throw new Error('boom');
    }).catch(() => undefined);
  });

  it('writes MLflow’s layout: Default experiment, 18-digit ids, meta.yaml, metric lines', () => {
    const expMeta = parseYaml(readFileSync(join(root, '0', 'meta.yaml'), 'utf8'));
    expect(expMeta).toMatchObject({ experiment_id: '0', name: 'Default', lifecycle_stage: 'active' });
    expect(okRun.experimentId).toMatch(/^\d{18}$/);
    const runDir = join(root, okRun.experimentId, okRun.runId);
    const meta = parseYaml(readFileSync(join(runDir, 'meta.yaml'), 'utf8'));
    expect(meta).toMatchObject({
      run_id: okRun.runId,
      run_uuid: okRun.runId,
      experiment_id: okRun.experimentId,
      run_name: 'file-full',
      status: 3,
      source_type: 4,
      lifecycle_stage: 'active',
      artifact_uri: pathToFileURL(join(root, okRun.experimentId, okRun.runId, 'artifacts')).href,
    });
    expect(meta.end_time).toBeGreaterThanOrEqual(meta.start_time);
    expect(meta).not.toHaveProperty('deleted_time');
    const lines = readFileSync(join(runDir, 'metrics', 'loss'), 'utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(1500);
    expect(lines[0]).toBe(`${f.loss[0].timestamp} ${pythonFloatRepr(f.loss[0].value)} 0`);
    expect(readFileSync(join(runDir, 'metrics', 'whole'), 'utf8')).toMatch(/^\d+ 3\.0 0\n$/);
    expect(readFileSync(join(runDir, 'params', 'p002'), 'utf8')).toBe('true');
    const failedMeta = parseYaml(readFileSync(join(root, okRun.experimentId, failedRunId, 'meta.yaml'), 'utf8'));
    expect(failedMeta.status).toBe(4);
  });

  it('reads the store back with readFileStore', () => {
    const snap = readFileStore(root);
    expect(snap.warnings).toEqual([]);
    expect(snap.experiments.map((e) => e.name).sort()).toEqual(['Default', 'tagsmith-test']);
    const exp = snap.experiments.find((e) => e.name === 'tagsmith-test')!;
    expect(exp.runs.map((r) => r.runName).sort()).toEqual(['file-fails', 'file-full']);
    const run = exp.runs.find((r) => r.runId === okRun.runId)!;
    expect(run.status).toBe('FINISHED');
    expect(run.params).toEqual(Object.fromEntries(Object.entries(f.params).map(([k, v]) => [k, String(v)])));
    expect(run.metricHistory.loss).toEqual(f.loss);
    expect(run.metrics.loss).toEqual(f.loss[1499]);
    expect(run.metrics['eval/f1']).toMatchObject({ value: 0.75, step: 2 });
    expect(run.metrics.odd.value).toBe(1e-20);
    expect(run.tags).toMatchObject({ 'mlflow.runName': 'file-full', purpose: 'test', model: 'tfidf-logreg' });
    expect(run.artifacts.map((a) => a.path)).toEqual(Object.keys(f.expectedArtifacts).sort());
    for (const a of run.artifacts) {
      expect(readFileSync(join(run.artifactDir, a.path), 'utf8')).toBe(f.expectedArtifacts[a.path]);
    }
    expect(exp.runs.find((r) => r.runId === failedRunId)!.status).toBe('FAILED');
  });

  it('formats floats exactly as Python repr does', () => {
    requireMlflowVenv();
    const values = [0.5, 3, -0.5, 1e-20, 1e-5, 1e-4, 0.0001234, 1e16, 1.5e20, 1e300, 123456789.125, 2 ** 53, 1 / 3, -0, NaN, Infinity, -Infinity];
    const py = execFileSync(
      MLFLOW_PYTHON,
      ['-c', 'import json,sys; print(json.dumps([repr(float(x)) for x in json.load(sys.stdin)]))'],
      { input: JSON.stringify(values.map((v) => (Number.isFinite(v) ? (Object.is(v, -0) ? '-0.0' : v) : String(v)))), encoding: 'utf8' },
    );
    expect(values.map(pythonFloatRepr)).toEqual(JSON.parse(py));
  });

  it('is read by MLflow itself (and MLflow’s own runs are read by readFileStore)', () => {
    requireMlflowVenv();
    const script = `
import json, sys, mlflow
from mlflow.tracking import MlflowClient
root, exp_id, run_id = sys.argv[1], sys.argv[2], sys.argv[3]
uri = 'file://' + root
c = MlflowClient(tracking_uri=uri)
exps = sorted(e.name for e in c.search_experiments())
runs = c.search_runs([exp_id])
r = c.get_run(run_id)
hist = c.get_metric_history(run_id, 'loss')
def walk(path=None):
    out = []
    for a in c.list_artifacts(run_id, path):
        out += walk(a.path) if a.is_dir else [a.path]
    return out
# MLflow writes a run into the same store; tagsmith's reader must read it too.
mlflow.set_tracking_uri(uri)
mlflow.set_experiment('made-by-mlflow')
with mlflow.start_run(run_name='py-run') as pr:
    mlflow.log_params({'alpha': 0.5, 'name': 'x y'})
    mlflow.log_metric('acc', 0.5, step=1)
    mlflow.log_metric('acc', 0.75, step=2)
print(json.dumps({
  'experiments': exps,
  'runs': sorted((x.info.run_name, x.info.status) for x in runs),
  'status': r.info.status, 'name': r.info.run_name, 'user': r.info.user_id,
  'params': r.data.params, 'metrics': r.data.metrics, 'tags': r.data.tags,
  'history': [[m.step, m.value, m.timestamp] for m in hist],
  'artifacts': sorted(walk()),
  'py_run': pr.info.run_id,
}))
`;
    const out = execFileSync(MLFLOW_PYTHON, ['-c', script, root, okRun.experimentId, okRun.runId], {
      encoding: 'utf8',
      env: { ...process.env, MLFLOW_ALLOW_FILE_STORE: 'true', MLFLOW_TRACKING_URI: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
      maxBuffer: 64 * 1024 * 1024,
    });
    const got = JSON.parse(out.trim().split('\n').pop()!);
    expect(got.experiments).toEqual(['Default', 'tagsmith-test']);
    expect(got.runs).toEqual([
      ['file-fails', 'FAILED'],
      ['file-full', 'FINISHED'],
    ]);
    expect(got.status).toBe('FINISHED');
    expect(got.name).toBe('file-full');
    expect(got.params).toEqual(Object.fromEntries(Object.entries(f.params).map(([k, v]) => [k, String(v)])));
    expect(got.metrics).toMatchObject({ loss: f.loss[1499].value, 'eval/f1': 0.75, odd: 1e-20, big: 1e300, whole: 3, neg: -0.5 });
    expect(got.tags).toMatchObject({ 'mlflow.runName': 'file-full', purpose: 'test', model: 'tfidf-logreg', 'data.version': 'so-2024' });
    expect(got.history).toEqual(f.loss.map((p) => [p.step, p.value, p.timestamp]));
    expect(got.artifacts).toEqual(Object.keys(f.expectedArtifacts).sort());

    const snap = readFileStore(root);
    const pyExp = snap.experiments.find((e) => e.name === 'made-by-mlflow');
    expect(pyExp?.experimentId).toMatch(/^\d{18}$/);
    const pyRun = pyExp!.runs.find((r) => r.runId === got.py_run)!;
    expect(pyRun).toMatchObject({ runName: 'py-run', status: 'FINISHED', params: { alpha: '0.5', name: 'x y' } });
    expect(pyRun.metrics.acc).toMatchObject({ value: 0.75, step: 2 });
    expect(pyRun.metricHistory.acc.map((p) => p.value)).toEqual([0.5, 0.75]);
    // ... and a tagsmith tracker keeps logging into the experiment MLflow created.
    expect(new FileStoreTracker(root).experimentId('made-by-mlflow')).toBe(pyExp!.experimentId);
  });
});
