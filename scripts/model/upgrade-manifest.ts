/**
 * Upgrades a model exported before the manifest recorded its encoder files: adds `encoder.files`
 * (the sha256 of each file of the encoder the model loads) and the version that now covers them,
 * without retraining. Refuses a manifest whose version does not match its content under the old
 * rule (an edited manifest stays refused), and checks the result loads.
 *   npx tsx scripts/model/upgrade-manifest.ts [DIR]      (default: models/)
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ENCODER_FILES, identityVersion, MANIFEST_FILE, manifestIdentity, type ModelManifest } from '../../src/core/model';
import { encoderHome } from '../../src/pipeline/encoder-node';
import { loadNodeSuggester } from '../../src/pipeline/model-io';
import { DEFAULT_MODEL_DIR, PACKAGE_ROOT } from '../../src/node/paths';
import { writeFileAtomic } from '../../src/node/fs-atomic';
import { sha256Hex } from '../../src/core/hash';

const version = (m: ModelManifest) => identityVersion(manifestIdentity(m));

export async function upgradeManifest(dir: string): Promise<{ from: string; to: string; encoderDir?: string }> {
  const file = join(resolve(dir), MANIFEST_FILE);
  const m = JSON.parse(readFileSync(file, 'utf8')) as ModelManifest & { encoder?: { files?: unknown } };
  if (!m.encoder || m.encoder.files !== undefined) throw new Error(`${file}: nothing to upgrade (no encoder, or encoder.files already present)`);
  const from = m.version;
  const computed = await version(m);
  if (computed !== from) throw new Error(`${file}: version ${from} does not match its content (${computed}): the manifest was edited; export the model again`);
  const encoderDir = join(await encoderHome(dir), m.encoder.id);
  const files = await Promise.all(ENCODER_FILES.map(async (f) => [f, await sha256Hex(readFileSync(join(encoderDir, f)))] as const));
  m.encoder = { ...m.encoder, files: Object.fromEntries(files) };
  m.version = await version(m);
  writeFileAtomic(file, `${JSON.stringify(m, null, 1)}\n`);
  await loadNodeSuggester(dir); // the upgraded model passes every load check
  return { from, to: m.version, encoderDir };
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(PACKAGE_ROOT, 'scripts/model/upgrade-manifest.ts')) {
  const dir = process.argv[2] ?? DEFAULT_MODEL_DIR;
  const r = await upgradeManifest(dir);
  process.stdout.write(`${join(resolve(dir), MANIFEST_FILE)}: version ${r.from} -> ${r.to}, encoder files hashed in ${r.encoderDir}\n`);
}
