/**
 * Which model a build ships: a directory (default models/) or a registry version, named by
 * `models:/NAME@ALIAS`, `models:/NAME/VERSION` or `registry:ALIAS` (from a flag or TAGSMITH_MODEL;
 * the registry is the one at MLFLOW_TRACKING_URI, else ./mlruns). A registry version is pulled,
 * sha256-checked, into a temporary directory that `cleanup()` removes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pullModel } from '../../src/cli/commands/pull';
import { parseModelRef } from '../../src/tracking/registry';

export interface ModelSource {
  dir: string;
  /** What was asked for, for the build's log. */
  label: string;
  cleanup(): void;
}

export async function modelSource(spec: string): Promise<ModelSource> {
  const ref = parseModelRef(spec);
  if (!ref) return { dir: resolve(spec), label: resolve(spec), cleanup: () => {} };
  const tmp = mkdtempSync(join(tmpdir(), 'tagsmith-build-model-'));
  const cleanup = () => rmSync(tmp, { recursive: true, force: true });
  try {
    const { version, dir } = await pullModel(ref, join(tmp, 'model'));
    return { dir, label: `${spec} = '${version.name}' version ${version.version} (run ${version.runId})`, cleanup };
  } catch (err) {
    cleanup();
    throw err;
  }
}
