// Local calendar days and hours in an IANA zone, DST-correct: a local day is 23, 24 or 25 hours
// long, and where midnight itself is skipped (zones that change the clock at 00:00) the day
// starts at the first wall time that exists. Pure: instants in, instants out.
import { fromWall, toWall, zoneOffset } from './time.js';

const HOUR = 3_600_000;

/** [start, end) of a span of time, epoch ms. */
export interface Span {
  readonly start: number;
  readonly end: number;
}

/** The local day `offset` days after the one containing `ts` (negative: before). */
export function localDay(ts: number, zone: string, offset = 0): Span {
  const w = toWall(ts, zone);
  // Date.UTC inside fromWall normalises day 0, day 32 and negative days across months and years.
  const at = (d: number): number => fromWall({ year: w.year, month: w.month, day: d, hour: 0, minute: 0, second: 0 }, zone);
  return { start: at(w.day + offset), end: at(w.day + offset + 1) };
}

/** The local days that overlap [from, to), oldest first. */
export function localDaysBetween(from: number, to: number, zone: string): Span[] {
  const days: Span[] = [];
  for (let day = localDay(from, zone); day.start < to; day = localDay(day.end, zone)) days.push(day);
  return days;
}

/** Day of the week of the local day containing ts: 0 = Monday ... 6 = Sunday. */
export function localWeekday(ts: number, zone: string): number {
  const w = toWall(ts, zone);
  return (new Date(Date.UTC(w.year, w.month - 1, w.day)).getUTCDay() + 6) % 7;
}

/** `YYYY-MM-DD` of the local day containing ts. */
export function localDate(ts: number, zone: string): string {
  const w = toWall(ts, zone);
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${w.year}-${p(w.month)}-${p(w.day)}`;
}

/**
 * The next instant after `ts` at which the local wall clock shows a new hour. Offsets change on
 * the hour in every zone that has DST today, so the hour boundary computed with the offset in
 * force at `ts` is also where a change takes effect.
 */
export function nextLocalHour(ts: number, zone: string): number {
  const offset = zoneOffset(ts, zone);
  return Math.floor((ts + offset) / HOUR) * HOUR + HOUR - offset;
}

/** Length of the overlap of two spans, ms (0 when they do not meet). */
export function overlap(a: Span, b: Span): number {
  return Math.max(0, Math.min(a.end, b.end) - Math.max(a.start, b.start));
}

/** Sorted, non-overlapping spans covering the same time as `spans` (two services at once count once). */
export function unionSpans(spans: readonly Span[]): Span[] {
  const sorted = [...spans].filter((s) => s.end > s.start).sort((a, b) => a.start - b.start);
  const out: { start: number; end: number }[] = [];
  for (const s of sorted) {
    const last = out[out.length - 1];
    if (last && s.start <= last.end) last.end = Math.max(last.end, s.end);
    else out.push({ start: s.start, end: s.end });
  }
  return out;
}

/** Total time of `spans` (already a union) inside `window`, ms. */
export function timeInside(spans: readonly Span[], window: Span): number {
  return spans.reduce((sum, s) => sum + overlap(s, window), 0);
}
