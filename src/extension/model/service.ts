/**
 * The model as the extension runs it: the bundled encoder and tag head, loaded with fetch from the
 * extension's own files (no network), answering suggestion requests. This is what the Web Worker
 * exposes over comlink (`worker.ts`); it is plain browser code (fetch, crypto.subtle, WASM), so the
 * parity test can also run it in Node against the same files.
 */
import { loadSuggesterStaged, type ModelFiles, type Suggester } from '../../core/suggester';
import { MANIFEST_FILE } from '../../core/model';
import type { Encoder } from '../../runtime/encoder';
import type { SuggestRequest, SuggestResponse, ModelStatus } from '../protocol';

export interface ModelServiceOptions {
  /** URL of the model directory (tagsmith.json, head.bin, tfidf.json, <encoder>/), ending with '/'. */
  modelBaseUrl: string;
  /** fetch to read model files with (default: global fetch). */
  fetchImpl?: typeof fetch;
  /**
   * Builds the sentence encoder the manifest names: in the extension createEncoder on
   * onnxruntime-web (worker.ts); tests may pass the Node one.
   */
  encoderFactory: (opts: { localModelPath: string; modelId: string; maxLength: number; tokenizerAfter?: Promise<unknown> }) => Promise<Pick<Encoder, 'embed' | 'runtime'> & Partial<Pick<Encoder, 'dispose'>>>;
  /**
   * After a failed load, how long calls fail at once with its error before one may load again
   * (default RETRY_LOAD_AFTER_MS), doubled after each further failure in a row, up to 8 times.
   * Without it, every keystroke would start the whole load again.
   */
  retryAfterMs?: number;
  /** The clock for the retry rule (default performance.now); tests pass their own. */
  now?: () => number;
}

/**
 * After a failed load, calls fail with its error for this long before the next one loads again;
 * twice as long after two failures in a row, and so on up to 8x (2 minutes).
 */
export const RETRY_LOAD_AFTER_MS = 15_000;

export interface ModelService {
  /** Loads the model once (later calls wait for the same load); resolves to its status. */
  warmup(): Promise<ModelStatus>;
  status(): ModelStatus;
  suggest(req: SuggestRequest): Promise<SuggestResponse>;
  /** Sentence embeddings of already normalised texts (benchmarks and runtime comparisons). */
  embed(texts: string[]): Promise<Float32Array[]>;
}

/**
 * A realistic question for the scoring warm-up (`warmUpScoring`), with the markdown real questions
 * use (emphasis, a fenced and an indented code block, inline code, lists, a quote, inline and
 * reference links, inline HTML, a heading, CRLF line ends): each construct's code in the parser
 * runs before a real question needs it.
 */
export const WARMUP_QUESTION = {
  title: 'How do I merge two dictionaries in a single expression in Python?',
  body: [
    'I have two dictionaries and want a **new** one with the keys of _both_ (the second wins on a clash):',
    '',
    '```python',
    'x = {"a": 1, "b": 2}',
    'y = {"b": 3, "c": 4}',
    'z = merge(x, y)  # {"a": 1, "b": 3, "c": 4}',
    '```',
    '',
    '### What I tried',
    '',
    '1. `x.update(y)` changes `x` in place, which I do not want.',
    '2. A loop:',
    '',
    '        for k in y: x[k] = y[k]',
    '',
    '> The update() method updates the dictionary with the elements from another dictionary',
    '> object or from an iterable of key/value pairs.',
    '',
    '- See [the docs][1] and [PEP 584](https://peps.python.org/pep-0584/).<br/>',
    '- Python 3.8 on Windows',
    '',
    '  [1]: https://docs.python.org/3/library/stdtypes.html#dict',
  ].join('\r\n'),
  bodyFormat: 'markdown' as const,
};

/** Rounds of `warmUpScoring` (~0.3-0.6 s of background work once per model load). */
export const JIT_WARMUP_ROUNDS = 200;

/**
 * Scores the warm-up question again and again without the encoder, one round per task, after the
 * load: JavaScript engines compile a function with their optimising tier only after many calls
 * (SpiderMonkey's Ion after ~1,000), and each step of a suggestion is called once per question, so
 * without this the first real questions took 5-15 ms there instead of ~2 (bench:browser; Firefox
 * stayed at p50 3 ms over 250 questions with 25 rounds). Each round is a separate task (a few ms),
 * so a suggestion that arrives meanwhile waits for one round at most.
 */
export async function warmUpScoring(s: Pick<Suggester, 'textOf' | 'scoreTexts' | 'rank'>, embedding: Float32Array[] | undefined): Promise<void> {
  for (let i = 0; i < JIT_WARMUP_ROUNDS; i++) {
    await new Promise((resolve) => setTimeout(resolve, 0));
    const text = s.textOf(WARMUP_QUESTION);
    s.rank((await s.scoreTexts([text], embedding))[0], { k: 5 });
  }
}

/** Model files read with fetch relative to a base URL; a missing file is a clear error. */
export function fetchModelFiles(baseUrl: string, fetchImpl: typeof fetch = fetch): ModelFiles {
  const get = async (name: string): Promise<Response> => {
    const url = new URL(name, baseUrl).href;
    let res: Response;
    try {
      res = await fetchImpl(url);
    } catch (err) {
      throw new Error(`cannot read model file ${url}: ${(err as Error).message}; is the model bundled (npm run build)?`);
    }
    if (!res.ok) throw new Error(`cannot read model file ${url}: HTTP ${res.status}; is the model bundled (npm run build)?`);
    return res;
  };
  return {
    text: async (name) => (await get(name)).text(),
    bytes: async (name) => new Uint8Array(await (await get(name)).arrayBuffer()),
  };
}

/** One load of the model (see createModelService). */
interface Load {
  partial: Promise<Suggester>;
  full: Promise<Suggester>;
  /** When it failed (the service's clock). */
  failedAt?: number;
}

export function createModelService(opts: ModelServiceOptions): ModelService {
  const base = opts.modelBaseUrl.endsWith('/') ? opts.modelBaseUrl : `${opts.modelBaseUrl}/`;
  const fetchImpl = opts.fetchImpl ?? ((input: RequestInfo | URL, init?: RequestInit) => fetch(input, init));
  /**
   * The load in flight or done: its first stage (the Suggester, encoder pending), the whole, and
   * when it failed (its error then answers every call until RETRY_LOAD_AFTER_MS have passed).
   */
  let loading: Load | undefined;
  const retryAfterMs = opts.retryAfterMs ?? RETRY_LOAD_AFTER_MS;
  const now = opts.now ?? (() => performance.now());
  /** Loads that failed in a row (the retry wait doubles with each). */
  let failures = 0;
  let suggester: Suggester | undefined;
  let embedFn: ((texts: string[]) => Promise<Float32Array[]>) | undefined;
  let state: ModelStatus = { state: 'idle' };

  function startLoad(): Load {
    const t0 = performance.now();
    const since = () => Math.round(performance.now() - t0);
    let encoderMs: number | undefined;
    // this load's encoder: published (embedFn, state.runtime) only when the whole load succeeds, freed
    // when it fails, also when it is built after the failure (the head's files failed first)
    let built: Awaited<ReturnType<ModelServiceOptions['encoderFactory']>> | undefined;
    const current: Load = { partial: undefined!, full: undefined! };
    const free = () => {
      const e = built;
      built = undefined;
      e?.dispose?.().catch(() => undefined);
    };
    state = { state: 'loading' };
    // Every manifest, head and TF-IDF check runs here as in Node (loadSuggester), but the encoder
    // files are not hashed (checkEncoderFiles): sha256 of their 23 MB takes 55-234 ms (median 111)
    // in Chromium on the 2-core test machine (scripts/model/encoder-hash-cost.ts), plus a second
    // read of the files, which the tokenizer and the runtime fetch themselves, on a cold start
    // with a 1 s target. The files are packaged with the manifest from models/, whose encoder the Node
    // loaders and tests verify; the stores' package signatures catch a damaged install, and a
    // truncated ONNX file still fails with a clear error from createEncoder.
    const staged = loadSuggesterStaged(
      fetchModelFiles(base, fetchImpl),
      async (spec, headLoaded) => {
        // the tokenizer (~70 ms of JavaScript in Node, more on a cold browser) waits for the head
        // files: they make the provisional answers, and the ONNX session takes longer anyway
        const encoder = await opts.encoderFactory({ localModelPath: base, modelId: spec.id, maxLength: spec.maxLength, tokenizerAfter: headLoaded });
        encoderMs = since();
        built = encoder;
        if (current.failedAt !== undefined) free(); // the load failed meanwhile: nobody will use it
        return (texts) => encoder.embed(texts);
      },
      new URL(MANIFEST_FILE, base).href,
    );
    let headMs: number | undefined;
    const partial = staged.then((st) => {
      headMs = since();
      return st.suggester;
    });
    const full = staged.then(async ({ suggester: s, encoderReady }) => {
      await encoderReady;
      const ready = since();
      // The first ONNX runs are slow (the browser compiles the runtime's WASM functions as they are
      // first called, then optimises the hot ones; buffers are allocated), so a short warm-up run
      // comes before the first full suggestion. Usually the ask page asked for the load ahead of
      // typing and the first suggestion then meets a warm runtime. When a suggestion is already
      // waiting it costs about nothing: in Chromium (5 cold starts each, a scratch probe) the
      // warm-up took 210-290 ms and the question after it 70-130 ms, against 210-540 ms for the
      // question alone. A short text: the encoder's cold run costs per token (a full question here
      // added ~0.2 s to a cold start); the JavaScript warm-up below reuses this embedding with a
      // full question.
      const warmEmbedding = built ? await built.embed(['warm up']) : undefined;
      await s.scoreTexts(['warm up'], warmEmbedding);
      const loadMs = since();
      const encoder = built;
      embedFn = encoder && ((texts) => encoder.embed(texts));
      state = {
        state: 'ready',
        version: s.version,
        vectorizer: s.manifest.vectorizer,
        tags: s.tags.length,
        loadMs,
        phases: { ...(headMs === undefined ? {} : { headMs }), ...(encoderMs === undefined ? {} : { encoderMs }), warmupMs: loadMs - ready },
        ...(encoder ? { runtime: encoder.runtime } : {}),
        headEngine: s.headEngine,
      };
      warmUpScoring(s, warmEmbedding).catch(() => undefined); // only a speed-up: a real question would meet the same error and report it
      failures = 0;
      return (suggester = s);
    });
    current.partial = partial;
    current.full = full;
    full.catch((err: unknown) => {
      current.failedAt = now(); // a call after the retry wait loads again (a transient failure, a fixed file)
      failures++;
      free();
      state = { state: 'failed', error: err instanceof Error ? err.message : String(err) };
    });
    partial.catch(() => undefined); // its error is full's too, reported there
    return current;
  }

  /** The load to use: the current one, or a new one when there is none or it failed long enough ago. */
  const load = (): Load => {
    const wait = retryAfterMs * 2 ** Math.min(failures - 1, 3); // 1x, 2x, 4x, 8x
    if (!loading || (loading.failedAt !== undefined && now() - loading.failedAt >= wait)) loading = startLoad();
    return loading;
  };

  /** The full model's answer. */
  async function answer(s: Suggester, req: SuggestRequest): Promise<SuggestResponse> {
    const t0 = performance.now();
    const timings = { encodeMs: 0, headMs: 0 };
    const tags = await s.suggest(req, { k: req.k, exclude: req.exclude }, timings);
    return reply(s, req, tags, performance.now() - t0, timings.headMs);
  }

  /** The TF-IDF block's answer while the encoder loads (undefined: the model has no such block). */
  function provisionalAnswer(s: Suggester, req: SuggestRequest): SuggestResponse | undefined {
    const t0 = performance.now();
    const tags = s.suggestWithoutEncoder(req, { k: req.k, exclude: req.exclude });
    if (!tags) return undefined;
    const ms = performance.now() - t0; // all of it is "everything but the encoder"
    return { ...reply(s, req, tags, ms, ms), provisional: true };
  }

  function reply(s: Suggester, req: SuggestRequest, tags: SuggestResponse['tags'], tookMs: number, headMs: number): SuggestResponse {
    return {
      tags,
      model: { version: s.version },
      tookMs: Math.round(tookMs * 10) / 10,
      headMs: Math.round(headMs * 100) / 100,
      ...(req.includeText ? { text: s.textOf(req) } : {}),
    };
  }

  return {
    async warmup() {
      await load().full;
      return state;
    },
    status: () => state,
    async embed(texts) {
      if (!suggester) await load().full;
      if (!embedFn) throw new Error('this model has no sentence encoder (a tfidf model)');
      return embedFn(texts);
    },
    async suggest(req) {
      if (suggester) return answer(suggester, req);
      const current = load();
      const { partial, full } = current;
      if (current.failedAt !== undefined) return answer(await full, req); // its error, at once: no provisional answer from a failed load
      if (req.provisional) {
        // While the encoder loads, a caller that accepts it gets the TF-IDF block's answer
        // (Suggester.suggestWithoutEncoder) and asks again once `warmup` resolves.
        const s = await partial;
        const early = suggester ? undefined : provisionalAnswer(s, req);
        if (early) return early;
      }
      return answer(await full, req);
    },
  };
}
