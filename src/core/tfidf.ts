/**
 * A TF-IDF vectoriser equivalent to scikit-learn's `TfidfVectorizer` (checked against it by
 * `tests/tfidf.test.ts` with fixtures from `scripts/reference/sklearn_fixtures.py`).
 *
 * Hand-written because no maintained npm package reproduces scikit-learn's formulas (`natural`'s
 * idf and normalisation differ), and the browser needs the exact training-time features.
 *
 * Semantics (scikit-learn 1.9 `TfidfVectorizer(token_pattern=TOKEN_PATTERN, lowercase=True, ...)`):
 * - tokens: {@link tokenize} for raw strings; pre-tokenised documents (string arrays) are used as is;
 * - vocabulary: every token of the fitted documents, sorted by code point (sklearn's `sorted`);
 * - pruning: keep terms with `minDf <= df <= maxDf` (a plain number is a document count, `{ fraction }`
 *   a share of the fitted documents, like sklearn's int/float), then, if more than `maxFeatures`
 *   remain, the `maxFeatures` terms with the highest corpus term frequency (total count over all
 *   documents). Ties at the cut-off are broken alphabetically (earlier term kept). scikit-learn itself
 *   uses numpy's unstable `argsort` there, whose tie order depends on the CPU (AVX-512 or not), so no
 *   portable rule can match it; ours equals sklearn with a stable sort;
 * - idf = ln((1 + n) / (1 + df)) + 1 with `smoothIdf`, ln(n / df) + 1 without (n = fitted documents,
 *   including those without any token);
 *   stored rounded to {@link IDF_SIGNIFICANT_DIGITS} significant digits (relative error <= 5e-8, below
 *   the float32 output precision) so a model behaves the same before and after `toJSON`;
 * - tf = raw count, or 1 + ln(count) with `sublinearTf`; value = tf * idf; each row scaled to unit
 *   L2 norm (`norm: 'l2'`; rows without known terms stay empty).
 *
 * Pure and browser-safe.
 */
import { TOKEN_PATTERN, TOKENIZER_VERSION, tokenize } from './tokenize';

/** A document-frequency bound: a plain number is a document count, `{ fraction }` a share of documents. */
export type DocFreqBound = number | { fraction: number };

export interface TfidfConfig {
  /** Drop terms found in fewer documents (sklearn `min_df`). Default 1. */
  minDf: DocFreqBound;
  /** Drop terms found in more documents (sklearn `max_df`). Default `{ fraction: 1 }`. */
  maxDf: DocFreqBound;
  /** Keep at most this many terms, by corpus term frequency (sklearn `max_features`). Default null (all). */
  maxFeatures: number | null;
  /** tf = 1 + ln(count) (sklearn `sublinear_tf`). Default true (sklearn's default is false). */
  sublinearTf: boolean;
  /** idf = ln((1+n)/(1+df)) + 1 (sklearn `smooth_idf`). Default true. */
  smoothIdf: boolean;
  /** Row normalisation (sklearn `norm`): 'l2' or null for none. Default 'l2'. */
  norm: 'l2' | null;
}

export const DEFAULT_TFIDF_CONFIG: Readonly<TfidfConfig> = Object.freeze({
  minDf: 1,
  maxDf: { fraction: 1 },
  maxFeatures: null,
  sublinearTf: true,
  smoothIdf: true,
  norm: 'l2',
});

/** One document as a sparse row: term indices ascending, with their values. */
export interface SparseVector {
  indices: Int32Array;
  values: Float32Array;
}

/** A raw text (tokenised with {@link tokenize}) or an already tokenised document. */
export type TfidfDocument = string | readonly string[];

/** The serialised state of a fitted vectoriser (`JSON.stringify`-able). */
export interface TfidfState {
  format: 'tagsmith-tfidf';
  version: 1;
  /** Tokenizer the model was fitted with; a model is refused by a build whose tokenizer differs. */
  tokenizer: { version: string; pattern: string };
  config: TfidfConfig;
  /** Number of documents the model was fitted on. */
  nDocuments: number;
  /** Terms, by feature index. */
  vocabulary: string[];
  /** Inverse document frequency, by feature index. */
  idf: number[];
}

export const IDF_SIGNIFICANT_DIGITS = 7;

const roundIdf = (x: number): number => Number(x.toPrecision(IDF_SIGNIFICANT_DIGITS));

/** Code-point order, as Python's `sorted` on str (plain `<` compares UTF-16 units, which differs for astral characters). */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.codePointAt(i)!;
    const y = b.codePointAt(i)!;
    if (x !== y) return x - y;
    if (x > 0xffff) i++;
  }
  return a.length - b.length;
}

function checkConfig(config: TfidfConfig): void {
  const bound = (name: string, b: DocFreqBound): void => {
    if (typeof b === 'number') {
      if (!Number.isInteger(b) || b < 0) {
        throw new RangeError(`TfidfVectorizer: ${name} = ${b} must be a whole document count >= 0, or { fraction: x } with 0 <= x <= 1`);
      }
    } else if (!b || typeof b.fraction !== 'number' || !(b.fraction >= 0 && b.fraction <= 1)) {
      throw new RangeError(`TfidfVectorizer: ${name} = ${JSON.stringify(b)} must be a document count, or { fraction: x } with 0 <= x <= 1`);
    }
  };
  bound('minDf', config.minDf);
  bound('maxDf', config.maxDf);
  const mf = config.maxFeatures;
  if (mf !== null && (!Number.isInteger(mf) || mf <= 0)) {
    throw new RangeError(`TfidfVectorizer: maxFeatures = ${mf} must be a positive integer or null`);
  }
  if (typeof config.sublinearTf !== 'boolean' || typeof config.smoothIdf !== 'boolean') {
    throw new TypeError('TfidfVectorizer: sublinearTf and smoothIdf must be booleans');
  }
  if (config.norm !== 'l2' && config.norm !== null) {
    throw new RangeError(`TfidfVectorizer: norm = ${JSON.stringify(config.norm)} must be 'l2' or null`);
  }
}

function tokensOf(doc: TfidfDocument, where: number): readonly string[] {
  if (typeof doc === 'string') return tokenize(doc);
  if (Array.isArray(doc)) return doc;
  throw new TypeError(`TfidfVectorizer: document ${where} is ${doc === null ? 'null' : typeof doc}; expected a string or an array of tokens`);
}

const docCount = (b: DocFreqBound, n: number): number => (typeof b === 'number' ? b : b.fraction * n);

export class TfidfVectorizer {
  readonly config: Readonly<TfidfConfig>;
  #vocabulary: string[] = [];
  #index = new Map<string, number>();
  #idf = new Float64Array(0);
  #nDocuments = 0;

  constructor(config: Partial<TfidfConfig> = {}) {
    const full = { ...DEFAULT_TFIDF_CONFIG, ...config };
    checkConfig(full);
    this.config = Object.freeze(full);
  }

  /** True once `fit` (or `fromJSON`) has run. */
  get fitted(): boolean {
    return this.#vocabulary.length > 0;
  }
  /** Number of features (terms). */
  get size(): number {
    return this.#vocabulary.length;
  }
  /** Terms by feature index (sorted by code point). */
  get vocabulary(): readonly string[] {
    return this.#vocabulary;
  }
  /** A copy of the idf weights by feature index. */
  get idf(): Float64Array {
    return this.#idf.slice();
  }
  get nDocuments(): number {
    return this.#nDocuments;
  }
  /** Feature index of a term, or undefined when it is not in the vocabulary. */
  indexOf(term: string): number | undefined {
    return this.#index.get(term);
  }

  /** Learns the vocabulary and idf from `docs` (replacing any previous fit). Returns `this`. */
  fit(docs: readonly TfidfDocument[]): this {
    this.#fitTokens(docs.map(tokensOf));
    return this;
  }

  /** `fit(docs)` then `transform(docs)`, tokenising each document once. */
  fitTransform(docs: readonly TfidfDocument[]): SparseVector[] {
    const tokens = docs.map(tokensOf);
    this.#fitTokens(tokens);
    return tokens.map((t) => this.#vectorise(t));
  }

  /** One sparse row per document. */
  transform(docs: readonly TfidfDocument[]): SparseVector[] {
    return docs.map((d, i) => this.transformOne(d, i));
  }

  /** The sparse row of one document (unknown terms are ignored). */
  transformOne(doc: TfidfDocument, where = 0): SparseVector {
    if (!this.fitted) throw new Error('TfidfVectorizer: transform before fit; call fit(docs) or fromJSON(state) first');
    return this.#vectorise(tokensOf(doc, where));
  }

  #fitTokens(docs: readonly (readonly string[])[]): void {
    const n = docs.length;
    if (n === 0) throw new RangeError('TfidfVectorizer.fit: no documents');
    const df = new Map<string, number>();
    const tf = new Map<string, number>();
    for (const tokens of docs) {
      const seen = new Set<string>();
      for (const t of tokens) {
        tf.set(t, (tf.get(t) ?? 0) + 1);
        seen.add(t);
      }
      for (const t of seen) df.set(t, (df.get(t) ?? 0) + 1);
    }
    if (df.size === 0) {
      throw new RangeError(`TfidfVectorizer.fit: empty vocabulary; none of the ${n} documents has a token`);
    }
    const { minDf, maxDf, maxFeatures } = this.config;
    const low = docCount(minDf, n);
    const high = docCount(maxDf, n);
    if (high < low) {
      throw new RangeError(`TfidfVectorizer.fit: maxDf (${high} documents) is below minDf (${low} documents) for ${n} documents`);
    }
    // Alphabetical first (sklearn `_sort_features`), then df pruning, then a stable sort by tf.
    let terms = [...df.keys()].sort(compareCodePoints).filter((t) => df.get(t)! >= low && df.get(t)! <= high);
    if (maxFeatures !== null && terms.length > maxFeatures) {
      const keep = new Set(
        terms
          .map((t, i) => ({ t, i, f: tf.get(t)! }))
          .sort((a, b) => b.f - a.f || a.i - b.i)
          .slice(0, maxFeatures)
          .map((x) => x.t),
      );
      terms = terms.filter((t) => keep.has(t));
    }
    if (terms.length === 0) {
      throw new RangeError(`TfidfVectorizer.fit: after pruning no terms remain (minDf ${low}, maxDf ${high} documents of ${n}); lower minDf or raise maxDf`);
    }
    const smooth = this.config.smoothIdf ? 1 : 0;
    const idf = terms.map((t) => roundIdf(Math.log((n + smooth) / (df.get(t)! + smooth)) + 1));
    this.#set(terms, idf, n);
  }

  #set(vocabulary: string[], idf: ArrayLike<number>, nDocuments: number): void {
    this.#vocabulary = vocabulary;
    this.#index = new Map(vocabulary.map((t, i) => [t, i]));
    this.#idf = Float64Array.from(idf);
    this.#nDocuments = nDocuments;
  }

  #vectorise(tokens: readonly string[]): SparseVector {
    const counts = new Map<number, number>();
    for (const t of tokens) {
      const i = this.#index.get(t);
      if (i !== undefined) counts.set(i, (counts.get(i) ?? 0) + 1);
    }
    const indices = Int32Array.from(counts.keys()).sort();
    const raw = new Float64Array(indices.length);
    let sumSq = 0;
    for (let j = 0; j < indices.length; j++) {
      const c = counts.get(indices[j])!;
      const v = (this.config.sublinearTf ? 1 + Math.log(c) : c) * this.#idf[indices[j]];
      raw[j] = v;
      sumSq += v * v;
    }
    const scale = this.config.norm === 'l2' && sumSq > 0 ? 1 / Math.sqrt(sumSq) : 1;
    const values = new Float32Array(indices.length);
    for (let j = 0; j < raw.length; j++) values[j] = raw[j] * scale;
    return { indices, values };
  }

  /** The fitted state, ready for `JSON.stringify` (a 5,000-term model is ~100 kB). */
  toJSON(): TfidfState {
    if (!this.fitted) throw new Error('TfidfVectorizer.toJSON: not fitted');
    return {
      format: 'tagsmith-tfidf',
      version: 1,
      tokenizer: { version: TOKENIZER_VERSION, pattern: TOKEN_PATTERN },
      config: { ...this.config },
      nDocuments: this.#nDocuments,
      vocabulary: [...this.#vocabulary],
      idf: Array.from(this.#idf),
    };
  }

  /** Rebuilds a vectoriser from `toJSON()` output (parsed JSON); throws a descriptive error on any mismatch. */
  static fromJSON(state: unknown): TfidfVectorizer {
    const s = state as Partial<TfidfState> | null;
    const bad = (what: string): never => {
      throw new Error(`TfidfVectorizer.fromJSON: ${what}; expected the output of TfidfVectorizer.toJSON()`);
    };
    if (!s || typeof s !== 'object') bad(`state is ${s === null ? 'null' : typeof s}`);
    if (s!.format !== 'tagsmith-tfidf' || s!.version !== 1) bad(`unknown format ${JSON.stringify(s!.format)} version ${JSON.stringify(s!.version)}`);
    if (s!.tokenizer?.pattern !== TOKEN_PATTERN) {
      throw new Error(
        `TfidfVectorizer.fromJSON: the model was fitted with tokenizer ${JSON.stringify(s!.tokenizer?.version)}, ` +
          `whose pattern differs from this build's ${TOKENIZER_VERSION}; re-train the model with this build`,
      );
    }
    const { vocabulary, idf, nDocuments } = s!;
    if (!Array.isArray(vocabulary) || vocabulary.length === 0 || !vocabulary.every((t) => typeof t === 'string')) {
      bad('vocabulary must be a non-empty array of strings');
    }
    if (new Set(vocabulary).size !== vocabulary!.length) bad('vocabulary has duplicate terms');
    if (!Array.isArray(idf) || idf.length !== vocabulary!.length) {
      bad(`idf must be an array as long as the vocabulary (${vocabulary!.length})`);
    }
    const badIdf = idf!.findIndex((x) => typeof x !== 'number' || !Number.isFinite(x) || x <= 0);
    if (badIdf >= 0) bad(`idf[${badIdf}] = ${JSON.stringify(idf![badIdf])} is not a positive finite number`);
    if (!Number.isInteger(nDocuments) || nDocuments! <= 0) bad(`nDocuments = ${JSON.stringify(nDocuments)} is not a positive integer`);
    const config = s!.config;
    if (!config || typeof config !== 'object') bad('config is missing');
    const missing = Object.keys(DEFAULT_TFIDF_CONFIG).filter((k) => !(k in config!));
    if (missing.length > 0) bad(`config lacks ${missing.join(', ')}`);
    const v = new TfidfVectorizer(config!);
    v.#set([...vocabulary!], idf!, nDocuments!);
    return v;
  }
}
