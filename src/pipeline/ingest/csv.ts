/**
 * Reader for Stack Exchange Data Explorer CSV exports (any column set, any column order).
 * Fields are parsed as raw bytes so each row can be checked for invalid UTF-8 exactly: such rows
 * are decoded with U+FFFD replacements, kept, and counted as repaired.
 */
import { isUtf8 } from 'node:buffer';
import type { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import { IngestError } from './errors';
import type { LocatedRecord } from './normalize';
import { countRepair, countSkip, type FileReport } from './report';
import { countLiteralReplacements, countReplacementChars } from './source';

const decoder = new TextDecoder('utf-8', { fatal: false });

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
      encoding: null, // fields as Buffers: lets us detect invalid UTF-8 per row
      bom: true,
      delimiter,
      relax_column_count: true, // spreadsheets drop trailing empty cells; missing fields become skips
      relax_quotes: true,
      skip_empty_lines: true,
      info: true,
    }),
  );
  bytes.once('error', (err) => parser.destroy(err));

  try {
    yield* rows(file, parser as AsyncIterable<CsvRow>, site, report);
  } catch (err) {
    const e = err as Error & { code?: string; lines?: number };
    if (e.code?.startsWith('CSV_')) {
      throw new IngestError(file, `malformed CSV (${e.message}); check the quoting near that line, or export the file again from the Data Explorer`, e.lines);
    }
    throw err;
  }
}

type CsvRow = { record: Buffer[]; info: { lines: number } };

async function* rows(file: string, parser: AsyncIterable<CsvRow>, site: string, report: FileReport): AsyncGenerator<LocatedRecord> {
  // Column indices by lower-case name; the FIRST column of a name wins (SEDE exports of joins
  // repeat `Id`: the first is the post id, a later one the user id).
  let col: Map<string, number> | null = null;
  const field = (row: Buffer[], name: string): string | undefined => {
    const i = col!.get(name);
    const b = i === undefined ? undefined : row[i];
    return b === undefined ? undefined : decoder.decode(b);
  };

  for await (const { record, info } of parser) {
    if (col === null) {
      col = new Map();
      record.forEach((b, i) => {
        const name = decoder.decode(b).trim().toLowerCase();
        if (!col!.has(name)) col!.set(name, i);
      });
      for (const req of ['id', 'title', 'tags', 'creationdate']) {
        if (!col.has(req)) throw new IngestError(file, `CSV header has no ${req} column`, info.lines);
      }
      continue;
    }
    report.read++;
    let invalid = 0;
    for (const b of record) {
      if (!isUtf8(b)) invalid += countReplacementChars(decoder.decode(b)) - countLiteralReplacements(b);
    }
    if (invalid > 0) {
      countRepair(report, 'invalid-utf8-rows');
      countRepair(report, 'invalid-utf8-sequences', invalid);
    }
    const postType = field(record, 'posttypeid');
    if (postType !== undefined && postType.trim() !== '' && postType.trim() !== '1') {
      countSkip(report, 'not-a-question', { line: info.lines, id: field(record, 'id') });
      continue;
    }
    const hasBody = col.has('body');
    yield {
      id: field(record, 'id'),
      title: field(record, 'title'),
      body: hasBody ? (field(record, 'body') ?? '') : '',
      bodyFormat: 'html',
      tags: field(record, 'tags'),
      created: field(record, 'creationdate'),
      site,
      line: info.lines,
    };
  }
}
