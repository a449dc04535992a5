/**
 * The background's and the offscreen document's message listeners, with a fake `browser`: they
 * stay silent for other targets, ignore contexts of other extensions, answer a malformed message
 * with the reason (never passing it to the model), and pass a checked one on.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest';

type Listener = (msg: unknown, sender: { id?: string; tab?: { id: number }; url?: string }, sendResponse: (r: unknown) => void) => boolean | undefined;
const listeners: Listener[] = [];
const fakeBrowser = {
  runtime: {
    id: 'tagsmith-id',
    getURL: (p: string) => `chrome-extension://tagsmith-id${p}`,
    onMessage: { addListener: (l: Listener) => listeners.push(l) },
  },
  tabs: { onRemoved: { addListener: () => undefined } },
};
vi.mock('wxt/browser', () => ({ browser: fakeBrowser }));

/**
 * A Worker stand-in: records what is posted (comlink calls) and never answers. Each test gets a
 * fresh record, and a Worker keeps the record of the test that made it: comlink posts RELEASE
 * messages for proxies collected later, which must not count against the next test.
 */
let posted: unknown[] = [];
class FakeWorker {
  private readonly log = posted;
  addEventListener(): void {}
  removeEventListener(): void {}
  postMessage(m: unknown): void {
    this.log.push(m);
  }
  terminate(): void {}
}

const valid = { target: 'background', type: 'suggest', instance: 'page-1', seq: 1, request: { title: 'How to sort a dict?', body: '', bodyFormat: 'markdown', k: 5 } };

async function deliver(msg: unknown, sender: { id?: string; tab?: { id: number } }): Promise<{ handled: boolean | undefined; replies: unknown[] }> {
  const replies: unknown[] = [];
  const handled = listeners[0](msg, sender, (r) => replies.push(r));
  await new Promise((r) => setTimeout(r, 10));
  return { handled, replies };
}

describe('message listeners', () => {
  beforeEach(() => {
    listeners.length = 0;
    posted = [];
    vi.stubGlobal('Worker', FakeWorker);
    vi.resetModules();
  });

  for (const [name, start, target] of [
    ['background', async () => (await import('../src/extension/background')).startBackground(), 'background'],
    ['offscreen document', async () => (await import('../src/extension/model/offscreen')).startOffscreen(), 'offscreen'],
  ] as const) {
    describe(name, () => {
      const ours = target === 'background' ? valid : { target: 'offscreen', type: 'suggest', request: valid.request };

      it('stays silent on messages for another target', async () => {
        await start();
        const r = await deliver({ ...ours, target: target === 'background' ? 'offscreen' : 'background' }, { id: 'tagsmith-id' });
        expect(r.handled).toBe(false);
        expect(r.replies).toEqual([]);
        expect(posted).toEqual([]);
      });

      it('ignores a well-formed message from another extension', async () => {
        await start();
        const r = await deliver(ours, { id: 'someone-else', tab: { id: 3 } });
        expect(r.handled).toBe(false);
        expect(r.replies).toEqual([]);
        expect(posted).toEqual([]);
      });

      it('answers a malformed message with what is wrong, and the model never sees it', async () => {
        await start();
        const r = await deliver({ ...ours, request: { ...valid.request, k: 'all' } }, { id: 'tagsmith-id', tab: { id: 3 } });
        expect(r.replies).toEqual([{ ok: false, error: expect.stringMatching(/request.k must be an integer/) }]);
        expect(posted).toEqual([]);
      });

      it('passes a checked message on to the model', async () => {
        await start();
        const r = await deliver(ours, { id: 'tagsmith-id', tab: { id: 3 } });
        expect(r.handled).toBe(true); // answered asynchronously
        expect(posted.length).toBeGreaterThan(0); // a comlink call reached the (fake) model Worker
      });
    });
  }
});
