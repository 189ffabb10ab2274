// Field parsers of the Netflix exports (pure): start times, durations and countries of
// ViewingActivity.csv, and the locale-dependent dates of NetflixViewingHistory.csv.

const START = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/;
const DURATION = /^(\d{1,3}):([0-5]\d):([0-5]\d)$/;
const COUNTRY = /^([A-Za-z]{2})(?:\s*\((.*)\))?$/;

/** `YYYY-MM-DD HH:MM:SS` read as UTC; undefined unless it names a real instant. */
export function parseStartTime(s: string): number | undefined {
  const m = START.exec(s.trim());
  if (!m) return undefined;
  const [y, mo, d, h, mi, se] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  const ts = Date.UTC(y, mo - 1, d, h, mi, se);
  const back = new Date(ts);
  if (back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d || h > 23 || mi > 59 || se > 59) return undefined;
  return ts;
}

/** `HH:MM:SS` in seconds; '' is 0 (a play with no recorded duration still happened). */
export function parseDuration(s: string): number | undefined {
  const t = s.trim();
  if (t === '') return 0;
  const m = DURATION.exec(t);
  return m ? Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]) : undefined;
}

/**
 * `DE (Germany)` -> {code: 'DE', name: 'Germany'}; '' -> code ''. Any other shape keeps the
 * text as the name with no code: the play is still real, only its country is unknown.
 */
export function parseCountry(s: string): { code: string; name?: string } {
  const t = s.trim();
  if (t === '') return { code: '' };
  const m = COUNTRY.exec(t);
  if (!m) return { code: '', name: t };
  return m[2] ? { code: (m[1] ?? '').toUpperCase(), name: m[2].trim() } : { code: (m[1] ?? '').toUpperCase() };
}

// Dates of NetflixViewingHistory.csv. They follow the account's display locale and carry no
// locale marker, so the order of day and month is decided per file:
//
// - `/` is read as M/D/YY (en-US), `-` as DD-MM-YY (nl-NL), `.` as DD.MM.YY (de-DE), a leading
//   4-digit year as YYYY-MM-DD.
// - A file is switched to the other order when some of its dates are impossible in the default
//   one and none are impossible in the other: `20/10/22` shows an en-GB style D/M/YY file.
// - Ambiguous by nature: a file whose every date has day <= 12 cannot show its order; it is read
//   in the separator's default, so an en-GB file from the first twelve days of each month only
//   would be read as en-US (day and month swapped). Day-level checks are weak evidence anyway.
// - Two-digit years are 20YY (Netflix streaming began in 2007).

export interface HistoryRow {
  readonly title: string;
  readonly date: string;
  readonly line: number;
}

export interface HistoryDay {
  readonly row: HistoryRow;
  /** Midnight UTC of the calendar day (a day label, not an instant); undefined if unreadable. */
  readonly day: number | undefined;
}

const DATE = /^(\d{1,4})([/.-])(\d{1,2})\2(\d{1,4})$/;

interface Parts {
  readonly a: number;
  readonly b: number;
  readonly c: number;
  readonly sep: string;
  readonly yearFirst: boolean;
}

function split(date: string): Parts | undefined {
  const m = DATE.exec(date.trim());
  if (!m) return undefined;
  const first = m[1] ?? '';
  const last = m[4] ?? '';
  const yearFirst = first.length === 4;
  // YYYY-MM-DD, or D-M-YY / D-M-YYYY (any order of D and M): nothing else is a date here.
  const shapeOk = yearFirst ? last.length <= 2 : first.length <= 2 && (last.length === 2 || last.length === 4);
  if (!shapeOk) return undefined;
  return { a: Number(first), b: Number(m[3]), c: Number(last), sep: m[2] ?? '', yearFirst };
}

function utcDay(year: number, month: number, day: number): number | undefined {
  const y = year < 100 ? 2000 + year : year;
  if (month < 1 || month > 12 || day < 1) return undefined;
  const ts = Date.UTC(y, month - 1, day);
  return new Date(ts).getUTCDate() === day ? ts : undefined;
}

/**
 * The day/month order of a file's dates, learnt one date at a time: a reader sees every date once
 * (observe), then reads the file again for the days (dayOf), holding a few flags, not the rows.
 */
export class HistoryDateOrder {
  /** Per separator: some date's first part is over 12, some date's second part is. */
  private readonly over12 = new Map<string, { first: boolean; second: boolean }>();

  observe(date: string): void {
    const p = split(date);
    if (!p) return;
    const o = this.over12.get(p.sep) ?? { first: false, second: false };
    if (!p.yearFirst) {
      if (p.a > 12) o.first = true;
      if (p.b > 12) o.second = true;
    }
    this.over12.set(p.sep, o);
  }

  /** True if dates with this separator are month-first in this file. */
  monthFirst(sep: string): boolean {
    const o = this.over12.get(sep) ?? { first: false, second: false };
    return sep === '/' ? !(o.first && !o.second) : o.second && !o.first;
  }

  /** Midnight UTC of the date's calendar day, or undefined if it is not a date. */
  dayOf(date: string): number | undefined {
    const p = split(date);
    if (!p) return undefined;
    if (p.yearFirst) return utcDay(p.a, p.b, p.c);
    return this.monthFirst(p.sep) ? utcDay(p.c, p.a, p.b) : utcDay(p.c, p.b, p.a);
  }
}

/** The calendar day of each row, with the day/month order decided for the file as a whole. */
export function parseHistoryDates(rows: readonly HistoryRow[]): HistoryDay[] {
  const order = new HistoryDateOrder();
  for (const r of rows) order.observe(r.date);
  return rows.map((row) => ({ row, day: order.dayOf(row.date) }));
}
