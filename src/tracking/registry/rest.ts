/**
 * Model registry on an MLflow server, over its REST API (registered-models, model-versions,
 * aliases). A version's source is the run's `model/` artifact directory, so its files are read back
 * through the run's artifacts.
 */
import { join } from 'node:path';
import { writeFileAtomic } from '../../node/fs-atomic';
import { MlflowApiError } from '../http';
import type { MlflowRestClient } from '../rest-client';
import { RegistryLookupError, type CreateVersionRequest, type ModelRegistry, type ModelVersion } from './types';
import { checkAlias, checkModelName, checkVersion } from './validate';

interface RestModelVersion {
  name: string;
  version: string;
  run_id?: string;
  source?: string;
  creation_timestamp?: number | string;
  tags?: { key: string; value: string }[];
  aliases?: string[];
}

const fromRest = (v: RestModelVersion): ModelVersion => ({
  name: v.name,
  version: String(v.version),
  runId: v.run_id ?? '',
  source: v.source ?? '',
  creationTimestamp: Number(v.creation_timestamp ?? 0),
  tags: Object.fromEntries((v.tags ?? []).map((t) => [t.key, t.value])),
  aliases: v.aliases ?? [],
});

const notFound = (err: unknown) => err instanceof MlflowApiError && (err.errorCode === 'RESOURCE_DOES_NOT_EXIST' || err.status === 404);

export class RestRegistry implements ModelRegistry {
  readonly kind = 'rest' as const;
  /** The tracker's own REST client (same server, same retry policy): runs and registry share it. */
  constructor(readonly client: MlflowRestClient) {}
  get uri(): string {
    return this.client.baseUrl;
  }

  async createVersion(req: CreateVersionRequest): Promise<ModelVersion> {
    checkModelName(req.name);
    const run = await this.client.getRun(req.runId);
    try {
      await this.client.post('registered-models/create', { name: req.name });
    } catch (err) {
      if (!(err instanceof MlflowApiError && err.errorCode === 'RESOURCE_ALREADY_EXISTS')) throw err;
    }
    const r = await this.client.post<{ model_version: RestModelVersion }>('model-versions/create', {
      name: req.name,
      source: `${run.info.artifact_uri.replace(/\/+$/, '')}/model`,
      run_id: req.runId,
      description: req.description,
      tags: Object.entries(req.tags ?? {}).map(([key, value]) => ({ key, value })),
    });
    return fromRest(r.model_version);
  }

  async getVersion(name: string, version: string): Promise<ModelVersion> {
    checkModelName(name);
    checkVersion(version);
    try {
      return fromRest((await this.client.get<{ model_version: RestModelVersion }>('model-versions/get', { name, version })).model_version);
    } catch (err) {
      if (notFound(err)) throw new RegistryLookupError(`Registered model '${name}' has no version ${version} on ${this.uri}.`);
      throw err;
    }
  }

  async getVersionByAlias(name: string, alias: string): Promise<ModelVersion | undefined> {
    checkModelName(name);
    checkAlias(alias);
    try {
      return fromRest((await this.client.get<{ model_version: RestModelVersion }>('registered-models/alias', { name, alias })).model_version);
    } catch (err) {
      // MLflow answers a missing alias with INVALID_PARAMETER_VALUE, a missing model with RESOURCE_DOES_NOT_EXIST.
      if (notFound(err) || (err instanceof MlflowApiError && /alias .* not found/i.test(err.serverMessage))) return undefined;
      throw err;
    }
  }

  async setAlias(name: string, alias: string, version: string): Promise<void> {
    checkAlias(alias);
    await this.getVersion(name, version);
    await this.client.post('registered-models/alias', { name, alias, version });
  }

  async setVersionTags(name: string, version: string, tags: Record<string, string>): Promise<void> {
    for (const [key, value] of Object.entries(tags)) await this.client.post('model-versions/set-tag', { name, version, key, value });
  }

  async listVersions(name: string): Promise<ModelVersion[]> {
    checkModelName(name);
    const out: ModelVersion[] = [];
    let page_token: string | undefined;
    do {
      const r = await this.client.get<{ model_versions?: RestModelVersion[]; next_page_token?: string }>('model-versions/search', {
        filter: `name='${name.replace(/'/g, "\\'")}'`,
        max_results: 1000,
        page_token,
      });
      out.push(...(r.model_versions ?? []).map(fromRest));
      page_token = r.next_page_token || undefined;
    } while (page_token);
    return out.sort((a, b) => Number(a.version) - Number(b.version));
  }

  async downloadFiles(v: ModelVersion, outDir: string): Promise<string[]> {
    const files = await this.client.listArtifactFiles(v.runId, 'model');
    if (files.length === 0) throw new RegistryLookupError(`'${v.name}' version ${v.version}: run ${v.runId} has no model/ artifacts on ${this.uri}.`);
    const names: string[] = [];
    for (const f of files) {
      const name = f.path.slice('model/'.length);
      writeFileAtomic(join(outDir, name), await this.client.downloadArtifact(v.runId, f.path));
      names.push(name);
    }
    return names;
  }
}
