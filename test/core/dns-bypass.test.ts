// dns_bypass: video in captures with no lookup through Pi-hole before it. Table-driven.
import { describe, expect, it } from 'vitest';
import type { Lookup } from '../../src/core/dns-bypass.js';
import { evaluateRules, type RuleOptions } from '../../src/core/rules.js';
import { fromWall } from '../../src/core/time.js';
import type { Evidence, Session } from '../../src/core/types.js';

const zone = 'Europe/Amsterdam';
const MIN = 60_000;
const opts: RuleOptions = {
  timeZone: zone, quietHours: '03:00-03:00', maxConcurrentStreams: 9, unknownDevice: false,
  dnsBypass: { enabled: true, lookbackMs: 10 * MIN },
};
const local = (d: number, h: number, mi = 0, s = 0): number => fromWall({ year: 2026, month: 11, day: d, hour: h, minute: mi, second: s }, zone);

function session(device: string, start: number, evidence: Evidence[] = ['flows'], minutes = 40): Session {
  const end = start + minutes * MIN;
  return { device, ip: '192.168.1.7', service: 'netflix', start, end, firstVideo: start, bytesDown: 9e8, bytesUp: 1e7,
    avgMbps: 3.1, peakMbps: 5, quality: 'HD', evidence, playTimes: [start, end] };
}
const lookup = (device: string, ts: number, service = 'netflix'): Lookup => ({ ts, device, service });

const bypass = (sessions: Session[], lookups: Lookup[], o: RuleOptions = opts) =>
  evaluateRules(sessions, new Map([['tv', { label: 'Living room TV', trust: 'known' as const }]]), o, { lookups })
    .filter((a) => a.rule === 'dns_bypass');

describe('dns_bypass', () => {
  const play = session('tv', local(21, 20, 0));

  it.each<[string, Session[], Lookup[], number[]]>([
    ['video flows with no lookup at all: alert', [play], [], [play.start]],
    ['a lookup just before: none', [play], [lookup('tv', play.start - 20_000)], []],
    ['a lookup 3 minutes before (answered from its cache since): none', [play], [lookup('tv', play.start - 3 * MIN)], []],
    ['a lookup 11 minutes before, outside the 10-minute look-back: alert', [play], [lookup('tv', play.start - 11 * MIN)], [play.start]],
    ['a lookup in the first minute of flows (flows start on the minute): none', [play], [lookup('tv', play.start + 40_000)], []],
    ['a lookup only 20 minutes into the play does not explain its start: alert', [play], [lookup('tv', play.start + 20 * MIN)], [play.start]],
    ["another device's lookup does not count: alert", [play], [lookup('phone', play.start - 10_000)], [play.start]],
    ["another service's lookup does not count: alert", [play], [lookup('tv', play.start - 10_000, 'disney')], [play.start]],
    ['a session seen only in DNS cannot bypass: none', [session('tv', play.start, ['dns'])], [], []],
    ['an inferred session without flows: none', [session('tv', play.start, ['inferred'])], [], []],
    ['twice the same day: once, at the first', [play, session('tv', local(21, 22, 30))], [], [play.start]],
    ['the second play of the day bypasses, the first did not: at the second',
      [play, session('tv', local(21, 22, 30))], [lookup('tv', play.start - 5_000)], [local(21, 22, 30)]],
    ['23:30 and 00:30 local are two days: twice', [session('tv', local(21, 23, 30)), session('tv', local(22, 0, 30))], [],
      [local(21, 23, 30), local(22, 0, 30)]],
  ])('%s', (_name, sessions, lookups, at) => {
    expect(bypass(sessions, lookups).map((a) => a.at)).toEqual(at);
  });

  it('takes the look-back from the options: a lookup 3 minutes before is covered by a 300 s TTL, not by 2 minutes', () => {
    const short = { ...opts, dnsBypass: { enabled: true, lookbackMs: 2 * MIN } };
    expect(bypass([play], [lookup('tv', play.start - 3 * MIN)], short)).toHaveLength(1);
    expect(bypass([play], [lookup('tv', play.start - 3 * MIN)], { ...opts, dnsBypass: { enabled: true, lookbackMs: 5 * MIN } })).toEqual([]);
  });

  it('is keyed per device and local day, with the fix in the message', () => {
    const [a] = bypass([play], []);
    expect(a).toMatchObject({
      key: 'dns_bypass:tv:2026-11-21',
      severity: 'warning',
      device: 'tv',
      service: 'netflix',
      sessionStart: play.start,
      sameWithin: { from: local(21, 0, 0), to: local(22, 0, 0) - 1 },
    });
    expect(a?.message).toMatch(/^Living room TV streamed Netflix video at 20:00 without asking Pi-hole for any Netflix name in the 10 minutes before/);
    expect(a?.message).toContain('port 53');
    expect(a?.message).toContain('port 853');
    expect(a?.message).toContain('redirect port 53 to Pi-hole');
  });

  it('a local day is 25 hours long on the autumn DST change', () => {
    const day = (h: number) => fromWall({ year: 2026, month: 10, day: 25, hour: h, minute: 0, second: 0 }, zone);
    const [a] = bypass([session('tv', day(1)), session('tv', day(23))], []);
    expect(a?.sameWithin).toEqual({ from: day(0), to: fromWall({ year: 2026, month: 10, day: 26, hour: 0, minute: 0, second: 0 }, zone) - 1 });
    expect(a?.sameWithin && a.sameWithin.to + 1 - a.sameWithin.from).toBe(25 * 3_600_000);
  });

  it('is off when disabled or without options; input order does not matter', () => {
    expect(bypass([play], [], { ...opts, dnsBypass: { enabled: false, lookbackMs: 10 * MIN } })).toEqual([]);
    const without: RuleOptions = { ...opts, dnsBypass: undefined };
    expect(bypass([play], [], without)).toEqual([]);
    const two = [play, session('tv', local(22, 20, 0)), session('x', local(21, 19, 0))];
    const lookups = [lookup('x', local(21, 18, 59)), lookup('tv', local(22, 19, 58))];
    expect(bypass([...two].reverse(), [...lookups].reverse())).toEqual(bypass(two, lookups));
    expect(bypass(two, lookups).map((a) => a.key)).toEqual(['dns_bypass:tv:2026-11-21']);
  });
});
