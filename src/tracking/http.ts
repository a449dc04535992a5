/**
 * HTTP calls to an MLflow server with retries: network errors, timeouts, 5xx and 429 are retried with
 * exponential backoff (as MLflow's own client does); other errors carry MLflow's error code and message.
 */

export interface RetryOptions {
  /** Total attempts per call, first one included (default 5). */
  attempts?: number;
  /** Delay before the first retry; doubled each time (default 500 ms). */
  baseDelayMs?: number;
  /** Upper bound for one delay (default 8000 ms). */
  maxDelayMs?: number;
  /** Per-attempt timeout (default 60 s). */
  timeoutMs?: number;
}

export const DEFAULT_RETRY: Required<RetryOptions> = {
  attempts: 5,
  baseDelayMs: 500,
  maxDelayMs: 8000,
  timeoutMs: 60_000,
};

/** The server answered with an error: HTTP status plus MLflow's `error_code` and `message`. */
export class MlflowApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly errorCode: string | undefined,
    /** MLflow's own message, unchanged. */
    readonly serverMessage: string,
  ) {
    super(message);
    this.name = 'MlflowApiError';
  }
}

/** No usable answer after all attempts (server down, unreachable, or failing with 5xx/429). */
export class MlflowUnavailableError extends Error {
  constructor(message: string, override readonly cause?: unknown) {
    super(message);
    this.name = 'MlflowUnavailableError';
  }
}

const RETRYABLE_STATUS = new Set([429, 500, 502, 503, 504]);
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function describeNetworkError(err: unknown): string {
  if (err instanceof Error) {
    if (err.name === 'TimeoutError') return 'timed out';
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    if (cause?.code) return `${cause.code}${cause.message ? ` (${cause.message})` : ''}`;
    return err.message;
  }
  return String(err);
}

export interface RequestSpec {
  method: 'GET' | 'POST' | 'PUT';
  /** Path under the server's base URL, starting with `/`, query string included. */
  path: string;
  /** JSON body (POST) or raw bytes (PUT). */
  json?: unknown;
  body?: Uint8Array;
}

/**
 * Sends one request to `baseUrl + spec.path`, retrying transient failures. Returns the Response of a
 * 2xx answer (body unread); throws MlflowApiError for other answers and MlflowUnavailableError when
 * retries run out.
 */
export async function mlflowFetch(baseUrl: string, spec: RequestSpec, retry: Required<RetryOptions>): Promise<Response> {
  const url = baseUrl + spec.path;
  const call = `${spec.method} ${spec.path.split('?')[0]}`;
  let last = '';
  let lastErr: unknown;
  for (let attempt = 1; attempt <= retry.attempts; attempt++) {
    if (attempt > 1) await sleep(Math.min(retry.maxDelayMs, retry.baseDelayMs * 2 ** (attempt - 2)));
    let res: Response;
    try {
      const headers: Record<string, string> = {};
      let body: BodyInit | undefined;
      if (spec.json !== undefined) {
        headers['content-type'] = 'application/json';
        body = JSON.stringify(spec.json);
      } else if (spec.body !== undefined) {
        headers['content-type'] = 'application/octet-stream';
        // fetch's BodyInit takes ArrayBuffer-backed views only (not SharedArrayBuffer ones): copy those.
        body = spec.body.buffer instanceof ArrayBuffer ? (spec.body as Uint8Array<ArrayBuffer>) : new Uint8Array(spec.body);
      }
      res = await fetch(url, { method: spec.method, headers, body, signal: AbortSignal.timeout(retry.timeoutMs) });
    } catch (err) {
      lastErr = err;
      last = describeNetworkError(err);
      continue;
    }
    if (res.ok) return res;
    const text = await res.text().catch(() => '');
    if (RETRYABLE_STATUS.has(res.status)) {
      last = `HTTP ${res.status} ${text.slice(0, 300)}`.trim();
      continue;
    }
    let errorCode: string | undefined;
    let serverMessage = text.slice(0, 2000);
    try {
      const parsed = JSON.parse(text) as { error_code?: string; message?: string };
      errorCode = parsed.error_code;
      if (parsed.message) serverMessage = parsed.message;
    } catch {
      /* not JSON: keep the raw text */
    }
    throw new MlflowApiError(
      `MLflow server ${baseUrl} refused ${call} (HTTP ${res.status}${errorCode ? ` ${errorCode}` : ''}): ${serverMessage}`,
      res.status,
      errorCode,
      serverMessage,
    );
  }
  throw new MlflowUnavailableError(
    `MLflow server ${baseUrl} did not answer ${call} after ${retry.attempts} attempts (last error: ${last}). ` +
      `Is the server running and is the tracking URI right (--tracking-uri or MLFLOW_TRACKING_URI)?`,
    lastErr,
  );
}
