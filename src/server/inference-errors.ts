/** The inference errors the API answers with a temporary status (errors.ts turns them into JSON). */

/** Worker threads restarting (after a crash or an overrun): a 503 the client may retry in a second. */
export class WorkerUnavailableError extends Error {
  readonly statusCode = 503;
  readonly retryAfterSeconds = 1;
  constructor() {
    super('the model is restarting; retry in a second');
    this.name = 'WorkerUnavailableError';
  }
}

/**
 * A question whose inference ran past the time budget: 504, without Retry-After, because the same
 * question would take as long again (its worker thread is restarted so it stops holding the queue).
 */
export class InferenceTimeoutError extends Error {
  readonly statusCode = 504;
  constructor(budgetMs: number) {
    super(
      `inference took longer than its ${budgetMs} ms budget and was stopped; ordinary questions take well under 100 ms, ` +
        'so shorten the body or remove unusual markup (very deep > or list nesting, long runs of * or _)',
    );
    this.name = 'InferenceTimeoutError';
  }
}
