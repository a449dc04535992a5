/**
 * `tagsmith train` stopped by Ctrl-C or SIGTERM, as a user stops it (a real CLI process): the
 * tracked run ends KILLED (as MLflow's own client marks it), in the file store and on a real MLflow
 * server, and the process dies of the signal promptly, even in the middle of training the head.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MlflowRestClient, readFileStore } from '../src/tracking';
import { startMlflowServer } from '../scripts/lib/mlflow-server';
import { REPO, SHARED_DATA } from './helpers/paths';

const API = join(SHARED_DATA, 'stackoverflow-api-2018.jsonl.gz');
const dir = mkdtempSync(join(tmpdir(), 'tagsmith-interrupt-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Stopped {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
  /** ms from the signal to the exit. */
  afterSignalMs: number;
}

/** Starts a training and sends `signal` once the head is being trained (after the TF-IDF line). */
function trainAndStop(trackingUri: string, runName: string, signal: NodeJS.Signals): Promise<Stopped> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [join(REPO, 'bin/tagsmith.js'), 'train', '--data', API, '--vectorizer', 'tfidf', '--head', 'logreg', '--limit', '8000', '--tags', '150',
        '--max-epochs', '2000', '--out', join(dir, runName), '--tracking-uri', trackingUri, '--run-name', runName],
      { cwd: REPO, env: { ...process.env, CI: 'true', MLFLOW_TRACKING_URI: '' } },
    );
    let stderr = '';
    let sentAt = 0;
    child.stderr.on('data', (d: Buffer) => {
      stderr += d;
      if (!sentAt && /tfidf: [\d,]+ features/.test(stderr)) {
        // the head's first epochs are running now (synchronous maths, one epoch at a time)
        setTimeout(() => {
          sentAt = Date.now();
          child.kill(signal);
        }, 300);
      }
    });
    child.on('error', reject);
    child.on('exit', (code, sig) => resolve({ code, signal: sig, stderr, afterSignalMs: Date.now() - sentAt }));
  });
}

describe('interrupted training', () => {
  it('Ctrl-C (SIGINT) marks the file-store run KILLED and exits promptly by the signal', async () => {
    const store = join(dir, 'mlruns');
    const r = await trainAndStop(store, 'interrupted-int', 'SIGINT');
    expect(r.stderr).toMatch(/tfidf: [\d,]+ features/);
    expect(r.stderr).toMatch(/SIGINT: marking run interrupted-int \(\w+\) KILLED/);
    expect(r.signal).toBe('SIGINT');
    expect(r.afterSignalMs).toBeLessThan(10_000);
    const run = readFileStore(store).experiments.flatMap((e) => e.runs).find((x) => x.runName === 'interrupted-int');
    expect(run?.status).toBe('KILLED');
    expect(run?.endTime).toBeGreaterThan(0);
  });

  it('SIGTERM marks the run KILLED on a real MLflow server', async () => {
    const server = await startMlflowServer();
    try {
      const r = await trainAndStop(server.url, 'interrupted-term', 'SIGTERM');
      expect(r.signal).toBe('SIGTERM');
      expect(r.stderr).toMatch(/SIGTERM: marking run interrupted-term/);
      const client = new MlflowRestClient(server.url);
      const exp = await client.getExperimentByName('tagsmith-train');
      const runs = await client.searchRuns([exp!.experiment_id]);
      const run = runs.find((x) => x.info.run_name === 'interrupted-term');
      expect(run?.info.status).toBe('KILLED');
      expect(Number(run?.info.end_time)).toBeGreaterThan(0);
    } finally {
      await server.stop();
    }
  });
});
