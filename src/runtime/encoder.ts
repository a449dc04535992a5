/**
 * Sentence encoder: all-MiniLM-L6-v2 (int8 ONNX), giving the same vectors as sentence-transformers
 * (mean pooling over the attention mask, then L2 normalisation).
 *
 * Three parts: transformers.js v2's tokenizer, our own pooling (`meanPoolNormalize`), and an ONNX
 * runtime passed in (`OnnxRuntime`): onnxruntime-node in Node (src/pipeline/encoder-node.ts),
 * onnxruntime-web's WASM build in a browser (./ort-web.ts). Both are versions this project pins
 * itself (package.json), not the onnxruntime 1.14 that transformers.js 2.x is bound to: newer
 * runtimes are faster and can use threads in an extension (1.14's threads start Workers from blob:
 * URLs, which an extension's CSP forbids). Browser-safe: imports no Node module.
 *
 * The model files are read from `localModelPath` + `modelId` + '/' (config.json, tokenizer.json,
 * tokenizer_config.json, onnx/model_quantized.onnx); no hub is ever contacted. See models/README.md.
 *
 * Note: transformers.js keeps its settings in one process-wide `env`; createEncoder sets them, so
 * all encoders of one process share the last localModelPath given.
 */
import { AutoTokenizer, env, type PreTrainedTokenizer } from '@xenova/transformers';
import { ENCODER_FILES, ENCODER_ONNX_FILE } from '../core/model';

/** One loaded ONNX model: BERT inputs in, `last_hidden_state` out. */
export interface OnnxSession {
  /** Runs one batch: int64 ids, mask and token types, each `rows x width`, row-major. */
  run(inputs: { inputIds: BigInt64Array; attentionMask: BigInt64Array; tokenTypeIds: BigInt64Array; rows: number; width: number }): Promise<{ data: Float32Array; dims: readonly number[] }>;
  release(): Promise<void>;
}

/**
 * What the encoder needs of an onnxruntime package's session (onnxruntime-web and onnxruntime-node
 * share this API through onnxruntime-common); structural, so this module imports neither.
 */
export interface OrtSessionLike {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  run(feeds: Record<string, never>): Promise<Record<string, { data: unknown; dims: readonly number[] }>>;
  release(): Promise<void>;
}

/** An onnxruntime package's `Tensor` constructor, for int64 inputs. */
export type OrtInt64Tensor = new (type: 'int64', data: BigInt64Array, dims: readonly number[]) => unknown;

/**
 * The BERT session adapter both runtimes use: the three int64 inputs (those the model declares),
 * `last_hidden_state` (or the first output) back as float32.
 */
export function bertSession(Tensor: OrtInt64Tensor, session: OrtSessionLike): OnnxSession {
  return {
    async run(x) {
      const dims = [x.rows, x.width];
      const inputs: Record<string, BigInt64Array> = { input_ids: x.inputIds, attention_mask: x.attentionMask, token_type_ids: x.tokenTypeIds };
      const feeds: Record<string, unknown> = {};
      for (const name of session.inputNames) if (name in inputs) feeds[name] = new Tensor('int64', inputs[name], dims);
      const out = await session.run(feeds as Record<string, never>);
      const h = out.last_hidden_state ?? out[session.outputNames[0]];
      return { data: h.data as Float32Array, dims: h.dims };
    },
    release: () => session.release(),
  };
}

/** An ONNX runtime the encoder can run on (see ./ort-web.ts, src/pipeline/encoder-node.ts). */
export interface OnnxRuntime {
  /** What runs the model, for status lines and benchmarks, e.g. "onnxruntime-web 1.30.0 (wasm, 2 threads)". */
  readonly name: string;
  /** Loads the ONNX model at `location` (a file path in Node, a URL in a browser). */
  createSession(location: string): Promise<OnnxSession>;
}

/** Directory name of the default encoder under the models root. */
export const DEFAULT_ENCODER_ID = 'all-MiniLM-L6-v2';
/** Width of all-MiniLM-L6-v2 sentence vectors. */
export const EMBEDDING_DIM = 384;
/** Word pieces per text (incl. [CLS] and [SEP]) the model sees: sentence-transformers' max_seq_length. */
export const DEFAULT_MAX_LENGTH = 256;

export interface EncoderOptions {
  /**
   * Root holding the model directories, ending with '/'. Node: a filesystem directory, e.g.
   * `resolve(repo, 'models') + '/'`; browser/extension: a URL, e.g. `browser.runtime.getURL('models/')`.
   */
  localModelPath: string;
  /** Model directory under localModelPath. */
  modelId?: string;
  /** Truncation length in word pieces. */
  maxLength?: number;
  /** The ONNX runtime that runs the model. */
  runtime: OnnxRuntime;
  /**
   * Texts per ONNX run (default 1). The int8 model quantises activations dynamically, with one
   * scale per tensor taken from the whole batch, padding included: batched, a text's vector moves
   * with its batch-mates (cosine down to ~0.97 against itself alone). One text a run keeps every
   * vector a pure function of its text (what a cache keyed by text and the one-question browser
   * need) and, without padding, is as fast on CPU. Larger values trade that for batching.
   */
  runBatchSize?: number;
  /**
   * Start loading the tokenizer only after this settles (the ONNX session starts at once). The
   * extension's model worker passes "the head's files are in": the tokenizer is JavaScript on the
   * same thread, and the session, in its own worker, takes longer anyway.
   */
  tokenizerAfter?: Promise<unknown>;
}

export interface Encoder {
  readonly modelId: string;
  /** The runtime's name (OnnxRuntime.name). */
  readonly runtime: string;
  readonly dim: number;
  readonly maxLength: number;
  readonly runBatchSize: number;
  /**
   * Embeds the texts, `runBatchSize` per ONNX run. Returns one L2-normalised Float32Array of
   * length `dim` per text, in order.
   */
  embed(texts: string[]): Promise<Float32Array[]>;
  /** The word-piece ids the model sees for each text: [CLS] ... [SEP], at most maxLength, unpadded. */
  tokenize(texts: string[]): number[][];
  /** Frees the ONNX session. */
  dispose(): Promise<void>;
}

/**
 * Accent stripping as Hugging Face `tokenizers`' BertNormalizer does it (NFD, then drop every
 * nonspacing mark, Unicode category Mn). transformers.js 2.17.2 only drops U+0300..U+036F, so
 * e.g. Devanagari vowel signs survive, the word misses the vocabulary and becomes [UNK]
 * (Python: 'नमस्ते' -> 4 word pieces, transformers.js: [UNK]). Applied before the tokenizer when
 * its normalizer strips accents; transformers.js' own pass is then a no-op.
 */
export function stripAccentsLikeHf(text: string): string {
  return text.normalize('NFD').replace(/\p{Mn}/gu, '');
}

/** Whether the tokenizer's BertNormalizer strips accents (lowercase with strip_accents unset, or strip_accents). */
function stripsAccents(tokenizer: PreTrainedTokenizer): boolean {
  const cfg = (tokenizer.normalizer as { config?: Record<string, unknown> } | null)?.config;
  if (cfg?.type !== 'BertNormalizer') return false;
  return cfg.strip_accents === true || (cfg.lowercase === true && cfg.strip_accents !== false);
}

/** Sets transformers.js' global env for local-only loading (the tokenizer files). */
function configureEnv(opts: EncoderOptions): void {
  env.allowRemoteModels = false;
  env.allowLocalModels = true;
  env.localModelPath = opts.localModelPath.endsWith('/') ? opts.localModelPath : `${opts.localModelPath}/`;
  env.useBrowserCache = false;
  env.useFSCache = false;
}

/**
 * Runs `load` with console.warn/error collected into `logged` instead of printed: on a damaged
 * ONNX file transformers.js prints the runtime's stack trace and a "using wasm" note, then throws;
 * the caller folds what was said into one clear error, or prints it after a successful load.
 */
const captures = new Set<unknown[][]>();
let original: Pick<Console, 'warn' | 'error'> | undefined;

async function withConsoleCaptured<T>(logged: unknown[][], load: () => Promise<T>): Promise<T> {
  // Loads may overlap (two encoders): the console is patched once, by the first, and restored by
  // the last, and each load collects what was said while it ran.
  if (captures.size === 0) {
    original = { warn: console.warn, error: console.error };
    console.warn = console.error = (...args: unknown[]) => {
      for (const c of captures) c.push(args);
    };
  }
  captures.add(logged);
  try {
    return await load();
  } finally {
    captures.delete(logged);
    if (captures.size === 0 && original) {
      console.warn = original.warn;
      console.error = original.error;
    }
  }
}

/**
 * sentence-transformers' Pooling(mean) + Normalize: the mean of the token vectors under the
 * attention mask, then unit L2 norm, one Float32Array per row. The same arithmetic as
 * transformers.js 2's `mean_pooling(...).normalize(2, -1)` (sum in float64, mean stored in float32;
 * squared norm accumulated in float32), so vectors match those computed through it before.
 * Written here because transformers.js' Tensor copies the runtime tensor's own fields, and
 * onnxruntime 1.2x keeps `data` behind a getter: through it, pooling reads undefined.
 */
export function meanPoolNormalize(hidden: Float32Array, mask: BigInt64Array, batch: number, seq: number, dim: number): Float32Array[] {
  if (hidden.length !== batch * seq * dim || mask.length !== batch * seq) {
    throw new Error(`meanPoolNormalize: ${hidden.length} hidden values and ${mask.length} mask values for [${batch}, ${seq}, ${dim}]`);
  }
  const out: Float32Array[] = [];
  const acc = new Float32Array(1);
  for (let b = 0; b < batch; b++) {
    const v = new Float32Array(dim);
    for (let k = 0; k < dim; k++) {
      let sum = 0;
      let count = 0;
      for (let j = 0; j < seq; j++) {
        const a = Number(mask[b * seq + j]);
        count += a;
        sum += hidden[(b * seq + j) * dim + k] * a;
      }
      v[k] = sum / count;
    }
    acc[0] = 0;
    for (let k = 0; k < dim; k++) acc[0] += v[k] ** 2;
    acc[0] = acc[0] ** 0.5;
    for (let k = 0; k < dim; k++) v[k] /= acc[0];
    out.push(v);
  }
  return out;
}

/** Loads tokenizer and int8 ONNX model; fails with the path tried and how to make the files. */
export async function createEncoder(opts: EncoderOptions): Promise<Encoder> {
  if (typeof opts?.localModelPath !== 'string' || opts.localModelPath === '') {
    throw new Error('createEncoder: localModelPath is required (the directory or URL holding the model folders, ending with "/")');
  }
  const modelId = opts.modelId ?? DEFAULT_ENCODER_ID;
  const maxLength = opts.maxLength ?? DEFAULT_MAX_LENGTH;
  if (!Number.isInteger(maxLength) || maxLength < 2 || maxLength > 512) {
    throw new Error(`createEncoder: maxLength must be an integer in [2, 512] (BERT positions), got ${maxLength}`);
  }
  const runBatchSize = opts.runBatchSize ?? 1;
  if (!Number.isInteger(runBatchSize) || runBatchSize < 1) {
    throw new Error(`createEncoder: runBatchSize must be a positive integer, got ${runBatchSize}`);
  }
  if (!opts.runtime || typeof opts.runtime.createSession !== 'function') {
    throw new Error('createEncoder: runtime (an OnnxRuntime: src/runtime/ort-web.ts in a browser, src/pipeline/encoder-node.ts in Node) is required');
  }
  configureEnv(opts);

  let tokenizer: PreTrainedTokenizer;
  let session: OnnxSession;
  const logged: unknown[][] = [];
  try {
    // side by side: the tokenizer's files are read while the runtime starts and builds the session
    const [tok, sess] = await withConsoleCaptured(logged, () =>
      Promise.allSettled([
        Promise.resolve(opts.tokenizerAfter)
          .catch(() => undefined)
          .then(() => AutoTokenizer.from_pretrained(modelId, { local_files_only: true })),
        opts.runtime.createSession(`${env.localModelPath}${modelId}/${ENCODER_ONNX_FILE}`),
      ]),
    );
    if (tok.status === 'rejected') {
      // the session was made (or is failing) anyway: free it, or each failed load keeps one
      if (sess.status === 'fulfilled') await sess.value.release().catch(() => undefined);
      throw tok.reason;
    }
    if (sess.status === 'rejected') throw sess.reason;
    [tokenizer, session] = [tok.value, sess.value];
  } catch (err) {
    // the runtime's own errors say what is wrong with the file; its "using wasm" note does not
    const said = [...new Set(logged.flat().flatMap((a) => (a instanceof Error ? [a.message] : [])))];
    throw new Error(
      `createEncoder: cannot load model "${modelId}" from ${env.localModelPath}${modelId}/ ` +
        `(needs ${ENCODER_FILES.join(', ')}; restore models/ from git or run scripts/model/build-encoder.sh): ${(err as Error).message}` +
        (said.length > 0 ? ` (onnxruntime: ${said.join(' ')})` : ''),
      { cause: err },
    );
  }
  for (const args of logged) console.warn(...args); // loaded after all: nothing it said is lost

  const prepare = stripsAccents(tokenizer) ? stripAccentsLikeHf : (t: string) => t;
  const sepId = tokenizer.sep_token_id;
  const padId = tokenizer.pad_token_id ?? 0;

  function checkTexts(texts: string[], where: string): void {
    if (!Array.isArray(texts)) throw new Error(`Encoder.${where}: expected an array of strings`);
    texts.forEach((t, i) => {
      if (typeof t !== 'string') throw new Error(`Encoder.${where}: texts[${i}] is ${typeof t}, not a string`);
    });
  }

  /**
   * Tokenizes and truncates like Hugging Face: at most maxLength ids, the final [SEP] kept.
   * Hand-written because transformers.js 2.17.2's `truncation` just cuts the id list, dropping
   * [SEP] from every over-long text (the Python side keeps it).
   */
  function tokenize(texts: string[]): number[][] {
    checkTexts(texts, 'tokenize');
    return texts.map((text) => {
      const ids = tokenizer.encode(prepare(text));
      if (ids.length <= maxLength) return ids;
      const last = ids[ids.length - 1];
      if (last !== sepId) throw new Error(`Encoder.tokenize: model ${modelId}'s tokenizer does not end sequences with [SEP]`);
      return [...ids.slice(0, maxLength - 1), last];
    });
  }

  /** Right-pads to the batch's longest text (as transformers.js and sentence-transformers do). */
  function toInputs(rows: number[][]) {
    const width = Math.max(...rows.map((r) => r.length));
    const inputIds = new BigInt64Array(rows.length * width).fill(BigInt(padId));
    const attentionMask = new BigInt64Array(rows.length * width);
    rows.forEach((r, i) => {
      r.forEach((id, j) => {
        inputIds[i * width + j] = BigInt(id);
        attentionMask[i * width + j] = 1n;
      });
    });
    return { inputIds, attentionMask, tokenTypeIds: new BigInt64Array(rows.length * width), rows: rows.length, width };
  }

  async function embed(texts: string[]): Promise<Float32Array[]> {
    checkTexts(texts, 'embed');
    const rows = tokenize(texts);
    const out: Float32Array[] = [];
    for (let i = 0; i < rows.length; i += runBatchSize) out.push(...(await run(rows.slice(i, i + runBatchSize))));
    return out;
  }

  /** One ONNX run over already tokenized texts. */
  async function run(rows: number[][]): Promise<Float32Array[]> {
    const inputs = toInputs(rows);
    const out = await session.run(inputs);
    const [batch, seq, width] = out.dims;
    if (out.dims.length !== 3 || batch !== rows.length || seq !== inputs.width || width !== EMBEDDING_DIM) {
      throw new Error(
        `Encoder.embed: model ${modelId} returned shape [${out.dims.join(', ')}], ` +
          `expected [${rows.length}, ${inputs.width}, ${EMBEDDING_DIM}]: wrong model files?`,
      );
    }
    return meanPoolNormalize(out.data, inputs.attentionMask, batch, seq, width);
  }

  return {
    modelId,
    runtime: opts.runtime.name,
    dim: EMBEDDING_DIM,
    maxLength,
    runBatchSize,
    embed,
    tokenize,
    dispose: async () => {
      await session.release();
    },
  };
}
