/**
 * Writing and reading model directories on disk (Node). The format is core/model's; reading goes
 * through the same `loadSuggester` as the browser, with file access from `fs`.
 */
import { existsSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { HEAD_FILE, identityVersion, MANIFEST_FILE, modelIdentity, RERANK_FILE, TFIDF_FILE, type ModelManifest, type VectorizerKind } from '../core/model';
import { loadSuggester, type ModelFiles, type Suggester } from '../core/suggester';
import type { Head, WeightEncoding } from '../core/head';
import type { TfidfVectorizer } from '../core/tfidf';
import type { Reranker } from '../core/rerank';
import { sha256Hex } from '../core/hash';
import { replaceDirAtomically, writeFileAtomic } from '../node/fs-atomic';
import { UsageError } from '../node/errors';

/** f16 halves the head (the extension ships it) and keeps every score within 1e-3 of f32 (tested). */
export const HEAD_ENCODING: WeightEncoding = 'f16';

export interface ModelParts {
  vectorizer: VectorizerKind;
  normalization: ModelManifest['normalization'];
  encoder?: ModelManifest['encoder'];
  tfidf?: TfidfVectorizer;
  blockWeights?: [number, number];
  /** Block weights for questions with a body (ModelManifest.bodyBlockWeights). */
  bodyBlockWeights?: [number, number];
  tags: string[];
  thresholds: number[];
  head: Head;
  /** The re-ranker (hybrid models of v2). */
  reranker?: Reranker;
  training: Record<string, unknown>;
  metrics: Record<string, unknown>;
}

/**
 * Exports a model into `dir`, swapping the folder as a whole (replaceDirAtomically): other files in
 * it (the encoder folder, a README) are kept, and until the new model is complete the old one stays
 * in place and loadable, whatever kills the process. The manifest records the sha256 of every other
 * file (the encoder's come with `parts.encoder`, from createNodeEncoder) and loaders check them; its
 * version hashes `modelIdentity`, which loaders recompute.
 */
export async function exportModel(dir: string, parts: ModelParts): Promise<ModelManifest> {
  const headBytes = parts.head.serialize(HEAD_ENCODING);
  const headSha = await sha256Hex(headBytes);
  const tfidfJson = parts.tfidf ? JSON.stringify(parts.tfidf.toJSON()) : undefined;
  const tfidfSha = tfidfJson ? await sha256Hex(tfidfJson) : undefined;
  const rerankBytes = parts.reranker?.serialize();
  const rerankSha = rerankBytes ? await sha256Hex(rerankBytes) : undefined;
  const manifest: ModelManifest = {
    format: 'tagsmith-model',
    formatVersion: 1,
    version: await identityVersion(modelIdentity({ ...parts, head: headSha, tfidf: tfidfSha, rerank: rerankSha })),
    createdAt: new Date().toISOString(),
    vectorizer: parts.vectorizer,
    normalization: parts.normalization,
    ...(parts.encoder ? { encoder: parts.encoder } : {}),
    ...(tfidfJson ? { tfidf: { file: TFIDF_FILE, sha256: tfidfSha!, features: parts.tfidf!.size } } : {}),
    ...(parts.blockWeights ? { blockWeights: parts.blockWeights } : {}),
    ...(parts.bodyBlockWeights ? { bodyBlockWeights: parts.bodyBlockWeights } : {}),
    tags: parts.tags,
    thresholds: parts.thresholds,
    head: { file: HEAD_FILE, sha256: headSha, bytes: headBytes.length, dim: parts.head.dim },
    ...(rerankBytes ? { rerank: { file: RERANK_FILE, sha256: rerankSha!, bytes: rerankBytes.length } } : {}),
    training: parts.training,
    metrics: parts.metrics,
  };
  await replaceDirAtomically(resolve(dir), (staging) => {
    writeFileAtomic(join(staging, HEAD_FILE), headBytes);
    if (tfidfJson) writeFileAtomic(join(staging, TFIDF_FILE), tfidfJson);
    else rmSync(join(staging, TFIDF_FILE), { force: true }); // an embeddings model replacing a tfidf one
    if (rerankBytes) writeFileAtomic(join(staging, RERANK_FILE), rerankBytes);
    else rmSync(join(staging, RERANK_FILE), { force: true });
    writeFileAtomic(join(staging, MANIFEST_FILE), `${JSON.stringify(manifest, null, 1)}\n`);
  });
  return manifest;
}

export function nodeModelFiles(dir: string): ModelFiles {
  const read = async (name: string): Promise<Buffer> => {
    try {
      return await readFile(join(dir, name));
    } catch (err) {
      throw new Error(`${join(dir, name)}: cannot read this model file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); the model folder is incomplete: export the model again or restore it from git`);
    }
  };
  return {
    text: async (name) => (await read(name)).toString('utf8'),
    bytes: (name) => read(name), // a Buffer is a Uint8Array: no copy
  };
}

/**
 * The Suggester of a model directory, with the Node encoder when the model needs one
 * (`encoderThreads`: its onnxruntime intra-op threads, default 0: one per core).
 */
export async function loadNodeSuggester(dir: string, opts: { encoderThreads?: number } = {}): Promise<Suggester> {
  const abs = resolve(dir);
  if (!existsSync(join(abs, MANIFEST_FILE))) {
    throw new UsageError(`${abs}: no ${MANIFEST_FILE} here; pass --model DIR of a model exported by \`tagsmith train\``);
  }
  return loadSuggester(
    nodeModelFiles(abs),
    async (spec) => (await (await import('./encoder-node')).createNodeEncoder(abs, spec, { threads: opts.encoderThreads })).embed,
    join(abs, MANIFEST_FILE),
  );
}
