/**
 * A `SuggestFn` backed by the HTTP API (POST /predict/). Browser-safe: only fetch.
 */
import type { SuggestFn, SuggestResult } from './types';

export interface ApiClientOptions {
  /** Base URL of the API ('' = same origin). */
  baseUrl?: string;
  /** Tags asked for. */
  k?: number;
  fetchImpl?: typeof fetch;
}

export function createApiSuggest(opts: ApiClientOptions = {}): SuggestFn {
  const base = (opts.baseUrl ?? '').replace(/\/$/, '');
  const doFetch = opts.fetchImpl ?? fetch;
  return async (title, body) => {
    const res = await doFetch(`${base}/predict/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ title, body, body_format: 'markdown', k: opts.k ?? 5 }),
    });
    const payload = (await res.json().catch(() => undefined)) as (SuggestResult & { message?: string }) | undefined;
    if (!res.ok || !payload) {
      const retry = res.headers.get('retry-after');
      const why = payload?.message ?? `HTTP ${res.status}`;
      throw new Error(retry ? `${why} (retry after ${retry} s)` : why);
    }
    return payload;
  };
}
