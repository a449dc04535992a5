/**
 * Tracker that writes an MLflow file store (`mlruns/`) directly, in the layout MLflow's FileStore
 * (mlflow/store/tracking/file_store.py, checked against MLflow 3.17) writes and reads, so
 * `mlflow ui --backend-store-uri ./mlruns` or `mlflow.search_runs()` can show tagsmith's runs:
 *
 *   mlruns/0/meta.yaml                          experiment "Default", made when the store is created
 *   mlruns/.trash/                              deleted experiments
 *   mlruns/<exp_id>/meta.yaml                   exp ids: random 18-digit ints, as MLflow assigns them
 *   mlruns/<exp_id>/<run_id>/meta.yaml          status as int (1 RUNNING, 3 FINISHED, 4 FAILED, 5 KILLED)
 *   mlruns/<exp_id>/<run_id>/params/<key>       raw value, write-once
 *   mlruns/<exp_id>/<run_id>/metrics/<key>      "<timestamp_ms> <value> <step>" lines, appended
 *   mlruns/<exp_id>/<run_id>/tags/<key>         raw value
 *   mlruns/<exp_id>/<run_id>/artifacts/...
 *
 * Files that get rewritten (meta.yaml, params, tags, text artifacts) are written to a temporary file in
 * the run or experiment directory (which MLflow's reader ignores) and renamed into place.
 * Hand-written rather than spawning Python: the pipeline must not need MLflow installed to track runs.
 */
import { writeFileAtomic } from '../node/fs-atomic';
import { randomInt, randomUUID } from 'node:crypto';
import {
  appendFileSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
} from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { stringify as stringifyYaml } from 'yaml';
import { BaseRun, type ArtifactSource, type PrimitiveBatch } from './base-run';
import { checkedRunContext, TAG_RUN_NAME } from './context';
import {
  META_FILE,
  RUN_STATUS_CODES,
  TRASH_FOLDER,
  experimentDirs,
  readExperiment,
  readMeta,
} from './file-store-reader';
import type { EndStatus, Run, StartRunOptions, Tracker } from './types';
import { TrackingInputError, checkExperimentName, pythonFloatRepr } from './validate';

export const DEFAULT_EXPERIMENT_ID = '0';
export const DEFAULT_EXPERIMENT_NAME = 'Default';
/** MLflow's SourceType.LOCAL, stored in run meta.yaml. */
const SOURCE_TYPE_LOCAL = 4;
const EXPERIMENT_ID_WIDTH = 18;

/**
 * A new experiment id the way MLflow's file store makes one (`_generate_unique_integer_id`): the last 18
 * decimal digits of a random UUID, with one random digit appended per leading zero so it stays 18 digits.
 */
export function generateExperimentId(): string {
  const big = BigInt(`0x${randomUUID().replace(/-/g, '')}`);
  const digits = big.toString().slice(-EXPERIMENT_ID_WIDTH);
  let s = digits;
  for (const ch of digits) {
    if (ch !== '0') break;
    s += String(randomInt(0, 10));
  }
  return BigInt(s).toString();
}

/** Writes `data` to `target` through a temporary file in `tmpDir` (same filesystem) and a rename. */
export function atomicWrite(target: string, data: string | Uint8Array, tmpDir: string): void {
  writeFileAtomic(target, data, tmpDir);
}

/** YAML as MLflow writes it (PyYAML safe_dump, block style, sorted keys). */
export function toYaml(data: Record<string, unknown>): string {
  return stringifyYaml(data, { sortMapEntries: true, singleQuote: true, lineWidth: 0 });
}

class FileRun extends BaseRun {
  constructor(
    private readonly runDir: string,
    runId: string,
    experimentId: string,
    runName: string,
    private readonly artifactDir: string,
  ) {
    super(runId, experimentId, runName);
  }

  private meta(): Record<string, unknown> {
    const meta = readMeta(this.runDir);
    if (!meta) throw new Error(`Run ${this.runId}: ${join(this.runDir, META_FILE)} is missing or empty.`);
    return meta;
  }
  private writeMeta(meta: Record<string, unknown>): void {
    atomicWrite(join(this.runDir, META_FILE), toYaml(meta), this.runDir);
  }

  protected async writeBatch(b: PrimitiveBatch): Promise<void> {
    for (const p of b.params) {
      const file = join(this.runDir, 'params', p.key);
      if (existsSync(file)) {
        const current = readFileSync(file, 'utf8');
        if (current !== p.value) {
          // MLflow's own message (FileStore._validate_new_param_value).
          throw new TrackingInputError(
            `Changing param values is not allowed. Param with key='${p.key}' was already logged with ` +
              `value='${current}' for run ID='${this.runId}'. Attempted logging new value '${p.value}'.`,
          );
        }
        continue;
      }
      atomicWrite(file, p.value, this.runDir);
    }
    const byKey = new Map<string, string[]>();
    for (const m of b.metrics) {
      const lines = byKey.get(m.key) ?? [];
      lines.push(`${m.timestamp} ${pythonFloatRepr(m.value)} ${m.step}\n`);
      byKey.set(m.key, lines);
    }
    for (const [key, lines] of byKey) {
      const file = join(this.runDir, 'metrics', key);
      mkdirSync(dirname(file), { recursive: true });
      appendFileSync(file, lines.join(''));
    }
    for (const t of b.tags) {
      atomicWrite(join(this.runDir, 'tags', t.key), t.value, this.runDir);
      // MLflow keeps meta.yaml's run_name in step with the mlflow.runName tag.
      if (t.key === TAG_RUN_NAME) this.writeMeta({ ...this.meta(), run_name: t.value });
    }
  }

  protected async writeArtifact(dest: string, source: ArtifactSource): Promise<void> {
    const target = join(this.artifactDir, ...dest.split('/'));
    mkdirSync(dirname(target), { recursive: true });
    if ('file' in source) copyFileSync(source.file, target);
    else atomicWrite(target, source.data, this.runDir);
  }

  protected async writeEnd(status: EndStatus, endTime: number): Promise<void> {
    const { deleted_time: _ignored, ...meta } = this.meta();
    this.writeMeta({ ...meta, status: RUN_STATUS_CODES[status], end_time: endTime });
  }
}

export class FileStoreTracker implements Tracker {
  readonly kind = 'file' as const;
  /** Absolute path of the store's root directory. */
  readonly uri: string;

  constructor(root: string) {
    this.uri = resolve(root);
  }

  private get trash(): string {
    return join(this.uri, TRASH_FOLDER);
  }

  /** Creates the root with experiment 0 "Default" and `.trash`, as MLflow's FileStore does on first use. */
  private ensureRoot(): void {
    if (!existsSync(this.uri)) {
      mkdirSync(this.uri, { recursive: true });
      this.writeExperiment(DEFAULT_EXPERIMENT_ID, DEFAULT_EXPERIMENT_NAME);
    }
    mkdirSync(this.trash, { recursive: true });
  }

  private writeExperiment(id: string, name: string): void {
    const dir = join(this.uri, id);
    mkdirSync(dir);
    const now = Date.now();
    atomicWrite(
      join(dir, META_FILE),
      toYaml({
        artifact_location: pathToFileURL(dir).href,
        creation_time: now,
        // Fields MLflow 3.x writes; older readers ignore unknown keys.
        effective_trace_archival_retention: null,
        experiment_id: id,
        last_update_time: now,
        lifecycle_stage: 'active',
        name,
        trace_location: null,
        workspace: 'default',
      }),
      dir,
    );
  }

  /** Id of the named experiment, created when missing. */
  experimentId(name: string): string {
    checkExperimentName(name);
    this.ensureRoot();
    for (const dir of experimentDirs(this.uri, true)) {
      const exp = readExperiment(dir);
      if (typeof exp === 'string' || exp.name !== name) continue;
      if (exp.lifecycleStage === 'deleted' || dir.startsWith(this.trash)) {
        throw new Error(
          `Experiment '${name}' already exists in deleted state in ${this.uri}: restore it, or remove it from ` +
            `${this.trash}, or use another experiment name.`,
        );
      }
      return exp.experimentId;
    }
    let id = generateExperimentId();
    while (existsSync(join(this.uri, id)) || existsSync(join(this.trash, id))) id = generateExperimentId();
    this.writeExperiment(id, name);
    return id;
  }

  async startRun(opts: StartRunOptions): Promise<Run> {
    const ctx = checkedRunContext(opts.runName, opts.tags);
    const experimentId = this.experimentId(opts.experiment);
    const expDir = join(this.uri, experimentId);
    const expMeta = readMeta(expDir);
    const runId = randomUUID().replace(/-/g, '');
    const runDir = join(expDir, runId);
    const artifactLocation = String(expMeta?.artifact_location || pathToFileURL(expDir).href).replace(/\/+$/, '');
    const artifactUri = `${artifactLocation}/${runId}/artifacts`;
    mkdirSync(runDir);
    atomicWrite(
      join(runDir, META_FILE),
      toYaml({
        artifact_uri: artifactUri,
        deleted_time: null,
        end_time: null,
        entry_point_name: '',
        experiment_id: experimentId,
        lifecycle_stage: 'active',
        run_id: runId,
        run_name: ctx.runName,
        // MLflow >= 1.x reads run_id; run_uuid is kept for older readers (newer ones ignore it).
        run_uuid: runId,
        source_name: '',
        source_type: SOURCE_TYPE_LOCAL,
        source_version: '',
        start_time: Date.now(),
        status: RUN_STATUS_CODES.RUNNING,
        tags: [],
        user_id: ctx.user,
      }),
      runDir,
    );
    for (const sub of ['metrics', 'params', 'artifacts']) mkdirSync(join(runDir, sub));
    for (const [key, value] of Object.entries(ctx.tags)) atomicWrite(join(runDir, 'tags', key), value, runDir);
    // Artifacts go where artifact_uri says (an experiment made by MLflow may have its own location).
    const artifactDir = artifactUri.startsWith('file:') ? fileURLToPath(artifactUri) : join(runDir, 'artifacts');
    return new FileRun(runDir, runId, experimentId, ctx.runName, artifactDir);
  }
}
