/**
 * What the question form needs from whoever computes the tags: the API (demo page) or the
 * extension's worker (popup). Browser-safe, no imports.
 */

export interface SuggestedTag {
  name: string;
  /** Confidence in [0, 1]. */
  score: number;
  /** At or above the tag's tuned threshold (absent: unknown). */
  confident?: boolean;
}

export interface SuggestResult {
  tags: SuggestedTag[];
  model: { version: string };
  /** Time the tag source itself reports (server time for the API), in ms. */
  took_ms?: number;
}

/** Computes tags for a question (title, markdown body). Rejects with an Error whose message is shown to the user. */
export type SuggestFn = (title: string, body: string) => Promise<SuggestResult>;
