/**
 * RFC 4180 CSV writing for the small tables tracking logs (csv-parse is a dependency, csv-stringify is
 * not; quoting a cell is three lines). Numbers are written with JavaScript's shortest round-trip form.
 */
export type Cell = string | number | boolean | null | undefined;

export function csvCell(v: Cell): string {
  const s = v === null || v === undefined ? '' : String(v);
  return /[",\r\n]/.test(s) || s !== s.trim() ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Rows to CSV text, CRLF-free (`\n` line ends), with a final newline. */
export function toCsv(rows: readonly (readonly Cell[])[]): string {
  return rows.map((r) => r.map(csvCell).join(',')).join('\n') + '\n';
}
