/**
 * The extension's pure logic: message routing (queue, stale drop, errors), one-in-flight client,
 * which chips to show (ranking, abstain, limit), settings repair, and the controller over a fake page.
 */
import { describe, expect, it, vi } from 'vitest';
import { createRouter } from '../src/extension/background/router';
import { createLatestOnly } from '../src/extension/chips/latest-only';
import { barStateFor, chooseChips, hasEnoughText, percent } from '../src/extension/chips/suggestions';
import { DEFAULT_SETTINGS, sanitizeSettings, type Settings } from '../src/extension/settings/settings';
import { parseMessage, sendWhenListening, type ModelHost, type Reply, type SuggestRequest, type SuggestResponse } from '../src/extension/protocol';
import { SuggestionController } from '../src/extension/chips/controller';
import type { AskPageAdapter, AskPageText } from '../src/extension/page/types';
import type { Suggestion } from '../src/core/suggester';

const sug = (name: string, score: number, threshold = 0.5): Suggestion => ({ name, score, threshold, confident: score >= threshold });
const req = (title: string): SuggestRequest => ({ title, body: '', bodyFormat: 'markdown', k: 5 });

function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

/** A model host whose suggest calls wait until released, recording what they were asked. */
function fakeHost() {
  const calls: string[] = [];
  const gates: ReturnType<typeof deferred<void>>[] = [];
  const host: ModelHost = {
    async suggest(r) {
      calls.push(r.title);
      const g = deferred<void>();
      gates.push(g);
      await g.promise;
      if (r.title === 'boom') throw new Error('model exploded');
      return { tags: [sug(r.title, 0.9)], model: { version: 'v1' }, tookMs: 1 };
    },
    status: async () => ({ state: 'idle' }),
    warmup: async () => ({ state: 'ready', version: 'v1', vectorizer: 'hybrid', tags: 3, loadMs: 5 }),
  };
  return { host, calls, gates };
}

const tick = () => new Promise((r) => setTimeout(r, 0));

describe('message routing', () => {
  it('runs one request at a time and drops a request overtaken while it waited', async () => {
    const { host, calls, gates } = fakeHost();
    const router = createRouter(host);
    const a = router.handle({ target: 'background', type: 'suggest', instance: 'page-1', seq: 1, request: req('a') }, 'tab:1');
    await tick();
    const b = router.handle({ target: 'background', type: 'suggest', instance: 'page-1', seq: 2, request: req('b') }, 'tab:1');
    const c = router.handle({ target: 'background', type: 'suggest', instance: 'page-1', seq: 3, request: req('c') }, 'tab:1');
    await tick();
    expect(calls).toEqual(['a']); // b and c wait behind a
    gates[0].resolve();
    expect(await a).toMatchObject({ ok: true, value: { tags: [{ name: 'a' }] } });
    expect(await b).toEqual({ ok: false, stale: true }); // overtaken by c: never computed
    await tick();
    expect(calls).toEqual(['a', 'c']);
    gates[1].resolve();
    expect(await c).toMatchObject({ ok: true, value: { tags: [{ name: 'c' }] } });
  });

  it('keeps senders apart and refuses an out-of-order seq', async () => {
    const { host, calls, gates } = fakeHost();
    const router = createRouter(host);
    const a = router.handle({ target: 'background', type: 'suggest', instance: 'page-1', seq: 5, request: req('a') }, 'tab:1');
    const b = router.handle({ target: 'background', type: 'suggest', instance: 'page-1', seq: 1, request: req('b') }, 'tab:2');
    expect(await router.handle({ target: 'background', type: 'suggest', instance: 'page-1', seq: 4, request: req('old') }, 'tab:1')).toEqual({ ok: false, stale: true });
    await tick();
    gates[0].resolve();
    await a;
    await tick();
    gates[1].resolve();
    expect(await b).toMatchObject({ ok: true });
    expect(calls).toEqual(['a', 'b']);
    router.forget('tab:1');
    const again = router.handle({ target: 'background', type: 'suggest', instance: 'page-1', seq: 1, request: req('new page') }, 'tab:1');
    await tick();
    gates[2].resolve();
    expect(await again).toMatchObject({ ok: true });
  });

  it('turns model errors into error replies, and the queue goes on', async () => {
    const { host, gates } = fakeHost();
    const router = createRouter(host);
    const bad = router.handle({ target: 'background', type: 'suggest', instance: 'page-1', seq: 1, request: req('boom') }, 'tab:1');
    await tick();
    gates[0].resolve();
    expect(await bad).toEqual({ ok: false, error: 'model exploded' });
    const good = router.handle({ target: 'background', type: 'suggest', instance: 'page-1', seq: 2, request: req('ok') }, 'tab:1');
    await tick();
    gates[1].resolve();
    expect(await good).toMatchObject({ ok: true });
    expect(await router.handle({ target: 'background', type: 'warmup' }, 'popup')).toMatchObject({ ok: true, value: { state: 'ready' } });
  });

  it('a new instance of a sender (reloaded page, reopened popup) starts a fresh sequence', async () => {
    const { host, calls, gates } = fakeHost();
    const router = createRouter(host);
    // The old page sent 40 requests; the reloaded page of the same tab starts again at 1.
    const old = router.handle({ target: 'background', type: 'suggest', instance: 'page-1', seq: 40, request: req('old page') }, 'tab:1');
    await tick();
    gates[0].resolve();
    expect(await old).toMatchObject({ ok: true });
    const fresh = router.handle({ target: 'background', type: 'suggest', instance: 'page-2', seq: 1, request: req('reloaded') }, 'tab:1');
    await tick();
    gates[1].resolve();
    expect(await fresh).toMatchObject({ ok: true, value: { tags: [{ name: 'reloaded' }] } });
    // ...while within one instance an older seq is still stale
    expect(await router.handle({ target: 'background', type: 'suggest', instance: 'page-2', seq: 0, request: req('x') }, 'tab:1')).toEqual({ ok: false, stale: true });
    expect(calls).toEqual(['old page', 'reloaded']);
  });

  it("a request the old page queued is dropped once the reloaded page asks", async () => {
    const { host, calls, gates } = fakeHost();
    const router = createRouter(host);
    const busy = router.handle({ target: 'background', type: 'suggest', instance: 'page-1', seq: 1, request: req('running') }, 'tab:1');
    await tick(); // with the model now
    const queued = router.handle({ target: 'background', type: 'suggest', instance: 'page-1', seq: 2, request: req('queued by the old page') }, 'tab:1');
    const fresh = router.handle({ target: 'background', type: 'suggest', instance: 'page-2', seq: 1, request: req('reloaded') }, 'tab:1');
    await tick();
    gates[0].resolve();
    await busy;
    expect(await queued).toEqual({ ok: false, stale: true });
    await tick();
    gates[1].resolve();
    expect(await fresh).toMatchObject({ ok: true, value: { tags: [{ name: 'reloaded' }] } });
    expect(calls).toEqual(['running', 'reloaded']);
  });
});

describe('message checks (parseMessage)', () => {
  const good = { target: 'background', type: 'suggest', instance: 'i', seq: 1, request: { title: 't', body: 'b', bodyFormat: 'markdown', k: 5 } };

  it('passes a well-formed message through, stripped to its known fields', () => {
    expect(parseMessage({ ...good, extra: 1, request: { ...good.request, evil: true } }, 'background')).toEqual(good);
    expect(parseMessage({ target: 'background', type: 'status' }, 'background')).toEqual({ target: 'background', type: 'status' });
    expect(parseMessage({ target: 'offscreen', type: 'suggest', request: good.request }, 'offscreen')).toEqual({ target: 'offscreen', type: 'suggest', request: good.request });
  });

  it('stays silent on messages for someone else', () => {
    expect(parseMessage({ ...good, target: 'offscreen' }, 'background')).toBeUndefined();
    expect(parseMessage(null, 'background')).toBeUndefined();
    expect(parseMessage('suggest', 'offscreen')).toBeUndefined();
    expect(parseMessage([good], 'background')).toBeUndefined();
  });

  it('names what is wrong in a malformed message', () => {
    const bad = (patch: Record<string, unknown>, request: Record<string, unknown> = {}) =>
      parseMessage({ ...good, ...patch, request: { ...good.request, ...request } }, 'background');
    expect(bad({ type: 'nope' })).toMatch(/unknown message type "nope"/);
    expect(bad({ seq: 'x' })).toMatch(/seq must be a number/);
    expect(bad({ instance: '' })).toMatch(/instance/);
    expect(bad({}, { title: 5 })).toMatch(/request.title/);
    expect(bad({}, { body: 'x'.repeat(200_001) })).toMatch(/request.body .*200000/);
    expect(bad({}, { bodyFormat: 'pdf' })).toMatch(/bodyFormat/);
    expect(bad({}, { k: 0 })).toMatch(/request.k/);
    expect(bad({}, { k: 2.5 })).toMatch(/request.k/);
    expect(bad({}, { exclude: [{}] })).toMatch(/exclude/);
    expect(bad({}, { includeText: 'yes' })).toMatch(/includeText/);
    expect(bad({}, { provisional: 1 })).toMatch(/request\.provisional must be true or false/);
    expect(bad({}, { provisional: true })).toMatchObject({ request: { provisional: true } });
    expect(parseMessage({ ...good, request: null }, 'background')).toMatch(/request must be an object/);
    expect(parseMessage({ ...good, request: { ['__proto__']: { k: 5 } } }, 'background')).toMatch(/request.title/);
  });
});

describe('sending before the background listens (sendWhenListening)', () => {
  it('tries again while nobody listens yet, then answers', async () => {
    let calls = 0;
    const send = async () => {
      calls++;
      if (calls < 3) throw new Error('Could not establish connection. Receiving end does not exist.');
      return 'answer';
    };
    expect(await sendWhenListening(send, 5, 1)).toBe('answer');
    expect(calls).toBe(3);
  });
  it('throws any other error at once, and the listener error after the last try', async () => {
    let calls = 0;
    await expect(sendWhenListening(async () => (calls++, Promise.reject(new Error('model exploded'))), 5, 1)).rejects.toThrow('model exploded');
    expect(calls).toBe(1);
    await expect(sendWhenListening(async () => Promise.reject(new Error('Receiving end does not exist.')), 3, 1)).rejects.toThrow(/Receiving end/);
  });
});

describe('one request in flight, newest answer wins', () => {
  it('sends the first at once, keeps only the newest while busy, drops overtaken answers', async () => {
    const sent: { input: string; seq: number; d: ReturnType<typeof deferred<Reply<string>>> }[] = [];
    const results: string[] = [];
    const client = createLatestOnly<string, string>(
      (input, seq) => {
        const d = deferred<Reply<string>>();
        sent.push({ input, seq, d });
        return d.promise;
      },
      (v) => results.push(v),
      (m) => results.push(`error:${m}`),
    );
    client.request('a');
    client.request('b');
    client.request('c');
    expect(sent.map((s) => s.input)).toEqual(['a']);
    expect(client.busy).toBe(true);
    sent[0].d.resolve({ ok: true, value: 'A' });
    await tick();
    await tick();
    expect(results).toEqual([]); // 'a' was overtaken: its answer is not shown
    expect(sent.map((s) => s.input)).toEqual(['a', 'c']); // 'b' never sent
    sent[1].d.resolve({ ok: true, value: 'C' });
    await tick();
    await tick();
    expect(results).toEqual(['C']);
    expect(client.busy).toBe(false);
    client.request('d');
    sent[2].d.resolve({ ok: false, error: 'down' });
    await tick();
    expect(results).toEqual(['C', 'error:down']);
  });
});

describe('which chips to show', () => {
  const ranked = [sug('python', 0.95), sug('pandas', 0.7, 0.4), sug('numpy', 0.3, 0.5), sug('dataframe', 0.45, 0.4)];
  it('keeps confident tags (per-tag thresholds), best first, not already on the question, at most count', () => {
    expect(chooseChips(ranked, [], { count: 5, minConfidence: 'auto' }, 5).chips.map((c) => c.name)).toEqual(['python', 'pandas', 'dataframe']);
    expect(chooseChips(ranked, ['Python'], { count: 5, minConfidence: 'auto' }, 5).chips.map((c) => c.name)).toEqual(['pandas', 'dataframe']);
    expect(chooseChips(ranked, [], { count: 1, minConfidence: 'auto' }, 5).chips.map((c) => c.name)).toEqual(['python']);
  });
  it('uses one cut for all tags when the user sets it', () => {
    expect(chooseChips(ranked, [], { count: 5, minConfidence: 0.6 }, 5).chips.map((c) => c.name)).toEqual(['python', 'pandas']);
    expect(chooseChips(ranked, [], { count: 5, minConfidence: 0.25 }, 5).chips.map((c) => c.name)).toEqual(['python', 'pandas', 'numpy', 'dataframe']);
  });
  it('abstains when nothing is confident, and says when the question is full', () => {
    expect(barStateFor([sug('a', 0.1), sug('b', 0.2)], 3, [], DEFAULT_SETTINGS, 5)).toEqual({ kind: 'abstain', full: false });
    const full = barStateFor(ranked, 3, ['a', 'b', 'c', 'd', 'e'], DEFAULT_SETTINGS, 5);
    expect(full).toMatchObject({ kind: 'chips', full: true });
  });
  it('waits for enough text', () => {
    expect(hasEnoughText('help', '')).toBe(false);
    expect(hasEnoughText('merge two dicts', '')).toBe(true);
    expect(hasEnoughText('pandas', 'how do i drop rows with nan values')).toBe(true);
    expect(percent(0.874)).toBe('87%');
    expect(percent(1.2)).toBe('100%');
  });
});

describe('settings', () => {
  it('repairs stored values field by field', () => {
    expect(sanitizeSettings(undefined)).toEqual(DEFAULT_SETTINGS);
    expect(sanitizeSettings({ count: 99, minConfidence: 2, enabled: 'yes', showPanel: false })).toEqual({ ...DEFAULT_SETTINGS, count: 10, showPanel: false });
    expect(sanitizeSettings({ count: 0.4, minConfidence: 0.3 })).toEqual({ ...DEFAULT_SETTINGS, count: 1, minConfidence: 0.3 });
  });
});

/** A page whose text and tags the test sets, with an observe() the test can trigger. */
function fakePage(text: AskPageText, tags: string[] = []) {
  let listener: (() => void) | undefined;
  const adapter: AskPageAdapter = {
    variant: 'classic',
    maxTags: 5,
    read: () => ({ ...text }),
    currentTags: () => [...tags],
    anchor: () => null,
    async addTag(name) {
      if (tags.length >= 5) return { accepted: false, reason: 'the question already has 5 tags' };
      tags.push(name);
      return { accepted: true };
    },
    observe(cb) {
      listener = cb;
      return () => (listener = undefined);
    },
  };
  return { adapter, text, tags, change: () => listener?.(), observed: () => listener !== undefined };
}

describe('the content controller', () => {
  it('asks after the debounce, shows chips, adds a clicked tag through the page and stops', async () => {
    vi.useFakeTimers();
    try {
      const page = fakePage({ title: '', body: '', bodyFormat: 'markdown' });
      const asked: SuggestRequest[] = [];
      const states: (string | null)[] = [];
      const send = async (r: SuggestRequest): Promise<Reply<SuggestResponse>> => {
        asked.push(r);
        return { ok: true, value: { tags: [sug('python', 0.9), sug('dictionary', 0.8), sug('java', 0.1)].filter((s) => !r.exclude?.includes(s.name)), model: { version: 'v' }, tookMs: 2 } };
      };
      const settings: Settings = { ...DEFAULT_SETTINGS };
      const c = new SuggestionController({ adapter: page.adapter, send, settings, debounceMs: 200, render: (s) => states.push(s ? s.kind : null) });
      c.start();
      expect(c.current).toEqual({ kind: 'idle' });
      page.text.title = 'How do I merge two dictionaries in Python';
      page.change();
      page.change();
      await vi.advanceTimersByTimeAsync(150);
      expect(asked).toHaveLength(0); // still typing
      await vi.advanceTimersByTimeAsync(100);
      expect(asked).toHaveLength(1);
      expect(asked[0]).toMatchObject({ title: page.text.title, k: 5, exclude: [] });
      expect(c.current).toMatchObject({ kind: 'chips', chips: [{ name: 'python' }, { name: 'dictionary' }] });
      expect(states).toContain('loading');

      expect(await c.add('python')).toBe(true);
      expect(page.tags).toEqual(['python']);
      expect(c.current).toMatchObject({ kind: 'chips', chips: [{ name: 'dictionary' }] }); // at once
      await vi.advanceTimersByTimeAsync(300);
      expect(asked.at(-1)?.exclude).toEqual(['python']); // re-asked with the new tags

      page.change();
      await vi.advanceTimersByTimeAsync(300);
      const n = asked.length;
      page.change(); // nothing changed: no new request
      await vi.advanceTimersByTimeAsync(300);
      expect(asked).toHaveLength(n);

      c.updateSettings({ ...settings, showPanel: false });
      expect(states.at(-1)).toBeNull();
      c.stop();
      expect(page.observed()).toBe(false);
    } finally {
      vi.useRealTimers();
    }
  });

  it('shows a provisional answer while the encoder loads, then asks again for the full model once it is ready', async () => {
    const page = fakePage({ title: 'How do I merge two dictionaries in Python', body: '', bodyFormat: 'markdown' });
    const asked: SuggestRequest[] = [];
    const ready = deferred<void>();
    let loaded = false;
    const states: { kind: string; provisional?: boolean }[] = [];
    const c = new SuggestionController({
      adapter: page.adapter,
      settings: { ...DEFAULT_SETTINGS },
      send: async (r) => {
        asked.push(r);
        return loaded
          ? { ok: true, value: { tags: [sug('python', 0.9), sug('dictionary', 0.8)], model: { version: 'v' }, tookMs: 40 } }
          : { ok: true, value: { tags: [sug('python', 0.7)], model: { version: 'v' }, tookMs: 1, provisional: true } };
      },
      whenReady: () => ready.promise,
      render: (st) => st && states.push(st as never),
    });
    c.start();
    await tick();
    expect(asked).toHaveLength(1);
    expect(asked[0].provisional).toBe(true); // the controller accepts a provisional answer
    expect(c.current).toMatchObject({ kind: 'chips', chips: [{ name: 'python' }], provisional: true });
    page.change(); // nothing changed: the same provisional answer stays, nothing asked
    await new Promise((r) => setTimeout(r, 300));
    expect(asked).toHaveLength(1);
    loaded = true;
    ready.resolve();
    await tick();
    await tick();
    expect(asked).toHaveLength(2); // the same text again, without a keystroke
    expect(asked[1].title).toBe(asked[0].title);
    expect(c.current).toMatchObject({ kind: 'chips', chips: [{ name: 'python' }, { name: 'dictionary' }] });
    expect((c.current as { provisional?: boolean }).provisional).toBeUndefined();
    c.stop();
  });

  it('says so when the full model fails to load after a provisional answer, without asking again by itself', async () => {
    const page = fakePage({ title: 'How do I merge two dictionaries in Python', body: '', bodyFormat: 'markdown' });
    let asked = 0;
    const c = new SuggestionController({
      adapter: page.adapter,
      settings: { ...DEFAULT_SETTINGS },
      send: async () => (asked++, { ok: true, value: { tags: [sug('python', 0.7)], model: { version: 'v' }, tookMs: 1, provisional: true } }),
      whenReady: async () => {
        throw new Error('cannot load model "all-MiniLM-L6-v2"');
      },
      render: () => undefined,
    });
    c.start();
    await tick();
    await tick();
    expect(c.current).toEqual({ kind: 'error', message: 'cannot load model "all-MiniLM-L6-v2"' });
    expect(asked).toBe(1);
    c.stop();
  });

  it("a failed load's error does not cover the answer of the load after it; the controller waits for that one instead", async () => {
    const page = fakePage({ title: 'How do I merge two dictionaries in Python', body: '', bodyFormat: 'markdown' });
    const asked: SuggestRequest[] = [];
    const waits: { resolve: (v: void) => void; reject: (e: unknown) => void }[] = [];
    let loaded = false;
    const c = new SuggestionController({
      adapter: page.adapter,
      settings: { ...DEFAULT_SETTINGS },
      debounceMs: 0,
      send: async (r) => {
        asked.push(r);
        return loaded
          ? { ok: true, value: { tags: [sug('python', 0.9), sug('dictionary', 0.8)], model: { version: 'v' }, tookMs: 40 } }
          : { ok: true, value: { tags: [sug('python', 0.7)], model: { version: 'v' }, tookMs: 1, provisional: true } };
      },
      whenReady: () => {
        const d = deferred<void>();
        waits.push(d);
        return d.promise;
      },
      render: () => undefined,
    });
    c.start();
    await tick();
    expect(waits).toHaveLength(1); // load 1 is awaited
    page.text.title = 'How do I merge two dictionaries in Python 3';
    page.change();
    await tick();
    await tick();
    expect(asked).toHaveLength(2); // a provisional answer from load 2, while load 1's wait is still out
    expect(waits).toHaveLength(1);
    waits[0].reject(new Error('cannot load model: load 1 failed'));
    await tick();
    expect(c.current).toMatchObject({ kind: 'chips', provisional: true }); // not load 1's error
    expect(waits).toHaveLength(2); // waiting for load 2
    loaded = true;
    waits[1].resolve();
    await tick();
    await tick();
    expect(asked).toHaveLength(3);
    expect(c.current).toMatchObject({ kind: 'chips', chips: [{ name: 'python' }, { name: 'dictionary' }] });
    c.stop();
  });

  it('without whenReady asks for full answers only', async () => {
    const page = fakePage({ title: 'How do I merge two dictionaries in Python', body: '', bodyFormat: 'markdown' });
    const asked: SuggestRequest[] = [];
    const c = new SuggestionController({
      adapter: page.adapter,
      settings: { ...DEFAULT_SETTINGS },
      send: async (r) => (asked.push(r), { ok: true, value: { tags: [sug('python', 0.9)], model: { version: 'v' }, tookMs: 1 } }),
      render: () => undefined,
    });
    c.refresh();
    await tick();
    expect(asked[0].provisional).toBeUndefined();
    c.stop();
  });

  it('shows the model error and a refused add', async () => {
    const page = fakePage({ title: 'Why does my recursive function overflow the stack', body: '', bodyFormat: 'markdown' }, ['a', 'b', 'c', 'd', 'e']);
    let notice: string | undefined;
    const c = new SuggestionController({
      adapter: page.adapter,
      settings: { ...DEFAULT_SETTINGS },
      send: async () => ({ ok: false, error: 'cannot read model file' }),
      render: (_s, n) => (notice = n),
    });
    c.refresh();
    await tick();
    expect(c.current).toEqual({ kind: 'error', message: 'cannot read model file' });
    expect(await c.add('python')).toBe(false);
    expect(notice).toMatch(/5 tags/);
    c.stop();
  });
});
