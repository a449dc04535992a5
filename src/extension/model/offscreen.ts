/** Chrome's offscreen document: owns the model Worker and answers the background's model calls. */
import { browser } from 'wxt/browser';
import { extensionUrl } from '../urls';
import { createWorkerHost } from './worker-host';
import { isOffscreenMessage, type OffscreenMessage, type Reply } from '../protocol';
import { errorMessage } from '../background/router';

export const WORKER_PATH = '/model-worker.js';

export function startOffscreen(): void {
  const host = createWorkerHost(extensionUrl(WORKER_PATH));
  async function handle(msg: OffscreenMessage): Promise<Reply<unknown>> {
    try {
      switch (msg.type) {
        case 'suggest':
          return { ok: true, value: await host.suggest(msg.request) };
        case 'status':
          return { ok: true, value: await host.status() };
        case 'warmup':
          return { ok: true, value: await host.warmup() };
        default:
          return { ok: false, error: `unknown offscreen message ${(msg as { type?: unknown }).type}` };
      }
    } catch (err) {
      return { ok: false, error: errorMessage(err) };
    }
  }
  browser.runtime.onMessage.addListener((msg: unknown, _sender, sendResponse: (r: unknown) => void) => {
    if (!isOffscreenMessage(msg)) return false; // not ours (the background answers those)
    void handle(msg).then(sendResponse);
    return true; // answer asynchronously
  });
}
