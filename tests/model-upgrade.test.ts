/**
 * scripts/model/upgrade-manifest.ts: a manifest from before encoder hashes (the shipped one without
 * `encoder.files`, versioned as an export of that time would be) becomes exactly today's shipped
 * manifest; an edited one is refused. (The 200-tag model went from fd9560002d4a to c6a9f764fd59 so.)
 */
import { afterAll, describe, expect, it } from 'vitest';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { upgradeManifest } from '../scripts/model/upgrade-manifest';
import { copyShippedModel, editManifest, MODELS, readManifest } from './helpers/model-folder';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** The shipped model as it was exported, before `encoder.files`. */
function beforeHashes(): string {
  const dir = copyShippedModel();
  dirs.push(dir);
  editManifest(dir, (m) => delete m.encoder.files, true); // re-versioned: as exported then
  return dir;
}

describe('upgrade-manifest', () => {
  it('turns the pre-hash shipped manifest into the shipped one, byte for byte', async () => {
    const dir = beforeHashes();
    const before = readManifest(dir).version as string;
    const shipped = readManifest(MODELS).version as string;
    expect(before).not.toBe(shipped);
    const r = await upgradeManifest(dir);
    expect(r).toMatchObject({ from: before, to: shipped });
    expect(readFileSync(join(dir, 'tagsmith.json'), 'utf8')).toBe(readFileSync(join(MODELS, 'tagsmith.json'), 'utf8'));
  });

  it('refuses a manifest edited since export', async () => {
    const dir = beforeHashes();
    editManifest(dir, (m) => (m.thresholds[0] = 0.01), false);
    await expect(upgradeManifest(dir)).rejects.toThrow(/version [0-9a-f]{12} does not match its content .*: the manifest was edited/);
  });

  it('refuses a manifest that already has encoder hashes', async () => {
    const dir = copyShippedModel();
    dirs.push(dir);
    await expect(upgradeManifest(dir)).rejects.toThrow(/nothing to upgrade/);
  });
});
