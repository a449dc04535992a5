/**
 * Splits params, metrics and tags into MLflow `runs/log-batch` requests that respect the server's limits:
 * at most 1000 metrics, 100 params, 100 tags, 1000 entities in all, and 1 MB of JSON per request.
 * Order is kept within each kind, so a metric history arrives in the order it was given.
 */
import {
  MAX_BATCH_LOG_REQUEST_SIZE,
  MAX_ENTITIES_PER_BATCH,
  MAX_METRICS_PER_BATCH,
  MAX_PARAMS_TAGS_PER_BATCH,
} from './validate';

/** Metric as MLflow's JSON API takes it; non-finite values are the strings "NaN", "Infinity", "-Infinity". */
export interface RestMetric {
  key: string;
  value: number | string;
  timestamp: number;
  step: number;
}
export interface RestKeyValue {
  key: string;
  value: string;
}
export interface LogBatch {
  metrics: RestMetric[];
  params: RestKeyValue[];
  tags: RestKeyValue[];
}

export interface BatchLimits {
  maxMetrics: number;
  maxParams: number;
  maxTags: number;
  maxEntities: number;
  maxBytes: number;
}

export const MLFLOW_BATCH_LIMITS: BatchLimits = {
  maxMetrics: MAX_METRICS_PER_BATCH,
  maxParams: MAX_PARAMS_TAGS_PER_BATCH,
  maxTags: MAX_PARAMS_TAGS_PER_BATCH,
  maxEntities: MAX_ENTITIES_PER_BATCH,
  // Room for `{"run_id":"...","metrics":[],"params":[],"tags":[]}` around the entities.
  maxBytes: MAX_BATCH_LOG_REQUEST_SIZE - 1024,
};

/** Protobuf-JSON form of a metric value (JSON has no NaN/Infinity literals). */
export function restMetricValue(v: number): number | string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return 'Infinity';
  if (v === -Infinity) return '-Infinity';
  return v;
}

const byteLength = (x: unknown): number => Buffer.byteLength(JSON.stringify(x), 'utf8') + 1; // + comma

/** Packs entities greedily (params first, then metrics, then tags, as MLflow applies them) into batches. */
export function packBatches(all: LogBatch, limits: BatchLimits = MLFLOW_BATCH_LIMITS): LogBatch[] {
  const batches: LogBatch[] = [];
  let cur: LogBatch = { metrics: [], params: [], tags: [] };
  let bytes = 0;
  const count = () => cur.metrics.length + cur.params.length + cur.tags.length;
  const flush = () => {
    if (count() > 0) batches.push(cur);
    cur = { metrics: [], params: [], tags: [] };
    bytes = 0;
  };
  const add = <K extends keyof LogBatch>(kind: K, item: LogBatch[K][number], max: number) => {
    const size = byteLength(item);
    if (size > limits.maxBytes) {
      throw new Error(`A ${kind.slice(0, -1)} of ${size} bytes ('${item.key}') is larger than one MLflow request may be.`);
    }
    if (cur[kind].length >= max || count() >= limits.maxEntities || bytes + size > limits.maxBytes) flush();
    (cur[kind] as LogBatch[K][number][]).push(item);
    bytes += size;
  };
  for (const p of all.params) add('params', p, limits.maxParams);
  for (const m of all.metrics) add('metrics', m, limits.maxMetrics);
  for (const t of all.tags) add('tags', t, limits.maxTags);
  flush();
  return batches;
}
