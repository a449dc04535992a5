/**
 * Reader for Stack Exchange API question items: JSON lines (one item or one API page per line), or
 * one JSON document (an API page `{"items": [...]}` or an array of items), possibly pretty-printed.
 */
import type { Readable } from 'node:stream';
import { decodeHTML } from 'entities';
import { IngestError } from './errors';
import { siteFromLink, type LocatedRecord } from './normalize';
import { countRepair, countSkip, type FileReport } from './report';
import { decodeUtf8, MAX_RECORD_CHARS } from './source';

type Json = unknown;

const decodeEntities = (v: unknown): string | undefined => (typeof v === 'string' ? decodeHTML(v) : undefined);

/** Turns one parsed JSON value (item, page or array) into records; non-questions are counted as skips. */
function* recordsOf(value: Json, line: number, site: string, report: FileReport): Generator<LocatedRecord> {
  if (Array.isArray(value)) {
    for (const v of value) yield* recordsOf(v, line, site, report);
    return;
  }
  if (value !== null && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    if (Array.isArray(o.items)) {
      for (const v of o.items) yield* itemRecord(v, line, site, report);
      return;
    }
    if ('error_id' in o && !('question_id' in o)) {
      report.read++;
      countSkip(report, 'api-error-page', { line });
      return;
    }
  }
  yield* itemRecord(value, line, site, report);
}

function* itemRecord(value: Json, line: number, site: string, report: FileReport): Generator<LocatedRecord> {
  report.read++;
  const o = value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  // Answers and comments also carry a question_id: they are not questions.
  if (!o || 'answer_id' in o || 'comment_id' in o) {
    countSkip(report, 'not-a-question', { line });
    return;
  }
  const id = typeof o.question_id === 'number' || typeof o.question_id === 'string' ? String(o.question_id) : undefined;
  const hasBody = typeof o.body === 'string';
  const markdown = decodeEntities(o.body_markdown);
  yield {
    id,
    title: decodeEntities(o.title),
    body: hasBody ? (o.body as string) : (markdown ?? ''),
    bodyFormat: hasBody || markdown === undefined ? 'html' : 'markdown',
    bodyMarkdown: markdown,
    tags: Array.isArray(o.tags) ? o.tags : undefined,
    // Absent: an undated question; present but not unix seconds: a bad date (String() keeps it visible as such).
    created: o.creation_date === undefined || o.creation_date === null ? undefined : typeof o.creation_date === 'number' ? o.creation_date : String(o.creation_date),
    site: siteFromLink(o.link) ?? site,
    line,
  };
}

/**
 * Splits decoded text chunks into lines (without the line break), numbered from 1. A line longer
 * than `maxChars` is yielded as null (its text is dropped as it streams, so memory stays bounded).
 * Each chunk is scanned once: time is linear in the input whatever the line lengths.
 */
async function* lines(text: AsyncIterable<string>, maxChars: number): AsyncGenerator<[string | null, number]> {
  let parts: string[] = [];
  let length = 0;
  let tooLong = false;
  let n = 0;
  for await (const chunk of text) {
    let start = 0;
    let i: number;
    while ((i = chunk.indexOf('\n', start)) !== -1) {
      n++;
      if (tooLong || length + i - start > maxChars) yield [null, n];
      else {
        parts.push(chunk.slice(start, i));
        yield [parts.join('').replace(/\r$/, ''), n];
      }
      parts = [];
      length = 0;
      tooLong = false;
      start = i + 1;
    }
    if (start < chunk.length && !tooLong) {
      length += chunk.length - start;
      tooLong = length > maxChars;
      if (tooLong) parts = [];
      else parts.push(chunk.slice(start));
    }
  }
  if (tooLong) yield [null, ++n];
  else if (length > 0) yield [parts.join(''), ++n];
}

/**
 * Yields one raw record per API question item. A line that is not valid JSON is counted as
 * `invalid-json` (with its line in the samples). If the FIRST line is not JSON, the file is read as
 * one multi-line JSON document instead (this holds the whole file in memory: only pretty-printed
 * pages do this, and they are small).
 */
export async function* readApiJson(file: string, bytes: Readable, site: string, report: FileReport): AsyncGenerator<LocatedRecord> {
  const text = decodeUtf8(bytes, (n) => countRepair(report, 'invalid-utf8-sequences', n));
  let documentLines: string[] | null = null;
  let documentStart = 1;
  let seenValue = false;
  let documentChars = 0;
  for await (const [line, n] of lines(text, MAX_RECORD_CHARS)) {
    if (documentLines) {
      documentChars += line?.length ?? 0; // null: one of its lines alone is too long
      if (line === null || documentChars > MAX_RECORD_CHARS) {
        throw new IngestError(file, `is one JSON document of more than ${MAX_RECORD_CHARS.toLocaleString('en-US')} characters (from line ${documentStart}); write it as JSON lines, one item per line (e.g. \`jq -c '.items[]'\`)`, n);
      }
      documentLines.push(line);
      continue;
    }
    if (line === null) {
      report.read++;
      countSkip(report, 'too-large', { line: n });
      seenValue = true;
      continue;
    }
    if (line.trim() === '') continue;
    let value: Json;
    try {
      value = JSON.parse(line);
    } catch {
      if (!seenValue) {
        documentLines = [line];
        documentStart = n;
        seenValue = true;
        continue;
      }
      report.read++;
      countSkip(report, 'invalid-json', { line: n });
      continue;
    }
    seenValue = true;
    yield* recordsOf(value, n, site, report);
  }
  if (!documentLines) return;

  let value: Json;
  try {
    value = JSON.parse(documentLines.join('\n'));
  } catch (err) {
    // Not one document either: fall back to JSON lines, counting every unparsable line.
    let parsed = 0;
    const out: LocatedRecord[] = [];
    documentLines.forEach((l, i) => {
      if (l.trim() === '') return;
      try {
        const v = JSON.parse(l);
        parsed++;
        out.push(...recordsOf(v, i + documentStart, site, report));
      } catch {
        report.read++;
        countSkip(report, 'invalid-json', { line: i + documentStart });
      }
    });
    if (parsed === 0) {
      throw new IngestError(
        file,
        `is not valid JSON (${(err as Error).message}); expected Stack Exchange API question items, one JSON object per line, or an API page {"items": [...]}`,
      );
    }
    yield* out;
    return;
  }
  yield* recordsOf(value, documentStart, site, report);
}
