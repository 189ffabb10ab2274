import { describe, expect, it } from 'vitest';
import { BURST_MS, INFER_MIN_BEATS, INFER_MIN_SPAN_MS, LEAD_IN_MS, bitrate, foldSessions, qualityOf, type SessionOptions } from '../../src/core/sessions.js';
import type { Activity, Role } from '../../src/core/types.js';

const T0 = Date.UTC(2026, 10, 21, 20, 0, 0);
const min = (m: number): number => T0 + m * 60_000;
const opts: SessionOptions = { gapMs: 10 * 60_000, hdMbps: 3, uhdMbps: 8, minVideoBytes: 2_000_000 };
/** Minutes after T0 plus seconds. */
const at = (m: number, s = 0): number => min(m) + s * 1000;

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

/**
 * The model of src/core/sessions.ts, one rule per row (gap 20 min as shipped): how Netflix
 * clients behave (src/core/services/netflix.md) and what nfmon makes of it.
 */
describe('foldSessions: the model of real clients', () => {
  const gap20: SessionOptions = { ...opts, gapMs: 20 * 60_000 };
  const ev = (m: number, role: Role, s = 0): Activity => ({ ...dns(0, role), ts: at(m, s) });
  type Row = [string, Activity[], { start: number; end: number; evidence: string[] }[]];
  it.each<Row>([
    ['a TV resolves its video names at the start only; telemetry carries the play to its end',
      [ev(0, 'video'), ev(0, 'video', 3), ev(6, 'playback'), ev(19, 'playback'), ev(37, 'playback'), ev(55, 'playback'), ev(71, 'playback'), ev(90, 'playback')],
      [{ start: at(0), end: at(90), evidence: ['dns'] }]],
    ['telemetry never starts a session by itself, however regular, without an opening',
      [ev(0, 'playback'), ev(5, 'playback'), ev(10, 'playback'), ev(15, 'playback'), ev(20, 'playback')], []],
    ['telemetry before the video, beyond the lead-in, is not part of the play',
      [ev(0, 'playback'), ev(10, 'video'), ev(15, 'playback')], [{ start: at(10), end: at(15), evidence: ['dns'] }]],
    ['the title chosen (ui) within the lead-in starts the session; earlier browsing does not',
      [ev(0, 'ui'), ev(5, 'ui'), ev(9, 'ui', 30), ev(10, 'video')], [{ start: at(9, 30), end: at(10), evidence: ['dns'] }]],
    ['a silence longer than the gap ends the play; the next video starts another',
      [ev(0, 'video'), ev(15, 'playback'), ev(40, 'video')],
      [{ start: at(0), end: at(15), evidence: ['dns'] }, { start: at(40), end: at(40), evidence: ['dns'] }]],
    ['a silence of exactly the gap carries',
      [ev(0, 'video'), ev(20, 'playback')], [{ start: at(0), end: at(20), evidence: ['dns'] }]],
    ['background phone-home never starts or extends a session',
      [ev(0, 'video'), ev(10, 'background'), ev(25, 'background'), ev(29, 'background')], [{ start: at(0), end: at(0), evidence: ['dns'] }]],
    ['telemetry that comes with a phone-home burst is the idle app, not the play: it does not extend it',
      [ev(0, 'video'), ev(10, 'playback'), ev(25, 'background'), ev(25, 'playback', 20)], [{ start: at(0), end: at(10), evidence: ['dns'] }]],
    ['a lone ui lookup or artwork all evening is never a session', [ev(0, 'ui'), ev(30, 'ui'), ev(60, 'ui'), ev(61, 'ui')], []],
  ])('%s', (_name, input, expected) => {
    const got = foldSessions(input, gap20).map((s) => ({ start: s.start, end: s.end, evidence: [...s.evidence] }));
    expect(got).toEqual(expected);
  });

  it('the lead-in, the burst window and the inference thresholds are the documented ones', () => {
    expect([LEAD_IN_MS, BURST_MS, INFER_MIN_BEATS, INFER_MIN_SPAN_MS]).toEqual([120_000, 60_000, 4, 900_000]);
  });

  describe('a play with no video name (direct IP) is inferred from its telemetry', () => {
    const chosen = [ev(0, 'ui'), ev(0, 'ui', 10)];
    it.each<Row>([
      ['the title chosen, then telemetry at the playing cadence for an hour: one inferred session from the choice',
        [...chosen, ev(1, 'playback'), ev(9, 'playback'), ev(22, 'playback'), ev(35, 'playback'), ev(51, 'playback'), ev(60, 'playback')],
        [{ start: at(0, 10), end: at(60), evidence: ['inferred'] }]],
      ['too few beats (three) are not enough', [...chosen, ev(1, 'playback'), ev(9, 'playback'), ev(22, 'playback')], []],
      ['beats over less than a quarter of an hour are not enough',
        [...chosen, ev(1, 'playback'), ev(4, 'playback'), ev(7, 'playback'), ev(12, 'playback')], []],
      ['the A and AAAA of one beat count once', [...chosen, ev(1, 'playback'), ev(1, 'playback', 3), ev(9, 'playback'), ev(9, 'playback', 3), ev(22, 'playback')], []],
      ['without a choice (no ui before it within the gap) it is not a play', [ev(1, 'playback'), ev(9, 'playback'), ev(22, 'playback'), ev(35, 'playback')], []],
      ['an idle app all night: bursts of boot config, API and a log upload, never a play',
        Array.from({ length: 12 }, (_, i) => [ev(i * 30, 'background'), ev(i * 30, 'ui', 5), ev(i * 30, 'playback', 20)]).flat(), []],
    ])('%s', (_name, input, expected) => {
      const got = foldSessions(input, gap20).map((s) => ({ start: s.start, end: s.end, evidence: [...s.evidence] }));
      expect(got).toEqual(expected);
    });

    it('an inferred session has no byte figures and counts as proven from its start for the rules', () => {
      const [s] = foldSessions([...chosen, ev(1, 'playback'), ev(9, 'playback'), ev(22, 'playback'), ev(35, 'playback')], gap20);
      expect(s).toMatchObject({ bytesDown: null, quality: null, firstVideo: at(0, 10) });
    });
  });

  describe('with capture flows, flows decide start and end to the minute', () => {
    it.each<Row>([
      ['video flows from the first to the last minute; the lead-in and trailing telemetry do not move it',
        [ev(1, 'ui', 10), ev(2, 'video', 5), flow(2, 30_000_000), flow(3, 30_000_000), flow(4, 30_000_000), ev(5, 'playback', 40)],
        [{ start: min(2), end: min(4) + 59_000, evidence: ['dns', 'flows'] }]],
      ['a direct-IP play seen in a capture: the flows are the session, the telemetry around it does not stretch it',
        [ev(1, 'playback'), flow(2, 10_000_000), flow(3, 10_000_000), ev(9, 'playback')],
        [{ start: min(2), end: min(3) + 59_000, evidence: ['flows'] }]],
      ['a few hundred kB to an Open Connect address (a speed test, a preview) is not viewing', [flow(0, 100_000), flow(1, 100_000)], []],
    ])('%s', (_name, input, expected) => {
      const got = foldSessions(input, gap20).map((s) => ({ start: s.start, end: s.end, evidence: [...s.evidence] }));
      expect(got).toEqual(expected);
    });

    it('bytes count every flow of the session; bitrate and quality only the video', () => {
      const [s] = foldSessions([flow(0, 30_000_000), flow(1, 30_000_000), flow(1, 3_000_000, undefined, 'ui')], gap20);
      expect(s).toMatchObject({ bytesDown: 63_000_000, avgMbps: 4, quality: 'HD' });
    });
  });

  it('gives the same sessions whatever order the activity arrives in', () => {
    const input = [ev(0, 'ui'), ev(1, 'video'), ev(7, 'playback'), ev(8, 'background'), ev(20, 'playback'), flow(1, 30_000_000), ev(50, 'video')];
    const want = foldSessions(input, gap20);
    for (let seed = 1; seed <= 20; seed++) {
      const shuffled = [...input].sort((a, b) => ((a.ts * seed) % 97) - ((b.ts * seed) % 97));
      expect(foldSessions(shuffled, gap20)).toEqual(want);
    }
  });
});
