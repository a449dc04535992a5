/**
 * Experiment tracking, MLflow-compatible. The backend is chosen by the tracking URI, as in MLflow's
 * client: `http(s)://...` logs to an MLflow tracking server over REST, a path or `file://` URI writes an
 * MLflow file store (`./mlruns` by default) that `mlflow ui` can open.
 *
 *   const tracker = createTracker(opts.trackingUri);          // or MLFLOW_TRACKING_URI, or ./mlruns
 *   await withRun(tracker, { experiment: 'tagsmith-train' }, async (run) => {
 *     await run.logParams({ lr: 0.1 });
 *     await run.logMetrics({ f1: 0.73 });
 *   });
 */
import { fileURLToPath } from 'node:url';
import { FileStoreTracker } from './file-store';
import type { RetryOptions } from './http';
import { RestTracker } from './rest-tracker';
import type { Run, StartRunOptions, Tracker } from './types';

export type * from './types';
export { MlflowApiError, MlflowUnavailableError, type RetryOptions } from './http';
export { MlflowRestClient, runRecordFromRest, experimentRecordFromRest } from './rest-client';
export { FileStoreTracker } from './file-store';
export { RestTracker } from './rest-tracker';
export { readFileStore, type FileStoreSnapshot, type FileRunRecord, type FileExperimentRecord } from './file-store-reader';
export { TrackingInputError } from './validate';

export const DEFAULT_TRACKING_URI = './mlruns';

export interface TrackerOptions {
  /** Retry policy of the REST backend (attempts, delays, per-call timeout). */
  retry?: RetryOptions;
}

/** The tracking URI in force: the given one (e.g. `--tracking-uri`), else MLFLOW_TRACKING_URI, else ./mlruns. */
export function resolveTrackingUri(uri?: string): string {
  const u = uri?.trim() || process.env.MLFLOW_TRACKING_URI?.trim() || DEFAULT_TRACKING_URI;
  return u;
}

/** A tracker for `uri` (see {@link resolveTrackingUri}); throws on URI schemes it cannot serve. */
export function createTracker(uri?: string, opts: TrackerOptions = {}): Tracker {
  const u = resolveTrackingUri(uri);
  if (/^https?:\/\//i.test(u)) return new RestTracker(u, opts.retry);
  if (/^file:/i.test(u)) {
    try {
      return new FileStoreTracker(fileURLToPath(u));
    } catch (err) {
      throw new Error(`Invalid file tracking URI '${u}': ${(err as Error).message}. Use file:///absolute/path or a plain path.`);
    }
  }
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(u)?.[1];
  if (scheme && scheme.length > 1) {
    throw new Error(
      `Unsupported tracking URI '${u}': tagsmith logs to an MLflow server (http://host:port) or to a local ` +
        `MLflow file store (a path or file:///path). For a database store, run \`mlflow server ` +
        `--backend-store-uri ${u}\` and point the tracking URI at that server.`,
    );
  }
  return new FileStoreTracker(u);
}

export interface WithRunOptions {
  /**
   * Signals that end the run KILLED before the process dies of them (as MLflow's client does on
   * Ctrl-C): the run is marked, then the signal is raised again with no handler, so the process
   * exits as it would have (130 for SIGINT, 143 for SIGTERM). The body must give the event loop a
   * turn now and then for the handler to run (training yields once per epoch).
   */
  killOnSignals?: readonly NodeJS.Signals[];
}

/**
 * Runs `body` inside a new run: ends it FINISHED when the body resolves, FAILED when it throws (the
 * error is rethrown; a failure to record FAILED is attached as `trackingError` instead of hiding it),
 * KILLED on one of `killOnSignals`.
 */
export async function withRun<T>(
  tracker: Tracker,
  opts: StartRunOptions,
  body: (run: Run) => Promise<T>,
  { killOnSignals = [] }: WithRunOptions = {},
): Promise<T> {
  const run = await tracker.startRun(opts);
  // Set before anything is awaited, so the body's own ending (FINISHED or FAILED) never races the KILLED one.
  let killed: Promise<never> | undefined;
  const onSignal = (signal: NodeJS.Signals): void => {
    for (const s of killOnSignals) process.removeListener(s, onSignal);
    process.stderr.write(`tracking: ${signal}: marking run ${run.runName} (${run.runId}) KILLED\n`);
    killed = run
      .end('KILLED')
      .catch((err: unknown) => process.stderr.write(`tracking: could not mark the run KILLED: ${(err as Error).message}\n`))
      .then(() => {
        process.kill(process.pid, signal); // no handler left: the process ends as the signal says
        return new Promise<never>(() => {});
      });
  };
  for (const s of killOnSignals) process.on(s, onSignal);
  let result: T;
  try {
    result = await body(run);
  } catch (err) {
    if (killed) return killed;
    try {
      await run.end('FAILED');
    } catch (endErr) {
      if (err && typeof err === 'object') (err as { trackingError?: unknown }).trackingError = endErr;
    }
    throw err;
  } finally {
    for (const s of killOnSignals) process.removeListener(s, onSignal);
  }
  if (killed) return killed;
  await run.end('FINISHED');
  return result;
}
