/**
 * Report types and the helpers readers use to count what they read, kept, skipped and repaired.
 */
export type SourceFormat = 'sede-csv' | 'posts-xml' | 'api-json';

/** One example of a skipped record, so a user can look at the raw file. */
export interface SkipSample {
  reason: string;
  /** 1-based line in the (decompressed) file where the record ends, when known. */
  line?: number;
  /** Question id, when the record had one. */
  id?: string;
}

/** Counts for one file. Invariant once the file is fully read: read = kept + sum(skipped). */
export interface FileReport {
  file: string;
  format: SourceFormat;
  /** Records seen: CSV rows, XML `<row>` elements, API items (+ JSON lines that did not parse). */
  read: number;
  /** Questions the file yielded (in-file duplicates excluded; cross-file duplicates are counted in IngestReport.duplicates). */
  kept: number;
  /** Records not kept, by reason (`missing-id`, `missing-title`, `no-tags`, `bad-date`, `invalid-json`, `not-a-question`, `duplicate-id`, ...). */
  skipped: Record<string, number>;
  /** Records kept after a repair, by kind (`invalid-utf8-rows`, `invalid-utf8-sequences`). */
  repaired: Record<string, number>;
  /** A few examples per skip reason (at most SAMPLES_PER_REASON each). */
  samples?: SkipSample[];
}

/** Counts for a whole ingestion run. */
export interface IngestReport {
  files: FileReport[];
  /** Questions dropped because an earlier file already had the same site + id. */
  duplicates: number;
  /** Questions yielded in total (after cross-file de-duplication). */
  kept: number;
}

/** How many samples are kept per skip reason. */
export const SAMPLES_PER_REASON = 5;

export function newFileReport(file: string, format: SourceFormat): FileReport {
  return { file, format, read: 0, kept: 0, skipped: {}, repaired: {}, samples: [] };
}

/** Counts one skipped record (and keeps it as a sample while there are few of its reason). */
export function countSkip(report: FileReport, reason: string, sample: Omit<SkipSample, 'reason'> = {}): void {
  const n = (report.skipped[reason] ?? 0) + 1;
  report.skipped[reason] = n;
  if (n <= SAMPLES_PER_REASON) (report.samples ??= []).push({ reason, ...sample });
}

/** Adds `n` to a repair counter. */
export function countRepair(report: FileReport, kind: string, n = 1): void {
  if (n > 0) report.repaired[kind] = (report.repaired[kind] ?? 0) + n;
}

const sumValues = (r: Record<string, number>): number => Object.values(r).reduce((a, b) => a + b, 0);

const fmtCounts = (r: Record<string, number>): string =>
  Object.keys(r).length === 0
    ? '-'
    : Object.entries(r)
        .sort((a, b) => b[1] - a[1])
        .map(([k, v]) => `${k}=${v.toLocaleString('en-US')}`)
        .join(', ');

/** Human-readable table: one line per file, then the totals. */
export function formatReport(report: IngestReport): string {
  const head = ['file', 'format', 'read', 'kept', 'skipped', 'repaired'];
  const rows = report.files.map((f) => [
    f.file,
    f.format,
    f.read.toLocaleString('en-US'),
    f.kept.toLocaleString('en-US'),
    sumValues(f.skipped) === 0 ? '-' : `${sumValues(f.skipped).toLocaleString('en-US')} (${fmtCounts(f.skipped)})`,
    fmtCounts(f.repaired),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const numeric = new Set([2, 3]);
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (numeric.has(i) ? c.padStart(widths[i]) : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  const out = [line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
  const samples = report.files.flatMap((f) =>
    (f.samples ?? []).map((s) => `  ${f.file}${s.line !== undefined ? `:${s.line}` : ''} ${s.reason}${s.id ? ` (id ${s.id})` : ''}`),
  );
  out.push(
    '',
    `kept ${report.kept.toLocaleString('en-US')} questions; ${report.duplicates.toLocaleString('en-US')} cross-file duplicates dropped (same site + id as an earlier file).`,
  );
  if (samples.length > 0) out.push('Examples of skipped records:', ...samples);
  return out.join('\n');
}
