/**
 * Pure helpers that turn raw field values of any source into `Question` fields:
 * dates, tags, sites, and the shared record validation that yields a question or a skip reason.
 */
import { isValidTagName } from '../../core/tag-syntax';
import type { BodyFormat, Question } from '../../core/types';

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const isLeap = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;

/** Builds a UTC time from checked components, or null when any is out of range (no silent roll-over). */
function utc(y: number, mo: number, d: number, h: number, mi: number, s: number, ms: number): Date | null {
  if (mo < 1 || mo > 12 || d < 1) return null;
  if (d > (mo === 2 && isLeap(y) ? 29 : DAYS_IN_MONTH[mo - 1])) return null;
  if (h > 23 || mi > 59 || s > 59) return null;
  return new Date(Date.UTC(y, mo - 1, d, h, mi, s, ms));
}

// ISO 8601 as written by SEDE (`2022-01-03 10:00:00`) and the data dump (`2022-01-03T10:00:00.123`);
// an explicit zone (`Z`, `+02:00`) is honoured, no zone means UTC (Stack Exchange stores UTC).
const ISO_RE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i;
// `M/D/YYYY H:MM[:SS] [AM|PM]`: a SEDE export re-saved by a US-locale spreadsheet.
const US_RE = /^(\d{1,2})\/(\d{1,2})\/(\d{4})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AP]M)?)?$/i;

/**
 * Parses a creation date of any supported source into ISO 8601 UTC (`2009-11-17T13:43:00.000Z`).
 * Accepts ISO strings, US `M/D/YYYY H:MM` and unix seconds (number or digit string of 9+ digits).
 * Returns null for anything else or an impossible date.
 * Hand-written (no date library is a dependency) because the set of formats is small and fixed,
 * and `Date.parse` is lenient in engine-specific ways (local time zones, day roll-over).
 */
export function parseDate(value: string | number | undefined | null): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'number' || /^\d{9,11}$/.test(value.trim())) {
    const secs = Number(value);
    if (!Number.isFinite(secs) || secs <= 0) return null;
    return new Date(secs * 1000).toISOString();
  }
  const s = value.trim();
  let m = ISO_RE.exec(s);
  if (m) {
    const ms = m[7] ? Math.floor(Number(`0.${m[7]}`) * 1000 + 1e-6) : 0;
    const d = utc(+m[1], +m[2], +m[3], +(m[4] ?? 0), +(m[5] ?? 0), +(m[6] ?? 0), ms);
    if (!d) return null;
    const zone = m[8]?.toUpperCase();
    if (zone && zone !== 'Z') {
      const z = /^([+-])(\d{2}):?(\d{2})$/.exec(zone)!;
      const offsetMin = (z[1] === '-' ? -1 : 1) * (+z[2] * 60 + +z[3]);
      d.setTime(d.getTime() - offsetMin * 60_000);
    }
    return d.toISOString();
  }
  m = US_RE.exec(s);
  if (m) {
    let h = +(m[4] ?? 0);
    const ampm = m[7]?.toUpperCase();
    if (ampm) {
      if (h < 1 || h > 12) return null;
      h = (h % 12) + (ampm === 'PM' ? 12 : 0);
    }
    const d = utc(+m[3], +m[1], +m[2], h, +(m[5] ?? 0), +(m[6] ?? 0), 0);
    return d ? d.toISOString() : null;
  }
  return null;
}

/**
 * Splits a tag field into lower-case tags, in source order, without empties or repeats.
 * Accepts `<a><b>` (SEDE, older dumps), `|a|b|` (newer dumps) and, as a fallback, `a b` or `a,b`.
 */
export function parseTags(value: string | readonly string[] | undefined | null): string[] {
  if (value === undefined || value === null) return [];
  let parts: readonly string[];
  if (Array.isArray(value)) parts = value;
  else {
    const s = (value as string).trim();
    if (s.startsWith('<')) parts = [...s.matchAll(/<([^<>]*)>/g)].map((m) => m[1]);
    else if (s.startsWith('|')) parts = s.split('|');
    else parts = s.split(/[\s,;]+/);
  }
  const out: string[] = [];
  for (const p of parts) {
    const t = p.trim().toLowerCase();
    if (t && !out.includes(t)) out.push(t);
  }
  return out;
}

/** Site used when a source says nothing about its site. */
export const DEFAULT_SITE = 'stackoverflow.com';

const HOST_RE = /^(?=.{4,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i;

/** The parent directory name when it looks like a host (`cardano.stackexchange.com`), else null. */
export function siteFromDirName(dirName: string): string | null {
  return HOST_RE.test(dirName) ? dirName.toLowerCase() : null;
}

/** Host of an API `link` (`https://stackoverflow.com/questions/1/...` -> `stackoverflow.com`), or null. */
export function siteFromLink(link: unknown): string | null {
  if (typeof link !== 'string' || !link) return null;
  try {
    const host = new URL(link).hostname.toLowerCase();
    return host ? host.replace(/^www\./, '') : null;
  } catch {
    return null;
  }
}

/** Field values of one record, as read by a format reader (strings already decoded). */
export interface RawRecord {
  id?: string | number | null;
  title?: string | null;
  body?: string | null;
  bodyFormat: BodyFormat;
  bodyMarkdown?: string | null;
  tags?: string | readonly unknown[] | null;
  created?: string | number | null;
  site: string;
}

/** A record read from a file, with the 1-based line where it ends (for skip samples and errors). */
export interface LocatedRecord extends RawRecord {
  line?: number;
}

/**
 * Validates a record: a Question, or the skip reason (`missing-id`, `missing-title`, `no-tags`,
 * `invalid-tag` (not a string, or outside Stack Overflow's tag syntax), `bad-date`, `not-a-question`
 * for a post with neither title nor tags, i.e. an answer). A record without any date is kept undated.
 */
export function toQuestion(raw: RawRecord, source: string): Question | { skip: string; id?: string } {
  const id = raw.id === undefined || raw.id === null ? '' : String(raw.id).trim();
  if (!id) return { skip: 'missing-id' };
  const title = (raw.title ?? '').trim();
  // Posts exports mix in answers: a post with neither title nor tags is not a question.
  if (!title && !raw.tags?.length) return { skip: 'not-a-question', id };
  if (!title) return { skip: 'missing-title', id };
  if (Array.isArray(raw.tags) && !raw.tags.every((t) => typeof t === 'string')) return { skip: 'invalid-tag', id };
  const tags = parseTags(raw.tags as string | readonly string[] | null | undefined);
  if (tags.length === 0) return { skip: 'no-tags', id };
  // A tag the site could not have stored (`<svg onload=...>`, `[object object]`) must not reach the vocabulary.
  if (!tags.every(isValidTagName)) return { skip: 'invalid-tag', id };
  // No date at all is fine (training needs none; drift counts it as "no date"); a date that does not parse is not.
  const undated = raw.created === undefined || raw.created === null || String(raw.created).trim() === '';
  const created = undated ? undefined : parseDate(raw.created);
  if (created === null) return { skip: 'bad-date', id };
  const q: Question = { id, site: raw.site, title, body: raw.body ?? '', bodyFormat: raw.bodyFormat, tags, source };
  if (created) q.created = created;
  if (typeof raw.bodyMarkdown === 'string') q.bodyMarkdown = raw.bodyMarkdown;
  return q;
}
