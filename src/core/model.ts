/**
 * The exported tag model: its manifest (what every consumer needs to reproduce the features the
 * head was trained on) and the files beside it. Pure types and checks, browser-safe.
 *
 * A model directory holds:
 *   tagsmith.json        this manifest
 *   head.bin             the logistic-regression head (see core/head)
 *   tfidf.json           the TF-IDF state (tfidf and hybrid models)
 *   rerank.bin           the re-ranker: neighbour index and trees (v2 hybrid models; see core/rerank)
 *   all-MiniLM-L6-v2/    the sentence encoder (embeddings and hybrid models); a directory without
 *                        one may use the shipped models/ one when its files have the recorded sha256
 *
 * Nothing in a manifest is trusted: `checkManifest` validates it against a schema and checks that
 * its parts agree; `loadSuggester` then checks it against the files (sha256, sizes, head shape)
 * and recomputes its version.
 */
import { sha256Hex } from './hash';
import { Type, type Static } from 'typebox';
import { Errors } from 'typebox/schema';
import { NORMALIZATION_VERSION, type NormalizeOptions } from './normalize';

export type VectorizerKind = 'tfidf' | 'embeddings' | 'hybrid';

export const MANIFEST_FILE = 'tagsmith.json';
export const HEAD_FILE = 'head.bin';
export const TFIDF_FILE = 'tfidf.json';
export const RERANK_FILE = 'rerank.bin';
/** The files of an encoder folder that transformers.js reads (runtime/encoder), each hashed in the manifest. */
/** The int8 ONNX model inside an encoder folder. */
export const ENCODER_ONNX_FILE = 'onnx/model_quantized.onnx';
export const ENCODER_FILES = ['config.json', 'tokenizer.json', 'tokenizer_config.json', ENCODER_ONNX_FILE] as const;

const Sha256 = Type.String({ pattern: '^[0-9a-f]{64}$' });
const PositiveInt = Type.Integer({ minimum: 1 });

const EncoderSchema = Type.Object({
  /** Folder name of the encoder under the model directory (transformers.js local model id). */
  id: Type.String({ minLength: 1 }),
  dim: PositiveInt,
  /** Word pieces kept (longer texts are truncated). */
  maxLength: Type.Integer({ minimum: 2, maximum: 512 }),
  pooling: Type.Literal('mean'),
  normalize: Type.Literal(true),
  /** sha256 of each encoder file, by path inside the encoder folder (at least ENCODER_FILES). */
  files: Type.Record(Type.String(), Sha256),
});

const ManifestSchema = Type.Object({
  format: Type.Literal('tagsmith-model'),
  formatVersion: Type.Literal(1),
  /** First 12 hex digits of the sha256 of the model's identity (see `modelIdentity`). */
  version: Type.String({ pattern: '^[0-9a-f]{12}$' }),
  /** When training finished (not part of the version). */
  createdAt: Type.String(),
  vectorizer: Type.Union([Type.Literal('tfidf'), Type.Literal('embeddings'), Type.Literal('hybrid')]),
  normalization: Type.Object({
    version: Type.String(),
    options: Type.Unsafe<NormalizeOptions>(
      Type.Object({ maxCodeBlockChars: PositiveInt, maxCodeChars: PositiveInt, maxChars: PositiveInt }),
    ),
  }),
  /** Present for embeddings and hybrid models. */
  encoder: Type.Optional(EncoderSchema),
  /** Present for tfidf and hybrid models: the file, its sha256 and its vocabulary size. */
  tfidf: Type.Optional(Type.Object({ file: Type.String(), sha256: Sha256, features: PositiveInt })),
  /** Block weights of a hybrid row: [dense, sparse]. */
  blockWeights: Type.Optional(Type.Tuple([Type.Number({ exclusiveMinimum: 0 }), Type.Number({ exclusiveMinimum: 0 })])),
  /**
   * Block weights used instead of `blockWeights` when the question's normalised text has a body
   * (more than one line, core/normalize `hasBody`). Absent: `blockWeights` for every question.
   */
  bodyBlockWeights: Type.Optional(Type.Tuple([Type.Number({ exclusiveMinimum: 0 }), Type.Number({ exclusiveMinimum: 0 })])),
  tags: Type.Array(Type.String({ minLength: 1 }), { minItems: 1, uniqueItems: true }),
  /** Per-tag decision thresholds tuned on validation (same order as `tags`). */
  thresholds: Type.Array(Type.Number({ minimum: 0, maximum: 1 })),
  /** The head file, its sha256 and size, and its feature dimension (dense + sparse). */
  head: Type.Object({ file: Type.String(), sha256: Sha256, bytes: PositiveInt, dim: PositiveInt }),
  /** The re-ranker file (core/rerank), its sha256 and size; absent: the head's scores are final. */
  rerank: Type.Optional(Type.Object({ file: Type.String(), sha256: Sha256, bytes: PositiveInt })),
  /** Training settings and data, for humans and trackers. */
  training: Type.Record(Type.String(), Type.Unknown()),
  /** Test-set evaluation at export time. */
  metrics: Type.Record(Type.String(), Type.Unknown()),
});

export type EncoderSpec = Static<typeof EncoderSchema>;
export type ModelManifest = Static<typeof ManifestSchema>;

/**
 * Whether `path` stays inside the folder it is relative to: '/'-separated names, none of them
 * empty, '.' or '..'; no absolute path, drive letter or backslash (a Windows separator).
 */
export function isInsidePath(path: string): boolean {
  if (path === '' || path.startsWith('/') || path.includes('\\') || /^[a-zA-Z]:/.test(path)) return false;
  return path.split('/').every((part) => part !== '' && part !== '.' && part !== '..');
}

/**
 * What the model's version hashes: everything that changes its answers (vectorizer, normalisation,
 * encoder with its files' sha256, block weights (both sets), tags, thresholds, head and TF-IDF sha256), not the
 * creation time, training log or metrics. The key order is part of the format: do not reorder.
 */
export function modelIdentity(
  m: Pick<ModelManifest, 'vectorizer' | 'normalization' | 'encoder' | 'blockWeights' | 'bodyBlockWeights' | 'tags' | 'thresholds'> & { head: string; tfidf?: string; rerank?: string },
): string {
  return JSON.stringify({
    vectorizer: m.vectorizer,
    normalization: m.normalization,
    encoder: m.encoder,
    blockWeights: m.blockWeights,
    bodyBlockWeights: m.bodyBlockWeights, // absent (undefined) leaves older models' identity as it was
    tags: m.tags,
    thresholds: m.thresholds,
    head: m.head,
    tfidf: m.tfidf,
    rerank: m.rerank, // absent (undefined) leaves models without a re-ranker as they were
  });
}

/** The identity of a manifest as `modelIdentity` hashes it. */
export function manifestIdentity(m: ModelManifest): string {
  return modelIdentity({ ...m, head: m.head.sha256, tfidf: m.tfidf?.sha256, rerank: m.rerank?.sha256 });
}

/** The files of a model folder besides the manifest and the encoder, with the sha256 recorded for each. */
export function modelFiles(m: ModelManifest): { file: string; sha256: string }[] {
  return [m.head, ...(m.tfidf ? [m.tfidf] : []), ...(m.rerank ? [m.rerank] : [])].map(({ file, sha256 }) => ({ file, sha256 }));
}

/** A model's version: the first 12 hex digits of the sha256 of its identity (export, load and upgrade use this one). */
export async function identityVersion(identity: string): Promise<string> {
  return (await sha256Hex(identity)).slice(0, 12);
}

/**
 * Checks a parsed manifest against the schema and for agreement between its parts, and says
 * precisely what is wrong (`where` names the file). The files themselves are checked on load.
 */
export function checkManifest(value: unknown, where: string): ModelManifest {
  const fail = (what: string): never => {
    throw new Error(`${where}: not a valid tagsmith model manifest: ${what}; export the model again with \`tagsmith train --out DIR\``);
  };
  if (!value || typeof value !== 'object' || Array.isArray(value)) fail('not a JSON object');
  const v = value as Record<string, unknown>;
  // The two fields that say which schema applies, first, so an unknown format gets that message.
  if (v.format !== 'tagsmith-model') fail(`format is ${JSON.stringify(v.format)}, expected "tagsmith-model"`);
  if (v.formatVersion !== 1) fail(`formatVersion ${JSON.stringify(v.formatVersion)} is not supported by this build (expected 1)`);
  const encoder = v.encoder as Record<string, unknown> | undefined;
  if (encoder && typeof encoder === 'object' && !('files' in encoder)) {
    fail('encoder.files (the sha256 of each encoder file) is missing: a model exported before encoder hashes; run `npx tsx scripts/model/upgrade-manifest.ts DIR` once');
  }
  const [valid, errors] = Errors(ManifestSchema, value);
  if (!valid) fail(errors.slice(0, 3).map((e) => `${e.instancePath || '(root)'} ${e.message}`).join('; '));
  const m = value as ModelManifest;
  if (m.thresholds.length !== m.tags.length) fail(`${m.thresholds.length} thresholds for ${m.tags.length} tags`);
  if (m.normalization.version !== NORMALIZATION_VERSION) {
    fail(`normalization.version is "${m.normalization.version}" but this build normalises questions as "${NORMALIZATION_VERSION}" (the model would see different text than it was trained on)`);
  }
  const dense = m.vectorizer !== 'tfidf';
  const sparse = m.vectorizer !== 'embeddings';
  if (dense !== Boolean(m.encoder)) fail(dense ? `a ${m.vectorizer} model without an encoder section` : 'a tfidf model with an encoder section');
  if (sparse !== Boolean(m.tfidf)) fail(sparse ? `a ${m.vectorizer} model without a tfidf section` : 'an embeddings model with a tfidf section');
  if ((m.vectorizer === 'hybrid') !== Boolean(m.blockWeights)) fail(m.blockWeights ? `blockWeights on a ${m.vectorizer} model` : 'a hybrid model without blockWeights');
  if (m.bodyBlockWeights && m.vectorizer !== 'hybrid') fail(`bodyBlockWeights on a ${m.vectorizer} model (block weights need both blocks)`);
  const expectedDim = (m.encoder?.dim ?? 0) + (m.tfidf?.features ?? 0);
  if (m.head.dim !== expectedDim) fail(`head.dim is ${m.head.dim} but encoder.dim + tfidf.features is ${expectedDim}`);
  if (m.rerank && m.vectorizer !== 'hybrid') fail(`a re-ranker on a ${m.vectorizer} model (it needs the embeddings and the head's scores)`);
  const paths: [string, string][] = [['head.file', m.head.file]];
  if (m.tfidf) paths.push(['tfidf.file', m.tfidf.file]);
  if (m.rerank) paths.push(['rerank.file', m.rerank.file]);
  if (m.encoder) {
    if (m.encoder.id.includes('/')) fail(`encoder.id "${m.encoder.id}" is not a folder name`);
    paths.push(['encoder.id', m.encoder.id], ...Object.keys(m.encoder.files).map((f): [string, string] => [`encoder.files key`, f]));
    const missing = ENCODER_FILES.filter((f) => !(f in m.encoder!.files));
    if (missing.length > 0) fail(`encoder.files has no sha256 for ${missing.join(', ')}`);
  }
  for (const [field, path] of paths) {
    if (!isInsidePath(path)) fail(`${field} "${path}" is not a path inside the model folder (no "..", absolute path or backslash)`);
  }
  return m;
}
