/**
 * Ingestion tests on the REAL Stack Overflow files in ../shared/data (facts from its README and
 * rows looked up in the raw files), on tiny fixtures in tests/fixtures/ingest/, and a memory test
 * on a generated 50 MB Posts.xml.
 */
import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile, mkdir, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';
import vm from 'node:vm';
import { gunzipSync, gzipSync } from 'node:zlib';
import { parse as parseCsvSync } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Question } from '../src/core/types';
import {
  detectFormat,
  formatReport,
  ingest,
  ingestStream,
  IngestError,
  parseDate,
  parseTags,
  readQuestions,
  type FileReport,
  type SourceFormat,
} from '../src/pipeline/ingest';
import { SHARED_DATA } from './helpers/paths';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DATA = SHARED_DATA; // ../shared/data, or TAGSMITH_SHARED_DATA
const FX = path.join(repoRoot, 'tests/fixtures/ingest');

const API = path.join(DATA, 'stackoverflow-api-2018.jsonl.gz');
const TITLES = path.join(DATA, 'stackoverflow-sede-2009-2011-titles.csv');
const DS2022 = path.join(DATA, 'stackoverflow-sede-2022-data-science.csv');
const SAMPLE2022 = path.join(DATA, 'fixtures/sede-2022-sample.csv');
const TOP2008 = path.join(DATA, 'fixtures/sede-2008-top-voted.csv');
const CARDANO = path.join(DATA, 'fixtures/cardano.stackexchange.com/Posts.xml');
const REAL: Array<[string, SourceFormat]> = [
  [API, 'api-json'],
  [TITLES, 'sede-csv'],
  [DS2022, 'sede-csv'],
  [SAMPLE2022, 'sede-csv'],
  [TOP2008, 'sede-csv'],
  [CARDANO, 'posts-xml'],
];

const emptyReport = (file: string): FileReport => ({ file, format: 'sede-csv', read: 0, kept: 0, skipped: {}, repaired: {} });
const sum = (r: Record<string, number>) => Object.values(r).reduce((a, b) => a + b, 0);

/** Reads one file fully (cached: the real files are read once for all tests). */
const cache = new Map<string, Promise<{ qs: Question[]; rep: FileReport }>>();
function readAll(file: string): Promise<{ qs: Question[]; rep: FileReport }> {
  if (!cache.has(file)) {
    cache.set(
      file,
      (async () => {
        const rep = emptyReport(file);
        const qs: Question[] = [];
        for await (const q of readQuestions(file, rep)) qs.push(q);
        return { qs, rep };
      })(),
    );
  }
  return cache.get(file)!;
}
const byId = (qs: Question[], id: string) => {
  const q = qs.find((x) => x.id === id);
  if (!q) throw new Error(`question ${id} not found`);
  return q;
};

/** Invariants every ingested question must satisfy. */
function expectWellFormed(q: Question, file: string) {
  expect(q.id).toMatch(/^\d+$/);
  expect(q.title.trim()).toBe(q.title);
  expect(q.title.length).toBeGreaterThan(0);
  expect(q.tags.length).toBeGreaterThan(0);
  for (const t of q.tags) expect(t).toBe(t.trim().toLowerCase());
  expect(q.created).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
  expect(new Date(q.created!).toISOString()).toBe(q.created!);
  expect(q.source).toBe(path.basename(file));
}

describe('real Stack Overflow files', () => {
  it.each(REAL)('detects the format of %s', async (file, format) => {
    expect(await detectFormat(file)).toBe(format);
  });

  it.each(REAL.map(([f]) => [f]))('ingests %s with every record kept or counted', async (file) => {
    const { qs, rep } = await readAll(file);
    expect(rep.read).toBeGreaterThan(0);
    expect(rep.kept).toBe(qs.length);
    expect(rep.read).toBe(rep.kept + sum(rep.skipped)); // nothing lost silently
    for (const q of qs) expectWellFormed(q, file);
    expect(new Set(qs.map((q) => `${q.site}/${q.id}`)).size).toBe(qs.length);
  });

  it('API 2018: 32,802 questions, entities decoded, dates from unix seconds', async () => {
    const { qs, rep } = await readAll(API);
    expect(rep.read).toBe(32_802);
    expect(qs.length).toBe(32_802);
    expect(rep.skipped).toEqual({});
    // Raw facts, read independently from the gzip file.
    const raw = gunzipSync(await readFile(API)).toString('utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
    const first = raw[0];
    const q0 = byId(qs, String(first.question_id));
    expect(q0.created).toBe(new Date(first.creation_date * 1000).toISOString());
    expect(byId(qs, '4922').created).toBe('2008-08-07T16:30:32.000Z'); // "creation_date": 1218126632
    const rawTitle = raw.find((o) => o.question_id === 41027).title;
    expect(rawTitle).toContain('&#39;');
    expect(byId(qs, '41027').title).toBe("What's a good bit of JS or JQuery for horizontally scrolling news ticker");
    const entityTitles = raw.filter((o) => /&(#39|quot|amp);/.test(o.title)).length;
    expect(entityTitles).toBeGreaterThan(100);
    expect(qs.filter((q) => /&(#39|quot);/.test(q.title)).length).toBe(0);
    expect(qs.every((q) => q.bodyFormat === 'html' && q.body.length > 0 && typeof q.bodyMarkdown === 'string')).toBe(true);
    // body_markdown entities are decoded: `&quot;` is left only where the author typed `&quot;` (raw `&amp;quot;`).
    expect(raw.filter((o) => o.body_markdown.includes('&quot;')).length).toBeGreaterThan(1000);
    const typedEntity = raw.filter((o) => o.body_markdown.includes('&amp;quot;')).length;
    expect(qs.filter((q) => q.bodyMarkdown!.includes('&quot;')).length).toBe(typedEntity);
    expect(new Set(qs.map((q) => q.site))).toEqual(new Set(['stackoverflow.com'])); // from `link`
  });

  it('titles CSV 2009-2011: 24,403 rows, 22,739 distinct questions; the difference is in-file duplicates', async () => {
    const { qs, rep } = await readAll(TITLES);
    expect(rep.read).toBe(24_403);
    // Independent parse of the raw file: column 0 = question id, column 10 = the SECOND `Id` (user id).
    const rows = parseCsvSync(new TextDecoder().decode(await readFile(TITLES)), { relax_column_count: true }) as string[][];
    expect(rows[0].filter((h) => h === 'Id').length).toBe(2);
    const data = rows.slice(1);
    const questionIds = new Set(data.map((r) => r[0]));
    const userIds = new Set(data.map((r) => r[10]));
    expect(questionIds.size).toBe(22_739);
    // Every id that appears twice is counted once as a duplicate: 24,403 - 22,739 = 1,664.
    expect(rep.skipped['duplicate-id']).toBe(data.length - questionIds.size);
    // Two questions have an empty Tags cell (3625258 "Erlang Language", 4654717 "Twilio").
    const untagged = data.filter((r) => r[2].trim() === '').map((r) => r[0]);
    expect(untagged).toEqual(['3625258', '4654717']);
    expect(rep.skipped['no-tags']).toBe(2);
    expect(rep.kept).toBe(questionIds.size - untagged.length);
    // The second Id column (user id) is never used as question id.
    for (const q of qs) {
      expect(questionIds.has(q.id)).toBe(true);
      expect(userIds.has(q.id)).toBe(false);
    }
    const first = byId(qs, '1748977');
    expect(first.title).toBe('Making TextView scrollable on Android');
    expect(first.tags).toEqual(['android', 'scroll', 'textview']);
    expect(first.body).toBe('');
    expect(first.bodyFormat).toBe('html');
    // README: all question months 2009-01 .. 2011-12.
    expect(qs.every((q) => q.created! >= '2009-01-01' && q.created! < '2012-01-01')).toBe(true);
  });

  it('titles CSV: US spreadsheet dates M/D/YYYY H:MM read as UTC', async () => {
    const { qs } = await readAll(TITLES);
    expect(byId(qs, '1748977').created).toBe('2009-11-17T13:43:00.000Z'); // 11/17/2009 13:43
    expect(byId(qs, '515480').created).toBe('2009-02-05T11:16:00.000Z'); // 2/5/2009 11:16 (month first)
    expect(byId(qs, '1935115').created).toBe('2009-12-20T07:25:00.000Z'); // 12/20/2009 7:25
  });

  it('titles CSV: the 60 invalid UTF-8 sequences are repaired, counted, and the rows kept', async () => {
    const { qs, rep } = await readAll(TITLES);
    expect(rep.repaired['invalid-utf8-sequences']).toBe(60);
    expect(rep.repaired['invalid-utf8-rows']).toBe(15);
    const repaired = qs.filter((q) => q.title.includes('\uFFFD'));
    expect(repaired.length).toBeGreaterThan(0);
    expect(byId(qs, '3121671').title).toContain('\uFFFD'); // "What\uFFFD۪s in your .viper?"
    // 690135 appears twice, clean first then mis-encoded: the first copy is kept.
    expect(byId(qs, '690135').title).toContain('“This program cannot display the webpage”');
  });

  it('SEDE 2022 data-science export: 1,475 questions of 2022, all tagged data-science, ISO dates', async () => {
    const { qs, rep } = await readAll(DS2022);
    expect(rep.read).toBe(1_475);
    expect(qs.length).toBe(1_475);
    // The export selected Tags LIKE '%data-science%' (also graph-data-science, data-science-experience, ...).
    expect(qs.every((q) => q.tags.some((t) => t.includes('data-science')))).toBe(true);
    expect(qs.every((q) => q.created!.startsWith('2022-'))).toBe(true);
    const q = byId(qs, '71911980');
    expect(q.created).toBe('2022-04-18T12:44:51.000Z'); // "2022-04-18 12:44:51"
    expect(q.body).toMatch(/^<p>Everything in my code is working well/);
    expect(q.body).toContain('\n'); // multi-line quoted HTML body
  });

  it('SEDE fixtures: 352 (2022 sample) and 460 (2008 top voted) questions', async () => {
    const a = await readAll(SAMPLE2022);
    expect(a.qs.length).toBe(352);
    expect(byId(a.qs, '70551997')).toMatchObject({ title: 'Faster HashMap for sequential keys', created: '2022-01-01T21:30:14.000Z' });
    const b = await readAll(TOP2008);
    expect(b.qs.length).toBe(460);
    expect(byId(b.qs, '371').created).toBe('2008-08-02T08:19:18.000Z');
  });

  it('cardano Posts.xml: 1,042 questions, answers counted as not-a-question, site from the directory', async () => {
    const { qs, rep } = await readAll(CARDANO);
    expect(qs.length).toBe(1_042);
    const rawRows = ((await readFile(CARDANO, 'utf8')).match(/<row /g) ?? []).length;
    expect(rep.read).toBe(rawRows);
    expect(rep.skipped).toEqual({ 'not-a-question': rawRows - 1_042 });
    expect(new Set(qs.map((q) => q.site))).toEqual(new Set(['cardano.stackexchange.com']));
    expect(byId(qs, '1')).toMatchObject({
      title: 'How Cardano is different from Ethereum (2.0)?',
      tags: ['proof-of-work', 'governance', 'ethereum'],
      created: '2021-04-27T15:06:44.553Z',
    });
    expect(byId(qs, '1').body).toContain('<p>As far as I know');
  });

  it('ingests all files together: cross-file duplicates dropped and counted, progress by bytes', async () => {
    const files = REAL.map(([f]) => f);
    const seen = new Set<string>();
    let sumKept = 0;
    for (const f of files) {
      const { qs } = await readAll(f);
      sumKept += qs.length;
      for (const q of qs) seen.add(`${q.site}/${q.id}`);
    }
    const progress: Array<[number, number]> = [];
    const { questions, report } = await ingest(files, { onProgress: (b, t) => progress.push([b, t]) });
    expect(report.files.map((f) => f.file)).toEqual(files);
    expect(questions.length).toBe(seen.size);
    expect(report.kept).toBe(seen.size);
    expect(report.duplicates).toBe(sumKept - seen.size);
    expect(report.duplicates).toBeGreaterThan(0); // e.g. 2008 questions in both the titles CSV and the API file
    const total = (await Promise.all(files.map((f) => stat(f)))).reduce((a, s) => a + s.size, 0);
    expect(progress.every(([, t]) => t === total)).toBe(true);
    expect(progress.at(-1)![0]).toBe(total);
    expect(progress.every(([b], i) => i === 0 || b >= progress[i - 1][0])).toBe(true);
    const table = formatReport(report);
    for (const f of files) expect(table).toContain(f);
    expect(table).toContain('duplicate-id=1,664');
    expect(table).toContain('invalid-utf8-sequences=60');
    expect(table).toContain(`${report.duplicates} cross-file duplicates`);
  });
});

describe('fixtures', () => {
  let tmp: string;
  beforeAll(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'tagsmith-ingest-'));
  });
  afterAll(async () => {
    await rm(tmp, { recursive: true, force: true });
  });

  it('Posts.xml with |a|b| tags, <a><b> tags, entities, and one count per skip reason', async () => {
    const file = path.join(FX, 'pipes.stackexchange.com/Posts.xml');
    const { qs, rep } = await readAll(file);
    expect(qs.map((q) => [q.id, q.tags])).toEqual([
      ['10', ['python', 'pandas', 'csv']],
      ['12', ['c#', '.net']],
    ]);
    expect(qs[0]).toMatchObject({
      site: 'pipes.stackexchange.com',
      title: 'Read a CSV with pandas & skip rows',
      body: '<p>How do I read a CSV?</p>\n',
      created: '2024-03-01T09:15:00.250Z',
    });
    expect(rep.read).toBe(9);
    expect(rep.skipped).toEqual({
      'not-a-question': 2,
      'no-tags': 1,
      'bad-date': 1,
      'duplicate-id': 1,
      'missing-title': 1,
      'missing-id': 1,
    });
    expect(rep.samples).toContainEqual({ reason: 'bad-date', line: 7, id: '14' });
  });

  it('CSV: case-insensitive columns, first Id wins, PostTypeId filter, every date and tag form', async () => {
    const { qs, rep } = await readAll(path.join(FX, 'mixed.csv'));
    expect(qs.map((q) => [q.id, q.created, q.tags])).toEqual([
      ['101', '2020-01-02T03:04:00.000Z', ['sql', 'sql-server']],
      ['102', '2020-01-03T10:00:00.000Z', ['python', 'numpy']],
      ['103', '2020-01-04T10:00:00.123Z', ['java', 'spring']],
      ['106', '2020-12-31T23:59:00.000Z', ['rust']],
    ]);
    expect(qs[0].body).toBe('<p>multi\nline</p>');
    expect(rep.skipped).toEqual({ 'not-a-question': 1, 'bad-date': 1, 'missing-id': 1, 'missing-title': 1 });
  });

  it('CSV: semicolon delimiter (spreadsheet locale) and no Body column', async () => {
    const { qs } = await readAll(path.join(FX, 'semicolon.csv'));
    expect(qs).toEqual([
      { id: '201', site: 'stackoverflow.com', title: 'Semicolon export', body: '', bodyFormat: 'html', tags: ['excel', 'csv'], created: '2021-03-04T05:06:00.000Z', source: 'semicolon.csv' },
    ]);
  });

  it('API page {"items": [...]} pretty-printed: entities decoded, site from link, answers skipped', async () => {
    const file = path.join(FX, 'api-page.json');
    expect(await detectFormat(file)).toBe('api-json');
    const { qs, rep } = await readAll(file);
    expect(qs[0]).toMatchObject({
      id: '5001',
      site: 'superuser.com',
      title: 'Replace "smart" quotes & apostrophes (\') with sed',
      body: '<p>I have <code>&lt;file&gt;</code> with quotes.</p>',
      bodyFormat: 'html',
      bodyMarkdown: 'I have `<file>` with "quotes".',
      tags: ['bash', 'sed'],
      created: '2018-05-01T00:00:00.000Z',
    });
    expect(qs[1]).toMatchObject({ id: '5003', bodyFormat: 'markdown', body: 'Just **markdown** & no html body' });
    expect(rep.skipped).toEqual({ 'not-a-question': 1 });
  });

  it('API pages one per line, with a broken line and an error page counted', async () => {
    const { qs, rep } = await readAll(path.join(FX, 'api-pages.jsonl'));
    expect(qs.map((q) => q.id)).toEqual(['7001', '7002', '7003', '7004']);
    expect(qs[0].title).toBe('First <div> question');
    expect(rep.skipped).toEqual({ 'invalid-json': 1, 'bad-date': 1, 'api-error-page': 1 });
    expect(rep.samples).toContainEqual({ reason: 'invalid-json', line: 2 });
  });

  it('detects gzip by magic bytes, whatever the extension', async () => {
    const cases: Array<[string, string, SourceFormat]> = [
      ['api-pages.jsonl', 'questions.dat', 'api-json'],
      ['mixed.csv', 'mixed.csv', 'sede-csv'],
      ['pipes.stackexchange.com/Posts.xml', 'pipes.stackexchange.com/Posts.xml.gz', 'posts-xml'],
    ];
    for (const [src, dest, format] of cases) {
      const out = path.join(tmp, dest);
      await mkdir(path.dirname(out), { recursive: true });
      await writeFile(out, gzipSync(await readFile(path.join(FX, src))));
      expect(await detectFormat(out)).toBe(format);
      const plain = (await readAll(path.join(FX, src))).qs;
      const { qs } = await readAll(out);
      expect(qs.map((q) => ({ ...q, source: '' }))).toEqual(plain.map((q) => ({ ...q, source: '' })));
    }
  });

  it('a truncated gzip file is a clear IngestError', async () => {
    const big = Buffer.from(Array.from({ length: 20_000 }, (_, i) => `{"question_id": ${i}, "title": "t${i}", "tags": ["x"], "creation_date": 1525132800}`).join('\n'));
    const gz = gzipSync(big);
    const out = path.join(tmp, 'cut.jsonl.gz');
    await writeFile(out, gz.subarray(0, Math.floor(gz.length / 2)));
    const err = await readAll(out).catch((e) => e);
    expect(err).toBeInstanceOf(IngestError);
    expect(err.message).toMatch(/gzip data is truncated or corrupt/);
  });

  it.each([
    ['missing.csv', /file not found/],
    ['empty.csv', /is empty/],
    ['not-data.txt', /not in a known format.*expected a Stack Exchange Data Explorer CSV/],
    ['pixel.png', /is a PNG image/],
    ['page.html', /is an HTML page/],
    ['Tags.xml', /root <tags>.*pass Posts\.xml/],
    ['no-tags-column.csv', /without the column\(s\) Tags \(/],
    ['broken.json', /is not valid JSON/],
    ['truncated.xml', /ends before its closing <\/posts> tag/],
    ['unclosed-quote.csv', /malformed CSV.*Quote Not Closed/],
  ])('%s -> IngestError naming the file and the problem', async (name, pattern) => {
    const file = path.join(FX, name);
    const err = await readAll(file).catch((e) => e);
    expect(err).toBeInstanceOf(IngestError);
    expect(err.file).toBe(file);
    expect(err.message).toContain(file);
    expect(err.message).toMatch(pattern);
  });

  it('detectFormat rejects unknown files too', async () => {
    await expect(detectFormat(path.join(FX, 'pixel.png'))).rejects.toThrow(IngestError);
    await expect(detectFormat(FX)).rejects.toThrow(/is a directory/);
  });

  it('ingestStream fails fast on a missing file and fills its report lazily', async () => {
    const bad = ingestStream([path.join(FX, 'mixed.csv'), path.join(FX, 'nope.csv')]);
    await expect(bad.questions.next()).rejects.toThrow(/nope\.csv: file not found/);
    const good = ingestStream([path.join(FX, 'mixed.csv'), path.join(FX, 'mixed.csv')]);
    expect(good.report.files).toEqual([]);
    const ids: string[] = [];
    for await (const q of good.questions) ids.push(q.id);
    expect(ids).toEqual(['101', '102', '103', '106']);
    expect(good.report.duplicates).toBe(4);
    expect(good.report.kept).toBe(4);
    expect(good.report.files.map((f) => f.kept)).toEqual([4, 4]);
  });

  it('parseDate and parseTags edge cases', () => {
    expect(parseDate('2/29/2020 0:00')).toBe('2020-02-29T00:00:00.000Z');
    expect(parseDate('2/29/2021 0:00')).toBeNull();
    expect(parseDate('12/31/2020 12:05 AM')).toBe('2020-12-31T00:05:00.000Z');
    expect(parseDate('2022-01-03T10:00:00+02:00')).toBe('2022-01-03T08:00:00.000Z');
    expect(parseDate('2022-01-03T10:00:00Z')).toBe('2022-01-03T10:00:00.000Z');
    expect(parseDate(1525132800)).toBe('2018-05-01T00:00:00.000Z');
    expect(parseDate('13/1/2020 10:00')).toBeNull();
    expect(parseDate('')).toBeNull();
    expect(parseTags(' <C#><.NET><c#> ')).toEqual(['c#', '.net']);
    expect(parseTags('|a|b|')).toEqual(['a', 'b']);
    expect(parseTags('a  B')).toEqual(['a', 'b']);
    expect(parseTags('')).toEqual([]);
  });
});

describe('streaming memory', () => {
  let tmp: string;
  beforeAll(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'tagsmith-ingest-mem-'));
  });
  afterAll(async () => {
    await rm(tmp, { recursive: true, force: true });
  });

  it('reads a 50 MB Posts.xml with retained heap far below the file size', async () => {
    const file = path.join(tmp, 'Posts.xml');
    const rowsPerBlock = 1_000;
    const blocks = 50;
    const filler = 'lorem ipsum dolor sit amet '.repeat(30);
    const out = createWriteStream(file);
    out.write('<?xml version="1.0" encoding="utf-8"?>\n<posts>\n');
    for (let b = 0; b < blocks; b++) {
      let s = '';
      for (let r = 0; r < rowsPerBlock; r++) {
        const id = b * rowsPerBlock + r + 1;
        const type = id % 5 === 0 ? 2 : 1;
        s += `  <row Id="${id}" PostTypeId="${type}" CreationDate="2021-05-01T10:00:00.000" Title="Question ${id}" Body="&lt;p&gt;${filler}${id}&lt;/p&gt;" Tags="|t${id % 97}|common|" />\n`;
      }
      if (!out.write(s)) await new Promise<void>((r) => out.once('drain', () => r()));
    }
    out.end('</posts>\n');
    await new Promise<void>((r) => out.once('finish', () => r()));
    const size = (await stat(file)).size;
    expect(size).toBeGreaterThan(45e6);

    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    gc();
    const base = process.memoryUsage().heapUsed;
    let peak = 0;
    let count = 0;
    const rep = emptyReport(file);
    for await (const q of readQuestions(file, rep)) {
      count++;
      if (count % 5_000 === 0) {
        gc();
        peak = Math.max(peak, process.memoryUsage().heapUsed - base);
        expect(q.tags).toContain('common');
      }
    }
    const total = rowsPerBlock * blocks;
    expect(count).toBe(total - total / 5);
    expect(rep.skipped).toEqual({ 'not-a-question': total / 5 });
    console.log(`50 MB Posts.xml: ${(size / 1e6).toFixed(1)} MB file, retained heap growth peak ${(peak / 1e6).toFixed(1)} MB`);
    expect(peak).toBeLessThan(size / 10);
  }, 60_000);
});
