/**
 * The `Suggester`: question in, ranked tags out. The extension's worker, the CLI, the evaluation
 * and the API server all build it the same way (`loadSuggester`), from the same model files, so a
 * question gets the same tags everywhere. Browser-safe: file access and the encoder are passed in.
 */
import { normalizeQuestion, type QuestionText } from './normalize';
import { TfidfVectorizer, type TfidfState } from './tfidf';
import { Head, type FeatureRow, type SparseVector } from './head';
import { checkManifest, MANIFEST_FILE, type EncoderSpec, type ModelManifest } from './model';
import type { ScoredTag } from './types';

/** Turns texts into sentence embeddings (L2-normalised), in the order given. */
export type EmbedFn = (texts: string[]) => Promise<Float32Array[]>;

/** Makes the sentence encoder a model names (Node: onnxruntime-node; browser: onnxruntime-web). */
export type EncoderFactory = (spec: EncoderSpec) => Promise<EmbedFn>;

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

export interface SuggestOptions {
  /** Tags returned (best first). */
  k?: number;
  /** Tags the question already has: never suggested. */
  exclude?: Iterable<string>;
}

export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await globalThis.crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

export class Suggester {
  private readonly tagIndex: Map<string, number>;

  constructor(
    readonly manifest: ModelManifest,
    private readonly head: Head,
    private readonly tfidf: TfidfVectorizer | undefined,
    private readonly embed: EmbedFn | undefined,
  ) {
    if (manifest.vectorizer !== 'tfidf' && !embed) throw new Error(`a ${manifest.vectorizer} model needs an encoder (pass embed)`);
    if (manifest.vectorizer !== 'embeddings' && !tfidf) throw new Error(`a ${manifest.vectorizer} model needs its TF-IDF state`);
    this.tagIndex = new Map(manifest.tags.map((t, i) => [t, i]));
  }

  get version(): string {
    return this.manifest.version;
  }

  get tags(): readonly string[] {
    return this.manifest.tags;
  }

  /** The model's text for a question (the one normalisation). */
  textOf(question: QuestionText): string {
    return normalizeQuestion(question, this.manifest.normalization.options);
  }

  /** Feature rows for normalised texts (embeds them in one batch when the model needs it). */
  async featurize(texts: string[], embeddings?: Float32Array[]): Promise<FeatureRow[]> {
    const kind = this.manifest.vectorizer;
    const dense = kind === 'tfidf' ? undefined : (embeddings ?? (await this.embed!(texts)));
    return texts.map((text, i) => buildRow(dense?.[i], this.tfidf?.transformOne(text)));
  }

  /** Sigmoid scores of every vocabulary tag, per text. */
  async scoreTexts(texts: string[], embeddings?: Float32Array[]): Promise<Float32Array[]> {
    const rows = await this.featurize(texts, embeddings);
    return rows.map((r) => this.head.scores(r));
  }

  /** Ranks tags for a score row. */
  rank(scores: ArrayLike<number>, opts: SuggestOptions = {}): Suggestion[] {
    const k = opts.k ?? 5;
    const excluded = new Set([...(opts.exclude ?? [])].map((t) => t.toLowerCase()));
    const order = Array.from({ length: scores.length }, (_, t) => t)
      .filter((t) => !excluded.has(this.manifest.tags[t]))
      .sort((a, b) => scores[b] - scores[a] || a - b)
      .slice(0, k);
    return order.map((t) => ({
      name: this.manifest.tags[t],
      score: scores[t],
      threshold: this.manifest.thresholds[t],
      confident: scores[t] >= this.manifest.thresholds[t],
    }));
  }

  async suggest(question: QuestionText, opts: SuggestOptions = {}): Promise<Suggestion[]> {
    const [scores] = await this.scoreTexts([this.textOf(question)]);
    return this.rank(scores, opts);
  }

  async suggestMany(questions: QuestionText[], opts: SuggestOptions = {}): Promise<Suggestion[][]> {
    const scores = await this.scoreTexts(questions.map((q) => this.textOf(q)));
    return scores.map((s) => this.rank(s, opts));
  }

  indexOf(tag: string): number | undefined {
    return this.tagIndex.get(tag);
  }
}

/** One feature row: the embedding block and/or the TF-IDF block (the head applies block weights). */
export function buildRow(dense: Float32Array | undefined, sparse: SparseVector | undefined): FeatureRow {
  const row: FeatureRow = {};
  if (dense) row.dense = dense;
  if (sparse) row.sparse = sparse;
  return row;
}

/**
 * Loads a model directory through `files`: reads and checks the manifest once, checks each file
 * against the sha256 the manifest recorded (so a half-written or mixed-up model is refused instead
 * of served), and builds the encoder the manifest names with `makeEncoder` (not called for a TF-IDF
 * model). `source` names the directory in error messages.
 */
export async function loadSuggester(files: ModelFiles, makeEncoder?: EncoderFactory, source = MANIFEST_FILE): Promise<Suggester> {
  const manifest = checkManifest(JSON.parse(await files.text(MANIFEST_FILE)), source);
  const headBytes = await files.bytes(manifest.head.file);
  const headHash = await sha256Hex(headBytes);
  if (headHash !== manifest.head.sha256) {
    throw new Error(`${manifest.head.file}: sha256 ${headHash.slice(0, 12)}… does not match the manifest's ${manifest.head.sha256.slice(0, 12)}…; the model directory is incomplete or mixed, export it again`);
  }
  const head = Head.deserialize(headBytes);
  let tfidf: TfidfVectorizer | undefined;
  if (manifest.tfidf) {
    const raw = await files.text(manifest.tfidf.file);
    const hash = await sha256Hex(new TextEncoder().encode(raw));
    if (hash !== manifest.tfidf.sha256) throw new Error(`${manifest.tfidf.file}: sha256 does not match the manifest; export the model again`);
    tfidf = TfidfVectorizer.fromJSON(JSON.parse(raw) as TfidfState);
  }
  let embed: EmbedFn | undefined;
  if (manifest.vectorizer !== 'tfidf') {
    if (!manifest.encoder) throw new Error(`${source}: a ${manifest.vectorizer} model without an encoder section`);
    if (!makeEncoder) throw new Error(`a ${manifest.vectorizer} model needs an encoder (pass makeEncoder to loadSuggester)`);
    embed = await makeEncoder(manifest.encoder);
  }
  return new Suggester(manifest, head, tfidf, embed);
}
