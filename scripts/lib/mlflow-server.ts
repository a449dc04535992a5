/**
 * Starts a real MLflow tracking server for a test file (call in beforeAll, `stop()` in afterAll):
 * SQLite backend store and artifact proxy in a fresh temp dir, on a free port of 127.0.0.1.
 * Needs `.venv-mlflow` (bash scripts/ci/mlflow.sh install); without it the test fails and says so.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PACKAGE_ROOT as REPO } from '../../src/node/paths';

export const MLFLOW_VENV = join(REPO, '.venv-mlflow');
export const MLFLOW_BIN = join(MLFLOW_VENV, 'bin', 'mlflow');
export const MLFLOW_PYTHON = join(MLFLOW_VENV, 'bin', 'python');

export interface MlflowServer {
  /** Base URL, e.g. http://127.0.0.1:41234 */
  url: string;
  /** Temp dir holding mlflow.db and artifacts/ (removed by stop()). */
  dir: string;
  stop(): Promise<void>;
}

/** Throws with the install command when .venv-mlflow is missing. */
export function requireMlflowVenv(): void {
  if (!existsSync(MLFLOW_BIN) || !existsSync(MLFLOW_PYTHON)) {
    throw new Error(
      `MLflow is not installed (${MLFLOW_BIN} is missing). Run 'bash scripts/ci/mlflow.sh install' once ` +
        `(about a minute), then run the tests again.`,
    );
  }
}

/** A TCP port that was free a moment ago (bind to port 0, read it, close). */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolvePort(port));
    });
  });
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal); // the whole process group: mlflow, uvicorn worker, job runner
  } catch {
    /* already gone */
  }
}

export async function startMlflowServer(opts: { timeoutMs?: number } = {}): Promise<MlflowServer> {
  requireMlflowVenv();
  const timeoutMs = opts.timeoutMs ?? 90_000;
  const dir = mkdtempSync(join(tmpdir(), 'tagsmith-mlflow-'));
  mkdirSync(join(dir, 'artifacts'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const args = [
    'server',
    '--backend-store-uri', `sqlite:///${join(dir, 'mlflow.db')}`,
    '--artifacts-destination', join(dir, 'artifacts'),
    '--host', '127.0.0.1',
    '--port', String(port),
    // One worker: starts in ~20 s instead of ~35 s on 2 cores; plenty for tests.
    '--workers', '1',
  ];
  const child = spawn(MLFLOW_BIN, args, {
    cwd: dir,
    detached: true, // own process group, so stop() can end the workers too
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      MLFLOW_TRACKING_URI: '',
      PYTHONUNBUFFERED: '1',
      // No background job runner (it starts ~5 huey consumer processes); tracking does not use jobs.
      MLFLOW_SERVER_ENABLE_JOB_EXECUTION: 'false',
    },
  });
  let output = '';
  const keep = (b: Buffer) => {
    output = (output + b.toString('utf8')).slice(-20_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let exited: number | null | undefined;
  const exitPromise = new Promise<void>((r) =>
    child.on('exit', (code, sig) => {
      exited = code ?? (sig ? -1 : null);
      r();
    }),
  );
  let spawnError: Error | undefined;
  child.on('error', (e) => {
    spawnError = e;
  });

  const stop = async () => {
    if (exited === undefined) {
      killGroup(child, 'SIGTERM');
      const done = await Promise.race([exitPromise.then(() => true), sleep(10_000).then(() => false)]);
      if (!done) killGroup(child, 'SIGKILL');
      await Promise.race([exitPromise, sleep(2_000)]);
    }
    // Workers may outlive the leader briefly; make sure the group is gone.
    killGroup(child, 'SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };

  const tail = () => output.split('\n').slice(-25).join('\n');
  const t0 = Date.now();
  while (Date.now() - t0 < timeoutMs) {
    if (spawnError || exited !== undefined) {
      await stop();
      throw new Error(
        `MLflow server (${MLFLOW_BIN}) exited before answering /health` +
          `${spawnError ? `: ${spawnError.message}` : ` (exit ${exited})`}. Last output:\n${tail()}`,
      );
    }
    try {
      const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(2000) });
      if (res.ok) return { url, dir, stop };
    } catch {
      /* not up yet */
    }
    await sleep(250);
  }
  await stop();
  throw new Error(`MLflow server at ${url} did not answer /health within ${timeoutMs / 1000} s. Last output:\n${tail()}`);
}
