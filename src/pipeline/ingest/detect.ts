/**
 * Format sniffing: decides from the first bytes (after gunzip) whether a file is a Data Explorer
 * CSV, a data dump Posts.xml or Stack Exchange API JSON, and explains clearly when it is none.
 */
import { parse as parseCsvSync } from 'csv-parse/sync';
import { IngestError } from './errors';
import type { SourceFormat } from './report';
import { readHead } from './source';

/** What a sniff learned about a file; readers reuse it instead of sniffing again. */
export interface Sniff {
  format: SourceFormat;
  gzip: boolean;
  size: number;
  /** CSV only: the delimiter of the header line. */
  delimiter?: string;
}

/** Columns a Data Explorer CSV must have (matched case-insensitively); CreationDate and Body are optional. */
export const REQUIRED_CSV_COLUMNS = ['Id', 'Title', 'Tags'] as const;

const EXPECTED =
  'expected a Stack Exchange Data Explorer CSV (header with Id, Title, Tags, optionally CreationDate), ' +
  'a data dump Posts.xml (<posts><row .../></posts>) or Stack Exchange API question items (JSON lines or {"items": [...]} pages), optionally gzip-compressed';

/** Magic numbers of binary files people may pass by mistake, with a hint for each. */
const MAGIC: Array<[number[], string]> = [
  [[0x89, 0x50, 0x4e, 0x47], 'a PNG image'],
  [[0xff, 0xd8, 0xff], 'a JPEG image'],
  [[0x25, 0x50, 0x44, 0x46], 'a PDF document'],
  [[0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c], 'a 7-Zip archive (data dumps ship as .7z: extract Posts.xml first, e.g. `7z x site.7z Posts.xml`)'],
  [[0x50, 0x4b, 0x03, 0x04], 'a ZIP archive (unzip it and pass the CSV/XML/JSON inside)'],
  [[0x42, 0x5a, 0x68], 'a bzip2 file (decompress it with `bunzip2` first; only gzip is read directly)'],
  [[0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00], 'an xz file (decompress it with `unxz` first; only gzip is read directly)'],
];

/** A short, printable excerpt of the file start for error messages. */
const excerpt = (text: string) => JSON.stringify(text.slice(0, 60).replace(/\s+/g, ' '));

/** Name of the first XML element, skipping the declaration, comments, DOCTYPE and processing instructions. */
function xmlRootName(text: string): string | null {
  const stripped = text.replace(/<\?[\s\S]*?\?>|<!--[\s\S]*?-->|<!DOCTYPE[^>]*>/gi, '');
  return /<([A-Za-z_][\w.:-]*)/.exec(stripped)?.[1] ?? null;
}

/** Picks the delimiter that occurs most in the header line (`,` wins ties). */
function guessDelimiter(line: string): string {
  const counts = [',', ';', '\t'].map((d) => [d, line.split(d).length - 1] as const);
  return counts.reduce((best, c) => (c[1] > best[1] ? c : best))[0];
}

/** Sniffs the format of `file`; throws an IngestError when it is missing, empty or of no known format. */
export async function sniff(file: string): Promise<Sniff> {
  const { head, gzip, size } = await readHead(file);
  const base = { gzip, size };
  for (const [magic, what] of MAGIC) {
    if (magic.every((b, i) => head[i] === b)) throw new IngestError(file, `is ${what}, not a question file; ${EXPECTED}`);
  }
  const text = new TextDecoder('utf-8').decode(head).replace(/^\uFEFF/, '');
  if (text.trim() === '') throw new IngestError(file, `is empty${gzip ? ' (after gunzip)' : ''}; ${EXPECTED}`);
  if (text.slice(0, 8192).includes('\0')) throw new IngestError(file, `is a binary file, not a question file; ${EXPECTED}`);
  const start = text.trimStart();

  if (start.startsWith('<')) {
    const root = xmlRootName(start);
    if (root === 'posts') return { format: 'posts-xml', ...base };
    if (root?.toLowerCase() === 'html' || /^<!doctype html/i.test(start)) {
      throw new IngestError(file, `is an HTML page, not a data export (was a web page saved instead of the download?); ${EXPECTED}`);
    }
    const hint = root && /^(tags|users|comments|votes|badges|posthistory|postlinks)$/i.test(root)
      ? ` ${root[0].toUpperCase()}${root.slice(1)}.xml of a data dump has no questions; pass Posts.xml`
      : '';
    throw new IngestError(file, `is XML with root <${root ?? '?'}>, but a data dump Posts.xml has root <posts>.${hint}`);
  }
  if (start.startsWith('{') || start.startsWith('[')) return { format: 'api-json', ...base };

  // CSV: the header must name the required columns.
  const firstLine = start.split(/\r?\n/, 1)[0];
  const delimiter = guessDelimiter(firstLine);
  let header: string[] = [];
  try {
    header = (parseCsvSync(firstLine, { delimiter, relax_quotes: true, to_line: 1 }) as string[][])[0] ?? [];
  } catch {
    header = [];
  }
  const names = new Set(header.map((h) => h.trim().toLowerCase()));
  const missing = REQUIRED_CSV_COLUMNS.filter((c) => !names.has(c.toLowerCase()));
  if (header.length >= 2 && missing.length < REQUIRED_CSV_COLUMNS.length) {
    if (missing.length === 0) return { format: 'sede-csv', delimiter, ...base };
    throw new IngestError(
      file,
      `is a CSV without the column(s) ${missing.join(', ')} (found: ${header.slice(0, 30).join(', ')}). ` +
        `Export it from the Data Explorer with at least \`SELECT Id, Title, Tags\` (CreationDate and Body optional).`,
      1,
    );
  }
  throw new IngestError(file, `is not in a known format (it starts with ${excerpt(start)}); ${EXPECTED}`);
}

/** Detects the format of `file` from its first bytes (after gunzip). */
export async function detectFormat(file: string): Promise<SourceFormat> {
  return (await sniff(file)).format;
}
