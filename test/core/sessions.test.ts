import { describe, expect, it } from 'vitest';
import { bitrate, foldSessions, qualityOf, type SessionOptions } from '../../src/core/sessions.js';
import type { Activity, Role } from '../../src/core/types.js';

const T0 = Date.UTC(2026, 10, 21, 20, 0, 0);
const min = (m: number): number => T0 + m * 60_000;
const opts: SessionOptions = { gapMs: 10 * 60_000, hdMbps: 3, uhdMbps: 8, minVideoBytes: 2_000_000 };

function dns(m: number, role: Role, device = 'aa:aa:aa:aa:aa:01'): Activity {
  return { ts: min(m), device, ip: '192.168.1.10', service: 'netflix', role, evidence: 'dns', bytesDown: 0, bytesUp: 0 };
}
function flow(m: number, bytesDown: number, device = 'aa:aa:aa:aa:aa:01', role: Role = 'video'): Activity {
  return { ts: min(m), device, ip: '192.168.1.10', service: 'netflix', role, evidence: 'flows', bytesDown, bytesUp: bytesDown / 50 };
}

describe('foldSessions', () => {
  it.each<[string, Activity[], { start: number; end: number; firstVideo: number }[]]>([
    ['a lone API lookup is not viewing', [dns(0, 'ui')], []],
    ['background pings all night are not viewing', [dns(0, 'ui'), dns(30, 'ui'), dns(60, 'ui'), dns(90, 'ui')], []],
    ['one video lookup is a session', [dns(5, 'video')], [{ start: min(5), end: min(5), firstVideo: min(5) }]],
    ['the title chosen just before the video starts the session', [dns(0, 'ui'), dns(2, 'video'), dns(9, 'video')],
      [{ start: min(0), end: min(9), firstVideo: min(2) }]],
    ['UI activity longer than a gap before video does not', [dns(0, 'ui'), dns(20, 'video')],
      [{ start: min(20), end: min(20), firstVideo: min(20) }]],
    ['split on an idle gap', [dns(0, 'video'), dns(8, 'video'), dns(30, 'video')],
      [{ start: min(0), end: min(8), firstVideo: min(0) }, { start: min(30), end: min(30), firstVideo: min(30) }]],
    ['exactly one gap apart stays one session', [dns(0, 'video'), dns(10, 'video')],
      [{ start: min(0), end: min(10), firstVideo: min(0) }]],
    ['order of input does not matter', [dns(10, 'video'), dns(0, 'video'), dns(4, 'ui')],
      [{ start: min(0), end: min(10), firstVideo: min(0) }]],
  ])('%s', (_name, input, expected) => {
    const got = foldSessions(input, opts).map((s) => ({ start: s.start, end: s.end, firstVideo: s.firstVideo }));
    expect(got).toEqual(expected);
  });

  it('keeps devices and services apart', () => {
    const got = foldSessions([dns(0, 'video', 'a'), dns(1, 'video', 'b'), dns(2, 'video', 'a')], opts);
    expect(got.map((s) => [s.device, s.start, s.end])).toEqual([
      ['a', min(0), min(2)],
      ['b', min(1), min(1)],
    ]);
  });

  it('a few kB of API flows are not viewing; sustained video flows are', () => {
    expect(foldSessions([flow(0, 30_000, 'x', 'ui'), flow(1, 20_000, 'x', 'ui')], opts)).toEqual([]);
    expect(foldSessions([flow(0, 500_000)], opts)).toEqual([]);
    const s = foldSessions([flow(0, 30_000_000), flow(1, 30_000_000), flow(2, 30_000_000)], opts);
    expect(s).toHaveLength(1);
    expect(s[0]).toMatchObject({ bytesDown: 90_000_000, avgMbps: 4, peakMbps: 4, quality: 'HD', evidence: ['flows'] });
    expect(s[0]?.end).toBe(min(2) + 59_000);
  });

  it('DNS and flows of one device merge into one session with both evidences', () => {
    const s = foldSessions([dns(0, 'video'), flow(0, 60_000_000), flow(1, 75_000_000)], opts);
    expect(s).toHaveLength(1);
    expect(s[0]).toMatchObject({ evidence: ['dns', 'flows'], bytesDown: 135_000_000, avgMbps: 9, peakMbps: 10, quality: 'UHD' });
  });

  it('DNS-only sessions have no byte figures', () => {
    expect(foldSessions([dns(0, 'video')], opts)[0]).toMatchObject({ bytesDown: null, avgMbps: null, quality: null, evidence: ['dns'] });
  });
});

describe('bitrate and quality', () => {
  it.each([
    [1, 'SD'],
    [2.99, 'SD'],
    [3, 'HD'],
    [8, 'HD'],
    [8.01, 'UHD'],
  ] as const)('%s Mbit/s is %s', (mbps, q) => {
    expect(qualityOf(mbps, opts)).toBe(q);
  });

  it('averages over minutes that carried video, not over pauses', () => {
    const r = bitrate([flow(0, 15_000_000), flow(10, 15_000_000)], opts);
    expect(r.avgMbps).toBe(2);
    expect(r.quality).toBe('SD');
  });
});
