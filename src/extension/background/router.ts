/**
 * The background's message router: one queue to the model, and per-sender sequence numbers so a
 * request that was overtaken while waiting (the author kept typing) is dropped, not computed.
 * Pure logic over a {@link ModelHost}: unit-tested without a browser.
 */
import type { BackgroundMessage, ModelHost, ModelStatus, Reply, SuggestResponse } from '../protocol';

export interface Router {
  /** Handles one message from `sender` (a tab id, or 'popup'); never rejects. */
  handle(msg: BackgroundMessage, sender: string): Promise<Reply<SuggestResponse | ModelStatus>>;
  /** Forgets a sender (tab closed). */
  forget(sender: string): void;
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export function createRouter(host: ModelHost): Router {
  const latest = new Map<string, number>();
  // One request at a time to the model: the worker is single-threaded anyway, and waiting here
  // (not in the worker) lets an overtaken request be dropped before it costs anything.
  let queue: Promise<unknown> = Promise.resolve();

  function enqueue<T>(job: () => Promise<T>): Promise<T> {
    const run = queue.then(job, job);
    queue = run.catch(() => undefined);
    return run;
  }

  return {
    async handle(msg, sender) {
      try {
        switch (msg.type) {
          case 'status':
            return { ok: true, value: await host.status() };
          case 'warmup':
            return { ok: true, value: await host.warmup() };
          case 'suggest': {
            const seq = msg.seq;
            if (!Number.isFinite(seq)) return { ok: false, error: 'suggest: seq must be a number' };
            const prev = latest.get(sender) ?? -Infinity;
            if (seq < prev) return { ok: false, stale: true };
            latest.set(sender, seq);
            return await enqueue(async (): Promise<Reply<SuggestResponse>> => {
              if ((latest.get(sender) ?? -Infinity) > seq) return { ok: false, stale: true };
              return { ok: true, value: await host.suggest(msg.request) };
            });
          }
          default:
            return { ok: false, error: `unknown message type ${(msg as { type?: unknown }).type}` };
        }
      } catch (err) {
        return { ok: false, error: errorMessage(err) };
      }
    },
    forget(sender) {
      latest.delete(sender);
    },
  };
}
