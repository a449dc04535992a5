/**
 * Experiment tracking API (Node-only). Callers get a {@link Tracker} from `createTracker(uri)` and never
 * know whether runs go to an MLflow server over REST or to an MLflow-compatible `mlruns/` directory.
 */

/** Final states a run can be ended with (MLflow's RunStatus names). */
export type EndStatus = 'FINISHED' | 'FAILED' | 'KILLED';
/** Every MLflow run status. */
export type RunStatus = 'RUNNING' | 'SCHEDULED' | EndStatus;

export type ParamValue = string | number | boolean;

/** One logged value of a metric. `timestamp` is Unix milliseconds. */
export interface MetricPoint {
  step: number;
  value: number;
  timestamp: number;
}

export interface StartRunOptions {
  /** Experiment name; created when it does not exist yet. */
  experiment: string;
  /** Display name (tag `mlflow.runName`); a readable unique name is made up when omitted. */
  runName?: string;
  /** Extra tags; they override the automatic ones (`mlflow.source.name`, `mlflow.user`, ...). */
  tags?: Record<string, string>;
}

export interface Tracker {
  /** Where runs go: the server's base URL, or the absolute path of the `mlruns` directory. */
  readonly uri: string;
  /** `rest` for an MLflow server, `file` for the embedded file store. */
  readonly kind: 'rest' | 'file';
  startRun(opts: StartRunOptions): Promise<Run>;
}

export interface Run {
  readonly runId: string;
  readonly experimentId: string;
  readonly runName: string;
  /**
   * Logs parameters. Parameters are write-once (as in MLflow): logging the same value again is fine,
   * a different value for an already-logged key throws.
   */
  logParams(params: Record<string, ParamValue>): Promise<void>;
  /** Logs one value per metric at `step` (default 0), timestamped now. */
  logMetrics(metrics: Record<string, number>, step?: number): Promise<void>;
  /** Logs many values of one metric (e.g. a loss curve); missing timestamps are set to now. */
  logMetricHistory(key: string, values: { step: number; value: number; timestamp?: number }[]): Promise<void>;
  setTags(tags: Record<string, string>): Promise<void>;
  /** Copies a file to `<artifacts>/<artifactPath>/<basename(localFile)>` (MLflow's `log_artifact`). */
  logArtifact(localFile: string, artifactPath?: string): Promise<void>;
  /** Copies the CONTENTS of a directory, recursively, under `<artifacts>/<artifactPath>/` (`log_artifacts`). */
  logArtifactDir(localDir: string, artifactPath?: string): Promise<void>;
  /** Writes `text` (UTF-8) as the artifact `artifactFile`, e.g. `reports/summary.md` (`log_text`). */
  logText(text: string, artifactFile: string): Promise<void>;
  /** Sets the final status and end time. Any later logging call throws. */
  end(status: EndStatus): Promise<void>;
}

/**
 * A run as read back (from a file store or a server), in one shape for both backends so that pages and
 * tests can show either.
 */
export interface RunRecord {
  runId: string;
  experimentId: string;
  runName: string;
  status: RunStatus;
  startTime: number;
  endTime: number | null;
  userId: string;
  lifecycleStage: 'active' | 'deleted';
  artifactUri: string;
  params: Record<string, string>;
  /** Latest value of each metric, chosen as MLflow does: largest (step, timestamp, value). */
  metrics: Record<string, MetricPoint>;
  tags: Record<string, string>;
}

export interface ExperimentRecord {
  experimentId: string;
  name: string;
  artifactLocation: string;
  lifecycleStage: 'active' | 'deleted';
  creationTime: number | null;
  lastUpdateTime: number | null;
  tags: Record<string, string>;
}

/** One entry of an artifact listing; `path` is relative to the run's artifact root, with `/`. */
export interface ArtifactEntry {
  path: string;
  isDir: boolean;
  /** Bytes; absent for directories. */
  size?: number;
}
