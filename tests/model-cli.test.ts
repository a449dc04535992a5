/**
 * Messages that mislead (issue #12, item 8) and a manifest that does not match its head (item 4),
 * through the real CLI: one clear line naming the file, the problem and the fix, no stack trace.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tagsmith, type Result } from './helpers/cli';
import { copyShippedModel, editManifest, ENCODER_ID, readManifest, truncateFile } from './helpers/model-folder';

const dirs: string[] = [];
const track = (d: string) => (dirs.push(d), d);
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const suggest = (model: string) => tagsmith(['suggest', '--title', 'How do I merge two dictionaries in Python?', '--model', model]);

/** One `tagsmith: error:` line, no stack frames, no runtime noise. */
function expectOneClearError(r: Result, code: number): string {
  expect(r.code).toBe(code);
  expect(r.stdout).toBe('');
  expect(r.stderr).not.toMatch(/^\s+at /m);
  expect(r.stderr).not.toMatch(/TypeError|Something went wrong/);
  const lines = r.stderr.trim().split('\n');
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^tagsmith: error: /);
  return lines[0];
}

describe('tagsmith CLI on bad models and data', () => {
  it('refuses a manifest with one tag fewer than its head scores (was: served, or a TypeError)', async () => {
    const dir = track(copyShippedModel());
    const n = readManifest(dir).tags.length as number;
    editManifest(dir, (m) => (m.tags.splice(0, 1), m.thresholds.splice(0, 1)), true);
    const line = expectOneClearError(await suggest(dir), 1);
    expect(line).toContain(`${join(dir, 'head.bin')}: the head scores ${n} tags but the manifest names ${n - 1}`);
    expect(line).toContain('export the model again');
  });

  it('names the manifest file when it is not JSON', async () => {
    const dir = track(copyShippedModel());
    writeFileSync(join(dir, 'tagsmith.json'), '{"format": "tagsmith-model", ');
    const line = expectOneClearError(await suggest(dir), 1);
    expect(line).toContain(`${join(dir, 'tagsmith.json')}: not valid JSON`);
  });

  it('names the damaged encoder file instead of printing a stack trace', async () => {
    const dir = track(copyShippedModel({ encoder: true }));
    truncateFile(dir, `${ENCODER_ID}/onnx/model_quantized.onnx`, 1_000_000);
    const line = expectOneClearError(await suggest(dir), 1);
    expect(line).toContain(`${join(dir, ENCODER_ID, 'onnx/model_quantized.onnx')}: sha256`);
    expect(line).toMatch(/restore it .* or export the model again/);
  });

  it('the API server refuses to start on a model whose encoder is not the shipped one it would fall back to', async () => {
    const dir = track(copyShippedModel());
    editManifest(dir, (m) => (m.encoder.files['onnx/model_quantized.onnx'] = 'e'.repeat(64)), true);
    const line = expectOneClearError(await tagsmith(['serve', '--model', dir, '--port', '0']), 1);
    expect(line).toContain(`${dir} has no encoder folder ${ENCODER_ID}/ and the shipped one is not the encoder this model was trained with`);
    expect(line).toContain(`copy the model's encoder into ${join(dir, ENCODER_ID)}/`);
  });

  it('says a directory given to --data is a directory, not a missing file', async () => {
    const dir = track(mkdtempSync(join(tmpdir(), 'tagsmith-data-')));
    const line = expectOneClearError(await tagsmith(['ingest', '--data', dir]), 2);
    expect(line).toContain(`--data ${dir}: is a directory; pass the data files in it instead`);
    expect(line).not.toContain('no such file');
  });

  it('still says "no such file" for a missing one', async () => {
    const line = expectOneClearError(await tagsmith(['ingest', '--data', '/nonexistent/questions.csv']), 2);
    expect(line).toContain('--data /nonexistent/questions.csv: no such file');
  });
});
