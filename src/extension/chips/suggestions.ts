/**
 * What the suggestion row shows, decided from the model's ranked tags, the question's current tags
 * and the user's settings. Pure: unit-tested on its own.
 */
import type { Suggestion } from '../../core/suggester';
import type { Settings } from '../settings/settings';

export interface Chip {
  name: string;
  /** 0..1 */
  score: number;
}

export type BarState =
  | { kind: 'idle' } // not enough text yet
  | { kind: 'loading' } // model starting
  | { kind: 'chips'; chips: Chip[]; full: boolean; tookMs: number; provisional?: boolean }
  | { kind: 'abstain'; full: boolean; provisional?: boolean }
  | { kind: 'error'; message: string };

/** Minimum text before asking the model: a short title alone says too little. */
export function hasEnoughText(title: string, body: string): boolean {
  const words = (s: string) => (s.match(/[\p{L}\p{N}][\p{L}\p{N}+#.-]*/gu) ?? []).length;
  return words(title) >= 3 || words(title) + words(body) >= 8;
}

/** Whether a suggestion passes the user's confidence rule. */
export function isConfident(s: Suggestion, minConfidence: Settings['minConfidence']): boolean {
  return minConfidence === 'auto' ? s.confident : s.score >= minConfidence;
}

/**
 * Chips to show: confident suggestions not already on the question, best first, at most
 * `settings.count`. `full` when the question has reached the page's tag limit (chips stay visible
 * but cannot be added).
 */
export function chooseChips(ranked: Suggestion[], currentTags: string[], settings: Pick<Settings, 'count' | 'minConfidence'>, maxTags: number): { chips: Chip[]; full: boolean } {
  const have = new Set(currentTags.map((t) => t.toLowerCase()));
  const chips = ranked
    .filter((s) => !have.has(s.name.toLowerCase()) && isConfident(s, settings.minConfidence))
    .slice(0, settings.count)
    .map((s) => ({ name: s.name, score: s.score }));
  return { chips, full: have.size >= maxTags };
}

/**
 * The row's state after a model answer; `provisional` for an answer from the TF-IDF block while
 * the encoder loads (the row says the suggestions are being refined).
 */
export function barStateFor(ranked: Suggestion[], tookMs: number, currentTags: string[], settings: Pick<Settings, 'count' | 'minConfidence'>, maxTags: number, provisional = false): BarState {
  const { chips, full } = chooseChips(ranked, currentTags, settings, maxTags);
  const p = provisional ? { provisional: true } : {};
  return chips.length === 0 ? { kind: 'abstain', full, ...p } : { kind: 'chips', chips, full, tookMs, ...p };
}

/** "87%" style label of a score. */
export function percent(score: number): string {
  return `${Math.round(Math.max(0, Math.min(1, score)) * 100)}%`;
}
