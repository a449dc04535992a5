/**
 * Messages between the extension's parts. Content scripts and the popup talk to the background
 * (`target: 'background'`); on Chrome the background forwards model work to the offscreen document
 * (`target: 'offscreen'`), which owns the Web Worker. Every extension page receives every
 * runtime message, so each listener answers only its own target, and checks the shape of what it
 * answers ({@link parseMessage}): a message is data from another context, never trusted as typed.
 */
import type { QuestionText } from '../core/normalize';
import type { BodyFormat } from '../core/types';
import type { Suggestion } from '../core/suggester';

/** A question as a page or the popup has it: the core's QuestionText with every field present. */
export type PageQuestion = Required<QuestionText>;

export interface SuggestRequest extends PageQuestion {
  /** Tags wanted (before the caller filters by confidence). */
  k: number;
  /** Tags the question already has. */
  exclude?: string[];
  /** Also return the normalised text the model read (diagnostics: popup, parity tests). */
  includeText?: boolean;
  /**
   * Accept a provisional answer while the sentence encoder is still loading: the TF-IDF block's
   * ranking (Suggester.suggestWithoutEncoder), marked `provisional`; ask again after `warmup`.
   */
  provisional?: boolean;
}

export interface SuggestResponse {
  tags: Suggestion[];
  model: { version: string };
  /** Model time for this request (normalise, encode, head), ms. */
  tookMs: number;
  /** Of which everything but the sentence encoder (normalisation, TF-IDF, head, ranking), ms. */
  headMs?: number;
  /** The normalised text the model read, when asked for with `includeText`. */
  text?: string;
  /** A provisional answer (asked for with `provisional`): the encoder was still loading. */
  provisional?: true;
}

export type ModelStatus =
  | { state: 'idle' }
  | { state: 'loading' }
  | {
      state: 'ready';
      version: string;
      vectorizer: string;
      tags: number;
      loadMs: number;
      /**
       * Where the load's time went: `headMs` from the load's start until the head, TF-IDF and
       * re-ranker files were in (provisional answers possible from then), `encoderMs` until the
       * encoder was ready (the runtime's start and the ONNX session, in a worker of its own),
       * `warmupMs` the warm-up run at the end.
       */
      phases?: { headMs?: number; encoderMs?: number; warmupMs: number };
      /** What runs the sentence encoder, e.g. "onnxruntime-web 1.30.0 (wasm, 2 threads)"; absent for a TF-IDF model. */
      runtime?: string;
      /** Where the head's dense scores are computed: "wasm-simd"; "js" where WebAssembly SIMD is unavailable; "js-generic" for a dense block whose size is not a multiple of 8. */
      headEngine?: string;
    }
  | { state: 'failed'; error: string };

/** What the model is asked: the same three calls whoever forwards them. */
export type ModelCall = { type: 'suggest'; request: SuggestRequest } | { type: 'status' } | { type: 'warmup' };

/**
 * Content script / popup -> background. A suggestion carries its sender's `instance` (one random
 * id per page load or popup opening) and a sequence number that grows within that instance, so
 * the background can drop overtaken requests without a reloaded page inheriting an old count.
 */
export type BackgroundMessage =
  | { target: 'background'; type: 'suggest'; instance: string; seq: number; request: SuggestRequest }
  | { target: 'background'; type: 'status' }
  | { target: 'background'; type: 'warmup' };

/** Background -> offscreen document (Chrome). */
export type OffscreenMessage = { target: 'offscreen' } & ModelCall;

/** Replies: a value, a dropped stale request, or an error message meant for the user. */
export type Reply<T> = { ok: true; value: T } | { ok: false; stale: true } | { ok: false; error: string };

/** What the background needs from whoever runs the model (the Worker, directly or via offscreen). */
export interface ModelHost {
  suggest(request: SuggestRequest): Promise<SuggestResponse>;
  status(): Promise<ModelStatus>;
  warmup(): Promise<ModelStatus>;
}

/** The value of a reply, or a thrown Error saying why there is none (no answer, overtaken, failed). */
export function unwrapReply<T>(reply: Reply<T> | undefined, nobody = 'the extension background did not answer'): T {
  if (!reply) throw new Error(nobody);
  if (reply.ok) return reply.value;
  throw new Error('error' in reply ? reply.error : 'the request was overtaken by a newer one');
}

/**
 * Sends with `send`, again (every `delayMs`, up to `tries` times) while nobody listens yet: in a
 * browser that has just started, a page can run before the extension's background has added its
 * listener (Firefox: "Could not establish connection. Receiving end does not exist.", seen once in
 * 20 fresh browsers by bench:browser). Any other error is thrown at once.
 */
export async function sendWhenListening<T>(send: () => Promise<T>, tries = 30, delayMs = 100): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await send();
    } catch (err) {
      if (attempt >= tries || !/Receiving end does not exist|Could not establish connection/i.test(errorMessage(err))) throw err;
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** The one dispatch of a model call to a host (the background's router and the offscreen document). */
export async function callHost(host: ModelHost, call: ModelCall): Promise<Reply<SuggestResponse | ModelStatus>> {
  try {
    switch (call.type) {
      case 'suggest':
        return { ok: true, value: await host.suggest(call.request) };
      case 'status':
        return { ok: true, value: await host.status() };
      case 'warmup':
        return { ok: true, value: await host.warmup() };
    }
  } catch (err) {
    return { ok: false, error: errorMessage(err) };
  }
}

/** Limits of a suggestion request; the page can hold more, the model reads far less (256 tokens). */
export const REQUEST_LIMITS = { title: 1_000, body: 200_000, k: 50, exclude: 20, tag: 100, instance: 100 } as const;

const BODY_FORMATS: readonly BodyFormat[] = ['html', 'markdown', 'text'];
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isString = (v: unknown, max: number): v is string => typeof v === 'string' && v.length <= max;

/** A suggestion request checked field by field; a string says what is wrong. */
export function parseSuggestRequest(v: unknown): SuggestRequest | string {
  if (!isObject(v)) return 'request must be an object';
  const L = REQUEST_LIMITS;
  if (!isString(v.title, L.title)) return `request.title must be a string of at most ${L.title} characters`;
  if (!isString(v.body, L.body)) return `request.body must be a string of at most ${L.body} characters`;
  if (!BODY_FORMATS.includes(v.bodyFormat as BodyFormat)) return `request.bodyFormat must be one of ${BODY_FORMATS.join(', ')}`;
  if (!Number.isInteger(v.k) || (v.k as number) < 1 || (v.k as number) > L.k) return `request.k must be an integer from 1 to ${L.k}`;
  if (v.exclude !== undefined && !(Array.isArray(v.exclude) && v.exclude.length <= L.exclude && v.exclude.every((t) => isString(t, L.tag)))) {
    return `request.exclude must be at most ${L.exclude} tag names`;
  }
  if (v.includeText !== undefined && typeof v.includeText !== 'boolean') return 'request.includeText must be true or false';
  if (v.provisional !== undefined && typeof v.provisional !== 'boolean') return 'request.provisional must be true or false';
  return {
    title: v.title,
    body: v.body,
    bodyFormat: v.bodyFormat as BodyFormat,
    k: v.k as number,
    ...(v.exclude ? { exclude: [...(v.exclude as string[])] } : {}),
    ...(v.includeText !== undefined ? { includeText: v.includeText } : {}),
    ...(v.provisional !== undefined ? { provisional: v.provisional } : {}),
  };
}

/**
 * The message for `target`, checked; `undefined` when it is not addressed to `target` (someone
 * else's message: stay silent), a string when it is ours but malformed (answer with that error).
 */
export function parseMessage(msg: unknown, target: 'background'): BackgroundMessage | string | undefined;
export function parseMessage(msg: unknown, target: 'offscreen'): OffscreenMessage | string | undefined;
export function parseMessage(msg: unknown, target: 'background' | 'offscreen'): BackgroundMessage | OffscreenMessage | string | undefined {
  if (!isObject(msg) || msg.target !== target) return undefined;
  switch (msg.type) {
    case 'status':
    case 'warmup':
      return { target, type: msg.type } as BackgroundMessage | OffscreenMessage;
    case 'suggest': {
      const request = parseSuggestRequest(msg.request);
      if (typeof request === 'string') return `suggest: ${request}`;
      if (target === 'offscreen') return { target, type: 'suggest', request };
      if (!isString(msg.instance, REQUEST_LIMITS.instance) || !msg.instance) return 'suggest: instance must be a non-empty string';
      if (typeof msg.seq !== 'number' || !Number.isFinite(msg.seq)) return 'suggest: seq must be a number';
      return { target, type: 'suggest', instance: msg.instance, seq: msg.seq, request };
    }
    default:
      return `unknown message type ${JSON.stringify(msg.type)}`;
  }
}

/** A fresh id for one page load or popup opening (see {@link BackgroundMessage}). */
export function newInstanceId(): string {
  return globalThis.crypto.randomUUID();
}
