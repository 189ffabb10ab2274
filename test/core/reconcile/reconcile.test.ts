import { describe, expect, it } from 'vitest';
import { reconcile } from '../../../src/core/reconcile/reconcile.js';
import type { HomeSession, Interval, Play, ReconcileResult, Verdict } from '../../../src/core/reconcile/types.js';
import { always, DEV, T, TYPE, dayPlay, play, session } from './fixtures.js';

interface Case {
  readonly name: string;
  readonly plays: Play[];
  readonly sessions: HomeSession[];
  readonly coverage?: Interval[];
  readonly homeCountry?: string;
  /** key -> verdict, and for home verdicts the MAC that must have been chosen. */
  readonly verdicts: Record<string, Verdict | [Verdict, string]>;
  readonly account: readonly [number, number];
  readonly profiles?: Record<string, readonly [number, number]>;
  readonly signals?: readonly string[];
  readonly absentSignals?: readonly string[];
  readonly reasons?: Record<string, string>;
}

const zone = 'Europe/Amsterdam';

const cases: Case[] = [
  {
    name: 'home-only household scores low',
    plays: [
      play({ at: '2026-11-20T18:00:30Z', min: 104, device: TYPE.tv }),
      play({ at: '2026-11-20T17:59:40Z', min: 0.4, device: TYPE.tv, preview: 'HOOK' }),
      play({ profile: 'Kids', at: '2026-11-20T19:10:20Z', min: 49, device: TYPE.ipad }),
      play({ profile: 'Mum', at: '2026-11-20T19:30:15Z', min: 19, device: TYPE.firetv }),
      play({ profile: 'Mum', at: '2026-11-21T06:30:40Z', min: 19, device: TYPE.pixel }),
      play({ at: '2026-11-21T20:00:40Z', min: 89, device: TYPE.tv }),
    ],
    sessions: [
      session(DEV.tv, '2026-11-20T17:59:20Z', '2026-11-20T19:45:00Z'),
      session(DEV.ipad, '2026-11-20T19:09:20Z', '2026-11-20T20:00:00Z'),
      session(DEV.firetv, '2026-11-20T19:29:20Z', '2026-11-20T19:50:00Z'),
      session(DEV.pixel, '2026-11-21T06:29:20Z', '2026-11-21T06:50:00Z'),
      session(DEV.tv, '2026-11-21T19:59:20Z', '2026-11-21T21:30:00Z'),
    ],
    verdicts: {
      'Dad@2026-11-20T18:00:30Z': ['home', DEV.tv.mac],
      'Dad@2026-11-20T17:59:40Z': ['home', DEV.tv.mac],
      'Kids@2026-11-20T19:10:20Z': ['home', DEV.ipad.mac],
      'Mum@2026-11-20T19:30:15Z': ['home', DEV.firetv.mac],
      'Mum@2026-11-21T06:30:40Z': ['home', DEV.pixel.mac],
      'Dad@2026-11-21T20:00:40Z': ['home', DEV.tv.mac],
    },
    account: [0, 9],
    profiles: { Dad: [0, 9], Kids: [0, 9], Mum: [0, 9] },
  },
  {
    name: 'many screens, all seen at home, are no evidence',
    plays: [TYPE.tv, TYPE.ipad, TYPE.firetv, TYPE.pixel, TYPE.sony, TYPE.chrome, TYPE.iphone].map((device, i) =>
      play({ at: `2026-11-20T1${i}:00:00Z`, min: 30, device }),
    ),
    sessions: [0, 1, 2, 3, 4, 5, 6].map((i) =>
      session({ mac: `00:00:00:00:00:0${i}`, name: null, vendor: null, hostname: null }, `2026-11-20T1${i}:00:00Z`, `2026-11-20T1${i}:31:00Z`),
    ),
    verdicts: { 'Dad@2026-11-20T16:00:00Z': 'home' },
    account: [0, 0],
    absentSignals: ['many_device_types'],
  },
  {
    name: 'many device types next to plays elsewhere add up',
    plays: [TYPE.tv, TYPE.ipad, TYPE.firetv, TYPE.pixel, TYPE.sony, TYPE.chrome, TYPE.iphone].map((device, i) =>
      play({ at: `2026-11-20T1${i}:00:00Z`, min: 30, device }),
    ),
    sessions: [session(DEV.tv, '2026-11-20T10:00:00Z', '2026-11-20T10:31:00Z')],
    verdicts: { 'Dad@2026-11-20T10:00:00Z': ['home', DEV.tv.mac], 'Dad@2026-11-20T16:00:00Z': 'away_unknown' },
    account: [40, 100],
    signals: ['many_device_types', 'unknown_device'],
  },
  {
    name: 'own phone travelling abroad: away_own, modest score',
    plays: [
      play({ profile: 'Mum', at: '2026-11-20T06:30:40Z', min: 19, device: TYPE.pixel }),
      play({ at: '2026-11-20T18:00:00Z', min: 100, device: TYPE.tv }),
      play({ profile: 'Mum', at: '2026-11-21T18:30:00Z', min: 40, device: TYPE.pixel, country: 'DE' }),
      play({ profile: 'Mum', at: '2026-11-22T08:00:00Z', min: 30, device: TYPE.pixel, country: 'DE' }),
      play({ at: '2026-11-21T18:00:00Z', min: 90, device: TYPE.tv }),
    ],
    sessions: [
      session(DEV.pixel, '2026-11-20T06:29:20Z', '2026-11-20T06:50:00Z'),
      session(DEV.tv, '2026-11-20T17:59:00Z', '2026-11-20T19:40:00Z'),
      session(DEV.tv, '2026-11-21T17:59:00Z', '2026-11-21T19:30:00Z'),
    ],
    verdicts: {
      'Mum@2026-11-21T18:30:00Z': 'away_own',
      'Mum@2026-11-22T08:00:00Z': 'away_own',
      'Dad@2026-11-21T18:00:00Z': ['home', DEV.tv.mac],
    },
    account: [10, 39],
    profiles: { Mum: [10, 39], Dad: [0, 9] },
    signals: ['away_plays', 'foreign_country', 'simultaneous'],
    absentSignals: ['unknown_device', 'impossible_travel'],
  },
  {
    name: 'a stranger abroad streams while the home TV plays: away_unknown, high score',
    plays: [
      play({ at: '2026-11-21T20:00:40Z', min: 89, device: TYPE.tv }),
      play({ at: '2026-11-21T20:15:00Z', min: 65, device: TYPE.sony, country: 'BR' }),
      play({ profile: 'Kids', at: '2026-11-21T10:00:00Z', min: 40, device: TYPE.ipad }),
    ],
    sessions: [
      session(DEV.tv, '2026-11-21T19:59:20Z', '2026-11-21T21:30:00Z'),
      session(DEV.ipad, '2026-11-21T09:59:00Z', '2026-11-21T10:41:00Z'),
      session(DEV.ipad, '2026-11-20T19:00:00Z', '2026-11-20T20:00:00Z'),
    ],
    verdicts: {
      'Dad@2026-11-21T20:00:40Z': ['home', DEV.tv.mac],
      'Dad@2026-11-21T20:15:00Z': 'away_unknown',
      'Kids@2026-11-21T10:00:00Z': ['home', DEV.ipad.mac],
    },
    account: [71, 100],
    profiles: { Dad: [71, 100], Kids: [0, 9] },
    signals: ['foreign_country', 'simultaneous', 'unknown_device', 'impossible_travel'],
    reasons: { 'Dad@2026-11-21T20:15:00Z': 'home_sessions_were_other_devices' },
  },
  {
    name: 'the home TV model playing elsewhere at the same time is someone else: TVs do not travel',
    plays: [
      play({ at: '2026-11-21T20:00:40Z', min: 89, device: TYPE.tv }),
      play({ profile: 'Mum', at: '2026-11-21T20:10:00Z', min: 60, device: TYPE.tv, country: 'ES' }),
    ],
    sessions: [session(DEV.tv, '2026-11-21T19:59:20Z', '2026-11-21T21:30:00Z')],
    homeCountry: 'NL',
    verdicts: { 'Dad@2026-11-21T20:00:40Z': ['home', DEV.tv.mac], 'Mum@2026-11-21T20:10:00Z': 'away_own' },
    account: [60, 100],
    signals: ['simultaneous', 'foreign_country'],
    reasons: { 'Mum@2026-11-21T20:10:00Z': 'stationary_device_type' },
  },
  {
    name: 'impossible travel within one profile',
    plays: [
      play({ profile: 'Kids', at: '2026-11-20T18:00:00Z', min: 60, device: TYPE.ipad }),
      play({ profile: 'Kids', at: '2026-11-20T21:00:00Z', min: 30, device: TYPE.ipad, country: 'US' }),
      play({ profile: 'Mum', at: '2026-11-20T18:00:00Z', min: 60, device: TYPE.tv }),
      play({ profile: 'Mum', at: '2026-11-20T19:30:00Z', min: 30, device: TYPE.pixel, country: 'DE' }),
    ],
    sessions: [
      session(DEV.ipad, '2026-11-20T17:59:00Z', '2026-11-20T19:01:00Z'),
      session(DEV.tv, '2026-11-20T17:59:00Z', '2026-11-20T19:01:00Z'),
      session(DEV.pixel, '2026-11-19T07:00:00Z', '2026-11-19T07:20:00Z'),
    ],
    homeCountry: 'NL',
    verdicts: {
      'Kids@2026-11-20T21:00:00Z': 'away_own',
      'Mum@2026-11-20T19:30:00Z': 'away_unknown',
    },
    account: [30, 100],
    profiles: { Kids: [30, 100] },
    signals: ['impossible_travel'],
  },
  {
    name: 'neighbouring countries an hour apart are not impossible travel',
    plays: [
      play({ at: '2026-11-20T18:00:00Z', min: 60, device: TYPE.tv }),
      play({ at: '2026-11-20T19:30:00Z', min: 30, device: TYPE.iphone, country: 'DE' }),
    ],
    sessions: [session(DEV.tv, '2026-11-20T17:59:00Z', '2026-11-20T19:01:00Z')],
    homeCountry: 'NL',
    verdicts: { 'Dad@2026-11-20T19:30:00Z': 'away_unknown' },
    account: [0, 69],
    absentSignals: ['impossible_travel', 'simultaneous'],
  },
  {
    name: 'plays outside coverage are unknown_coverage and never accused',
    plays: [
      play({ at: '2026-11-19T20:00:00Z', min: 60, device: TYPE.sony, country: 'BR' }),
      play({ at: '2026-11-20T12:00:00Z', min: 60, device: TYPE.sony, country: 'BR' }),
      play({ at: '2026-11-20T15:50:00Z', min: 60, device: TYPE.chrome, country: 'BR' }),
      play({ at: '2026-11-20T18:00:00Z', min: 60, device: TYPE.tv }),
    ],
    sessions: [session(DEV.tv, '2026-11-20T17:59:00Z', '2026-11-20T19:01:00Z')],
    coverage: [
      { start: T('2026-11-20T00:00:00Z'), end: T('2026-11-20T10:00:00Z') },
      { start: T('2026-11-20T16:00:00Z'), end: T('2026-11-21T00:00:00Z') },
    ],
    verdicts: {
      'Dad@2026-11-19T20:00:00Z': 'unknown_coverage',
      'Dad@2026-11-20T12:00:00Z': 'unknown_coverage',
      'Dad@2026-11-20T15:50:00Z': 'unknown_coverage',
      'Dad@2026-11-20T18:00:00Z': ['home', DEV.tv.mac],
    },
    account: [0, 0],
    reasons: { 'Dad@2026-11-20T12:00:00Z': 'outside_coverage' },
  },
  {
    name: 'previews are matched but never evidence',
    plays: [
      play({ at: '2026-11-20T18:00:00Z', min: 60, device: TYPE.tv }),
      play({ at: '2026-11-20T18:10:00Z', min: 0.5, device: TYPE.sony, country: 'BR', preview: 'TRAILER' }),
    ],
    sessions: [session(DEV.tv, '2026-11-20T17:59:00Z', '2026-11-20T19:01:00Z')],
    verdicts: { 'Dad@2026-11-20T18:10:00Z': 'away_unknown', 'Dad@2026-11-20T18:00:00Z': ['home', DEV.tv.mac] },
    account: [0, 0],
    reasons: { 'Dad@2026-11-20T18:10:00Z': 'preview' },
  },
  {
    name: 'several home devices streaming: the device type chooses',
    plays: [
      play({ profile: 'Kids', at: '2026-11-20T19:10:00Z', min: 40, device: TYPE.ipad }),
      play({ profile: 'Mum', at: '2026-11-20T19:12:00Z', min: 30, device: TYPE.firetv }),
      play({ at: '2026-11-20T19:05:00Z', min: 50, device: TYPE.tv }),
      play({ profile: 'Sam', at: '2026-11-20T19:20:00Z', min: 20, device: TYPE.pixel }),
    ],
    sessions: [
      session(DEV.pixel, '2026-11-20T19:00:00Z', '2026-11-20T20:00:00Z'),
      session(DEV.firetv, '2026-11-20T19:00:00Z', '2026-11-20T20:00:00Z'),
      session(DEV.tv, '2026-11-20T19:00:00Z', '2026-11-20T20:00:00Z'),
      session(DEV.ipad, '2026-11-20T19:00:00Z', '2026-11-20T20:00:00Z'),
    ],
    verdicts: {
      'Kids@2026-11-20T19:10:00Z': ['home', DEV.ipad.mac],
      'Mum@2026-11-20T19:12:00Z': ['home', DEV.firetv.mac],
      'Dad@2026-11-20T19:05:00Z': ['home', DEV.tv.mac],
      'Sam@2026-11-20T19:20:00Z': ['home', DEV.pixel.mac],
    },
    account: [0, 9],
  },
  {
    name: 'two iPads at home: the match says it is ambiguous',
    plays: [play({ profile: 'Kids', at: '2026-11-20T19:10:00Z', min: 40, device: TYPE.ipad })],
    sessions: [
      session(DEV.ipad, '2026-11-20T19:00:00Z', '2026-11-20T20:00:00Z'),
      session(DEV.ipad2, '2026-11-20T19:00:00Z', '2026-11-20T20:00:00Z'),
    ],
    verdicts: { 'Kids@2026-11-20T19:10:00Z': 'home' },
    account: [0, 9],
    reasons: { 'Kids@2026-11-20T19:10:00Z': 'ambiguous_device' },
  },
  {
    name: 'DST autumn (Europe/Amsterdam 2026-10-25): both 02:30s and the 25-hour day',
    plays: [
      play({ at: '2026-10-25T00:30:00Z', min: 20, device: TYPE.tv }),
      play({ profile: 'Kids', at: '2026-10-25T01:30:00Z', min: 20, device: TYPE.ipad }),
      dayPlay('Mum', '2026-10-25'),
      dayPlay('Mum', '2026-10-26'),
      dayPlay('Mum', '2026-10-24'),
    ],
    sessions: [
      session(DEV.tv, '2026-10-25T00:29:00Z', '2026-10-25T00:51:00Z'),
      session(DEV.ipad, '2026-10-25T01:29:00Z', '2026-10-25T01:51:00Z'),
      // 23:30 CET on the 25th: on the 25th in Amsterdam, although 22:30 UTC.
      session(DEV.tv, '2026-10-25T22:30:00Z', '2026-10-25T22:50:00Z'),
    ],
    coverage: [{ start: T('2026-10-23T22:00:00Z'), end: T('2026-10-27T00:00:00Z') }],
    verdicts: {
      'Dad@2026-10-25T00:30:00Z': ['home', DEV.tv.mac],
      'Kids@2026-10-25T01:30:00Z': ['home', DEV.ipad.mac],
      'Mum#2026-10-25': 'home',
      'Mum#2026-10-26': 'away_unknown',
      'Mum#2026-10-24': 'away_unknown',
    },
    account: [0, 9],
    reasons: { 'Mum#2026-10-25': 'day_level_only', 'Mum#2026-10-26': 'no_home_session_that_day' },
  },
  {
    name: 'DST spring (Europe/Amsterdam 2026-03-29): a session at 00:30 UTC is on the 29th locally',
    plays: [dayPlay('Kids', '2026-03-29'), dayPlay('Kids', '2026-03-28')],
    sessions: [session(DEV.ipad, '2026-03-28T23:30:00Z', '2026-03-28T23:50:00Z')],
    coverage: [{ start: T('2026-03-27T00:00:00Z'), end: T('2026-03-31T00:00:00Z') }],
    verdicts: { 'Kids#2026-03-29': 'home', 'Kids#2026-03-28': 'away_unknown' },
    account: [0, 9],
  },
];

function byKey(result: ReconcileResult, plays: readonly Play[]): Map<string, ReconcileResult['plays'][number]> {
  // Output plays carry no key; map them back through (profile, start, title), unique in these cases.
  const out = new Map<string, ReconcileResult['plays'][number]>();
  for (const p of plays) {
    const hit = result.plays.find((r) => r.profile === p.profile && r.title === p.title);
    if (hit) out.set(p.key, hit);
  }
  return out;
}

describe('reconcile', () => {
  it.each(cases)('$name', (c) => {
    const result = reconcile({
      plays: c.plays,
      sessions: c.sessions,
      coverage: c.coverage ?? always,
      config: { toleranceS: 300, timeZone: zone, ...(c.homeCountry ? { homeCountry: c.homeCountry } : {}) },
    });
    const out = byKey(result, c.plays);
    for (const [key, want] of Object.entries(c.verdicts)) {
      const got = out.get(key);
      const [verdict, mac] = Array.isArray(want) ? want : [want, undefined];
      expect(got?.verdict, key).toBe(verdict);
      if (mac) expect(got?.home_device?.mac, key).toBe(mac);
      if (verdict !== 'home') expect(got?.home_device, key).toBeNull();
    }
    for (const [key, reason] of Object.entries(c.reasons ?? {})) expect(out.get(key)?.reasons, key).toContain(reason);
    const [lo, hi] = c.account;
    expect(result.account.sharing_score).toBeGreaterThanOrEqual(lo);
    expect(result.account.sharing_score).toBeLessThanOrEqual(hi);
    for (const [name, [plo, phi]] of Object.entries(c.profiles ?? {})) {
      const p = result.profiles.find((x) => x.profile === name);
      expect(p?.sharing_score, name).toBeGreaterThanOrEqual(plo);
      expect(p?.sharing_score, name).toBeLessThanOrEqual(phi);
    }
    const signals = result.account.reasons.map((r) => r.signal);
    for (const s of c.signals ?? []) expect(signals).toContain(s);
    for (const s of c.absentSignals ?? []) expect(signals).not.toContain(s);
  });

  it('produces exactly the JSON shape of the CLI', () => {
    const result = reconcile({
      plays: [play({ at: '2026-11-21T20:00:40Z', min: 89, device: TYPE.tv }), play({ at: '2026-11-21T20:15:00Z', min: 65, device: TYPE.sony, country: 'BR' })],
      sessions: [session(DEV.tv, '2026-11-21T19:59:20Z', '2026-11-21T21:30:00Z')],
      coverage: always,
      config: { toleranceS: 300, timeZone: zone },
    });
    expect(Object.keys(result)).toEqual(['plays', 'profiles', 'account']);
    expect(result.plays[0]).toEqual({
      profile: 'Dad',
      start: '2026-11-21T20:00:40Z',
      end: '2026-11-21T21:29:40Z',
      title: 'title@2026-11-21T20:00:40Z',
      device_type: TYPE.tv,
      country: 'NL',
      verdict: 'home',
      home_device: { mac: DEV.tv.mac, name: 'Living room TV' },
      confidence: 1,
      reasons: ['matched_session', 'brand_matches', 'family_matches'],
      key: 'Dad@2026-11-21T20:00:40Z',
    });
    // The key links a play to the reasons that list it.
    const abroad = result.plays[1]?.key;
    expect(result.account.reasons.some((r) => abroad !== undefined && r.plays.includes(abroad))).toBe(true);
    expect(Object.keys(result.profiles[0] ?? {})).toEqual([
      'profile', 'plays', 'home', 'away_own', 'away_unknown', 'unknown_coverage', 'sharing_score', 'reasons',
    ]);
    expect(result.profiles[0]).toMatchObject({ profile: 'Dad', plays: 2, home: 1, away_own: 0, away_unknown: 1, unknown_coverage: 0 });
    expect(Object.keys(result.account)).toEqual(['sharing_score', 'reasons']);
    for (const r of result.account.reasons) expect(Object.keys(r)).toEqual(['signal', 'points', 'detail', 'plays']);
    const simultaneous = result.account.reasons.find((r) => r.signal === 'simultaneous');
    expect(simultaneous?.plays).toEqual(expect.arrayContaining(['Dad@2026-11-21T20:15:00Z', 'Dad@2026-11-21T20:00:40Z']));
  });

  it('is deterministic: input order does not change the output', () => {
    const plays = cases[2]?.plays ?? [];
    const sessions = cases[2]?.sessions ?? [];
    const a = reconcile({ plays, sessions, coverage: always, config: { toleranceS: 300, timeZone: zone } });
    const b = reconcile({ plays: [...plays].reverse(), sessions: [...sessions].reverse(), coverage: always, config: { toleranceS: 300, timeZone: zone } });
    expect(b).toEqual(a);
  });

  it('remembers device types seen at home in earlier imports', () => {
    const plays = [play({ at: '2026-11-21T12:00:00Z', min: 30, device: TYPE.iphone })];
    const input = { plays, sessions: [], coverage: always, config: { toleranceS: 300, timeZone: zone } };
    expect(reconcile(input).plays[0]?.verdict).toBe('away_unknown');
    expect(reconcile({ ...input, knownHomeDeviceTypes: [TYPE.iphone] }).plays[0]?.verdict).toBe('away_own');
  });

  it('takes the home country from plays seen at home unless configured', () => {
    const plays = [
      play({ at: '2026-11-20T18:00:00Z', min: 60, device: TYPE.tv }),
      play({ at: '2026-11-21T18:00:00Z', min: 60, device: TYPE.sony, country: 'BR' }),
      play({ at: '2026-11-22T18:00:00Z', min: 60, device: TYPE.sony, country: 'BR' }),
    ];
    const sessions = [session(DEV.tv, '2026-11-20T17:59:00Z', '2026-11-20T19:01:00Z')];
    const base = { plays, sessions, coverage: always, config: { toleranceS: 300, timeZone: zone } };
    const home = (r: ReconcileResult): string | undefined => r.account.reasons.find((x) => x.signal === 'home_country')?.detail;
    expect(home(reconcile(base))).toContain('home country NL');
    expect(home(reconcile({ ...base, config: { toleranceS: 300, timeZone: zone, homeCountry: 'br' } }))).toContain('home country BR: configured');
  });
});
