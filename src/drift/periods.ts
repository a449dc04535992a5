/**
 * Calendar periods for drift monitoring: months (`2010-01`), quarters (`2010-Q1`) and years
 * (`2010`), parsed from the command line and read off question creation dates (UTC).
 * Pure and browser-safe.
 */

export type Granularity = 'month' | 'quarter' | 'year';
export const GRANULARITIES: readonly Granularity[] = ['month', 'quarter', 'year'];

/** Thrown for period strings a user typed wrong; the message says what is expected. */
export class PeriodFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PeriodFormatError';
  }
}

const FORMATS: Record<Granularity, { re: RegExp; example: string }> = {
  month: { re: /^(\d{4})-(\d{2})$/, example: '2010-01' },
  quarter: { re: /^(\d{4})-[Qq]([1-4])$/, example: '2010-Q1' },
  year: { re: /^(\d{4})$/, example: '2010' },
};

/** The granularity a period string is written in, or undefined when it is none of the three. */
export function granularityOf(period: string): Granularity | undefined {
  return GRANULARITIES.find((g) => FORMATS[g].re.test(period.trim()));
}

/** An ordinal per period (months since year 0, quarters since year 0, years), for ranges and sorting. */
export function periodIndex(period: string, by: Granularity, option = '--reference'): number {
  const m = FORMATS[by].re.exec(period.trim());
  if (!m) {
    throw new PeriodFormatError(
      `${option} "${period}" is not a ${by}: write it as ${FORMATS[by].example}` +
        (granularityOf(period) ? ` (or pass --by ${granularityOf(period)} to work by ${granularityOf(period)})` : ''),
    );
  }
  const year = Number(m[1]);
  if (by === 'year') return year;
  const sub = Number(m[2]);
  if (by === 'month' && (sub < 1 || sub > 12)) throw new PeriodFormatError(`${option} "${period}": month ${m[2]} does not exist (01..12)`);
  return by === 'month' ? year * 12 + (sub - 1) : year * 4 + (sub - 1);
}

/** The period string of an ordinal from {@link periodIndex}. */
export function periodName(index: number, by: Granularity): string {
  if (by === 'year') return String(index);
  if (by === 'quarter') return `${Math.floor(index / 4)}-Q${(index % 4) + 1}`;
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`;
}

/** The period an ISO 8601 UTC timestamp falls in; undefined for a date that does not parse. */
export function periodOfDate(iso: string, by: Granularity): string | undefined {
  const m = /^(\d{4})-(\d{2})/.exec(iso);
  if (!m) return undefined;
  const year = Number(m[1]);
  const month = Number(m[2]);
  if (month < 1 || month > 12) return undefined;
  if (by === 'year') return String(year);
  if (by === 'quarter') return `${year}-Q${Math.floor((month - 1) / 3) + 1}`;
  return `${m[1]}-${m[2]}`;
}

/**
 * Parses `--months`: a range `A..B` (inclusive), a comma list `A,B,C`, or one period, all in the
 * granularity `by`. Returns the periods sorted and de-duplicated.
 */
export function parsePeriodList(spec: string, by: Granularity, option = '--months'): string[] {
  const text = spec.trim();
  if (!text) throw new PeriodFormatError(`${option} is empty: give a range like ${FORMATS[by].example}..${FORMATS[by].example.replace(/\d$/, '9')} or a comma list`);
  const out = new Set<number>();
  for (const part of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const range = part.split('..');
    if (range.length === 1) out.add(periodIndex(part, by, option));
    else if (range.length === 2) {
      const a = periodIndex(range[0], by, option);
      const b = periodIndex(range[1], by, option);
      if (b < a) throw new PeriodFormatError(`${option} "${part}": the range ends before it starts; write the earlier period first`);
      if (b - a > 600) throw new PeriodFormatError(`${option} "${part}": ${b - a + 1} periods is too many (at most 601)`);
      for (let i = a; i <= b; i++) out.add(i);
    } else throw new PeriodFormatError(`${option} "${part}": a range has one "..", like ${FORMATS[by].example}..${FORMATS[by].example}`);
  }
  return [...out].sort((x, y) => x - y).map((i) => periodName(i, by));
}

/** Groups items by the period of their creation date; items without a date (or a usable one) are counted apart. */
export function groupByPeriod<T extends { created?: string }>(items: readonly T[], by: Granularity): { groups: Map<string, T[]>; undated: number } {
  const groups = new Map<string, T[]>();
  let undated = 0;
  for (const item of items) {
    const p = item.created === undefined ? undefined : periodOfDate(item.created, by);
    if (p === undefined) {
      undated++;
      continue;
    }
    let g = groups.get(p);
    if (!g) groups.set(p, (g = []));
    g.push(item);
  }
  return { groups, undated };
}

/** Default current periods when `--months` is not given: every later period that has data, at most `max`. */
export function defaultPeriods(available: Iterable<string>, reference: string, by: Granularity, max = 12): string[] {
  const ref = periodIndex(reference, by);
  return [...available]
    .map((p) => periodIndex(p, by))
    .filter((i) => i > ref)
    .sort((a, b) => a - b)
    .slice(0, max)
    .map((i) => periodName(i, by));
}
