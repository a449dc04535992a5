/**
 * The question form (src/ui, shared by the demo page and the extension popup), rendered with preact
 * into a linkedom document: it calls `suggest` with what was typed, shows the tags with confidence
 * bars, dims the ones below threshold, shows latency and model, and shows errors.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseHTML } from 'linkedom';
import { h, render } from 'preact';
import { QuestionForm } from '../src/ui/QuestionForm';
import { createApiSuggest } from '../src/ui/api-client';
import type { SuggestFn } from '../src/ui/types';

const saved: Record<string, unknown> = {};
let window: ReturnType<typeof parseHTML>['window'];
let document: Document;

beforeAll(() => {
  ({ window } = parseHTML('<!doctype html><html><body><main id="app"></main></body></html>'));
  document = window.document as unknown as Document;
  for (const key of ['document', 'window', 'Event', 'HTMLElement', 'Node']) {
    saved[key] = (globalThis as Record<string, unknown>)[key];
    (globalThis as Record<string, unknown>)[key] = key === 'window' ? window : key === 'document' ? document : (window as unknown as Record<string, unknown>)[key];
  }
});
afterAll(() => {
  for (const [key, value] of Object.entries(saved)) (globalThis as Record<string, unknown>)[key] = value;
});

const tick = () => new Promise((r) => setTimeout(r, 20));

function type(el: Element, value: string) {
  (el as HTMLInputElement).value = value;
  el.dispatchEvent(new window.Event('input', { bubbles: true }) as unknown as Event);
}

async function mount(suggest: SuggestFn) {
  const root = document.getElementById('app')!;
  render(null, root);
  render(h(QuestionForm, { suggest }), root);
  await tick();
  return root;
}

describe('QuestionForm', () => {
  it('sends the typed question and shows tags, bars, latency and model', async () => {
    const calls: [string, string][] = [];
    const root = await mount(async (title, body) => {
      calls.push([title, body]);
      return { tags: [{ name: 'python', score: 0.91, confident: true }, { name: 'json', score: 0.234, confident: false }], model: { version: 'abc123' }, took_ms: 12.5 };
    });
    const button = root.querySelector('button[type=submit]') as HTMLButtonElement;
    expect(button.disabled).toBe(true); // nothing typed yet
    type(root.querySelector('input[name=title]')!, 'Parse JSON');
    type(root.querySelector('textarea[name=body]')!, 'with `json.loads`');
    await tick();
    expect(button.disabled).toBe(false);
    root.querySelector('form')!.dispatchEvent(new window.Event('submit', { bubbles: true, cancelable: true }) as unknown as Event);
    await tick();
    expect(calls).toEqual([['Parse JSON', 'with `json.loads`']]);
    const rows = [...root.querySelectorAll('li.ts-tag')];
    expect(rows.map((r) => r.querySelector('.ts-tag-name')!.textContent)).toEqual(['python', 'json']);
    expect(rows.map((r) => r.querySelector('.ts-tag-score')!.textContent)).toEqual(['91.0%', '23.4%']);
    expect((rows[0].querySelector('.ts-bar-fill') as HTMLElement).getAttribute('style')).toMatch(/width:\s*91%/);
    expect(rows[1].className).toContain('ts-tag-unsure');
    expect(root.querySelector('.ts-meta')!.textContent).toMatch(/\d+ ms round trip · 12\.5 ms computing · model abc123/);
  });

  it('shows the error a suggest call fails with', async () => {
    const root = await mount(async () => {
      throw new Error('the inference queue is full (retry after 2 s)');
    });
    type(root.querySelector('input[name=title]')!, 'anything');
    await tick();
    root.querySelector('form')!.dispatchEvent(new window.Event('submit', { bubbles: true, cancelable: true }) as unknown as Event);
    await tick();
    expect(root.querySelector('[role=alert]')!.textContent).toBe('the inference queue is full (retry after 2 s)');
    expect(root.querySelector('li.ts-tag')).toBeNull();
  });
});

describe('createApiSuggest', () => {
  it('posts the question as the API expects and turns an error answer into its message', async () => {
    const seen: { url: string; body: unknown }[] = [];
    const ok = createApiSuggest({
      baseUrl: 'http://api.test/',
      k: 3,
      fetchImpl: async (url, init) => {
        seen.push({ url: String(url), body: JSON.parse(String(init!.body)) });
        return new Response(JSON.stringify({ tags: [], model: { version: 'v' }, took_ms: 1 }), { status: 200 });
      },
    });
    expect(await ok('T', 'B')).toEqual({ tags: [], model: { version: 'v' }, took_ms: 1 });
    expect(seen).toEqual([{ url: 'http://api.test/predict/', body: { title: 'T', body: 'B', body_format: 'markdown', k: 3 } }]);
    const full = createApiSuggest({
      fetchImpl: async () => new Response(JSON.stringify({ statusCode: 503, message: 'the inference queue is full' }), { status: 503, headers: { 'retry-after': '2' } }),
    });
    await expect(full('T', '')).rejects.toThrow('the inference queue is full (retry after 2 s)');
  });
});
