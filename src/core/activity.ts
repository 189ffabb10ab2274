// What each device has been watching lately: streaming now or not, minutes today and over the
// last 7 local days, sessions today, bytes today. Pure: the sessions, flow minutes and `now` are
// passed in, so the same input always gives the same rows.
import { localDay, timeInside, unionSpans, type Span } from './local-days.js';

const MINUTE = 60_000;
export const ACTIVITY_DAYS = 7;

/** The fields of a stored session that activity needs. */
export interface ActivitySession {
  readonly device: string;
  readonly start: number;
  /** The session's last evidence of playing. */
  readonly end: number;
  readonly evidence: readonly string[];
  /** The device's address during the session. */
  readonly ip?: string;
}

/** Bytes received by a device in one minute of a monitored service (from captures). */
export interface FlowBytes {
  readonly device: string;
  readonly minute: number;
  readonly bytesDown: number;
}

export interface ActivityInput {
  /** Every session that may overlap the last 7 local days, any device. */
  readonly sessions: readonly ActivitySession[];
  /** The newest session of every device that ever streamed (may be older than the window). */
  readonly lastSessions: readonly ActivitySession[];
  readonly flows: readonly FlowBytes[];
  readonly now: number;
  readonly timeZone: string;
  /** sessions.gap: a session is still playing while its last evidence is at most this old. */
  readonly gapMs: number;
}

export interface DeviceActivity {
  readonly device: string;
  /** The address of its newest session. */
  readonly ip: string | null;
  readonly streamingNow: boolean;
  readonly streamingSince: number | null;
  readonly todayMinutes: number;
  readonly last7dMinutes: number;
  /** Minutes per local day, oldest first; the last entry is today. */
  readonly dailyMinutes: readonly number[];
  readonly sessionsToday: number;
  readonly lastSession: Span | null;
  /** Bytes down inside today's sessions; null when no session today was measured by a capture. */
  readonly bytesToday: number | null;
}

/**
 * The one definition of "still playing", shared by `sessions --json`'s `open` and activity's
 * `streaming_now`: the last evidence is no older than one session gap.
 */
export function isSessionOpen(end: number, now: number, gapMs: number): boolean {
  return end >= now - gapMs;
}

/** One row per device of `lastSessions`, ordered: playing first, then by latest session. */
export function computeActivity(input: ActivityInput): DeviceActivity[] {
  const { now, timeZone } = input;
  const days = Array.from({ length: ACTIVITY_DAYS }, (_, i) => localDay(now, timeZone, i - (ACTIVITY_DAYS - 1)));
  const today = days[days.length - 1] as Span;
  const week: Span = { start: days[0]?.start ?? today.start, end: today.end };
  // As of `now`: nothing after it counts, even when `now` is a moment in the past.
  const upToNow = (s: Span): Span => ({ start: s.start, end: Math.min(s.end, now) });
  const byDevice = group(input.sessions.filter((s) => s.start <= now), (s) => s.device);
  const flowsByDevice = group(input.flows, (f) => f.device);

  const rows = input.lastSessions
    .filter((s) => s.start <= now)
    .map((last): DeviceActivity => {
      const sessions = byDevice.get(last.device) ?? [];
      const spans = unionSpans(sessions.map(upToNow));
      const open = sessions.filter((s) => isSessionOpen(s.end, now, input.gapMs));
      const todays = sessions.filter((s) => s.end >= today.start);
      return {
        device: last.device,
        ip: last.ip ?? null,
        streamingNow: open.length > 0,
        streamingSince: open.length > 0 ? Math.min(...open.map((s) => s.start)) : null,
        todayMinutes: minutes(timeInside(spans, upToNow(today))),
        last7dMinutes: minutes(timeInside(spans, upToNow(week))),
        dailyMinutes: days.map((d) => minutes(timeInside(spans, upToNow(d)))),
        sessionsToday: todays.length,
        lastSession: upToNow(last),
        bytesToday: bytesInside(todays, flowsByDevice.get(last.device) ?? [], upToNow(today)),
      };
    });
  return rows.sort(
    (a, b) =>
      Number(b.streamingNow) - Number(a.streamingNow) || (b.lastSession?.start ?? 0) - (a.lastSession?.start ?? 0) || a.device.localeCompare(b.device),
  );
}

const minutes = (ms: number): number => Math.round(ms / MINUTE);

/** Flow minutes that fall inside one of the sessions and inside the window, as sessions count them. */
function bytesInside(sessions: readonly ActivitySession[], flows: readonly FlowBytes[], window: Span): number | null {
  if (!sessions.some((s) => s.evidence.includes('flows'))) return null;
  let total = 0;
  for (const f of flows) {
    if (f.minute < window.start || f.minute >= window.end) continue;
    if (sessions.some((s) => f.minute >= s.start && f.minute <= s.end)) total += f.bytesDown;
  }
  return total;
}

function group<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = out.get(k);
    if (list) list.push(item);
    else out.set(k, [item]);
  }
  return out;
}
