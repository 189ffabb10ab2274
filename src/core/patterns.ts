// The pictures' numbers: minutes per local hour of the week (the heatmap) and each local day's
// sessions (the timeline). Pure, DST-correct: time is split where the local wall clock turns.
import { localDate, localDaysBetween, localWeekday, nextLocalHour, overlap, unionSpans, type Span } from './local-days.js';
import { toWall } from './time.js';

const MINUTE = 60_000;

export interface PatternSession {
  readonly device: string;
  readonly start: number;
  readonly end: number;
  readonly open?: boolean;
}

/** minutes[weekday][hour]: weekday 0 = Monday; hour is the local wall-clock hour (0-23). */
export type HourOfWeek = number[][];

/**
 * Minutes of viewing per local weekday and hour inside `window`. On the autumn night the
 * repeated hour collects both of its passes; on the spring night the skipped hour gets nothing.
 */
export function hourOfWeek(spans: readonly Span[], window: Span, zone: string): HourOfWeek {
  const grid: HourOfWeek = Array.from({ length: 7 }, () => Array.from({ length: 24 }, () => 0));
  for (const s of unionSpans(spans)) {
    let t = Math.max(s.start, window.start);
    const end = Math.min(s.end, window.end);
    while (t < end) {
      const next = Math.min(nextLocalHour(t, zone), end);
      const row = grid[localWeekday(t, zone)];
      const hour = toWall(t, zone).hour;
      if (row) row[hour] = (row[hour] ?? 0) + (next - t) / MINUTE;
      t = next;
    }
  }
  return grid;
}

export interface TimelineDay extends Span {
  /** `YYYY-MM-DD`, local. */
  readonly date: string;
  /** 0 = Monday. */
  readonly weekday: number;
  /** Sessions clipped to the day, per device, in the order of `devices`. */
  readonly segments: readonly TimelineSegment[];
}

export interface TimelineSegment extends Span {
  readonly device: string;
  /** The session is still playing and this is its newest piece. */
  readonly open: boolean;
}

/** The local days overlapping `window`, oldest first, each with the pieces of sessions inside it. */
export function timelineDays(sessions: readonly PatternSession[], window: Span, zone: string): TimelineDay[] {
  return localDaysBetween(window.start, window.end, zone).map((day) => {
    const clip: Span = { start: Math.max(day.start, window.start), end: Math.min(day.end, window.end) };
    const segments = sessions
      .filter((s) => overlap(s, clip) > 0 || (s.start === s.end && s.start >= clip.start && s.start < clip.end))
      .map((s) => ({ device: s.device, start: Math.max(s.start, clip.start), end: Math.min(s.end, clip.end), open: s.open === true && s.end <= clip.end }));
    return { start: day.start, end: day.end, date: localDate(day.start, zone), weekday: localWeekday(day.start, zone), segments };
  });
}
