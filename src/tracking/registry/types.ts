/** The model registry as tagsmith uses it: MLflow's registered models, versions, tags and aliases. */

/** One registered model version, whichever backend holds it. */
export interface ModelVersion {
  name: string;
  /** MLflow numbers versions 1, 2, ... per registered model; kept as the string MLflow's APIs use. */
  version: string;
  runId: string;
  /** URI of the version's files: the run's `model/` artifact directory. */
  source: string;
  creationTimestamp: number;
  tags: Record<string, string>;
  aliases: string[];
}

export interface CreateVersionRequest {
  name: string;
  /** The run that logged the model under its `model/` artifacts. */
  runId: string;
  tags?: Record<string, string>;
  description?: string;
}

export interface ModelRegistry {
  readonly kind: 'rest' | 'file';
  readonly uri: string;
  /** Registers the run's `model/` artifacts as the next version of `name` (creating the registered model). */
  createVersion(req: CreateVersionRequest): Promise<ModelVersion>;
  /** Throws when the registered model or the version does not exist. */
  getVersion(name: string, version: string): Promise<ModelVersion>;
  /** The version the alias points to, or undefined when the alias is not set. */
  getVersionByAlias(name: string, alias: string): Promise<ModelVersion | undefined>;
  setAlias(name: string, alias: string, version: string): Promise<void>;
  setVersionTags(name: string, version: string, tags: Record<string, string>): Promise<void>;
  /** Every version of `name`, oldest first ([] when the registered model does not exist). */
  listVersions(name: string): Promise<ModelVersion[]>;
  /** Copies the version's model files into `outDir`; returns their names. */
  downloadFiles(v: ModelVersion, outDir: string): Promise<string[]>;
}

/** Thrown for a missing registered model, version or alias: names it and says how to list what exists. */
export class RegistryLookupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RegistryLookupError';
  }
}
