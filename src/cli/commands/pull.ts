/** `tagsmith pull`: a registered version's model files into a directory, each checked against its registered sha256. */
import { resolve } from 'node:path';
import { UsageError } from '../../node/errors';
import { createRegistry, pullVersion, resolveVersion, type ModelRef, type ModelVersion } from '../../tracking/registry';

export interface PullOptions {
  name: string;
  alias?: string;
  version?: string;
  out: string;
  trackingUri?: string;
  json?: boolean;
}

/** Pulls the version `ref` names into `out`; returns it with the files written. */
export async function pullModel(ref: ModelRef, out: string, trackingUri?: string): Promise<{ version: ModelVersion; files: string[]; dir: string }> {
  const registry = createRegistry(trackingUri);
  const version = await resolveVersion(registry, ref);
  const dir = resolve(out);
  return { version, files: await pullVersion(registry, version, dir), dir };
}

export async function runPullCommand(opts: PullOptions): Promise<void> {
  if (opts.alias && opts.version) throw new UsageError('give --alias or --version, not both');
  const { version, files, dir } = await pullModel({ name: opts.name, alias: opts.alias, version: opts.version }, opts.out, opts.trackingUri);
  if (opts.json) {
    process.stdout.write(`${JSON.stringify({ name: version.name, version: version.version, run_id: version.runId, source: version.source, dir, files })}\n`);
  } else {
    process.stdout.write(`'${version.name}' version ${version.version} (run ${version.runId}): ${files.join(', ')} -> ${dir} (sha256 checked)\n`);
  }
}
