/**
 * The background: routes model requests from content scripts and the popup to the model host.
 * Chrome (service worker): the host is the offscreen document. Firefox (event page, which can start
 * Workers): the host is the Worker itself.
 */
import { browser } from 'wxt/browser';
import { extensionUrl } from '../urls';
import { createOffscreenHost } from './offscreen-host';
import { createWorkerHost } from '../model/worker-host';
import { isBackgroundMessage, type ModelHost } from '../protocol';
import { createRouter } from './router';
import { WORKER_PATH } from '../model/offscreen';

export function chooseHost(): ModelHost {
  const hasOffscreen = typeof (browser as unknown as { offscreen?: unknown }).offscreen !== 'undefined';
  if (hasOffscreen) return createOffscreenHost();
  if (typeof Worker === 'undefined') throw new Error('this browser offers neither offscreen documents nor Workers to the background');
  return createWorkerHost(extensionUrl(WORKER_PATH));
}

export function startBackground(): void {
  const router = createRouter(chooseHost());
  browser.runtime.onMessage.addListener((msg: unknown, sender, sendResponse: (r: unknown) => void) => {
    if (!isBackgroundMessage(msg)) return false;
    const from = sender.tab?.id !== undefined ? `tab:${sender.tab.id}:${sender.frameId ?? 0}` : `page:${sender.url ?? 'extension'}`;
    void router.handle(msg, from).then(sendResponse);
    return true;
  });
  browser.tabs.onRemoved.addListener((tabId) => router.forget(`tab:${tabId}:0`));
}
