/**
 * What both backends share: input checks, the "already ended" guard, and turning the public Run calls
 * into a few primitive writes (a batch of params/metrics/tags, one artifact file, the final status).
 */
import { readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { EndStatus, MetricPoint, ParamValue, Run } from './types';
import {
  TrackingInputError,
  artifactSubpath,
  checkKey,
  checkMetricPoint,
  checkTagValue,
  paramString,
} from './validate';

export interface KeyedMetric extends MetricPoint {
  key: string;
}
export interface PrimitiveBatch {
  params: { key: string; value: string }[];
  metrics: KeyedMetric[];
  tags: { key: string; value: string }[];
}
/** Where an artifact's bytes come from. */
export type ArtifactSource = { file: string } | { data: Buffer };

/** Every file under `dir`, as paths relative to it with `/`, sorted. */
export function walkFiles(dir: string, prefix = ''): string[] {
  const out: string[] = [];
  for (const e of readdirSync(join(dir, prefix), { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...walkFiles(dir, rel));
    else if (e.isFile() || (e.isSymbolicLink() && statSync(join(dir, rel)).isFile())) out.push(rel);
  }
  return out.sort();
}

export abstract class BaseRun implements Run {
  private ended: EndStatus | undefined;

  constructor(
    readonly runId: string,
    readonly experimentId: string,
    readonly runName: string,
  ) {}

  protected abstract writeBatch(batch: PrimitiveBatch): Promise<void>;
  /** Stores one artifact file at `dest` (relative to the run's artifact root, `/`-separated). */
  protected abstract writeArtifact(dest: string, source: ArtifactSource): Promise<void>;
  protected abstract writeEnd(status: EndStatus, endTime: number): Promise<void>;

  private assertActive(call: string): void {
    if (this.ended) {
      throw new Error(`Run ${this.runId} (${this.runName}) has already ended with ${this.ended}; ${call} is not possible any more.`);
    }
  }

  async logParams(params: Record<string, ParamValue>): Promise<void> {
    this.assertActive('logParams');
    const list = Object.entries(params).map(([key, v]) => {
      checkKey('param', key);
      return { key, value: paramString(key, v) };
    });
    if (list.length) await this.writeBatch({ params: list, metrics: [], tags: [] });
  }

  async logMetrics(metrics: Record<string, number>, step = 0): Promise<void> {
    this.assertActive('logMetrics');
    const timestamp = Date.now();
    const list = Object.entries(metrics).map(([key, value]) => {
      checkKey('metric', key);
      const p = { key, value, step, timestamp };
      checkMetricPoint(key, p);
      return p;
    });
    if (list.length) await this.writeBatch({ params: [], metrics: list, tags: [] });
  }

  async logMetricHistory(key: string, values: { step: number; value: number; timestamp?: number }[]): Promise<void> {
    this.assertActive('logMetricHistory');
    checkKey('metric', key);
    const now = Date.now();
    const list = values.map((v) => {
      const p = { key, step: v.step, value: v.value, timestamp: v.timestamp ?? now };
      checkMetricPoint(key, p);
      return p;
    });
    if (list.length) await this.writeBatch({ params: [], metrics: list, tags: [] });
  }

  async setTags(tags: Record<string, string>): Promise<void> {
    this.assertActive('setTags');
    const list = Object.entries(tags).map(([key, value]) => {
      checkKey('tag', key);
      checkTagValue(key, value);
      return { key, value };
    });
    if (list.length) await this.writeBatch({ params: [], metrics: [], tags: list });
  }

  async logArtifact(localFile: string, artifactPath?: string): Promise<void> {
    this.assertActive('logArtifact');
    const dir = artifactSubpath(artifactPath);
    let isFile = false;
    try {
      isFile = statSync(localFile).isFile();
    } catch {
      throw new TrackingInputError(`Cannot log artifact '${localFile}': no such file.`);
    }
    if (!isFile) {
      throw new TrackingInputError(`Cannot log artifact '${localFile}': not a file (use logArtifactDir for directories).`);
    }
    const name = basename(localFile);
    await this.writeArtifact(dir ? `${dir}/${name}` : name, { file: localFile });
  }

  async logArtifactDir(localDir: string, artifactPath?: string): Promise<void> {
    this.assertActive('logArtifactDir');
    const dir = artifactSubpath(artifactPath);
    let isDir = false;
    try {
      isDir = statSync(localDir).isDirectory();
    } catch {
      throw new TrackingInputError(`Cannot log artifact directory '${localDir}': it does not exist.`);
    }
    if (!isDir) throw new TrackingInputError(`Cannot log artifact directory '${localDir}': not a directory.`);
    for (const rel of walkFiles(localDir)) {
      await this.writeArtifact(dir ? `${dir}/${rel}` : rel, { file: join(localDir, rel) });
    }
  }

  async logText(text: string, artifactFile: string): Promise<void> {
    this.assertActive('logText');
    const dest = artifactSubpath(artifactFile);
    if (!dest) throw new TrackingInputError('logText needs an artifact file name, e.g. "reports/summary.md".');
    await this.writeArtifact(dest, { data: Buffer.from(text, 'utf8') });
  }

  async end(status: EndStatus): Promise<void> {
    this.assertActive('end');
    if (!['FINISHED', 'FAILED', 'KILLED'].includes(status)) {
      throw new TrackingInputError(`Invalid end status '${status}': use FINISHED, FAILED or KILLED.`);
    }
    await this.writeEnd(status, Date.now());
    this.ended = status;
  }
}
