/**
 * The exported tag model: its manifest (what every consumer needs to reproduce the features the
 * head was trained on) and the files beside it. Pure types and checks, browser-safe.
 *
 * A model directory holds:
 *   tagsmith.json        this manifest
 *   head.bin             the logistic-regression head (see core/head)
 *   tfidf.json           the TF-IDF state (tfidf and hybrid models)
 *   all-MiniLM-L6-v2/    the sentence encoder (embeddings and hybrid models), shared with models/
 */
import type { NormalizeOptions } from './normalize';

export type VectorizerKind = 'tfidf' | 'embeddings' | 'hybrid';

export const MANIFEST_FILE = 'tagsmith.json';
export const HEAD_FILE = 'head.bin';
export const TFIDF_FILE = 'tfidf.json';

export interface EncoderSpec {
  /** Folder name of the encoder under the model directory (transformers.js local model id). */
  id: string;
  dim: number;
  /** Word pieces kept (longer texts are truncated). */
  maxLength: number;
  pooling: 'mean';
  normalize: true;
}

export interface ModelManifest {
  format: 'tagsmith-model';
  formatVersion: 1;
  /** Content hash of the head, TF-IDF state and settings: the model's version. */
  version: string;
  /** When training finished (not part of the version). */
  createdAt: string;
  vectorizer: VectorizerKind;
  normalization: { version: string; options: NormalizeOptions };
  /** Present for embeddings and hybrid models. */
  encoder?: EncoderSpec;
  /** Present for tfidf and hybrid models: the file and its sha256. */
  tfidf?: { file: string; sha256: string; features: number };
  /** Block weights of a hybrid row: [dense, sparse]. */
  blockWeights?: [number, number];
  tags: string[];
  /** Per-tag decision thresholds tuned on validation (same order as `tags`). */
  thresholds: number[];
  head: { file: string; sha256: string; bytes: number; dim: number };
  /** Training settings and data, for humans and trackers. */
  training: Record<string, unknown>;
  /** Test-set evaluation at export time. */
  metrics: Record<string, unknown>;
}

/** Checks a parsed manifest and says precisely what is wrong. */
export function checkManifest(value: unknown, where: string): ModelManifest {
  const fail = (what: string): never => {
    throw new Error(`${where}: not a tagsmith model manifest (${what}); train one with \`tagsmith train --out DIR\``);
  };
  if (!value || typeof value !== 'object') fail('not a JSON object');
  const m = value as Partial<ModelManifest>;
  if (m.format !== 'tagsmith-model') fail(`format is ${JSON.stringify(m.format)}, expected "tagsmith-model"`);
  if (m.formatVersion !== 1) fail(`formatVersion ${String(m.formatVersion)} is not supported by this build (expected 1)`);
  if (!Array.isArray(m.tags) || m.tags.length === 0) fail('no tags');
  if (!Array.isArray(m.thresholds) || m.thresholds.length !== m.tags!.length) fail('thresholds do not match tags');
  if (m.vectorizer !== 'tfidf' && m.vectorizer !== 'embeddings' && m.vectorizer !== 'hybrid') fail(`unknown vectorizer ${String(m.vectorizer)}`);
  if (m.vectorizer !== 'tfidf' && !m.encoder) fail('an embeddings model without an encoder');
  if (m.vectorizer !== 'embeddings' && !m.tfidf) fail('a TF-IDF model without TF-IDF state');
  if (!m.head?.file) fail('no head file');
  return m as ModelManifest;
}
