/**
 * Hostile bodies (issue #12, item 1): normalisation neither crashes nor stalls on them, and a record
 * carrying one no longer aborts `tagsmith train`. Property-based part with fast-check: no string, in
 * any format, makes `normalizeQuestion` throw or take more than a generous bound.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGunzip } from 'node:zlib';
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { MAX_BODY_CHARS, MAX_MARKDOWN_NESTING, normalizeQuestion } from '../src/core/normalize';
import type { BodyFormat } from '../src/core/types';
import { tagsmith } from './helpers/cli';
import { SHARED_DATA } from './helpers/paths';

/** Far above what the bounded normalisation needs (about a second at worst on a busy machine), far below what it cost unbounded. */
const GENEROUS_MS = 5000;

function timed(body: string, bodyFormat: BodyFormat = 'markdown'): { text: string; ms: number } {
  const t0 = performance.now();
  const text = normalizeQuestion({ title: 'Hostile body', body, bodyFormat });
  return { text, ms: performance.now() - t0 };
}

describe('hostile markdown', () => {
  it('60,000 > (the API body that answered 500): read without a stack overflow', () => {
    const { text, ms } = timed('>'.repeat(60_000));
    expect(text).toBe('Hostile body');
    expect(ms).toBeLessThan(GENEROUS_MS);
  });

  it.each([
    ['3,000 >', '>'.repeat(3_000)],
    ['15,000 "> "', '> '.repeat(15_000)],
    ['10,000 nested list markers', '- '.repeat(10_000) + 'deep'],
    ['mixed quote and list nesting', '> 1. '.repeat(6_000) + 'deep'],
  ])('%s: read without a stack overflow, the text kept', (_name, body) => {
    const { text, ms } = timed(`${body}\n\nafter the quote`);
    expect(text.startsWith('Hostile body\n')).toBe(true);
    expect(text).toContain('after the quote');
    expect(ms).toBeLessThan(GENEROUS_MS);
  });

  it('keeps real nesting as it was: the cap only trims markers past the limit', () => {
    const deep = '>'.repeat(MAX_MARKDOWN_NESTING + 50) + ' quoted';
    const atCap = '>'.repeat(MAX_MARKDOWN_NESTING) + ' quoted';
    expect(normalizeQuestion({ title: 't', body: deep })).toBe(normalizeQuestion({ title: 't', body: atCap }));
    expect(normalizeQuestion({ title: 't', body: '> > > a quote\n\n- a\n  - b\n    - c' })).toBe('t\na quote a b c');
  });

  it.each([
    ['_a repeated (60 KB)', '_a'.repeat(30_000)],
    ['*a repeated (60 KB)', '*a'.repeat(30_000)],
    ['nested emphasis (36 KB)', '*a '.repeat(6_000) + 'b* '.repeat(6_000)],
    ['nested strong emphasis (32 KB)', '**a '.repeat(4_000) + 'b** '.repeat(4_000)],
    ['openers without closers (36 KB)', '**a '.repeat(6_000) + 'b** '.repeat(3_000)],
    ['the shape fast-check found (40 KB)', '* **_---'.repeat(5_000)],
  ])('%s: bounded time', (_name, body) => {
    const { text, ms } = timed(body);
    expect(text.length).toBeGreaterThan(1000);
    expect(ms).toBeLessThan(GENEROUS_MS);
  });

  it.each(['markdown', 'html', 'text'] as const)('reads only the first MAX_BODY_CHARS.%s characters of a body', (bodyFormat) => {
    const max = MAX_BODY_CHARS[bodyFormat];
    const unclipped = { maxCodeBlockChars: 300, maxCodeChars: 900, maxChars: 1e9 };
    const read = (body: string) => normalizeQuestion({ title: 't', body, bodyFormat }, unclipped);
    expect(read(`${'word '.repeat(max / 5 - 1)}HEAD`)).toContain('HEAD');
    expect(read(`${'word '.repeat(max / 5)}TAIL`)).not.toContain('TAIL');
  });
});

describe('normalizeQuestion, property-based (fast-check)', () => {
  const format = fc.constantFrom<BodyFormat>('markdown', 'html', 'text');
  /** Pieces that exercise the parsers: containers, emphasis, links, code, raw HTML, entities. */
  const piece = fc.constantFrom(
    '>', '> ', '- ', '* ', '+ ', '1. ', '  ', '\n', '\n\n', '    ', '_', '*', '**', '__', '~~', '`', '```\n', '[', ']', '(', ')', '![',
    '<', '>', '</', '<div>', '</div>', '<pre>', '</pre>', '<code>', '<!--', '-->', '--!>', '&amp;', '&#x', ';', '|', '---', '#', 'a', 'é', '😀', '\u0000', '\u202e', '@', 'www.', 'http://',
  );
  const soup = fc.array(piece, { maxLength: 400 }).map((p) => p.join(''));
  /** Short patterns repeated into long bodies: the shape of the known attacks. */
  const repeated = fc.tuple(fc.array(piece, { minLength: 1, maxLength: 4 }), fc.integer({ min: 100, max: 20_000 })).map(([p, n]) => p.join('').repeat(n));

  /** The failing input in a few words (a counterexample can be 100 KB long). */
  const summary = (out: fc.RunDetails<[string, BodyFormat]>) =>
    out.failed ? `${out.counterexample?.[1]} body of ${out.counterexample?.[0].length} chars, starting ${JSON.stringify(out.counterexample?.[0].slice(0, 60))}: ${String(out.errorInstance)}` : '';

  it('never throws and returns a string starting with the title', () => {
    const out = fc.check(
      fc.property(fc.oneof(fc.string({ unit: 'binary', maxLength: 2000 }), soup, repeated), format, (body, bodyFormat) => {
        const text = normalizeQuestion({ title: 'T', body, bodyFormat });
        return typeof text === 'string' && text.startsWith('T');
      }),
      { numRuns: 300, seed: 12, endOnFailure: true },
    );
    expect(out.failed, summary(out)).toBe(false);
  }, 120_000);

  it('stays within a generous time bound on each long adversarial body', () => {
    const out = fc.check(
      fc.property(repeated, format, (body, bodyFormat) => timed(body, bodyFormat).ms < GENEROUS_MS),
      { numRuns: 60, seed: 7, endOnFailure: true },
    );
    expect(out.failed, summary(out)).toBe(false);
  }, 180_000);
});

describe('tagsmith train with one hostile record', () => {
  it('completes and trains on the other records', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tagsmith-hostile-'));
    try {
      const lines: string[] = [];
      const input = createInterface({ input: createReadStream(join(SHARED_DATA, 'stackoverflow-api-2018.jsonl.gz')).pipe(createGunzip()) });
      for await (const line of input) {
        lines.push(line);
        if (lines.length === 600) break;
      }
      input.close();
      const hostile = { question_id: 999_999_999, title: 'A quote in a quote in a quote', body_markdown: '>'.repeat(60_000), tags: ['java'], creation_date: 1_525_000_000 };
      lines.splice(300, 0, JSON.stringify(hostile));
      const data = join(dir, 'hostile.jsonl');
      writeFileSync(data, `${lines.join('\n')}\n`);
      const r = await tagsmith(['train', '--data', data, '--vectorizer', 'tfidf', '--limit', '601', '--tags', '10', '--out', join(dir, 'model'), '--json', '--no-track']);
      expect(r.code, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout).model.version).toMatch(/^[0-9a-f]{12}$/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);
});
