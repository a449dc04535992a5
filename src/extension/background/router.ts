/**
 * The background's message router: one queue to the model, and per-sender sequence numbers so a
 * request that was overtaken while waiting (the author kept typing) is dropped, not computed.
 * Pure logic over a {@link ModelHost}: unit-tested without a browser.
 */
import { callHost, type BackgroundMessage, type ModelHost, type ModelStatus, type Reply, type SuggestResponse } from '../protocol';

export interface Router {
  /**
   * Handles one checked message from `sender` (a key for the tab and frame, or the extension page's
   * URL); never rejects. Sequence numbers count within one sender instance: a message from a new
   * instance of the same sender (a reloaded page, a reopened popup) starts a fresh count.
   */
  handle(msg: BackgroundMessage, sender: string): Promise<Reply<SuggestResponse | ModelStatus>>;
  /** Forgets a sender (tab closed). */
  forget(sender: string): void;
}

export function createRouter(host: ModelHost): Router {
  const latest = new Map<string, { instance: string; seq: number }>();
  // One request at a time to the model: the worker is single-threaded anyway, and waiting here
  // (not in the worker) lets an overtaken request be dropped before it costs anything.
  let queue: Promise<unknown> = Promise.resolve();

  function enqueue<T>(job: () => Promise<T>): Promise<T> {
    const run = queue.then(job, job);
    queue = run.catch(() => undefined);
    return run;
  }

  /** A newer request of the same instance came in, or a new instance (the page was reloaded). */
  const overtaken = (sender: string, instance: string, seq: number): boolean => {
    const last = latest.get(sender);
    return !!last && (last.instance !== instance || last.seq > seq);
  };

  return {
    async handle(msg, sender) {
      if (msg.type !== 'suggest') return callHost(host, msg);
      const { instance, seq } = msg;
      const last = latest.get(sender);
      if (last && last.instance === instance && last.seq > seq) return { ok: false, stale: true };
      latest.set(sender, { instance, seq }); // a new instance replaces the old one's count
      return enqueue(async () => (overtaken(sender, instance, seq) ? { ok: false, stale: true } : callHost(host, msg)));
    },
    forget(sender) {
      latest.delete(sender);
    },
  };
}
