/**
 * Reads an MLflow file store (`mlruns/`) following MLflow's own rules (mlflow/store/tracking/file_store.py):
 *
 * - experiments are the sub-directories of the root with a `meta.yaml` (not `.trash`, which holds deleted
 *   experiments, nor `models`, the model registry); one whose meta `experiment_id` differs from its folder
 *   name is ignored;
 * - runs are the sub-directories of an experiment other than `tags`, `datasets`, `traces` and `models`,
 *   with a `meta.yaml` whose `experiment_id` matches; `status` is an int (1 RUNNING ... 5 KILLED);
 * - `params/<key>` and `tags/<key>` hold the raw value (keys may contain `/`: nested files);
 * - `metrics/<key>` holds one `<timestamp_ms> <value> <step>` line per logged value (older files have no
 *   step, newer ones may add dataset name and digest); the "latest" value is the largest
 *   (step, timestamp, value), as MLflow picks it;
 * - artifacts are under the run's `artifact_uri` (a `file://` URI), or `<run>/artifacts` when that URI
 *   points elsewhere (a store that was moved).
 *
 * Used by tests and by pages that show runs without an MLflow server.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { walkFiles } from './base-run';
import type { ArtifactEntry, ExperimentRecord, MetricPoint, RunRecord, RunStatus } from './types';

export const TRASH_FOLDER = '.trash';
export const META_FILE = 'meta.yaml';
/** Folders of an experiment directory that are not runs. */
export const RESERVED_EXPERIMENT_FOLDERS = ['tags', 'datasets', 'traces', 'models'];
/** Folder of the root directory used by the model registry, not an experiment. */
export const MODELS_FOLDER = 'models';

/** MLflow's RunStatus enum as stored in run meta.yaml files. */
export const RUN_STATUS_CODES: Record<RunStatus, number> = {
  RUNNING: 1,
  SCHEDULED: 2,
  FINISHED: 3,
  FAILED: 4,
  KILLED: 5,
};
const STATUS_BY_CODE = Object.fromEntries(Object.entries(RUN_STATUS_CODES).map(([k, v]) => [v, k])) as Record<
  number,
  RunStatus
>;

export interface FileRunRecord extends RunRecord {
  /** Absolute path of the run directory. */
  runDir: string;
  /** Every logged value of each metric, in file order (logging order). */
  metricHistory: Record<string, MetricPoint[]>;
  /** Artifact files (recursive), sorted by path. */
  artifacts: ArtifactEntry[];
  /** Absolute path of the directory holding the artifacts. */
  artifactDir: string;
}
export interface FileExperimentRecord extends ExperimentRecord {
  experimentDir: string;
  /** Runs, newest first (MLflow's default order: start_time DESC, then run_id). */
  runs: FileRunRecord[];
}
export interface FileStoreSnapshot {
  root: string;
  /** Experiments, newest first (MLflow's default order: creation_time DESC, then experiment_id). */
  experiments: FileExperimentRecord[];
  /** Folders skipped as malformed, with the reason (MLflow logs these and goes on). */
  warnings: string[];
}

export interface ReadOptions {
  /** Include deleted experiments (in `.trash`) and deleted runs. Default false, like MLflow's ACTIVE_ONLY. */
  includeDeleted?: boolean;
  /** Read every metric file line (histories). Default true. */
  histories?: boolean;
}

/** Parses a float as Python's float() does for what MLflow writes ("nan", "inf", "-inf", "1e-05"). */
export function parsePythonFloat(s: string): number {
  const t = s.trim().toLowerCase();
  if (t === 'nan' || t === '+nan' || t === '-nan') return NaN;
  if (t === 'inf' || t === '+inf' || t === 'infinity' || t === '+infinity') return Infinity;
  if (t === '-inf' || t === '-infinity') return -Infinity;
  const v = Number(t);
  if (t === '' || Number.isNaN(v)) throw new Error(`not a number: '${s}'`);
  return v;
}

/** One line of a metric file. */
export function parseMetricLine(line: string, where: string): MetricPoint {
  const parts = line.trim().split(' ');
  if (parts.length !== 2 && parts.length !== 3 && parts.length !== 5) {
    throw new Error(`Metric file ${where} is malformed: a line has ${parts.length} fields, expected 2, 3 or 5.`);
  }
  const timestamp = Number.parseInt(parts[0], 10);
  const step = parts.length >= 3 ? Number.parseInt(parts[2], 10) : 0;
  if (!Number.isFinite(timestamp) || !Number.isFinite(step)) {
    throw new Error(`Metric file ${where} is malformed: bad timestamp or step in '${line.trim()}'.`);
  }
  return { timestamp, value: parsePythonFloat(parts[1]), step };
}

/** The latest metric value as MLflow chooses it: max by (step, timestamp, value). */
export function latestMetric(points: MetricPoint[]): MetricPoint {
  let best = points[0];
  for (const p of points.slice(1)) {
    if (
      p.step > best.step ||
      (p.step === best.step && (p.timestamp > best.timestamp || (p.timestamp === best.timestamp && p.value > best.value)))
    ) {
      best = p;
    }
  }
  return best;
}

function subdirs(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name);
}

/** Reads a meta.yaml as a plain object; undefined when missing or empty (MLflow: MissingConfigException). */
export function readMeta(dir: string): Record<string, unknown> | undefined {
  const file = join(dir, META_FILE);
  if (!existsSync(file)) return undefined;
  const data = parseYaml(readFileSync(file, 'utf8')) as unknown;
  return data && typeof data === 'object' ? (data as Record<string, unknown>) : undefined;
}

/** `{ key: content }` for every file under `dir` (keys with `/` for nested files). */
export function readKeyFiles(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (!existsSync(dir)) return out;
  for (const rel of walkFiles(dir)) out[rel] = readFileSync(join(dir, rel), 'utf8');
  return out;
}

const num = (v: unknown): number | null => (v === null || v === undefined || v === '' ? null : Number(v));

/** Directories of the experiments in the store (active, and deleted ones when asked). */
export function experimentDirs(root: string, includeDeleted: boolean): string[] {
  const active = subdirs(root)
    .filter((d) => !d.endsWith(TRASH_FOLDER) && d !== MODELS_FOLDER)
    .map((d) => join(root, d));
  const deleted = includeDeleted ? subdirs(join(root, TRASH_FOLDER)).map((d) => join(root, TRASH_FOLDER, d)) : [];
  return [...active, ...deleted];
}

/** The experiment in `dir`, or a reason it is not one. */
export function readExperiment(dir: string): ExperimentRecord | string {
  const id = dir.split(/[\\/]/).pop() as string;
  const meta = readMeta(dir);
  if (!meta) return `Malformed experiment '${id}': no ${META_FILE} in ${dir}`;
  if (String(meta.experiment_id) !== id) {
    return `Experiment ID mismatch for '${id}': recorded as '${String(meta.experiment_id)}' in ${META_FILE}; ignored`;
  }
  return {
    experimentId: id,
    name: String(meta.name ?? ''),
    artifactLocation: String(meta.artifact_location ?? ''),
    lifecycleStage: meta.lifecycle_stage === 'deleted' ? 'deleted' : 'active',
    creationTime: num(meta.creation_time),
    lastUpdateTime: num(meta.last_update_time),
    tags: readKeyFiles(join(dir, 'tags')),
  };
}

/** Directory holding a run's artifacts: its file:// artifact_uri if that exists, else `<run>/artifacts`. */
function artifactDirOf(runDir: string, artifactUri: string): string {
  try {
    const p = artifactUri.startsWith('file:') ? fileURLToPath(artifactUri) : artifactUri;
    if (p && existsSync(p) && statSync(p).isDirectory()) return p;
  } catch {
    /* not a local URI */
  }
  return join(runDir, 'artifacts');
}

/** The run in `runDir` of experiment `experimentId`, or a reason it is not one. */
export function readRun(runDir: string, experimentId: string, opts: ReadOptions = {}): FileRunRecord | string {
  const dirName = runDir.split(/[\\/]/).pop() as string;
  const meta = readMeta(runDir);
  if (!meta) return `Malformed run '${dirName}': no ${META_FILE}`;
  const runId = String(meta.run_id ?? meta.run_uuid ?? '');
  if (String(meta.experiment_id) !== experimentId) {
    return `Wrong experiment ID (${String(meta.experiment_id)}) recorded for run '${runId}'; it should be ${experimentId}; ignored`;
  }
  if (runId !== dirName) return `Run '${dirName}' metadata is in invalid state: run_id '${runId}' differs; ignored`;
  const status = STATUS_BY_CODE[Number(meta.status ?? 1)] ?? 'RUNNING';
  const params = readKeyFiles(join(runDir, 'params'));
  const tags = readKeyFiles(join(runDir, 'tags'));
  const metrics: Record<string, MetricPoint> = {};
  const metricHistory: Record<string, MetricPoint[]> = {};
  const metricsDir = join(runDir, 'metrics');
  for (const key of existsSync(metricsDir) ? walkFiles(metricsDir) : []) {
    const lines = readFileSync(join(metricsDir, key), 'utf8').split('\n').filter((l) => l.trim() !== '');
    if (lines.length === 0) throw new Error(`Metric '${key}' of run ${runId} is malformed: no data found.`);
    const points = lines.map((l) => parseMetricLine(l, join(metricsDir, key)));
    metrics[key] = latestMetric(points);
    if (opts.histories !== false) metricHistory[key] = points;
  }
  const artifactUri = String(meta.artifact_uri ?? '');
  const artifactDir = artifactDirOf(runDir, artifactUri);
  const artifacts: ArtifactEntry[] = existsSync(artifactDir)
    ? walkFiles(artifactDir).map((p) => ({ path: p, isDir: false, size: statSync(join(artifactDir, p)).size }))
    : [];
  return {
    runId,
    experimentId,
    runName: String(meta.run_name || tags['mlflow.runName'] || ''),
    status,
    startTime: Number(meta.start_time),
    endTime: num(meta.end_time),
    userId: String(meta.user_id ?? ''),
    lifecycleStage: meta.lifecycle_stage === 'deleted' ? 'deleted' : 'active',
    artifactUri,
    params,
    metrics,
    tags,
    runDir,
    metricHistory,
    artifacts,
    artifactDir,
  };
}

/** Reads the whole store. Throws when `root` is not a directory. */
export function readFileStore(root: string, opts: ReadOptions = {}): FileStoreSnapshot {
  if (!existsSync(root) || !statSync(root).isDirectory()) {
    throw new Error(`MLflow file store '${root}' does not exist or is not a directory.`);
  }
  const warnings: string[] = [];
  const experiments: FileExperimentRecord[] = [];
  for (const dir of experimentDirs(root, opts.includeDeleted ?? false)) {
    const exp = readExperiment(dir);
    if (typeof exp === 'string') {
      warnings.push(exp);
      continue;
    }
    if (exp.lifecycleStage === 'deleted' && !opts.includeDeleted) continue;
    const runs: FileRunRecord[] = [];
    for (const d of subdirs(dir).filter((n) => !RESERVED_EXPERIMENT_FOLDERS.includes(n))) {
      const run = readRun(join(dir, d), exp.experimentId, opts);
      if (typeof run === 'string') warnings.push(run);
      else if (run.lifecycleStage === 'active' || opts.includeDeleted) runs.push(run);
    }
    runs.sort((a, b) => b.startTime - a.startTime || (a.runId < b.runId ? -1 : 1));
    experiments.push({ ...exp, experimentDir: dir, runs });
  }
  experiments.sort(
    (a, b) => (b.creationTime ?? 0) - (a.creationTime ?? 0) || (a.experimentId < b.experimentId ? -1 : 1),
  );
  return { root, experiments, warnings };
}
