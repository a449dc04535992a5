/**
 * Reader for Stack Exchange Data Explorer CSV exports (any column set, any column order).
 * Fields are parsed as latin1 (one character per byte, so each field keeps its exact bytes) and each
 * row is checked for invalid UTF-8: such rows are decoded with U+FFFD replacements, kept, and
 * counted as repaired. (Not `encoding: null`: csv-parse then crashes building its own errors.)
 */
import { isUtf8 } from 'node:buffer';
import type { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import { parse as parseCsvSync } from 'csv-parse/sync';
import { REQUIRED_CSV_COLUMNS } from './detect';
import { IngestError } from './errors';
import type { LocatedRecord } from './normalize';
import { countRepair, countSkip, type FileReport } from './report';
import { countLiteralReplacements, countReplacementChars, MAX_RECORD_CHARS } from './source';

const decoder = new TextDecoder('utf-8', { fatal: false });
/** The bytes of a field read as latin1. */
const bytesOf = (latin1: string) => Buffer.from(latin1, 'latin1');
const UTF8_BOM_AS_LATIN1 = /^\u00ef\u00bb\u00bf/;

/**
 * Yields one raw record per CSV data row. Rows that are not questions (PostTypeId present and not 1)
 * are counted as skipped `not-a-question` here; validation of the other fields is left to the caller.
 */
export async function* readSedeCsv(
  file: string,
  bytes: Readable,
  delimiter: string,
  site: string,
  report: FileReport,
): AsyncGenerator<LocatedRecord> {
  const parser = bytes.pipe(
    parse({
      encoding: 'latin1', // bytes kept: lets us detect invalid UTF-8 per row (the BOM is dropped from the header below)
      delimiter,
      relax_column_count: true, // spreadsheets drop trailing empty cells; missing fields become skips
      relax_quotes: true,
      skip_empty_lines: true,
      info: true,
      raw: true, // the record's text, to split it again when an unclosed quote swallowed lines
    }),
  );
  bytes.once('error', (err) => parser.destroy(err));

  try {
    yield* rows(file, parser as AsyncIterable<CsvRow>, delimiter, site, report);
  } catch (err) {
    const e = err as Error & { code?: string; lines?: number };
    if (e.code?.startsWith('CSV_')) {
      throw new IngestError(file, `malformed CSV (${e.message}); check the quoting near that line, or export the file again from the Data Explorer`, e.lines);
    }
    throw err;
  }
}

type CsvRow = { record: string[]; info: { lines: number }; raw: string };

/** Columns that never hold a line break: one that does means a quote opened in it was not closed. */
const SINGLE_LINE_COLUMNS = ['id', 'title', 'tags', 'creationdate', 'posttypeid'];

/**
 * The rows of a record whose unclosed quote swallowed the lines after it: each physical line parsed
 * on its own (the line with the stray quote, which cannot parse as CSV, split with quotes taken literally).
 */
function splitSwallowed(raw: string, delimiter: string): string[][] {
  const opts = { delimiter, relax_quotes: true, relax_column_count: true } as const;
  const parseLine = (line: string): string[] => {
    try {
      return parseCsvSync(line, opts)[0] as string[];
    } catch {
      return parseCsvSync(line, { ...opts, quote: false })[0] as string[];
    }
  };
  return raw
    .split(/\r?\n/)
    .filter((line) => line !== '')
    .map(parseLine);
}

async function* rows(file: string, parser: AsyncIterable<CsvRow>, delimiter: string, site: string, report: FileReport): AsyncGenerator<LocatedRecord> {
  // Column indices by lower-case name; the FIRST column of a name wins (SEDE exports of joins
  // repeat `Id`: the first is the post id, a later one the user id).
  let col: Map<string, number> | null = null;
  const field = (row: string[], name: string): string | undefined => {
    const i = col!.get(name);
    const b = i === undefined ? undefined : row[i];
    return b === undefined ? undefined : decoder.decode(bytesOf(b));
  };

  for await (const { record, info, raw } of parser) {
    if (col === null) {
      col = new Map();
      record.forEach((b, i) => {
        const name = decoder.decode(bytesOf(b.replace(UTF8_BOM_AS_LATIN1, ''))).trim().toLowerCase();
        if (!col!.has(name)) col!.set(name, i);
      });
      for (const req of REQUIRED_CSV_COLUMNS.map((c) => c.toLowerCase())) {
        if (!col.has(req)) throw new IngestError(file, `CSV header has no ${req} column`, info.lines);
      }
      continue;
    }
    const swallowed = SINGLE_LINE_COLUMNS.some((name) => /[\r\n]/.test(field(record, name) ?? ''));
    if (!swallowed) {
      yield* recordOf(record, info.lines);
      continue;
    }
    countRepair(report, 'unclosed-quote-rows');
    const lines = splitSwallowed(raw, delimiter);
    for (const [i, row] of lines.entries()) yield* recordOf(row, info.lines - lines.length + 1 + i);
  }

  function* recordOf(record: string[], line: number): Generator<LocatedRecord> {
    report.read++;
    if (record.reduce((n, b) => n + b.length, 0) > MAX_RECORD_CHARS) {
      countSkip(report, 'too-large', { line });
      return;
    }
    let invalid = 0;
    for (const f of record) {
      const b = bytesOf(f);
      if (!isUtf8(b)) invalid += countReplacementChars(decoder.decode(b)) - countLiteralReplacements(b);
    }
    if (invalid > 0) {
      countRepair(report, 'invalid-utf8-rows');
      countRepair(report, 'invalid-utf8-sequences', invalid);
    }
    const postType = field(record, 'posttypeid');
    if (postType !== undefined && postType.trim() !== '' && postType.trim() !== '1') {
      countSkip(report, 'not-a-question', { line, id: field(record, 'id') });
      return;
    }
    yield {
      id: field(record, 'id'),
      title: field(record, 'title'),
      body: col!.has('body') ? (field(record, 'body') ?? '') : '',
      bodyFormat: 'html',
      tags: field(record, 'tags'),
      created: field(record, 'creationdate'),
      site,
      line,
    };
  }
}
