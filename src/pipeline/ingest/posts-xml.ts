/**
 * Streaming reader for the official data dump `Posts.xml` (`<posts><row Id=".." .../></posts>`),
 * built on the saxes SAX parser: memory stays bounded whatever the file size.
 */
import type { Readable } from 'node:stream';
import { SaxesParser } from 'saxes';
import { IngestError } from './errors';
import type { LocatedRecord } from './normalize';
import { countRepair, countSkip, type FileReport } from './report';
import { decodeUtf8, MAX_RECORD_CHARS } from './source';

/**
 * Yields one raw record per `<row>` with `PostTypeId="1"`; other rows (answers, wikis, ...) are
 * counted as skipped `not-a-question`. Throws an IngestError if the root is not `<posts>` or the XML is malformed.
 */
export async function* readPostsXml(file: string, bytes: Readable, site: string, report: FileReport): AsyncGenerator<LocatedRecord> {
  const parser = new SaxesParser({ position: true });
  let depth = 0;
  let pending: LocatedRecord[] = [];

  parser.on('opentag', (tag) => {
    depth++;
    if (depth === 1) {
      if (tag.name !== 'posts') {
        throw new IngestError(file, `root element is <${tag.name}>, but a data dump Posts.xml has root <posts>`, parser.line);
      }
      return;
    }
    if (depth !== 2 || tag.name !== 'row') return;
    const a = tag.attributes as Record<string, string>;
    report.read++;
    if (Object.values(a).reduce((n, v) => n + v.length, 0) > MAX_RECORD_CHARS) {
      countSkip(report, 'too-large', { line: parser.line, id: a.Id });
      return;
    }
    if (a.PostTypeId !== '1') {
      countSkip(report, 'not-a-question', { line: parser.line, id: a.Id });
      return;
    }
    pending.push({
      id: a.Id,
      title: a.Title,
      body: a.Body ?? '',
      bodyFormat: 'html',
      tags: a.Tags,
      created: a.CreationDate,
      site,
      line: parser.line,
    });
  });
  parser.on('closetag', () => {
    depth--;
  });
  parser.on('error', (err) => {
    throw err instanceof IngestError
      ? err
      : new IngestError(file, `malformed XML (${err.message}); the file may be truncated or not a data dump export`, parser.line);
  });

  const text = decodeUtf8(bytes, (n) => countRepair(report, 'invalid-utf8-sequences', n));
  for await (const chunk of text) {
    parser.write(chunk);
    // saxes is push-based: rows found in this chunk are yielded before the next chunk is read.
    if (pending.length > 0) {
      const batch = pending;
      pending = [];
      yield* batch;
    }
  }
  if (depth > 0) {
    throw new IngestError(file, `the XML ends before its closing </posts> tag: the file looks truncated; extract or download it again`, parser.line);
  }
  parser.close();
  yield* pending;
}
