/**
 * Thin typed client for the MLflow REST API (2.0 paths, served by MLflow 2.x and 3.x): experiments,
 * runs, log-batch, metric history, and artifacts through the server's artifact proxy
 * (`/api/2.0/mlflow-artifacts/artifacts/...`, on by default since MLflow 2.0).
 */
import { packBatches, type LogBatch } from './batch';
import { DEFAULT_RETRY, MlflowApiError, mlflowFetch, type RequestSpec, type RetryOptions } from './http';
import type { ArtifactEntry, ExperimentRecord, MetricPoint, RunRecord, RunStatus } from './types';

interface KeyValue {
  key: string;
  value: string;
}
/** `run.info` as the server returns it. */
export interface RestRunInfo {
  run_id: string;
  run_uuid?: string;
  experiment_id: string;
  run_name?: string;
  user_id?: string;
  status: RunStatus;
  start_time: number;
  end_time?: number;
  artifact_uri: string;
  lifecycle_stage: 'active' | 'deleted';
}
export interface RestMetricOut {
  key: string;
  value: number | string;
  timestamp: number;
  step: number;
}
export interface RestRun {
  info: RestRunInfo;
  data: { metrics?: RestMetricOut[]; params?: KeyValue[]; tags?: KeyValue[] };
}
export interface RestExperiment {
  experiment_id: string;
  name: string;
  artifact_location: string;
  lifecycle_stage: 'active' | 'deleted';
  creation_time?: number;
  last_update_time?: number;
  tags?: KeyValue[];
}

/** Metric value from JSON: protobuf-JSON spells non-finite values as strings. */
export function parseMetricValue(v: number | string): number {
  if (typeof v === 'number') return v;
  if (v === 'NaN') return NaN;
  if (v === 'Infinity') return Infinity;
  if (v === '-Infinity') return -Infinity;
  return Number(v);
}

const toMap = (kvs: KeyValue[] | undefined): Record<string, string> =>
  Object.fromEntries((kvs ?? []).map((t) => [t.key, t.value]));

/** A server run in the backend-independent {@link RunRecord} shape. */
export function runRecordFromRest(run: RestRun): RunRecord {
  const tags = toMap(run.data.tags);
  const metrics: Record<string, MetricPoint> = {};
  for (const m of run.data.metrics ?? []) {
    metrics[m.key] = { step: m.step ?? 0, value: parseMetricValue(m.value), timestamp: m.timestamp };
  }
  return {
    runId: run.info.run_id,
    experimentId: run.info.experiment_id,
    runName: run.info.run_name || tags['mlflow.runName'] || '',
    status: run.info.status,
    startTime: run.info.start_time,
    endTime: run.info.end_time ?? null,
    userId: run.info.user_id ?? '',
    lifecycleStage: run.info.lifecycle_stage,
    artifactUri: run.info.artifact_uri,
    params: toMap(run.data.params),
    metrics,
    tags,
  };
}

export function experimentRecordFromRest(e: RestExperiment): ExperimentRecord {
  return {
    experimentId: e.experiment_id,
    name: e.name,
    artifactLocation: e.artifact_location,
    lifecycleStage: e.lifecycle_stage,
    creationTime: e.creation_time ?? null,
    lastUpdateTime: e.last_update_time ?? null,
    tags: toMap(e.tags),
  };
}

const encodePath = (p: string) => p.split('/').map(encodeURIComponent).join('/');

/**
 * The artifact-proxy path of a run's artifact root, from its `artifact_uri`:
 * `mlflow-artifacts:/1/<run>/artifacts` or `mlflow-artifacts://host:port/1/<run>/artifacts` ->
 * `1/<run>/artifacts`. Throws when the server does not proxy artifacts (e.g. a local path or s3://).
 */
export function proxyArtifactRoot(artifactUri: string, baseUrl: string): string {
  const m = /^mlflow-artifacts:(?:\/\/[^/]*)?\/*(.*)$/.exec(artifactUri);
  if (!m) {
    throw new Error(
      `MLflow server ${baseUrl} gave the run an artifact URI '${artifactUri}' that is not served through its ` +
        `artifact proxy, so artifacts cannot be uploaded over HTTP. Start the server with artifact serving on ` +
        `(the default; with --artifacts-destination DIR, not --default-artifact-root or --no-serve-artifacts).`,
    );
  }
  return m[1].replace(/\/+$/, '');
}

export class MlflowRestClient {
  readonly baseUrl: string;
  private readonly retry: Required<RetryOptions>;

  constructor(baseUrl: string, retry: RetryOptions = {}) {
    this.baseUrl = baseUrl.replace(/\/+$/, '');
    this.retry = { ...DEFAULT_RETRY, ...retry };
  }

  private async json<T>(spec: RequestSpec): Promise<T> {
    const res = await mlflowFetch(this.baseUrl, spec, this.retry);
    const text = await res.text();
    return (text ? JSON.parse(text) : {}) as T;
  }
  get<T>(api: string, query: Record<string, string | number | undefined>): Promise<T> {
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v !== undefined) qs.set(k, String(v));
    return this.json<T>({ method: 'GET', path: `/api/2.0/mlflow/${api}?${qs}` });
  }
  post<T>(api: string, body: unknown): Promise<T> {
    return this.json<T>({ method: 'POST', path: `/api/2.0/mlflow/${api}`, json: body });
  }

  // ---- experiments ----

  /** The experiment with this name (active or deleted), or undefined. */
  async getExperimentByName(name: string): Promise<RestExperiment | undefined> {
    try {
      const r = await this.get<{ experiment: RestExperiment }>('experiments/get-by-name', { experiment_name: name });
      return r.experiment;
    } catch (err) {
      if (err instanceof MlflowApiError && err.errorCode === 'RESOURCE_DOES_NOT_EXIST') return undefined;
      throw err;
    }
  }
  async createExperiment(name: string): Promise<string> {
    const r = await this.post<{ experiment_id: string }>('experiments/create', { name });
    return r.experiment_id;
  }
  /** All active experiments (follows pagination). */
  async searchExperiments(filter?: string): Promise<RestExperiment[]> {
    const out: RestExperiment[] = [];
    let page_token: string | undefined;
    do {
      const r = await this.post<{ experiments?: RestExperiment[]; next_page_token?: string }>('experiments/search', {
        max_results: 1000,
        filter,
        page_token,
      });
      out.push(...(r.experiments ?? []));
      page_token = r.next_page_token || undefined;
    } while (page_token);
    return out;
  }

  // ---- runs ----

  async createRun(req: {
    experimentId: string;
    runName: string;
    userId: string;
    startTime: number;
    tags: Record<string, string>;
  }): Promise<RestRun> {
    const r = await this.post<{ run: RestRun }>('runs/create', {
      experiment_id: req.experimentId,
      run_name: req.runName,
      user_id: req.userId,
      start_time: req.startTime,
      tags: Object.entries(req.tags).map(([key, value]) => ({ key, value })),
    });
    return r.run;
  }
  async getRun(runId: string): Promise<RestRun> {
    return (await this.get<{ run: RestRun }>('runs/get', { run_id: runId })).run;
  }
  async updateRun(runId: string, status: RunStatus, endTime?: number): Promise<RestRunInfo> {
    const r = await this.post<{ run_info: RestRunInfo }>('runs/update', { run_id: runId, status, end_time: endTime });
    return r.run_info;
  }
  /** Runs of the given experiments, newest first (follows pagination). */
  async searchRuns(experimentIds: string[], filter?: string, maxResults = Infinity): Promise<RestRun[]> {
    const out: RestRun[] = [];
    let page_token: string | undefined;
    do {
      const r = await this.post<{ runs?: RestRun[]; next_page_token?: string }>('runs/search', {
        experiment_ids: experimentIds,
        filter,
        max_results: Math.min(1000, maxResults - out.length),
        order_by: ['attributes.start_time DESC'],
        page_token,
      });
      out.push(...(r.runs ?? []));
      page_token = r.next_page_token || undefined;
    } while (page_token && out.length < maxResults);
    return out;
  }
  /** Sends params, metrics and tags in as many log-batch calls as MLflow's limits require. */
  async logBatch(runId: string, all: LogBatch): Promise<void> {
    for (const b of packBatches(all)) await this.post('runs/log-batch', { run_id: runId, ...b });
  }
  /** Every logged value of one metric, in logging order (follows pagination). */
  async getMetricHistory(runId: string, key: string): Promise<MetricPoint[]> {
    const out: MetricPoint[] = [];
    let page_token: string | undefined;
    do {
      const r = await this.get<{ metrics?: RestMetricOut[]; next_page_token?: string }>('metrics/get-history', {
        run_id: runId,
        metric_key: key,
        max_results: 25000,
        page_token,
      });
      for (const m of r.metrics ?? []) {
        out.push({ step: m.step ?? 0, value: parseMetricValue(m.value), timestamp: m.timestamp });
      }
      page_token = r.next_page_token || undefined;
    } while (page_token);
    return out;
  }

  // ---- artifacts ----

  /** One directory level of a run's artifacts (`path` '' for the root). */
  async listArtifacts(runId: string, path = ''): Promise<ArtifactEntry[]> {
    const r = await this.get<{ files?: { path: string; is_dir: boolean; file_size?: number | string }[] }>(
      'artifacts/list',
      { run_id: runId, path: path || undefined },
    );
    return (r.files ?? []).map((f) => ({
      path: f.path,
      isDir: f.is_dir,
      ...(f.is_dir ? {} : { size: Number(f.file_size ?? 0) }),
    }));
  }
  /** Every artifact file of a run, recursively, sorted by path. */
  async listArtifactFiles(runId: string, path = ''): Promise<ArtifactEntry[]> {
    const out: ArtifactEntry[] = [];
    for (const e of await this.listArtifacts(runId, path)) {
      if (e.isDir) out.push(...(await this.listArtifactFiles(runId, e.path)));
      else out.push(e);
    }
    return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }
  /** Uploads bytes as `<run artifact root>/<artifactPath>` through the artifact proxy. */
  async uploadArtifact(artifactUri: string, artifactPath: string, data: Uint8Array): Promise<void> {
    const root = proxyArtifactRoot(artifactUri, this.baseUrl);
    const path = `/api/2.0/mlflow-artifacts/artifacts/${encodePath(root)}/${encodePath(artifactPath)}`;
    await mlflowFetch(this.baseUrl, { method: 'PUT', path, body: data }, this.retry).then((r) => r.arrayBuffer());
  }
  /** Downloads one artifact file of a run. */
  async downloadArtifact(runId: string, artifactPath: string): Promise<Buffer> {
    const path = `/get-artifact?${new URLSearchParams({ run_id: runId, path: artifactPath })}`;
    const res = await mlflowFetch(this.baseUrl, { method: 'GET', path }, this.retry);
    return Buffer.from(await res.arrayBuffer());
  }
}
