/**
 * The model registry, beside the tracker and chosen by the same tracking URI rules: an MLflow server
 * (REST) or an MLflow file store (MLflow's own registry layout). On top of the two backends:
 * registering a run's model with the sha256 of each file (version tag `tagsmith.files`), resolving
 * `models:/NAME@ALIAS` / `models:/NAME/VERSION` references, and pulling a version's files checked
 * against those hashes.
 */
import { mkdtempSync, readFileSync, renameSync, rmSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { sha256Hex } from '../../core/hash';
import { UsageError } from '../../node/errors';
import { createTracker, RestTracker, type TrackerOptions } from '..';
import { FileStoreRegistry } from './file-store';
import { RestRegistry } from './rest';
import { RegistryLookupError, type ModelRegistry, type ModelVersion } from './types';

export * from './types';
export { FileStoreRegistry, RestRegistry };

export const DEFAULT_MODEL_NAME = 'tagsmith';
export const DEFAULT_ALIAS = 'champion';
/** Version tag holding `{ file: sha256 }` of every model file, written at registration. */
export const FILES_TAG = 'tagsmith.files';

/** The registry at `uri` (else MLFLOW_TRACKING_URI, else ./mlruns), same URI rules as createTracker. */
export function createRegistry(uri?: string, opts: TrackerOptions = {}): ModelRegistry {
  const tracker = createTracker(uri, opts);
  return tracker instanceof RestTracker ? new RestRegistry(tracker.client) : new FileStoreRegistry(tracker.uri);
}

/** Registers the model files a run logged under `model/`, recording the sha256 of each. */
export async function registerModel(
  registry: ModelRegistry,
  req: { name: string; runId: string; modelDir: string; files: readonly string[]; tags?: Record<string, string> },
): Promise<ModelVersion> {
  const hashes = Object.fromEntries(await Promise.all(req.files.map(async (f) => [f, await sha256Hex(readFileSync(join(req.modelDir, f)))] as const)));
  return registry.createVersion({ name: req.name, runId: req.runId, tags: { ...req.tags, [FILES_TAG]: JSON.stringify(hashes) } });
}

export interface ModelRef {
  name: string;
  alias?: string;
  version?: string;
}

/**
 * Parses MLflow's model URIs `models:/NAME@ALIAS` and `models:/NAME/VERSION`, and the shorthand
 * `registry:ALIAS` (model `tagsmith`). Returns undefined for anything else (a directory).
 */
export function parseModelRef(ref: string): ModelRef | undefined {
  const short = /^registry:([^/@]+)$/.exec(ref);
  if (short) return { name: DEFAULT_MODEL_NAME, alias: short[1] };
  if (!ref.startsWith('models:/') && !ref.startsWith('registry:')) return undefined;
  const m = /^models:\/([^/@]+)(?:@([^/@]+)|\/(\d+))$/.exec(ref);
  if (!m) {
    throw new UsageError(
      `Model reference '${ref}' is not understood: write models:/NAME@ALIAS, models:/NAME/VERSION or registry:ALIAS (e.g. registry:champion).`,
    );
  }
  return m[2] ? { name: m[1], alias: m[2] } : { name: m[1], version: m[3] };
}

/** The version a reference names; throws a RegistryLookupError when the alias is not set. */
export async function resolveVersion(registry: ModelRegistry, ref: ModelRef): Promise<ModelVersion> {
  if (ref.version) return registry.getVersion(ref.name, ref.version);
  const alias = ref.alias ?? DEFAULT_ALIAS;
  const v = await registry.getVersionByAlias(ref.name, alias);
  if (!v) {
    throw new RegistryLookupError(
      `Registered model '${ref.name}' has no alias '${alias}' in ${registry.uri}: promote a version first (tagsmith promote --version N --alias ${alias}).`,
    );
  }
  return v;
}

/**
 * Downloads a version's files into `outDir`, checked against the sha256 recorded at registration:
 * every recorded file must arrive with its hash, and nothing else. Files land in a temporary folder
 * beside `outDir` first, so a failed check leaves `outDir` untouched.
 */
export async function pullVersion(registry: ModelRegistry, v: ModelVersion, outDir: string): Promise<string[]> {
  const raw = v.tags[FILES_TAG];
  if (!raw) throw new Error(`'${v.name}' version ${v.version} has no ${FILES_TAG} tag (not registered by tagsmith): its files cannot be checked.`);
  const expected = JSON.parse(raw) as Record<string, string>;
  const out = resolve(outDir);
  mkdirSync(dirname(out), { recursive: true });
  const tmp = mkdtempSync(join(dirname(out), '.tagsmith-pull-'));
  try {
    const got = await registry.downloadFiles(v, tmp);
    const problems: string[] = [];
    for (const [file, sha] of Object.entries(expected)) {
      if (!got.includes(file)) problems.push(`${file} is missing`);
      else {
        const actual = await sha256Hex(readFileSync(join(tmp, file)));
        if (actual !== sha) problems.push(`${file} has sha256 ${actual}, registered ${sha}`);
      }
    }
    for (const file of got) if (!(file in expected)) problems.push(`${file} was not registered`);
    if (problems.length > 0) {
      throw new Error(`'${v.name}' version ${v.version} (${v.source}) failed its sha256 check, nothing written to ${out}: ${problems.join('; ')}.`);
    }
    mkdirSync(out, { recursive: true });
    for (const file of got) renameSync(join(tmp, file), join(out, file));
    return Object.keys(expected).sort();
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
