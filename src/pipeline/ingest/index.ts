/**
 * Ingestion of real Stack Overflow / Stack Exchange question files into `Question` objects.
 *
 * Three formats, detected from their first bytes (gzip-compressed or not):
 * - `sede-csv`: Stack Exchange Data Explorer CSV exports (any columns; Id, Title, Tags, CreationDate required);
 * - `posts-xml`: the official data dump Posts.xml (streamed with saxes);
 * - `api-json`: Stack Exchange API question items (JSON lines, or `{"items": [...]}` pages).
 *
 * Everything streams: files of any size are read with bounded memory. A record that cannot be used
 * is counted in the file's report under a reason, never dropped silently; a file that cannot be
 * read at all raises an IngestError saying what, where and how to fix it.
 */
import path from 'node:path';
import type { Question } from '../../core/types';
import { readSedeCsv } from './csv';
import { sniff } from './detect';
import { IdSet } from './idset';
import { asIngestError, IngestError } from './errors';
import { DEFAULT_SITE, siteFromDirName, toQuestion, type LocatedRecord } from './normalize';
import { readApiJson } from './api-json';
import { readPostsXml } from './posts-xml';
import { countSkip, newFileReport, type FileReport, type IngestReport } from './report';
import { fileSize, openBytes } from './source';

export { detectFormat } from './detect';
export { IngestError } from './errors';
export { formatReport } from './report';
export type { FileReport, IngestReport, SkipSample, SourceFormat } from './report';
export { parseDate, parseTags } from './normalize';

export interface IngestOptions {
  /** Called as bytes are read from disk (compressed bytes for gzip files), cumulative over all files. */
  onProgress?: (bytesRead: number, totalBytes: number, file: string) => void;
}

interface ReadOptions {
  onBytes?: (n: number) => void;
  /** Receives the site + id of every question the file yields (for cross-file de-duplication). */
  seen?: IdSet;
}

/** Default site of a file: its parent directory when named like a host (`cardano.stackexchange.com/Posts.xml`). */
function defaultSite(file: string): string {
  return siteFromDirName(path.basename(path.dirname(path.resolve(file)))) ?? DEFAULT_SITE;
}

/** Reads one file, validating records and dropping in-file duplicates; fills `report` as it goes. */
async function* readFile(file: string, report: FileReport | undefined, opts: ReadOptions): AsyncGenerator<Question> {
  const info = await sniff(file);
  const rep = report ?? newFileReport(file, info.format);
  rep.format = info.format;
  const site = defaultSite(file);
  const source = path.basename(file);
  const bytes = openBytes(file, info.gzip, opts.onBytes);
  const seen = opts.seen ?? new IdSet();
  let records: AsyncGenerator<LocatedRecord>;
  if (info.format === 'sede-csv') records = readSedeCsv(file, bytes, info.delimiter ?? ',', site, rep);
  else if (info.format === 'posts-xml') records = readPostsXml(file, bytes, site, rep);
  else records = readApiJson(file, bytes, site, rep);

  let lastLine: number | undefined;
  try {
    for await (const rec of records) {
      lastLine = rec.line;
      const q = toQuestion(rec, source);
      if ('skip' in q) {
        countSkip(rep, q.skip, { line: rec.line, id: q.id });
        continue;
      }
      if (!seen.add(q.site, q.id)) {
        countSkip(rep, 'duplicate-id', { line: rec.line, id: q.id });
        continue;
      }
      rep.kept++;
      yield q;
    }
  } catch (err) {
    throw asIngestError(file, err, err instanceof IngestError ? undefined : lastLine);
  } finally {
    bytes.destroy();
  }
}

/**
 * Streams the questions of one file (format detected from its content). Pass `report` to have it
 * filled with the counts as the stream is consumed.
 */
export function readQuestions(file: string, report?: FileReport): AsyncGenerator<Question> {
  return readFile(file, report, {});
}

/**
 * Streams the questions of several files, de-duplicated by site + id across files (the first copy
 * is kept; later copies are counted in `report.duplicates`). `report` is filled as the stream is consumed.
 */
export function ingestStream(files: string[], opts: IngestOptions = {}): { questions: AsyncGenerator<Question>; report: IngestReport } {
  const report: IngestReport = { files: [], duplicates: 0, kept: 0 };
  async function* run(): AsyncGenerator<Question> {
    if (files.length === 0) throw new IngestError('(no files)', 'no input files were given; pass one or more .csv, Posts.xml or .jsonl(.gz) files');
    const sizes: number[] = [];
    for (const f of files) sizes.push(await fileSize(f)); // fail fast on a missing file, before any work
    const total = sizes.reduce((a, b) => a + b, 0);
    let done = 0;
    const previous: IdSet[] = [];
    for (const file of files) {
      const rep = newFileReport(file, 'sede-csv'); // format set once sniffed
      report.files.push(rep);
      const seen = new IdSet();
      const onBytes = opts.onProgress
        ? (n: number) => {
            done += n;
            opts.onProgress!(done, total, file);
          }
        : undefined;
      for await (const q of readFile(file, rep, { onBytes, seen })) {
        if (previous.some((s) => s.has(q.site, q.id))) {
          report.duplicates++;
          continue;
        }
        report.kept++;
        yield q;
      }
      previous.push(seen);
    }
  }
  return { questions: run(), report };
}

/** Reads all files into memory (use `ingestStream` for big inputs). */
export async function ingest(files: string[], opts: IngestOptions = {}): Promise<{ questions: Question[]; report: IngestReport }> {
  const { questions, report } = ingestStream(files, opts);
  const out: Question[] = [];
  for await (const q of questions) out.push(q);
  return { questions: out, report };
}
