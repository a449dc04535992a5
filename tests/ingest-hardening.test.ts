/**
 * Ingestion against hostile input (issue #12 items 5 and 8): huge lines and records, gzip bombs,
 * unclosed CSV quotes, tags that are not tags, truncated gzip files; then property-based tests:
 * arbitrary lines or bytes in each format either read (every record kept or counted) or fail with
 * a clear IngestError, within a time bound.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { isValidTagName } from '../src/core/tag-syntax';
import type { Question } from '../src/core/types';
import { IngestError, readQuestions, type FileReport } from '../src/pipeline/ingest';
import { newFileReport } from '../src/pipeline/ingest/report';
import { MAX_RECORD_CHARS } from '../src/pipeline/ingest/source';
import { writeHugeLine } from '../scripts/lib/huge-input';

let tmp = '';
beforeAll(async () => {
  tmp = await mkdtemp(path.join(tmpdir(), 'tagsmith-ingest-hardening-'));
});

async function readAll(file: string): Promise<{ qs: Question[]; rep: FileReport; seconds: number }> {
  const rep = newFileReport(file, 'api-json');
  const qs: Question[] = [];
  const t0 = performance.now();
  for await (const q of readQuestions(file, rep)) qs.push(q);
  return { qs, rep, seconds: (performance.now() - t0) / 1000 };
}

const skipped = (rep: FileReport) => Object.values(rep.skipped).reduce((a, b) => a + b, 0);
const item = (id: number, extra: Record<string, unknown> = {}) => JSON.stringify({ question_id: id, title: `t${id}`, tags: ['java'], creation_date: 1525132800, ...extra });

describe('huge records', () => {
  it('a 100 MB JSON line is skipped as too-large in linear time, with its line number; the next line is kept', async () => {
    const file = path.join(tmp, 'huge-line.jsonl');
    await writeHugeLine(file, `${item(1)}\n{"question_id": 2, "title": "`, 100, `"}\n${item(3)}\n`, false);
    const { qs, rep, seconds } = await readAll(file);
    expect(qs.map((q) => q.id)).toEqual(['1', '3']);
    expect(rep.skipped).toEqual({ 'too-large': 1 });
    expect(rep.samples).toEqual([{ reason: 'too-large', line: 2 }]);
    expect(seconds).toBeLessThan(8); // was 16 s (the line was rescanned from its start on every chunk)
  });

  it('a 600 KB gzip expanding to one 600 MB line is read in bounded time and memory', async () => {
    const file = path.join(tmp, 'bomb.jsonl.gz');
    await writeHugeLine(file, '{"question_id": 1, "title": "', 600, `"}\n${item(2)}\n`, true);
    const heapBefore = process.memoryUsage().heapUsed;
    const { qs, rep, seconds } = await readAll(file);
    expect(qs.map((q) => q.id)).toEqual(['2']);
    expect(rep.samples).toEqual([{ reason: 'too-large', line: 1 }]);
    expect(seconds).toBeLessThan(60); // was > 120 s
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(200 * 2 ** 20);
  }, 180_000);

  it('a CSV row and a Posts.xml row over the record cap are skipped as too-large, the others kept', async () => {
    const big = 'a'.repeat(MAX_RECORD_CHARS + 1);
    const csv = path.join(tmp, 'big.csv');
    await writeFile(csv, `Id,Title,Tags,CreationDate,Body\n1,t,<a>,2020-01-01,"${big}"\n2,t,<b>,2020-01-01,x\n`);
    const xml = path.join(tmp, 'big.xml');
    await writeFile(
      xml,
      `<posts>\n<row Id="1" PostTypeId="1" Title="t" Tags="&lt;a&gt;" CreationDate="2020-01-01" Body="${big}"/>\n<row Id="2" PostTypeId="1" Title="t" Tags="&lt;b&gt;" CreationDate="2020-01-01"/>\n</posts>\n`,
    );
    for (const [file, line] of [[csv, 2], [xml, 2]] as const) {
      const { qs, rep } = await readAll(file);
      expect(qs.map((q) => q.id)).toEqual(['2']);
      expect(rep.samples).toEqual([expect.objectContaining({ reason: 'too-large', line })]);
    }
  });
});

describe('malformed records are counted, never silently lost', () => {
  it('an unclosed CSV quote no longer swallows the next row: the rows are read again line by line and the repair counted', async () => {
    const file = path.join(tmp, 'unclosed-mid.csv');
    await writeFile(file, 'Id,Title,Tags,CreationDate\n1,"Unclosed quote,<a>,2020-01-01\n2,"Fine",<b>,2020-01-02\n3,Also fine,<c>,2020-01-03\n');
    const { qs, rep } = await readAll(file);
    expect(qs.map((q) => [q.id, q.title, q.tags])).toEqual([
      ['1', '"Unclosed quote', ['a']],
      ['2', 'Fine', ['b']],
      ['3', 'Also fine', ['c']],
    ]);
    expect(rep.read).toBe(3);
    expect(rep.repaired).toEqual({ 'unclosed-quote-rows': 1 });
  });

  it('non-string tags and tags outside the site syntax skip the question as invalid-tag, with its line', async () => {
    const file = path.join(tmp, 'bad-tags.jsonl');
    const lines = [
      item(1, { tags: [{ x: 1 }, null, 5] }),
      item(2, { tags: ['<svg onload=alert(1)>'] }),
      item(3, { tags: ['c#', '.net', 'c++', 'node.js', 'objective-c'] }),
      item(4, { tags: ['a'.repeat(36)] }),
    ];
    await writeFile(file, `${lines.join('\n')}\n`);
    const { qs, rep } = await readAll(file);
    expect(qs.map((q) => q.tags)).toEqual([['c#', '.net', 'c++', 'node.js', 'objective-c']]);
    expect(rep.skipped).toEqual({ 'invalid-tag': 3 });
    expect(rep.samples!.map((s) => [s.id, s.line])).toEqual([['1', 1], ['2', 2], ['4', 4]]);

    const csv = path.join(tmp, 'bad-tags.csv');
    await writeFile(csv, 'Id,Title,Tags,CreationDate\n1,t,<svg onload=alert(1)><java>,2020-01-01\n2,t,<java>,2020-01-01\n');
    const fromCsv = await readAll(csv);
    expect(fromCsv.qs.map((q) => q.id)).toEqual(['2']);
    expect(fromCsv.rep.samples).toEqual([{ reason: 'invalid-tag', line: 2, id: '1' }]);
  });

  it('a 10-byte truncated gzip is reported as a truncated gzip file, not as empty', async () => {
    const file = path.join(tmp, 'ten-bytes.jsonl.gz');
    await writeFile(file, gzipSync(Buffer.from(item(1))).subarray(0, 10));
    const err = await readAll(file).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IngestError);
    expect((err as IngestError).file).toBe(file);
    expect((err as Error).message).toMatch(/truncated or corrupt gzip file/);
    expect((err as Error).message).not.toMatch(/empty/);
  });
});

describe('property: arbitrary input never crashes with anything but an IngestError', () => {
  /** Reads `content` as `name`; returns the report, or null for an IngestError; anything else fails. */
  async function tryRead(name: string, content: string | Uint8Array): Promise<FileReport | null> {
    const file = path.join(tmp, name);
    await writeFile(file, content);
    try {
      const { qs, rep, seconds } = await readAll(file);
      expect(seconds).toBeLessThan(5);
      expect(rep.read).toBe(qs.length + skipped(rep)); // every record kept or counted
      for (const q of qs) expect(q.tags.length > 0 && q.tags.every(isValidTagName)).toBe(true); // only real tags reach the vocabulary
      return rep;
    } catch (err) {
      if (err instanceof IngestError) return null;
      throw err;
    }
  }

  const text = fc.string({ unit: 'binary', maxLength: 80 });
  const tags = fc.oneof(fc.constant('<a><b>'), fc.constant('|x|'), text);
  const csvField = fc.oneof(text, tags, fc.constant('"'), fc.constant('2020-01-01'), fc.integer().map(String));
  const json = fc.oneof(
    fc.jsonValue().map((v) => JSON.stringify(v)),
    fc.record({ question_id: fc.oneof(fc.integer(), text), title: text, tags: fc.oneof(fc.array(fc.jsonValue()), text), creation_date: fc.oneof(fc.integer(), text) }).map((o) => JSON.stringify(o)),
    text,
  );
  const runs = { numRuns: 60 };

  it('CSV: header + arbitrary rows', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(csvField, { maxLength: 6 }), { maxLength: 8 }), fc.constantFrom(',', ';'), async (rows, d) => {
        await tryRead('prop.csv', [['Id', 'Title', 'Tags', 'CreationDate'].join(d), ...rows.map((r) => r.join(d))].join('\n'));
      }),
      runs,
    );
  });

  it('JSON lines: arbitrary items and lines', async () => {
    await fc.assert(fc.asyncProperty(fc.array(json, { maxLength: 8 }), async (lines) => void (await tryRead('prop.jsonl', lines.join('\n')))), runs);
  });

  it('Posts.xml: arbitrary rows and text inside <posts>', async () => {
    const attr = fc.record({ Id: text, PostTypeId: fc.constantFrom('1', '2', 'x'), Title: text, Tags: tags, CreationDate: fc.oneof(text, fc.constant('2021-05-01T00:00:00.000')) });
    const esc = (s: string) => s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
    const row = fc.oneof(attr.map((a) => `<row ${Object.entries(a).map(([k, v]) => `${k}="${esc(v)}"`).join(' ')} />`), text);
    await fc.assert(fc.asyncProperty(fc.array(row, { maxLength: 6 }), async (rows) => void (await tryRead('prop.xml', `<posts>\n${rows.join('\n')}\n</posts>\n`))), runs);
  });

  it('arbitrary bytes, plain and gzip-compressed (whole or cut)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 300 }), fc.nat(400), async (bytes, cut) => {
        await tryRead('prop.bin', bytes);
        const gz = gzipSync(bytes);
        await tryRead('prop.bin.gz', gz);
        await tryRead('prop-cut.bin.gz', gz.subarray(0, cut % (gz.length + 1)));
      }),
      runs,
    );
  });
});
