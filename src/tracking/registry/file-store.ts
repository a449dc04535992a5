/**
 * Model registry inside an MLflow file store, in the layout of MLflow's own registry FileStore
 * (mlflow/store/model_registry/file_store.py, MLflow 3.x), so `mlflow ui` and MlflowClient read it
 * (with MLFLOW_ALLOW_FILE_STORE=true):
 *
 *   <store>/models/<name>/meta.yaml                  name, timestamps, description, aliases map
 *   <store>/models/<name>/aliases/<alias>            the version number, as text
 *   <store>/models/<name>/version-<n>/meta.yaml      source, run_id, status READY, current_stage None
 *   <store>/models/<name>/version-<n>/tags/<key>     raw value
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { atomicWrite, toYaml } from '../file-store';
import { MODELS_FOLDER, experimentDirs, readKeyFiles, readMeta } from '../file-store-reader';
import { RegistryLookupError, type CreateVersionRequest, type ModelRegistry, type ModelVersion } from './types';
import { checkAlias, checkModelName, checkVersion } from './validate';

export class FileStoreRegistry implements ModelRegistry {
  readonly kind = 'file' as const;

  constructor(readonly uri: string) {}

  private modelDir(name: string): string {
    checkModelName(name);
    return join(this.uri, MODELS_FOLDER, name);
  }
  private versionDir(name: string, version: string): string {
    checkVersion(version);
    return join(this.modelDir(name), `version-${version}`);
  }
  private aliases(name: string): Record<string, string> {
    return readKeyFiles(join(this.modelDir(name), 'aliases'));
  }
  /** Rewrites the registered model's meta.yaml (MLflow does so on every change: timestamp, aliases). */
  private touchModel(name: string, created?: number): void {
    const dir = this.modelDir(name);
    const now = Date.now();
    const old = readMeta(dir);
    atomicWrite(
      join(dir, 'meta.yaml'),
      toYaml({
        aliases: this.aliases(name),
        creation_timestamp: created ?? old?.creation_timestamp ?? now,
        deployment_job_id: null,
        deployment_job_state: null,
        description: old?.description ?? null,
        last_updated_timestamp: now,
        name,
        workspace: 'default',
      }),
      dir,
    );
  }

  /** The run's artifact URI from its meta.yaml, whichever experiment holds it. */
  private runArtifactUri(runId: string): string {
    for (const exp of experimentDirs(this.uri, false)) {
      const meta = readMeta(join(exp, runId));
      if (meta?.artifact_uri) return String(meta.artifact_uri).replace(/\/+$/, '');
    }
    throw new RegistryLookupError(`Run ${runId} is not in the file store ${this.uri}: register runs of this store only.`);
  }

  async createVersion(req: CreateVersionRequest): Promise<ModelVersion> {
    const dir = this.modelDir(req.name);
    const source = `${this.runArtifactUri(req.runId)}/model`;
    if (!existsSync(join(dir, 'meta.yaml'))) {
      mkdirSync(dir, { recursive: true });
      this.touchModel(req.name, Date.now());
    }
    const numbers = (await this.listVersions(req.name)).map((v) => Number(v.version));
    const version = String(Math.max(0, ...numbers) + 1);
    const vdir = this.versionDir(req.name, version);
    // mkdir without recursive fails if a concurrent registration took the number: no silent overwrite.
    mkdirSync(vdir);
    const now = Date.now();
    atomicWrite(
      join(vdir, 'meta.yaml'),
      toYaml({
        creation_timestamp: now,
        current_stage: 'None',
        deployment_job_state: null,
        description: req.description ?? null,
        last_updated_timestamp: now,
        model_id: null,
        name: req.name,
        run_id: req.runId,
        run_link: null,
        source,
        status: 'READY',
        status_message: null,
        storage_location: source,
        user_id: null,
        version: Number(version),
        workspace: 'default',
      }),
      vdir,
    );
    await this.setVersionTags(req.name, version, req.tags ?? {});
    return this.getVersion(req.name, version);
  }

  async getVersion(name: string, version: string): Promise<ModelVersion> {
    const vdir = this.versionDir(name, version);
    const meta = readMeta(vdir);
    if (!meta) {
      throw new RegistryLookupError(
        `Registered model '${name}' has no version ${version} in ${this.uri} (see ${join(this.modelDir(name))}).`,
      );
    }
    const aliases = Object.entries(this.aliases(name))
      .filter(([, v]) => v.trim() === version)
      .map(([a]) => a);
    return {
      name,
      version,
      runId: String(meta.run_id ?? ''),
      source: String(meta.source ?? ''),
      creationTimestamp: Number(meta.creation_timestamp ?? 0),
      tags: readKeyFiles(join(vdir, 'tags')),
      aliases,
    };
  }

  async getVersionByAlias(name: string, alias: string): Promise<ModelVersion | undefined> {
    checkAlias(alias);
    const version = this.aliases(name)[alias]?.trim();
    return version ? this.getVersion(name, version) : undefined;
  }

  async setAlias(name: string, alias: string, version: string): Promise<void> {
    checkAlias(alias);
    await this.getVersion(name, version);
    const dir = this.modelDir(name);
    atomicWrite(join(dir, 'aliases', alias), version, dir);
    this.touchModel(name);
  }

  async setVersionTags(name: string, version: string, tags: Record<string, string>): Promise<void> {
    const vdir = this.versionDir(name, version);
    for (const [key, value] of Object.entries(tags)) atomicWrite(join(vdir, 'tags', key), value, vdir);
    if (Object.keys(tags).length > 0) this.touchModel(name);
  }

  async listVersions(name: string): Promise<ModelVersion[]> {
    const dir = this.modelDir(name);
    if (!existsSync(dir)) return [];
    const numbers = readdirSync(dir)
      .map((d) => /^version-(\d+)$/.exec(d)?.[1])
      .filter((n): n is string => n !== undefined)
      .sort((a, b) => Number(a) - Number(b));
    return Promise.all(numbers.map((n) => this.getVersion(name, n)));
  }

  async downloadFiles(v: ModelVersion, outDir: string): Promise<string[]> {
    if (!v.source.startsWith('file:')) {
      throw new Error(`Version ${v.version} of '${v.name}' has source ${v.source}, not a local file URI: it cannot be read from this file store.`);
    }
    const src = fileURLToPath(v.source);
    if (!existsSync(src)) throw new RegistryLookupError(`The files of '${v.name}' version ${v.version} are gone: ${src} does not exist.`);
    mkdirSync(outDir, { recursive: true });
    const names = readdirSync(src, { withFileTypes: true }).filter((e) => e.isFile()).map((e) => e.name);
    for (const n of names) copyFileSync(join(src, n), join(outDir, n));
    return names.sort();
  }
}
