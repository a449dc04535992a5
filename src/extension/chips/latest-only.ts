/**
 * One request in flight per tab, and only the newest answer counts: while a request runs, newer
 * inputs replace each other in a single pending slot; answers to overtaken requests are dropped.
 */
import type { Reply } from '../protocol';

export interface LatestOnly<I> {
  /** Asks for `input`; returns its sequence number. */
  request(input: I): number;
  /** Sequence number of the newest request. */
  readonly latestSeq: number;
  /** True while a request is with the model. */
  readonly busy: boolean;
}

export function createLatestOnly<I, O>(
  send: (input: I, seq: number) => Promise<Reply<O>>,
  onResult: (value: O, input: I, seq: number) => void,
  onError: (message: string, input: I, seq: number) => void,
): LatestOnly<I> {
  let seq = 0;
  let inFlight = false;
  let pending: { input: I; seq: number } | undefined;

  function fire(input: I, s: number): void {
    inFlight = true;
    send(input, s)
      .then(
        (reply) => {
          if (s !== seq) return; // overtaken while running: a newer request is pending
          if (reply.ok) onResult(reply.value, input, s);
          else if (!('stale' in reply)) onError(reply.error, input, s);
        },
        (err: unknown) => {
          if (s === seq) onError(err instanceof Error ? err.message : String(err), input, s);
        },
      )
      .finally(() => {
        inFlight = false;
        const next = pending;
        pending = undefined;
        if (next) fire(next.input, next.seq);
      });
  }

  return {
    request(input) {
      seq += 1;
      if (inFlight) pending = { input, seq };
      else fire(input, seq);
      return seq;
    },
    get latestSeq() {
      return seq;
    },
    get busy() {
      return inFlight;
    },
  };
}
