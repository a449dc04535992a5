import { describe, expect, it } from 'vitest';
import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { createInterface } from 'node:readline';
import { decodeHTML } from 'entities';
import { DEFAULT_NORMALIZE_OPTIONS, normalizeBody, normalizeQuestion } from '../src/core/normalize';
import { SHARED_DATA } from './helpers/paths';

/** Dice coefficient over whitespace tokens (multiset): 1 = same words, 0 = nothing shared. */
function tokenDice(a: string, b: string): number {
  const A = a.toLowerCase().split(/\s+/).filter(Boolean);
  const B = b.toLowerCase().split(/\s+/).filter(Boolean);
  const counts = new Map<string, number>();
  for (const t of A) counts.set(t, (counts.get(t) ?? 0) + 1);
  let shared = 0;
  for (const t of B) {
    const c = counts.get(t) ?? 0;
    if (c > 0) {
      shared++;
      counts.set(t, c - 1);
    }
  }
  return (2 * shared) / (A.length + B.length || 1);
}

describe('normalizeQuestion', () => {
  it('puts title, prose and code on three lines, decoding entities', () => {
    const text = normalizeQuestion({
      title: 'Why does &quot;a&quot; &amp; b fail?',
      body: '<p>I run <code>x &lt; 3</code> here:</p>\n<pre><code>if (x &lt; 3) {\n  go();\n}\n</code></pre>\n<p>It fails.</p>',
      bodyFormat: 'html',
    });
    expect(text).toBe('Why does "a" & b fail?\nI run x < 3 here: It fails.\nif (x < 3) { go(); }');
  });

  it('reads a markdown body exactly like its HTML rendering', () => {
    const html = normalizeQuestion({
      title: 'Merge dicts',
      body: '<p>How do I merge <code>a</code> and <em>b</em>? See <a href="https://x.example">the docs</a>.</p><pre><code>z = {**a, **b}\n</code></pre>',
      bodyFormat: 'html',
    });
    const fenced = normalizeQuestion({
      title: 'Merge dicts',
      body: 'How do I merge `a` and *b*? See [the docs](https://x.example).\n\n```python\nz = {**a, **b}\n```\n',
      bodyFormat: 'markdown',
    });
    const indented = normalizeQuestion({
      title: 'Merge dicts',
      body: 'How do I merge `a` and *b*? See [the docs][1].\r\n\r\n    z = {**a, **b}\r\n\r\n  [1]: https://x.example\r\n',
      bodyFormat: 'markdown',
    });
    expect(fenced).toBe(html);
    expect(indented).toBe(html);
    expect(html).toBe('Merge dicts\nHow do I merge a and b? See the docs.\nz = {**a, **b}');
  });

  it('drops tags Stack Overflow strips from markdown but keeps their text, and HTML comments', () => {
    const md = normalizeQuestion({
      title: 't',
      body: 'No <script> tags here.\n\n<!-- language: c# --!>\n\n    int x;\n',
      bodyFormat: 'markdown',
    });
    expect(md).toBe('t\nNo tags here.\nint x;');
  });

  it('moves code after the prose and clips it so the question itself survives truncation', () => {
    const longCode = Array.from({ length: 400 }, (_, i) => `line${i}();`).join('\n');
    const { prose, code } = normalizeBody(`<pre><code>${longCode}</code></pre><p>The question.</p>`, 'html');
    expect(prose).toBe('The question.');
    expect(code.length).toBeLessThanOrEqual(DEFAULT_NORMALIZE_OPTIONS.maxCodeBlockChars);
    expect(code.startsWith('line0(); line1();')).toBe(true);
    const many = Array.from({ length: 10 }, (_, i) => `<pre><code>${'x'.repeat(250)}${i}</code></pre>`).join('');
    expect(normalizeBody(many, 'html').code.length).toBeLessThanOrEqual(DEFAULT_NORMALIZE_OPTIONS.maxCodeChars + 10);
  });

  it('keeps plain editor text as text (no markdown parsing), folding whitespace', () => {
    expect(normalizeQuestion({ title: ' a\u00a0 title ', body: 'one *two*\n\n\tthree', bodyFormat: 'text' })).toBe(
      'a title\none *two* three',
    );
  });

  it('handles an empty body and a title only', () => {
    expect(normalizeQuestion({ title: 'Only a title', body: '', bodyFormat: 'html' })).toBe('Only a title');
    expect(normalizeQuestion({ title: 'Only a title' })).toBe('Only a title');
  });

  it('rejects an unknown body format with a clear error', () => {
    expect(() => normalizeQuestion({ title: 't', body: 'b', bodyFormat: 'rtf' as never })).toThrow(/unknown body format "rtf"/);
  });

  it('maps the HTML body and the body_markdown of real 2018 API questions to nearly the same text', async () => {
    const rl = createInterface({
      input: createReadStream(`${SHARED_DATA}/stackoverflow-api-2018.jsonl.gz`).pipe(createGunzip()),
    });
    const scores: number[] = [];
    for await (const line of rl) {
      const item = JSON.parse(line) as { title: string; body: string; body_markdown?: string };
      if (!item.body_markdown) continue;
      const fromHtml = normalizeQuestion({ title: item.title, body: item.body, bodyFormat: 'html' });
      const fromMarkdown = normalizeQuestion({
        title: item.title,
        body: decodeHTML(item.body_markdown),
        bodyFormat: 'markdown',
      });
      scores.push(tokenDice(fromHtml, fromMarkdown));
      if (scores.length === 1500) break;
    }
    rl.close();
    scores.sort((x, y) => x - y);
    const share = (min: number) => scores.filter((s) => s >= min).length / scores.length;
    expect(scores.length).toBe(1500);
    // Identical words for the large majority; the rest are posts whose HTML and markdown are
    // different revisions in the API dump (checked by hand), so no floor of 1 is possible.
    expect(share(0.999)).toBeGreaterThan(0.85);
    expect(share(0.95)).toBeGreaterThan(0.97);
    expect(scores[Math.floor(scores.length / 2)]).toBe(1);
  });
});
