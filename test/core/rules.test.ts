import { describe, expect, it } from 'vitest';
import { evaluateRules, inWindow, parseWindow, type DeviceFacts, type RuleOptions } from '../../src/core/rules.js';
import { fromWall } from '../../src/core/time.js';
import type { Session } from '../../src/core/types.js';

const zone = 'Europe/Amsterdam';
const opts: RuleOptions = { timeZone: zone, quietHours: '00:00-06:00', maxConcurrentStreams: 2, unknownDevice: true };
const local = (y: number, mo: number, d: number, h: number, mi: number): number =>
  fromWall({ year: y, month: mo, day: d, hour: h, minute: mi, second: 0 }, zone);

function session(device: string, start: number, end: number, playTimes: number[] = [start, end]): Session {
  return { device, ip: '192.168.1.2', service: 'netflix', start, end, firstVideo: playTimes[0] ?? start, bytesDown: null,
    bytesUp: null, avgMbps: null, peakMbps: null, quality: null, evidence: ['dns'], playTimes };
}
const known = (label: string, extra: Partial<DeviceFacts> = {}): DeviceFacts => ({ label, trust: 'known', ...extra });

describe('windows', () => {
  it.each([
    ['00:00-06:00', 0, true], ['00:00-06:00', 359, true], ['00:00-06:00', 360, false],
    ['22:30-07:00', 22 * 60 + 30, true], ['22:30-07:00', 23 * 60 + 59, true], ['22:30-07:00', 3 * 60, true],
    ['22:30-07:00', 7 * 60, false], ['22:30-07:00', 12 * 60, false], ['06:00-06:00', 360, false],
  ] as const)('%s contains minute %d: %s', (w, minute, expected) => {
    const win = parseWindow(w);
    expect(win).toBeDefined();
    expect(inWindow(minute, win!)).toBe(expected);
  });
  it.each(['24:00-01:00', '1:00-2:00', 'x'])('rejects %s', (w) => expect(parseWindow(w)).toBeUndefined());
});

describe('quiet_hours', () => {
  const devices = new Map([['tv', known('TV')], ['tab', known('Tablet', { quietHours: '20:00-07:00' })]]);
  it.each<[string, Session, number | undefined]>([
    ['evening viewing is fine', session('tv', local(2026, 11, 21, 20, 0), local(2026, 11, 21, 22, 0)), undefined],
    ['3 am alerts at the first video event', session('tv', local(2026, 11, 22, 3, 0), local(2026, 11, 22, 3, 40)),
      local(2026, 11, 22, 3, 0)],
    ['23:40 into the night alerts when it enters quiet hours',
      session('tv', local(2026, 11, 21, 23, 40), local(2026, 11, 22, 0, 20),
        [local(2026, 11, 21, 23, 40), local(2026, 11, 21, 23, 55), local(2026, 11, 22, 0, 5), local(2026, 11, 22, 0, 20)]),
      local(2026, 11, 22, 0, 5)],
    ['per-device override', session('tab', local(2026, 11, 21, 21, 0), local(2026, 11, 21, 21, 30)), local(2026, 11, 21, 21, 0)],
    ['06:00 is outside 00:00-06:00', session('tv', local(2026, 11, 22, 6, 0), local(2026, 11, 22, 6, 30)), undefined],
    // 2026-03-29 02:00 -> 03:00 in Amsterdam: 01:30 local is 00:30 UTC, still quiet.
    ['DST spring-forward night', session('tv', local(2026, 3, 29, 1, 30), local(2026, 3, 29, 3, 30)), local(2026, 3, 29, 1, 30)],
    // 2026-10-25 03:00 -> 02:00: 05:59 local exists once and is quiet; UTC 05:30 is 06:30 local.
    ['DST fall-back morning, still quiet at 05:59 local', session('tv', local(2026, 10, 25, 5, 59), local(2026, 10, 25, 6, 30)),
      local(2026, 10, 25, 5, 59)],
    ['DST fall-back, 06:30 local is not quiet', session('tv', Date.UTC(2026, 9, 25, 5, 30), Date.UTC(2026, 9, 25, 5, 40)), undefined],
  ])('%s', (_n, s, at) => {
    const alerts = evaluateRules([s], devices, opts).filter((a) => a.rule === 'quiet_hours');
    expect(alerts.map((a) => a.at)).toEqual(at === undefined ? [] : [at]);
  });
});

describe('unknown_device', () => {
  it('alerts once per unknown device, at its first video', () => {
    const s1 = session('x', local(2026, 11, 21, 20, 0), local(2026, 11, 21, 20, 30));
    const s2 = session('x', local(2026, 11, 21, 21, 0), local(2026, 11, 21, 21, 30));
    const s3 = session('tv', local(2026, 11, 21, 20, 0), local(2026, 11, 21, 20, 30));
    const alerts = evaluateRules([s2, s1, s3], new Map([['tv', known('TV')]]), opts).filter((a) => a.rule === 'unknown_device');
    expect(alerts).toEqual([expect.objectContaining({ key: 'unknown_device:x', at: s1.start, device: 'x' })]);
  });
  it('can be switched off', () => {
    const alerts = evaluateRules([session('x', 0, 1)], new Map(), { ...opts, unknownDevice: false });
    expect(alerts.filter((a) => a.rule === 'unknown_device')).toEqual([]);
  });
});

describe('concurrent_streams', () => {
  const devices = new Map(['a', 'b', 'c', 'd'].map((d) => [d, known(d)] as const));
  const at = (h: number, m: number): number => local(2026, 11, 21, h, m);
  it.each<[string, Session[], number[]]>([
    ['two screens on a two-screen plan', [session('a', at(20, 0), at(21, 0)), session('b', at(20, 10), at(21, 0))], []],
    ['the third screen alerts when it starts',
      [session('a', at(20, 0), at(21, 0)), session('b', at(20, 10), at(21, 0)), session('c', at(20, 20), at(20, 40))], [at(20, 20)]],
    ['once per crossing: staying above does not repeat',
      [session('a', at(20, 0), at(22, 0)), session('b', at(20, 0), at(22, 0)), session('c', at(20, 20), at(21, 0)),
        session('d', at(20, 30), at(21, 30))], [at(20, 20)]],
    ['dropping back and rising again alerts again',
      [session('a', at(20, 0), at(22, 0)), session('b', at(20, 0), at(22, 0)), session('c', at(20, 20), at(20, 30)),
        session('d', at(21, 0), at(21, 30))], [at(20, 20), at(21, 0)]],
    ['a hand-over at the same minute is not an overlap',
      [session('a', at(20, 0), at(21, 0)), session('b', at(20, 0), at(21, 0)), session('c', at(21, 0), at(22, 0))], []],
    ['two sessions of one device are one screen',
      [session('a', at(20, 0), at(21, 0)), session('a', at(20, 5), at(21, 0)), session('b', at(20, 10), at(21, 0))], []],
  ])('%s', (_n, sessions, expected) => {
    const alerts = evaluateRules(sessions, devices, opts).filter((a) => a.rule === 'concurrent_streams');
    expect(alerts.map((a) => a.at)).toEqual(expected);
  });
});

describe('determinism', () => {
  it('the same input gives the same alerts and keys', () => {
    const s = [session('x', local(2026, 11, 22, 1, 0), local(2026, 11, 22, 2, 0)), session('y', local(2026, 11, 22, 1, 5), local(2026, 11, 22, 1, 30))];
    const a = evaluateRules(s, new Map(), { ...opts, maxConcurrentStreams: 1 });
    const b = evaluateRules([...s].reverse(), new Map(), { ...opts, maxConcurrentStreams: 1 });
    expect(a).toEqual(b);
    expect(a.map((x) => x.rule)).toEqual(['quiet_hours', 'unknown_device', 'concurrent_streams', 'quiet_hours', 'unknown_device']);
  });
});
