/**
 * Messages between the extension's parts. Content scripts and the popup talk to the background
 * (`target: 'background'`); on Chrome the background forwards model work to the offscreen document
 * (`target: 'offscreen'`), which owns the Web Worker. Every extension page receives every
 * runtime message, so each listener answers only its own target.
 */
import type { BodyFormat } from '../core/types';
import type { Suggestion } from '../core/suggester';

export interface SuggestRequest {
  title: string;
  body: string;
  bodyFormat: BodyFormat;
  /** Tags wanted (before the caller filters by confidence). */
  k: number;
  /** Tags the question already has. */
  exclude?: string[];
  /** Also return the normalised text the model read (diagnostics: popup, parity tests). */
  includeText?: boolean;
}

export interface SuggestResponse {
  tags: Suggestion[];
  model: { version: string };
  /** Model time for this request (normalise, encode, head), ms. */
  tookMs: number;
  /** The normalised text the model read, when asked for with `includeText`. */
  text?: string;
}

export type ModelStatus =
  | { state: 'idle' }
  | { state: 'loading' }
  | { state: 'ready'; version: string; vectorizer: string; tags: number; loadMs: number }
  | { state: 'failed'; error: string };

/** Content script / popup -> background. */
export type BackgroundMessage =
  | { target: 'background'; type: 'suggest'; seq: number; request: SuggestRequest }
  | { target: 'background'; type: 'status' }
  | { target: 'background'; type: 'warmup' };

/** Background -> offscreen document (Chrome). */
export type OffscreenMessage =
  | { target: 'offscreen'; type: 'suggest'; request: SuggestRequest }
  | { target: 'offscreen'; type: 'status' }
  | { target: 'offscreen'; type: 'warmup' };

/** Replies: a value, a dropped stale request, or an error message meant for the user. */
export type Reply<T> = { ok: true; value: T } | { ok: false; stale: true } | { ok: false; error: string };

export function isBackgroundMessage(msg: unknown): msg is BackgroundMessage {
  return !!msg && typeof msg === 'object' && (msg as { target?: unknown }).target === 'background';
}

export function isOffscreenMessage(msg: unknown): msg is OffscreenMessage {
  return !!msg && typeof msg === 'object' && (msg as { target?: unknown }).target === 'offscreen';
}

/** What the background needs from whoever runs the model (the Worker, directly or via offscreen). */
export interface ModelHost {
  suggest(request: SuggestRequest): Promise<SuggestResponse>;
  status(): Promise<ModelStatus>;
  warmup(): Promise<ModelStatus>;
}
