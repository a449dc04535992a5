/**
 * The `Suggester`: question in, ranked tags out. The extension's worker, the CLI, the evaluation
 * and the API server all build it the same way (`loadSuggester`), from the same model files, so a
 * question gets the same tags everywhere. Browser-safe: file access and the encoder are passed in.
 */
import { hasBody, normalizeQuestion, type QuestionText } from './normalize';
import { sha256Hex } from './hash';
import { TfidfVectorizer, type TfidfState } from './tfidf';
import { Head, type FeatureRow, type SparseVector } from './head';
import { checkManifest, identityVersion, manifestIdentity, MANIFEST_FILE, type EncoderSpec, type ModelManifest } from './model';
import { Reranker } from './rerank';
import type { ScoredTag } from './types';

/** Turns texts into sentence embeddings (L2-normalised), in the order given. */
export type EmbedFn = (texts: string[]) => Promise<Float32Array[]>;

/**
 * Makes the sentence encoder a model names (Node: onnxruntime-node; browser: onnxruntime-web).
 * `headLoaded` resolves once the loader has read the head, TF-IDF and re-ranker files (or failed
 * to): a factory that shares a thread with that work may start its own light parts after it.
 */
export type EncoderFactory = (spec: EncoderSpec, headLoaded: Promise<void>) => Promise<EmbedFn>;

/** How a model's files are read: from disk in Node, with fetch in a browser. */
export interface ModelFiles {
  text(name: string): Promise<string>;
  bytes(name: string): Promise<Uint8Array>;
}

export interface Suggestion extends ScoredTag {
  /** The tag's decision threshold, tuned on validation. */
  threshold: number;
  /** score >= threshold. */
  confident: boolean;
}

/** Where the time of one `suggest` went, ms. */
export interface SuggestTimings {
  /** The sentence encoder (0 for a TF-IDF model). */
  encodeMs: number;
  /** Everything else: normalisation, TF-IDF, the head's scores, ranking. */
  headMs: number;
}

export interface SuggestOptions {
  /** Tags returned (best first). */
  k?: number;
  /** Tags the question already has: never suggested. */
  exclude?: Iterable<string>;
}

export class Suggester {
  private readonly tagIndex: Map<string, number>;

  constructor(
    readonly manifest: ModelManifest,
    private readonly head: Head,
    private readonly tfidf: TfidfVectorizer | undefined,
    private readonly embed: EmbedFn | undefined,
    /** The v2 re-ranker (core/rerank), when the model has one. */
    readonly reranker?: Reranker,
  ) {
    if (manifest.vectorizer !== 'tfidf' && !embed) throw new Error(`a ${manifest.vectorizer} model needs an encoder (pass embed)`);
    if (Boolean(manifest.rerank) !== Boolean(reranker)) throw new Error(manifest.rerank ? 'the model has a re-ranker: pass it' : 'a re-ranker for a model without one');
    if (manifest.vectorizer !== 'embeddings' && !tfidf) throw new Error(`a ${manifest.vectorizer} model needs its TF-IDF state`);
    this.tagIndex = new Map(manifest.tags.map((t, i) => [t, i]));
  }

  get version(): string {
    return this.manifest.version;
  }

  get tags(): readonly string[] {
    return this.manifest.tags;
  }

  /** Where the head's dense scores are computed (core/kernels/dense-dots): 'wasm-simd', 'js' or 'js-generic'. */
  get headEngine(): Head['denseEngine'] {
    return this.head.denseEngine;
  }

  /** The model's text for a question (the one normalisation). */
  textOf(question: QuestionText): string {
    return normalizeQuestion(question, this.manifest.normalization.options);
  }

  /**
   * Scores of every vocabulary tag, per text: the head's sigmoid scores, re-ranked when the model
   * has a re-ranker (its candidates get the trees' probabilities; see core/rerank).
   */
  async scoreTexts(texts: string[], embeddings?: Float32Array[]): Promise<Float32Array[]> {
    const dense = await this.embeddingsOf(texts, embeddings);
    return texts.map((text, i) => this.scoreOne(text, dense?.[i]));
  }

  private async embeddingsOf(texts: string[], embeddings?: Float32Array[]): Promise<Float32Array[] | undefined> {
    return this.manifest.vectorizer === 'tfidf' ? undefined : (embeddings ?? (await this.embed!(texts)));
  }

  private scoreOne(text: string, dense: Float32Array | undefined): Float32Array {
    const scores = this.head.scores(buildRow(dense, this.tfidf?.transformOne(text), blockScale(this.manifest, text)));
    return this.reranker ? this.reranker.apply(scores, dense!, text) : scores;
  }

  /**
   * Ranked tags from the TF-IDF block alone, for a hybrid model whose encoder is still loading
   * (the extension's cold start): the head with a zero embedding and without the re-ranker (it
   * needs the embedding). A first answer in ~0.4 s instead of ~1.2 s in Chromium (bench:browser), a little weaker (shipped
   * model, 1,500 test questions with a body: P@1 71.2 vs 76.1, `npm run bench:window`).
   * `confident` uses the full model's thresholds: on these scores they pass fewer tags, more
   * precise ones (micro precision 76.9 vs 55.3, recall 31.5 vs 62.0). A TF-IDF model gives its
   * usual suggestions; an embeddings-only model has none to give (undefined).
   */
  suggestWithoutEncoder(question: QuestionText, opts: SuggestOptions = {}): Suggestion[] | undefined {
    const scores = this.scoreWithoutEncoder(this.textOf(question));
    return scores && this.rank(scores, opts);
  }

  /** The scores `suggestWithoutEncoder` ranks, for a normalised text (undefined: no TF-IDF block). */
  scoreWithoutEncoder(text: string): Float32Array | undefined {
    if (this.manifest.vectorizer === 'embeddings' || !this.tfidf) return undefined;
    if (this.manifest.vectorizer === 'tfidf') return this.scoreOne(text, undefined);
    const zero = new Float32Array(this.head.layout.denseDim);
    return this.head.scores(buildRow(zero, this.tfidf.transformOne(text), blockScale(this.manifest, text)));
  }

  /** Ranks tags for a score row. */
  rank(scores: ArrayLike<number>, opts: SuggestOptions = {}): Suggestion[] {
    const k = opts.k ?? 5;
    const excluded = new Set([...(opts.exclude ?? [])].map((t) => t.toLowerCase()));
    // Partial selection (k is small, the vocabulary 2,000 tags): keep the k best seen so far, best
    // first; ties go to the lower tag index, as a full sort would order them.
    const order: number[] = [];
    const better = (a: number, b: number) => scores[a] > scores[b] || (scores[a] === scores[b] && a < b);
    for (let t = 0; t < scores.length; t++) {
      if (order.length === k && !better(t, order[k - 1])) continue;
      if (excluded.size > 0 && excluded.has(this.manifest.tags[t])) continue;
      let at = order.length === k ? k - 1 : order.length;
      while (at > 0 && better(t, order[at - 1])) at--;
      order.splice(at, 0, t);
      if (order.length > k) order.pop();
    }
    return order.map((t) => ({
      name: this.manifest.tags[t],
      score: scores[t],
      threshold: this.manifest.thresholds[t],
      confident: scores[t] >= this.manifest.thresholds[t],
    }));
  }

  /**
   * Ranked tags for one question. `timings`, when given, receives the time spent in the sentence
   * encoder and in everything else (normalisation, TF-IDF, head, ranking), in ms.
   */
  async suggest(question: QuestionText, opts: SuggestOptions = {}, timings?: SuggestTimings): Promise<Suggestion[]> {
    const t0 = performance.now();
    const text = this.textOf(question);
    const t1 = performance.now();
    const dense = this.manifest.vectorizer === 'tfidf' ? undefined : await this.embed!([text]);
    const t2 = performance.now();
    const ranked = this.rank(this.scoreOne(text, dense?.[0]), opts);
    if (timings) {
      timings.encodeMs = t2 - t1;
      timings.headMs = performance.now() - t2 + (t1 - t0);
    }
    return ranked;
  }

  async suggestMany(questions: QuestionText[], opts: SuggestOptions = {}): Promise<Suggestion[][]> {
    const scores = await this.scoreTexts(questions.map((q) => this.textOf(q)));
    return scores.map((s) => this.rank(s, opts));
  }

  indexOf(tag: string): number | undefined {
    return this.tagIndex.get(tag);
  }
}

/**
 * How much a text's blocks are scaled on top of the head's own block weights: [dense, sparse].
 * [1, 1] unless the model has `bodyBlockWeights` and the text a body (`hasBody`); then
 * bodyBlockWeights / blockWeights, so the head effectively applies bodyBlockWeights.
 */
export function blockScale(m: Pick<ModelManifest, 'blockWeights' | 'bodyBlockWeights'>, text: string): [number, number] {
  if (!m.bodyBlockWeights || !m.blockWeights || !hasBody(text)) return [1, 1];
  return [m.bodyBlockWeights[0] / m.blockWeights[0], m.bodyBlockWeights[1] / m.blockWeights[1]];
}

/**
 * One feature row: the embedding block and/or the TF-IDF block (the head applies block weights),
 * each multiplied by `scale` (see `blockScale`; the inputs are not modified).
 */
export function buildRow(dense: Float32Array | undefined, sparse: SparseVector | undefined, scale: readonly [number, number] = [1, 1]): FeatureRow {
  const row: FeatureRow = {};
  if (dense) row.dense = scale[0] === 1 ? dense : dense.map((v) => v * scale[0]);
  if (sparse) row.sparse = scale[1] === 1 ? sparse : { indices: sparse.indices, values: sparse.values.map((v) => v * scale[1]) };
  return row;
}

/** JSON.parse naming the file and what to do when it is not JSON. */
function parseJson(text: string, where: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new Error(`${where}: not valid JSON (${(err as Error).message}); the file is damaged: export the model again or restore it from git`);
  }
}

async function checkSha256(bytes: Uint8Array, expected: string, where: string): Promise<void> {
  const actual = await sha256Hex(bytes);
  if (actual !== expected) {
    throw new Error(
      `${where}: sha256 ${actual.slice(0, 12)}… (${bytes.length} bytes) does not match the manifest's ${expected.slice(0, 12)}…; ` +
        'the model directory is incomplete or mixed: export the model again or restore it from git',
    );
  }
}

/**
 * Checks an encoder folder against the sha256 of each file the manifest records (`hashOf` gives
 * the sha256 of a file by its path in the folder, `where` names the folder). Every loader that
 * builds the encoder a manifest names calls it before the encoder reads the files.
 */
export async function checkEncoderFiles(spec: EncoderSpec, hashOf: (path: string) => Promise<string>, where: string): Promise<void> {
  for (const [path, expected] of Object.entries(spec.files)) {
    let actual: string;
    try {
      actual = await hashOf(path);
    } catch (err) {
      throw new Error(`${where}/${path}: cannot read the encoder file (${(err as Error).message}); restore models/ from git or run scripts/model/build-encoder.sh`);
    }
    if (actual !== expected) {
      throw new Error(
        `${where}/${path}: sha256 ${actual.slice(0, 12)}… does not match the manifest's ${expected.slice(0, 12)}…: not the encoder the model was trained with (a damaged or different file); ` +
          'restore it (git checkout models/, or scripts/model/build-encoder.sh) or export the model again',
      );
    }
  }
}

/** The head must have the manifest's tags as rows and the features its vectorizer makes. */
function checkHeadShape(m: ModelManifest, head: Head, where: string): void {
  const fail = (what: string): never => {
    throw new Error(`${where}: ${what}; the head and the manifest come from different exports: export the model again`);
  };
  if (head.numTags !== m.tags.length) fail(`the head scores ${head.numTags} tags but the manifest names ${m.tags.length}`);
  if (head.tags && head.tags.some((t, i) => t !== m.tags[i])) fail('the head\'s tag names differ from the manifest\'s');
  const { denseDim, sparseDim, denseWeight, sparseWeight } = head.layout;
  if (head.dim !== m.head.dim) fail(`the head has ${head.dim} features, the manifest says head.dim ${m.head.dim}`);
  if (denseDim !== (m.encoder?.dim ?? 0)) fail(`the head's dense block has ${denseDim} features, the encoder gives ${m.encoder?.dim ?? 0}`);
  if (sparseDim !== (m.tfidf?.features ?? 0)) fail(`the head's sparse block has ${sparseDim} features, the TF-IDF vocabulary has ${m.tfidf?.features ?? 0}`);
  const [dw, sw] = m.blockWeights ?? [1, 1];
  if (denseWeight !== dw || sparseWeight !== sw) fail(`the head weights its blocks [${denseWeight}, ${sparseWeight}], the manifest says blockWeights [${dw}, ${sw}]`);
}

/**
 * Loads a model directory through `files`, trusting nothing: the manifest is validated
 * (`checkManifest`) and its version recomputed from its content; each file must have the sha256
 * the manifest recorded and agree with it in shape (so a half-written, mixed-up or edited model is
 * refused instead of served). Builds the encoder the manifest names with `makeEncoder` (not called
 * for a TF-IDF model), which must check the encoder files (`checkEncoderFiles`). `source` is the
 * manifest's path or URL, for error messages.
 */
export async function loadSuggester(files: ModelFiles, makeEncoder?: EncoderFactory, source = MANIFEST_FILE): Promise<Suggester> {
  const { suggester, encoderReady } = await loadSuggesterStaged(files, makeEncoder, source);
  await encoderReady;
  return suggester;
}

/** What `loadSuggesterStaged` gives: the Suggester once its own files are in, and its encoder's readiness. */
export interface StagedSuggester {
  /**
   * Usable at once for `suggestWithoutEncoder`; its other methods wait for the encoder (and
   * reject with the encoder's error if it fails).
   */
  suggester: Suggester;
  /** Resolves when the encoder is built (at once for a TF-IDF model); rejects with its load error. */
  encoderReady: Promise<void>;
}

/**
 * `loadSuggester` in two stages, for a caller that can answer before the encoder is ready (the
 * extension's worker: the head and TF-IDF files are in long before onnxruntime-web has started).
 * Resolves when the manifest, head, TF-IDF and re-ranker files are loaded and checked; the
 * encoder keeps loading. A head error is thrown even when the encoder fails too.
 */
export async function loadSuggesterStaged(files: ModelFiles, makeEncoder?: EncoderFactory, source = MANIFEST_FILE): Promise<StagedSuggester> {
  const at = (name: string) => (source.endsWith(MANIFEST_FILE) ? source.slice(0, -MANIFEST_FILE.length) + name : name);
  const manifest = checkManifest(parseJson(await files.text(MANIFEST_FILE), source), source);
  const version = await identityVersion(manifestIdentity(manifest));
  if (version !== manifest.version) {
    throw new Error(
      `${source}: the manifest says version ${manifest.version} but its content hashes to ${version}: it was edited after export; ` +
        'export the model again (or, for a deliberate format upgrade, run scripts/model/upgrade-manifest.ts)',
    );
  }
  // The encoder (the slow part: the ONNX runtime's start, the session) loads while the head and
  // TF-IDF files are read and checked, not after them: in a browser this is ~0.25 s of a cold start.
  let encoder: Promise<EmbedFn> | undefined;
  let headDone!: () => void;
  const headLoaded = new Promise<void>((resolve) => (headDone = resolve));
  if (manifest.encoder) {
    if (!makeEncoder) throw new Error(`a ${manifest.vectorizer} model needs an encoder (pass makeEncoder to loadSuggester)`);
    encoder = makeEncoder(manifest.encoder, headLoaded);
    encoder.catch(() => undefined); // awaited below; a head error thrown first must not leave it unhandled
  }
  try {
    return await loadHeadFiles(files, manifest, at, encoder);
  } finally {
    headDone();
  }
}

async function loadHeadFiles(files: ModelFiles, manifest: ModelManifest, at: (name: string) => string, encoder: Promise<EmbedFn> | undefined): Promise<StagedSuggester> {
  const headBytes = await files.bytes(manifest.head.file);
  await checkSha256(headBytes, manifest.head.sha256, at(manifest.head.file));
  let head: Head;
  try {
    head = Head.deserialize(headBytes);
  } catch (err) {
    throw new Error(`${at(manifest.head.file)}: ${(err as Error).message}`);
  }
  checkHeadShape(manifest, head, at(manifest.head.file));
  let tfidf: TfidfVectorizer | undefined;
  if (manifest.tfidf) {
    const where = at(manifest.tfidf.file);
    const bytes = await files.bytes(manifest.tfidf.file);
    await checkSha256(bytes, manifest.tfidf.sha256, where); // the file's own bytes, not re-encoded text
    const raw = new TextDecoder().decode(bytes);
    tfidf = TfidfVectorizer.fromJSON(parseJson(raw, where) as TfidfState);
    if (tfidf.size !== manifest.tfidf.features) throw new Error(`${where}: ${tfidf.size} features, the manifest says ${manifest.tfidf.features}; export the model again`);
  }
  let reranker: Reranker | undefined;
  if (manifest.rerank) {
    const where = at(manifest.rerank.file);
    const bytes = await files.bytes(manifest.rerank.file);
    await checkSha256(bytes, manifest.rerank.sha256, where);
    try {
      reranker = Reranker.deserialize(bytes, manifest.tags);
    } catch (err) {
      throw new Error(`${where}: ${(err as Error).message}; export the model again`);
    }
    if (reranker.index.dim !== manifest.encoder!.dim) throw new Error(`${where}: neighbours of ${reranker.index.dim} values, the encoder gives ${manifest.encoder!.dim}; export the model again`);
  }
  let built: EmbedFn | undefined;
  const encoderReady = encoder ? encoder.then((fn) => void (built = fn)) : Promise.resolve();
  encoderReady.catch(() => undefined); // the caller awaits it; an unobserved failure must not be unhandled
  // until the encoder is built, embedding waits for it (and fails with its error)
  const embed: EmbedFn | undefined = encoder && ((texts) => (built ? built(texts) : encoder!.then((fn) => fn(texts))));
  return { suggester: new Suggester(manifest, head, tfidf, embed, reranker), encoderReady };
}
