/**
 * The background: routes model requests from content scripts and the popup to the model host.
 * Chrome (service worker): the host is the offscreen document. Firefox (event page, which can start
 * Workers): the host is the Worker itself.
 */
import { browser } from 'wxt/browser';
import { extensionUrl } from '../urls';
import { createOffscreenHost } from './offscreen-host';
import { createWorkerHost } from '../model/worker-host';
import { parseMessage, type ModelHost } from '../protocol';
import { createRouter } from './router';
import { WORKER_PATH } from '../model/paths';

export function chooseHost(): ModelHost {
  const hasOffscreen = typeof (browser as unknown as { offscreen?: unknown }).offscreen !== 'undefined';
  if (hasOffscreen) return createOffscreenHost();
  if (typeof Worker === 'undefined') throw new Error('this browser offers neither offscreen documents nor Workers to the background');
  return createWorkerHost(extensionUrl(WORKER_PATH)); // Firefox
}

/** The router's key for a sender: its tab and frame, or the extension page (popup) it runs in. */
export function senderKey(sender: { tab?: { id?: number }; frameId?: number; url?: string }): string {
  return sender.tab?.id !== undefined ? `tab:${sender.tab.id}:${sender.frameId ?? 0}` : `page:${sender.url ?? 'extension'}`;
}

export function startBackground(): void {
  const router = createRouter(chooseHost());
  browser.runtime.onMessage.addListener((msg: unknown, sender, sendResponse: (r: unknown) => void) => {
    const parsed = parseMessage(msg, 'background');
    if (parsed === undefined) return false;
    // Content scripts and pages of this extension only (other extensions use onMessageExternal,
    // which is not listened to; this also refuses a context that forged the target).
    if (sender.id !== browser.runtime.id) return false;
    if (typeof parsed === 'string') {
      sendResponse({ ok: false, error: parsed });
      return false;
    }
    void router.handle(parsed, senderKey(sender)).then(sendResponse);
    return true;
  });
  browser.tabs.onRemoved.addListener((tabId) => router.forget(senderKey({ tab: { id: tabId } })));
}
