// Field parsers of the Netflix exports (pure): start times, durations and countries of
// ViewingActivity.csv, and the locale-dependent dates of NetflixViewingHistory.csv.

const DURATION = /^(\d{1,3}):([0-5]\d):([0-5]\d)$/;
const COUNTRY = /^([A-Za-z]{2})(?:\s*\((.*)\))?$/;

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** The number in s[i, i + n) if all its characters are digits, else -1. */
function digits(s: string, i: number, n: number): number {
  let v = 0;
  for (let k = i; k < i + n; k++) {
    const c = s.charCodeAt(k) - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

/**
 * `YYYY-MM-DD HH:MM:SS` read as UTC; undefined unless it names a real instant. Read by hand (it
 * runs for every row of an export that may hold a million).
 */
export function parseStartTime(text: string): number | undefined {
  const s = text.length === 19 ? text : text.trim();
  if (s.length !== 19 || s[4] !== '-' || s[7] !== '-' || s[10] !== ' ' || s[13] !== ':' || s[16] !== ':') return undefined;
  const y = digits(s, 0, 4), mo = digits(s, 5, 2), d = digits(s, 8, 2);
  const h = digits(s, 11, 2), mi = digits(s, 14, 2), se = digits(s, 17, 2);
  if (y < 0 || mo < 1 || mo > 12 || d < 1 || h < 0 || h > 23 || mi < 0 || mi > 59 || se < 0 || se > 59) return undefined;
  const leap = y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
  if (d > (mo === 2 && leap ? 29 : (DAYS_IN_MONTH[mo - 1] ?? 0))) return undefined;
  return Date.UTC(y, mo - 1, d, h, mi, se);
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
