/**
 * Crafted model folders for the model-loading tests: a copy of the shipped model (models/
 * tagsmith.json, head.bin, tfidf.json, rerank.bin; the encoder only when asked) in a temp dir, then one thing
 * changed at a time.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO } from './paths';

export const MODELS = join(REPO, 'models');
export const ENCODER_ID = 'all-MiniLM-L6-v2';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Manifest = any;

/** The version a manifest's content hashes to, written out here independently of src/core/model (the format). */
export function versionOf(m: Manifest): string {
  const identity = {
    vectorizer: m.vectorizer,
    normalization: m.normalization,
    encoder: m.encoder,
    blockWeights: m.blockWeights,
    bodyBlockWeights: m.bodyBlockWeights,
    tags: m.tags,
    thresholds: m.thresholds,
    head: m.head.sha256,
    tfidf: m.tfidf?.sha256,
    rerank: m.rerank?.sha256,
  };
  return createHash('sha256').update(JSON.stringify(identity)).digest('hex').slice(0, 12);
}

/** A temp copy of the shipped model; `encoder`: also copy its encoder folder. */
export function copyShippedModel(opts: { encoder?: boolean } = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'tagsmith-model-'));
  for (const f of ['tagsmith.json', 'head.bin', 'tfidf.json', 'rerank.bin']) cpSync(join(MODELS, f), join(dir, f));
  if (opts.encoder) cpSync(join(MODELS, ENCODER_ID), join(dir, ENCODER_ID), { recursive: true });
  return dir;
}

export function readManifest(dir: string): Manifest {
  return JSON.parse(readFileSync(join(dir, 'tagsmith.json'), 'utf8'));
}

/**
 * Edits the manifest in `dir`. `resign`: give it the version of its new content, as an export of
 * such a model would (so the checks behind the version check are reached).
 */
export function editManifest(dir: string, edit: (m: Manifest) => void, resign: boolean): void {
  const m = readManifest(dir);
  edit(m);
  if (resign) m.version = versionOf(m);
  writeFileSync(join(dir, 'tagsmith.json'), JSON.stringify(m, null, 1));
}

/** Cuts a file of the folder to its first `bytes` bytes. */
export function truncateFile(dir: string, rel: string, bytes: number): void {
  const file = join(dir, rel);
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(file, readFileSync(file).subarray(0, bytes));
}
