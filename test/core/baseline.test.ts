// unusual_hour: a device's usual hours of the week from its earlier plays, and the alert when a
// play starts far from them. Table-driven, in Europe/Amsterdam so that both DST changes are met.
import { describe, expect, it } from 'vitest';
import { habitScore, judgeStart, localStart, UNIFORM_SCORE, usualHours, type UnusualHourOptions } from '../../src/core/baseline.js';
import { evaluateRules, type RuleOptions } from '../../src/core/rules.js';
import { fromWall } from '../../src/core/time.js';
import type { Session } from '../../src/core/types.js';

const zone = 'Europe/Amsterdam';
const DAY = 86_400_000;
const unusualHour: UnusualHourOptions = { enabled: true, windowMs: 30 * DAY, minDays: 14, minSessions: 10 };
const opts: RuleOptions = { timeZone: zone, quietHours: '03:00-03:00', maxConcurrentStreams: 9, unknownDevice: false, unusualHour };
const local = (y: number, mo: number, d: number, h: number, mi = 0): number => fromWall({ year: y, month: mo, day: d, hour: h, minute: mi, second: 0 }, zone);

function session(start: number, minutes = 45, device = 'tab'): Session {
  const end = start + minutes * 60_000;
  return { device, ip: '192.168.1.9', service: 'netflix', start, end, firstVideo: start, bytesDown: null, bytesUp: null,
    avgMbps: null, peakMbps: null, quality: null, evidence: ['dns'], playTimes: [start, end] };
}

/** One play a day for `days` local days from y-mo-d, at hour:minute + a deterministic wobble (minutes) by day. */
function habit(y: number, mo: number, d: number, days: number, at: (day: number) => [number, number]): Session[] {
  return Array.from({ length: days }, (_, i) => {
    const [h, mi] = at(i);
    return session(local(y, mo, d + i, h, mi));
  });
}
/** Evenings: starts at 19:00-21:50, a different hour and minute every day. */
const evenings = (i: number): [number, number] => [19 + (i % 3), (i * 17) % 50];

const unusual = (sessions: readonly Session[], o: RuleOptions = opts, history: { device: string; start: number }[] = []) =>
  evaluateRules(sessions, new Map([['tab', { label: 'Kids tablet', trust: 'known' as const }]]), o, { history }).filter((a) => a.rule === 'unusual_hour');

describe('unusual_hour', () => {
  const nov = habit(2026, 10, 1, 35, evenings);
  const afternoon = session(local(2026, 11, 5, 14, 10));

  it.each<[string, Session[], number[]]>([
    ['35 evenings of 19-22 h, then a play at 14:10: one alert', [...nov, afternoon], [afternoon.start]],
    ['3 evenings of history, then 14:10: none (cold start)', [...habit(2026, 11, 2, 3, evenings), afternoon], []],
    ['13 days with viewing is still a cold start', [...habit(2026, 10, 23, 13, evenings), afternoon], []],
    ['a steady 14:00 habit: none, ever', [...habit(2026, 10, 1, 35, (i) => [14, (i * 7) % 20]), afternoon], []],
    ['a 21:00 habit covers 21:40', [...habit(2026, 10, 1, 35, (i) => [21, i % 5]), session(local(2026, 11, 5, 21, 40))], []],
    ['a 21:00 habit does not cover 03:10', [...habit(2026, 10, 1, 35, (i) => [21, i % 5]), session(local(2026, 11, 6, 3, 10))],
      [local(2026, 11, 6, 3, 10)]],
    ['weekend afternoons make a weekday afternoon usual enough',
      [...habit(2026, 10, 1, 35, (i) => ([5, 6].includes((i + 3) % 7) ? [15, 0] : [20, 0])), session(local(2026, 11, 4, 15, 20))], []],
    ['plays older than the window do not count: 20 evenings 35-55 days before, 5 in it',
      [...habit(2026, 9, 1, 20, evenings), ...habit(2026, 10, 21, 5, evenings), session(local(2026, 10, 26, 14, 10))], []],
  ])('%s', (_name, sessions, at) => {
    expect(unusual(sessions).map((a) => a.at)).toEqual(at);
  });

  it('says when the device usually watches, in local time', () => {
    const [a] = unusual([...nov, afternoon]);
    expect(a).toMatchObject({
      key: `unusual_hour:tab:netflix:${afternoon.start}`,
      severity: 'info',
      device: 'tab',
      sessionStart: afternoon.start,
      sameWithin: { from: afternoon.start, to: afternoon.end },
    });
    expect(a?.message).toBe('Netflix playing on Kids tablet at Thu 14:10, an hour it does not usually watch: usually 19:00-22:00 (30 plays on 30 days in the last 30 days)');
  });

  it('alerts once: the same odd hour the next day is no longer never-watched', () => {
    const again = session(local(2026, 11, 6, 14, 15));
    expect(unusual([...nov, afternoon, again]).map((a) => a.at)).toEqual([afternoon.start]);
  });

  it('is off when disabled, and without options', () => {
    expect(unusual([...nov, afternoon], { ...opts, unusualHour: { ...unusualHour, enabled: false } })).toEqual([]);
    const without: RuleOptions = { ...opts, unusualHour: undefined };
    expect(unusual([...nov, afternoon], without)).toEqual([]);
  });

  it('needs min_sessions too: 20 days in the window but 10 plays', () => {
    const sparse = habit(2026, 10, 8, 20, evenings).filter((_, i) => i % 2 === 0);
    expect(unusual([...sparse, afternoon], { ...opts, unusualHour: { ...unusualHour, minDays: 5, minSessions: 11 } })).toEqual([]);
    expect(unusual([...sparse, afternoon], { ...opts, unusualHour: { ...unusualHour, minDays: 5, minSessions: 10 } })).toHaveLength(1);
  });

  it('gives the same alerts when the earlier plays come from the store as history, and in any order', () => {
    const all = [...nov, afternoon];
    const whole = unusual(all);
    const split = unusual(all.slice(30), opts, all.slice(0, 30).map((s) => ({ device: s.device, start: s.start })));
    expect(split).toEqual(whole);
    expect(unusual([...all].reverse())).toEqual(whole);
  });
});

describe('unusual_hour across DST (Europe/Amsterdam)', () => {
  // 29 March 2026 02:00 CET -> 03:00 CEST; 25 October 2026 03:00 CEST -> 02:00 CET. A habit at
  // 20:00 local is 19:00 UTC in winter and 18:00 UTC in summer: the profile must follow the wall clock.
  it.each<[string, Session[], Session]>([
    ['spring: a 20:00 habit through the change', habit(2026, 3, 5, 35, (i) => [20, i % 10]), session(local(2026, 4, 8, 14, 10))],
    ['autumn: a 20:00 habit through the change', habit(2026, 10, 5, 35, (i) => [20, i % 10]), session(local(2026, 11, 11, 14, 10))],
  ])('%s: no alert for the habit, one at 14:10 naming 20:00-21:00', (_name, sessions, odd) => {
    const alerts = unusual([...sessions, odd]);
    expect(alerts.map((a) => a.at)).toEqual([odd.start]);
    expect(alerts[0]?.message).toContain('at Wed 14:10');
    expect(alerts[0]?.message).toContain('usually 20:00-21:00');
  });

  it('a late habit at 00:30 local stays usual on the nights of both changes', () => {
    const spring = habit(2026, 2, 25, 40, (i) => [0, 20 + (i % 20)]);
    const autumn = habit(2026, 9, 25, 40, (i) => [0, 20 + (i % 20)]);
    expect(unusual(spring)).toEqual([]);
    expect(unusual(autumn)).toEqual([]);
  });

  it.each<[string, number, number, string]>([
    ['Monday 00:00 CET', local(2026, 3, 23, 0, 0), 0, '2026-03-23'],
    ['Sunday 01:30 CET, before the spring change', Date.UTC(2026, 2, 29, 0, 30), 6 * 24 + 1.5, '2026-03-29'],
    ['Sunday 03:30 CEST, just after it', Date.UTC(2026, 2, 29, 1, 30), 6 * 24 + 3.5, '2026-03-29'],
    ['Sunday 02:30 CEST, the first of the autumn overlap', Date.UTC(2026, 9, 25, 0, 30), 6 * 24 + 2.5, '2026-10-25'],
    ['Sunday 02:30 CET, the second', Date.UTC(2026, 9, 25, 1, 30), 6 * 24 + 2.5, '2026-10-25'],
    ['Saturday 23:59 CET', Date.UTC(2026, 10, 28, 22, 59), 5 * 24 + 23 + 59 / 60, '2026-11-28'],
  ])('%s: its hour of the week and local date', (_name, ts, hourOfWeek, date) => {
    expect(localStart(ts, zone)).toEqual({ ts, hourOfWeek, date });
  });
});

describe('the profile', () => {
  const at = (hourOfWeek: number, i = 0) => ({ ts: i, hourOfWeek, date: `d${i}` });

  it.each<[string, number, number]>([
    ['the same hour of the same weekday counts 1', 20, 1],
    ['40 minutes away counts 2/3', 20 + 40 / 60, 2 / 3],
    ['the same hour on another day counts half', 24 + 20, 0.5],
    ['two hours away counts nothing', 22, 0],
    ['around midnight and around the week', 7 * 24 - 0.5, 0],
  ])('%s', (_name, x, score) => {
    expect(habitScore(x, [at(20)])).toBeCloseTo(score, 10);
  });

  it('wraps midnight and the end of the week', () => {
    expect(habitScore(0.5, [at(6 * 24 + 23.5)])).toBeCloseTo(0.5, 10);
    expect(habitScore(24 + 0.5, [at(6 * 24 + 23.5)])).toBeCloseTo(0.25, 10);
  });

  it('scores evenly spread starts at the uniform expectation', () => {
    const spread = Array.from({ length: 168 * 4 }, (_, i) => at(i / 4, i));
    expect(habitScore(37.3, spread) / spread.length).toBeCloseTo(UNIFORM_SCORE, 3);
    expect(judgeStart(37.3, spread, { minDays: 1, minSessions: 1 })?.unusual).toBe(false);
  });

  it.each<[string, number[], string]>([
    ['one evening run', [19, 19.5, 20, 20.2, 21, 21.9], '19:00-22:00'],
    ['two runs, the commonest hours only, in clock order', [8, 8.5, 20, 20.5, 21, 21.5, 22, 8.2, 20.1, 21.2], '08:00-09:00, 20:00-22:00'],
    ['a run across midnight', [23, 23.5, 0.2, 0.5, 23.1, 0.9], '23:00-01:00'],
    ['rare hours left out', [20, 20, 20, 20, 20, 20, 20, 20, 20, 3], '20:00-21:00'],
  ])('usual hours: %s', (_name, hours, text) => {
    expect(usualHours(hours.map((h, i) => at(2 * 24 + h, i)))).toBe(text);
  });
});
