import { describe, expect, it } from 'vitest';
import {
  LeaseIndex,
  LeaseTimeline,
  foldLeaseJournal,
  leasesToIntervals,
  normalizeIntervals,
  type JournalEntry,
  type Lease,
} from '../../src/core/leases.js';
import type { LeaseInterval } from '../../src/core/types.js';

const H = 3_600_000;
const T0 = Date.UTC(2026, 10, 21, 0, 0, 0);
const A = 'b8:27:eb:00:00:0a';
const B = 'a4:c3:61:00:00:0b';
const C = '00:1a:11:00:00:0c';

const lease = (ip: string, mac: string, end: number, extra: Partial<Lease> = {}): Lease => ({ ip, mac, end, family: 4, ...extra });
const iv = (ip: string, mac: string, start: number, end: number, extra: Partial<LeaseInterval> = {}): LeaseInterval => ({
  ip,
  mac,
  start,
  end,
  source: 's',
  ...extra,
});
const span = (ivs: readonly LeaseInterval[]): [string, string, number, number][] =>
  ivs.map((i) => [i.ip, i.mac, (i.start - T0) / H, i.end === Infinity ? Infinity : (i.end - T0) / H]);

describe('leasesToIntervals (dnsmasq: expiry only, default lease time 24 h)', () => {
  const ip = '10.0.0.5';
  it.each<[string, { at: number; leases: Lease[]; source?: string }[], [string, string, number, number][]]>([
    ['one sighting: starts leaseTime before expiry', [{ at: T0, leases: [lease(ip, A, T0 + 20 * H)] }], [[ip, A, -4, 20]]],
    ['never before its first sighting', [{ at: T0, leases: [lease(ip, A, T0 + 30 * H)] }], [[ip, A, 0, 30]]],
    ['infinite lease: leaseTime before its first sighting', [{ at: T0, leases: [lease(ip, A, Infinity)] }], [[ip, A, -24, Infinity]]],
    [
      'renewed across sightings: one interval',
      [
        { at: T0, leases: [lease(ip, A, T0 + 12 * H)] },
        { at: T0 + 10 * H, leases: [lease(ip, A, T0 + 34 * H)] },
      ],
      [[ip, A, -12, 34]],
    ],
    [
      'gone before its expiry: ends at the sighting that misses it',
      [
        { at: T0, leases: [lease(ip, A, T0 + 20 * H)] },
        { at: T0 + 2 * H, leases: [] },
      ],
      [[ip, A, -4, 2]],
    ],
    [
      'IP moves from A to B: B from its estimated grant, A until then',
      [
        { at: T0, leases: [lease(ip, A, T0 + 20 * H)] },
        { at: T0 + 2 * H, leases: [lease(ip, B, T0 + 25 * H)] },
      ],
      [
        [ip, A, -4, 1],
        [ip, B, 1, 25],
      ],
    ],
    [
      'an estimate before the last sighting of A is not believed: B starts when first seen',
      [
        { at: T0, leases: [lease(ip, A, T0 + 20 * H)] },
        { at: T0 + 2 * H, leases: [lease(ip, B, T0 + 10 * H)] },
      ],
      [
        [ip, A, -4, 2],
        [ip, B, 2, 10],
      ],
    ],
    [
      'absence is judged per source',
      [
        { at: T0, leases: [lease(ip, A, T0 + 20 * H)], source: 'x' },
        { at: T0 + 2 * H, leases: [], source: 'y' },
      ],
      [[ip, A, -4, 20]],
    ],
    [
      'a recorded start (ISC, Kea) is used as is; a later sighting of it can shorten it',
      [
        { at: T0, leases: [lease(ip, A, T0 + 12 * H, { start: T0 - H })] },
        { at: T0 + 5 * H, leases: [lease(ip, A, T0 + 3 * H, { start: T0 - H, state: 'free' })] },
      ],
      [[ip, A, -1, 3]],
    ],
  ])('%s', (_name, observations, expected) => {
    const obs = observations.map((o) => ({ observedAt: o.at, leases: o.leases, source: o.source ?? 'file' }));
    expect(span(leasesToIntervals(obs, { leaseTimeMs: 24 * H }))).toEqual(expected);
  });

  it('leaseTime is an option; hostname and source are carried', () => {
    const out = leasesToIntervals([{ observedAt: T0, leases: [lease(ip, A, T0 + 2 * H, { hostname: 'tv' })], source: 'pihole' }], {
      leaseTimeMs: 4 * H,
    });
    expect(out).toEqual([{ ip, mac: A, start: T0 - 2 * H, end: T0 + 2 * H, hostname: 'tv', source: 'pihole' }]);
  });

  it('LeaseTimeline ignores an observation older than the source last one', () => {
    const t = new LeaseTimeline({ leaseTimeMs: 24 * H });
    expect(t.observe({ observedAt: T0, leases: [lease(ip, A, T0 + H)], source: 'f' })).toBe(true);
    expect(t.observe({ observedAt: T0 - H, leases: [], source: 'f' })).toBe(false);
    expect(span(t.intervals())).toEqual([[ip, A, -23, 1]]);
    t.prune(T0 + 2 * H);
    expect(t.intervals()).toHaveLength(1); // still open: only finished intervals are pruned
    t.observe({ observedAt: T0 + 3 * H, leases: [], source: 'f' });
    t.prune(T0 + 2 * H);
    expect(t.intervals()).toEqual([]);
  });
});

describe('normalizeIntervals', () => {
  const ip = '10.0.0.5';
  it.each<[string, LeaseInterval[], [string, string, number, number][]]>([
    ['overlapping same MAC merges', [iv(ip, A, T0, T0 + 5 * H), iv(ip, A, T0 + 3 * H, T0 + 8 * H)], [[ip, A, 0, 8]]],
    ['touching same MAC merges', [iv(ip, A, T0, T0 + 5 * H), iv(ip, A, T0 + 5 * H, T0 + 8 * H)], [[ip, A, 0, 8]]],
    [
      'a later start of another MAC cuts the earlier binding',
      [iv(ip, B, T0 + 3 * H, T0 + 4 * H), iv(ip, A, T0, T0 + 10 * H)],
      [
        [ip, A, 0, 3],
        [ip, B, 3, 4],
      ],
    ],
    ['empty and inverted intervals are dropped', [iv(ip, A, T0, T0), iv(ip, B, T0 + H, T0)], []],
    [
      'sorted by IP then start',
      [iv('10.0.0.9', C, T0, T0 + H), iv(ip, B, T0 + 2 * H, T0 + 3 * H), iv(ip, A, T0, T0 + H)],
      [
        [ip, A, 0, 1],
        [ip, B, 2, 3],
        ['10.0.0.9', C, 0, 1],
      ],
    ],
  ])('%s', (_name, input, expected) => {
    expect(span(normalizeIntervals(input))).toEqual(expected);
  });
});

describe('LeaseIndex.resolve', () => {
  const index = new LeaseIndex(
    [
      iv('10.0.0.5', A, T0, T0 + 10 * H, { hostname: 'tv' }),
      iv('10.0.0.5', B, T0 + 10 * H, T0 + 20 * H),
      iv('10.0.0.6', C, T0, Infinity, { source: 'dhcp.leases' }),
      iv('10.0.0.7', A, T0, T0 + H),
      iv('10.0.0.7', B, T0 + 5 * H, T0 + 6 * H),
      iv('10.0.0.10', A, T0, T0 + H),
      iv('10.0.0.10', B, T0 + 2 * H, T0 + 3 * H),
    ],
    {
      statics: [
        { mac: C, ip: '10.0.0.7', hostname: 'nas' },
        { mac: C, ip: '10.0.0.9' },
        { mac: B },
      ],
    },
  );

  it.each<[string, string, number, string | undefined, string | undefined]>([
    ['inside the first binding', '10.0.0.5', T0 + H, A, 'lease'],
    ['just before the switch', '10.0.0.5', T0 + 10 * H - 1, A, 'lease'],
    ['at the switch (end is exclusive)', '10.0.0.5', T0 + 10 * H, B, 'lease'],
    ['after the switch', '10.0.0.5', T0 + 19 * H, B, 'lease'],
    ['30 min after the last lease: nearest', '10.0.0.5', T0 + 20.5 * H, B, 'nearest'],
    ['30 min before the first lease: nearest', '10.0.0.5', T0 - 0.5 * H, A, 'nearest'],
    ['beyond the tolerance', '10.0.0.5', T0 + 22 * H, undefined, undefined],
    ['infinite lease, far future', '10.0.0.6', T0 + 1000 * 24 * H, C, 'lease'],
    ['a lease valid at ts beats the static device', '10.0.0.7', T0 + 0.5 * H, A, 'lease'],
    ['the static device beats a nearby lease', '10.0.0.7', T0 + 1.5 * H, C, 'static'],
    ['static device without any lease', '10.0.0.9', T0, C, 'static'],
    ['gap tie: the earlier holder', '10.0.0.10', T0 + 1.5 * H, A, 'nearest'],
    ['gap: the closer one', '10.0.0.10', T0 + 1.75 * H, B, 'nearest'],
    ['unknown IP', '10.0.0.99', T0, undefined, undefined],
  ])('%s', (_name, ip, ts, mac, match) => {
    const r = index.resolve(ip, ts);
    expect(r?.mac).toBe(mac);
    expect(r?.match).toBe(match);
  });

  it('returns hostname and source of the interval or static entry', () => {
    expect(index.resolve('10.0.0.5', T0)).toEqual({ mac: A, hostname: 'tv', source: 's', match: 'lease' });
    expect(index.resolve('10.0.0.6', T0)).toEqual({ mac: C, source: 'dhcp.leases', match: 'lease' });
    expect(index.resolve('10.0.0.7', T0 + 3 * H)).toEqual({ mac: C, hostname: 'nas', source: 'config', match: 'static' });
  });

  it('tolerance 0 attributes only inside intervals', () => {
    const strict = new LeaseIndex([iv('10.0.0.5', A, T0, T0 + H)], { toleranceMs: 0 });
    expect(strict.resolve('10.0.0.5', T0 + H + 1)).toBeUndefined();
    expect(strict.resolve('10.0.0.5', T0 + H - 1)?.mac).toBe(A);
  });

  it('binary search agrees with a linear scan over many intervals', () => {
    let seed = 42;
    const rand = (): number => (seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648;
    const ivs: LeaseInterval[] = [];
    let t = T0;
    for (let i = 0; i < 2000; i++) {
      t += Math.floor(rand() * 3 * H);
      const len = Math.floor(rand() * 2 * H) + 1;
      ivs.push(iv('10.0.0.5', `00:00:00:00:${(i >> 8).toString(16).padStart(2, '0')}:${(i & 255).toString(16).padStart(2, '0')}`, t, t + len));
      t += len;
    }
    const idx = new LeaseIndex(ivs, { toleranceMs: 0 });
    for (let k = 0; k < 5000; k++) {
      const ts = T0 + Math.floor(rand() * (t - T0));
      const expected = ivs.find((x) => x.start <= ts && ts < x.end)?.mac;
      expect(idx.resolve('10.0.0.5', ts)?.mac).toBe(expected);
    }
  });
});

describe('foldLeaseJournal', () => {
  const ip = '10.0.0.5';
  const bind = (mac: string, start: number, end: number, state = 'active'): JournalEntry => ({
    kind: 'binding',
    lease: { ip, mac, start: T0 + start * H, end: T0 + end * H, state, family: 4 },
  });
  const release = (at: number): JournalEntry => ({ kind: 'release', ip, at: T0 + at * H });
  const fold = (entries: JournalEntry[]): [string, number, number, string | undefined][] =>
    foldLeaseJournal(entries).map((l) => [l.mac, (l.start! - T0) / H, (l.end - T0) / H, l.state]);

  it.each<[string, JournalEntry[], [string, number, number, string | undefined][]]>([
    ['a renewal extends', [bind(A, 0, 12), bind(A, 6, 18)], [[A, 0, 18, 'active']]],
    ['a release shortens', [bind(A, 0, 12), bind(A, 0, 3, 'free')], [[A, 0, 3, 'free']]],
    [
      'another client ends the earlier binding at its start',
      [bind(A, 0, 12), bind(B, 5, 17)],
      [
        [A, 0, 5, 'active'],
        [B, 5, 17, 'active'],
      ],
    ],
    ['a release record ends it', [bind(A, 0, 12), release(4)], [[A, 0, 4, 'active']]],
    ['a release at its own start removes it', [bind(A, 2, 12), release(2)], []],
    [
      'the same client again after a gap is a new binding',
      [bind(A, 0, 2), bind(A, 5, 7)],
      [
        [A, 0, 2, 'active'],
        [A, 5, 7, 'active'],
      ],
    ],
  ])('%s', (_name, entries, expected) => {
    expect(fold(entries)).toEqual(expected);
  });
});
