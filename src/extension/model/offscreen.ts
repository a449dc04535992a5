/** Chrome's offscreen document: owns the model Worker and answers the background's model calls. */
import { browser } from 'wxt/browser';
import { extensionUrl } from '../urls';
import { createWorkerHost } from './worker-host';
import { callHost, parseMessage } from '../protocol';
import { WORKER_PATH } from './paths';

export function startOffscreen(): void {
  const host = createWorkerHost(extensionUrl(WORKER_PATH));
  browser.runtime.onMessage.addListener((msg: unknown, sender, sendResponse: (r: unknown) => void) => {
    const parsed = parseMessage(msg, 'offscreen');
    if (parsed === undefined) return false; // not ours (the background answers those)
    if (sender.id !== browser.runtime.id) return false; // only this extension's background talks to the model
    if (typeof parsed === 'string') {
      sendResponse({ ok: false, error: parsed });
      return false;
    }
    void callHost(host, parsed).then(sendResponse);
    return true; // answer asynchronously
  });
}
