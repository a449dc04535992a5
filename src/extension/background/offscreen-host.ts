/**
 * Chrome: the background service worker cannot start a Worker, so the model lives in an offscreen
 * document (reason WORKERS), created on first use and kept across service-worker restarts. This
 * host forwards model calls to it.
 */
import { browser } from 'wxt/browser';
import { extensionUrl } from '../urls';
import { unwrapReply, type ModelHost, type ModelStatus, type OffscreenMessage, type Reply, type SuggestResponse } from '../protocol';

export const OFFSCREEN_PATH = '/offscreen.html';

type ChromeOffscreen = {
  createDocument(params: { url: string; reasons: string[]; justification: string }): Promise<void>;
};
type ChromeRuntimeContexts = {
  getContexts?(filter: { contextTypes: string[]; documentUrls?: string[] }): Promise<unknown[]>;
};

let creating: Promise<void> | undefined;

async function hasOffscreenDocument(url: string): Promise<boolean> {
  const rt = browser.runtime as unknown as ChromeRuntimeContexts;
  if (!rt.getContexts) return false;
  const found = await rt.getContexts({ contextTypes: ['OFFSCREEN_DOCUMENT'], documentUrls: [url] });
  return found.length > 0;
}

export async function ensureOffscreenDocument(): Promise<void> {
  const url = extensionUrl(OFFSCREEN_PATH);
  if (await hasOffscreenDocument(url)) return;
  creating ??= (browser as unknown as { offscreen: ChromeOffscreen }).offscreen
    .createDocument({
      url,
      reasons: ['WORKERS'],
      justification: 'Runs the tag model (transformers.js, WebAssembly) in a Web Worker, entirely offline.',
    })
    .catch((err: Error) => {
      // Two callers raced past hasOffscreenDocument: the document exists, which is what we want.
      if (!/single offscreen|already/i.test(err.message)) throw err;
    })
    .finally(() => (creating = undefined));
  await creating;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Sends to the offscreen document, waiting (briefly) for its listener right after creation. */
async function send<T>(msg: OffscreenMessage): Promise<T> {
  await ensureOffscreenDocument();
  let lastErr: unknown;
  for (let attempt = 0; attempt < 40; attempt++) {
    try {
      return unwrapReply((await browser.runtime.sendMessage(msg)) as Reply<T> | undefined, 'Receiving end does not exist (no reply)');
    } catch (err) {
      lastErr = err;
      if (!/Receiving end does not exist|Could not establish connection|no reply/i.test((err as Error).message)) throw err;
      await sleep(50);
      await ensureOffscreenDocument();
    }
  }
  throw new Error(`the offscreen document does not answer: ${(lastErr as Error)?.message}`);
}

export function createOffscreenHost(): ModelHost {
  return {
    suggest: (request) => send<SuggestResponse>({ target: 'offscreen', type: 'suggest', request }),
    status: async () => ((await hasOffscreenDocument(extensionUrl(OFFSCREEN_PATH))) ? send<ModelStatus>({ target: 'offscreen', type: 'status' }) : { state: 'idle' }),
    warmup: () => send<ModelStatus>({ target: 'offscreen', type: 'warmup' }),
  };
}
