// Activity per device on hand-made days with exact minutes: midnight, DST days (23 and 25 hours)
// in Europe/Amsterdam and America/New_York, a session open now, two services at once, flows.
import { describe, expect, it } from 'vitest';
import { computeActivity, isSessionOpen, type ActivitySession, type DeviceActivity, type FlowBytes } from '../../src/core/activity.js';
import { localDay, localDaysBetween } from '../../src/core/local-days.js';

const AMS = 'Europe/Amsterdam';
const NYC = 'America/New_York';
const GAP = 10 * 60_000;
const t = (iso: string): number => Date.parse(iso);
const s = (device: string, start: string, end: string, evidence: string[] = ['dns']): ActivitySession => ({ device, start: t(start), end: t(end), evidence });

/** Activity of one device whose sessions are `sessions` (the newest is its last session). */
function one(sessions: ActivitySession[], now: string, zone: string, flows: FlowBytes[] = []): DeviceActivity {
  const last = [...sessions].sort((a, b) => b.start - a.start)[0] as ActivitySession;
  const rows = computeActivity({ sessions, lastSessions: [last], flows, now: t(now), timeZone: zone, gapMs: GAP });
  expect(rows).toHaveLength(1);
  return rows[0] as DeviceActivity;
}

describe('local days', () => {
  it.each([
    // [zone, a moment of the day, local midnight (UTC), next local midnight (UTC), hours]
    [AMS, '2026-11-21T12:00:00Z', '2026-11-20T23:00:00Z', '2026-11-21T23:00:00Z', 24],
    [AMS, '2026-03-29T12:00:00Z', '2026-03-28T23:00:00Z', '2026-03-29T22:00:00Z', 23], // spring forward
    [AMS, '2026-10-25T12:00:00Z', '2026-10-24T22:00:00Z', '2026-10-25T23:00:00Z', 25], // fall back
    [NYC, '2026-03-08T12:00:00Z', '2026-03-08T05:00:00Z', '2026-03-09T04:00:00Z', 23],
    [NYC, '2026-11-01T12:00:00Z', '2026-11-01T04:00:00Z', '2026-11-02T05:00:00Z', 25],
    // The day just after local midnight still starts at that midnight, not the UTC one.
    [NYC, '2026-11-02T04:30:00Z', '2026-11-01T04:00:00Z', '2026-11-02T05:00:00Z', 25],
  ])('%s day of %s is %s .. %s (%i h)', (zone, at, start, end, hours) => {
    const day = localDay(t(at), zone);
    expect(day).toEqual({ start: t(start), end: t(end) });
    expect((day.end - day.start) / 3_600_000).toBe(hours);
  });

  it('lists the days of a window across a DST change', () => {
    const days = localDaysBetween(t('2026-10-24T10:00:00Z'), t('2026-10-26T10:00:00Z'), AMS);
    expect(days.map((d) => (d.end - d.start) / 3_600_000)).toEqual([24, 25, 24]);
  });
});

describe('computeActivity: minutes', () => {
  it.each<[string, ActivitySession[], string, string, number, number, number[]]>([
    // [case, sessions, now, zone, today_minutes, last_7d_minutes, daily minutes (last 2 days)]
    [
      'a session across local midnight counts on each side (Fri 23:40 - Sat 00:35)',
      [s('tv', '2026-11-20T22:40:00Z', '2026-11-20T23:35:00Z')],
      '2026-11-21T11:00:00Z', AMS, 35, 55, [20, 35],
    ],
    [
      'the 23-hour spring day in Amsterdam, watched from end to end, is 1380 minutes',
      [s('tv', '2026-03-28T22:00:00Z', '2026-03-29T23:00:00Z')],
      '2026-03-30T10:00:00Z', AMS, 60, 60 + 1380 + 60, [1380, 60],
    ],
    [
      'the 25-hour autumn day in Amsterdam is 1500 minutes',
      [s('tv', '2026-10-24T21:00:00Z', '2026-10-25T23:30:00Z')],
      '2026-10-26T10:00:00Z', AMS, 30, 60 + 1500 + 30, [1500, 30],
    ],
    [
      'New York autumn night: 00:30 EDT - 03:00 EST is 210 minutes, not the 150 of the wall clock',
      [s('ipad', '2026-11-01T04:30:00Z', '2026-11-01T08:00:00Z')],
      '2026-11-01T20:00:00Z', NYC, 210, 210, [0, 210],
    ],
    [
      'New York spring night: 01:30 EST - 03:30 EDT is 60 minutes',
      [s('ipad', '2026-03-08T06:30:00Z', '2026-03-08T07:30:00Z')],
      '2026-03-08T20:00:00Z', NYC, 60, 60, [0, 60],
    ],
    [
      'two services at once on one device count once',
      [s('tv', '2026-11-21T18:00:00Z', '2026-11-21T19:00:00Z'), s('tv', '2026-11-21T18:30:00Z', '2026-11-21T19:30:00Z')],
      '2026-11-21T22:00:00Z', AMS, 90, 90, [0, 90],
    ],
    [
      'only the last 7 local days count: 8 days ago is out, 6 days ago is in',
      [s('tv', '2026-11-13T19:00:00Z', '2026-11-13T20:00:00Z'), s('tv', '2026-11-15T19:00:00Z', '2026-11-15T19:45:00Z')],
      '2026-11-21T12:00:00Z', AMS, 0, 45, [0, 0],
    ],
    [
      'as of a moment in the past, later viewing does not count yet',
      [s('tv', '2026-11-21T18:00:00Z', '2026-11-21T20:00:00Z')],
      '2026-11-21T18:40:00Z', AMS, 40, 40, [0, 40],
    ],
  ])('%s', (_case, sessions, now, zone, today, week, lastTwo) => {
    const row = one(sessions, now, zone);
    expect(row.todayMinutes).toBe(today);
    expect(row.last7dMinutes).toBe(week);
    expect(row.dailyMinutes).toHaveLength(7);
    expect(row.dailyMinutes.slice(-2)).toEqual(lastTwo);
  });
});

describe('computeActivity: streaming now, sessions today, last session', () => {
  const now = '2026-11-21T21:00:00Z';

  it.each([
    ['last evidence 3 min ago', '2026-11-21T20:57:00Z', true],
    ['last evidence exactly one gap ago (as sessions --json calls it open)', '2026-11-21T20:50:00Z', true],
    ['last evidence 11 min ago', '2026-11-21T20:49:00Z', false],
  ])('%s: streaming_now %s', (_case, end, playing) => {
    const row = one([s('tv', '2026-11-21T19:56:00Z', end)], now, AMS);
    expect(row.streamingNow).toBe(playing);
    expect(row.streamingSince).toBe(playing ? t('2026-11-21T19:56:00Z') : null);
    expect(isSessionOpen(t(end), t(now), GAP)).toBe(playing);
    expect(row.todayMinutes).toBe(Math.round((t(end) - t('2026-11-21T19:56:00Z')) / 60_000));
  });

  it('counts the sessions that touch today, and gives the newest as last_session', () => {
    const row = one(
      [
        s('ipad', '2026-11-20T22:50:00Z', '2026-11-20T23:10:00Z'), // ends after local midnight
        s('ipad', '2026-11-21T01:14:20Z', '2026-11-21T01:50:00Z'),
        s('ipad', '2026-11-20T19:09:20Z', '2026-11-20T20:00:00Z'), // yesterday only
      ],
      now,
      AMS,
    );
    expect(row.sessionsToday).toBe(2);
    expect(row.lastSession).toEqual({ start: t('2026-11-21T01:14:20Z'), end: t('2026-11-21T01:50:00Z') });
    expect(row.todayMinutes).toBe(10 + 36); // 00:00-00:10 and 02:14:20-02:50 (35.7 min), rounded once
  });

  it('orders devices playing first, then by newest session', () => {
    const sessions = [
      s('old', '2026-11-01T10:00:00Z', '2026-11-01T11:00:00Z'),
      s('recent', '2026-11-21T15:00:00Z', '2026-11-21T16:00:00Z'),
      s('playing', '2026-11-21T12:00:00Z', '2026-11-21T20:59:00Z'),
    ];
    const rows = computeActivity({ sessions, lastSessions: sessions, flows: [], now: t(now), timeZone: AMS, gapMs: GAP });
    expect(rows.map((r) => [r.device, r.streamingNow, r.last7dMinutes])).toEqual([
      ['playing', true, 539],
      ['recent', false, 60],
      ['old', false, 0],
    ]);
  });
});

describe('computeActivity: bytes_today', () => {
  const now = '2026-11-21T21:00:00Z';
  const flow = (minute: string, bytesDown: number): FlowBytes => ({ device: 'tv', minute: t(minute), bytesDown });

  it('is null when no session today was measured by a capture', () => {
    expect(one([s('tv', '2026-11-21T18:00:00Z', '2026-11-21T19:00:00Z')], now, AMS, [flow('2026-11-21T18:10:00Z', 5)]).bytesToday).toBeNull();
  });

  it('sums the flow minutes inside today and inside a session', () => {
    const row = one(
      [s('tv', '2026-11-20T22:50:00Z', '2026-11-20T23:10:00Z', ['dns', 'flows'])],
      now,
      AMS,
      [
        flow('2026-11-20T22:55:00Z', 1_000), // before local midnight (23:00Z)
        flow('2026-11-20T23:00:00Z', 20_000),
        flow('2026-11-20T23:10:00Z', 300_000), // the session's last minute
        flow('2026-11-20T23:30:00Z', 4_000_000), // after the session: background, not viewing
      ],
    );
    expect(row.bytesToday).toBe(320_000);
  });
});
