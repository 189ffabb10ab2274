// The demo household (scripts/make-household.mjs) against fixtures/viewing/ViewingActivity.csv.
// The sessions below are what nfmon makes of the demo Pi-hole log (test/cli/household.test.ts
// checks them against the story: each starts up to 3 min before its play and ends up to 1 min
// after; the Fire TV's two are inferred, it never resolves a video name); the export's plays are
// the story's plays, at home or away. The end-to-end demo must give the same verdicts.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { reconcile } from '../../../src/core/reconcile/reconcile.js';
import { outsideHomeAlerts, renderReconcileReport } from '../../../src/core/reconcile/report.js';
import { parseViewingCsv } from '../../../src/sources/netflix-export/viewing-activity.js';
import { DEV, T, session } from './fixtures.js';

const guest = { mac: '18:59:36:bb:77:06', name: null, vendor: 'Xiaomi Communications Co Ltd', hostname: 'Redmi-Note-12' };
const sessions = [
  session(DEV.pixel, '2026-11-20T06:28:04Z', '2026-11-20T06:50:27Z'), // Fri 07:30-07:50 local
  session(DEV.tv, '2026-11-20T17:58:28Z', '2026-11-20T19:45:06Z'), // Fri 19:00-20:45
  session(DEV.ipad, '2026-11-20T19:08:00Z', '2026-11-20T20:00:44Z'), // Fri 20:10-21:00
  session(DEV.firetv, '2026-11-20T19:29:46Z', '2026-11-20T20:25:39Z'), // Fri 20:30-21:25, inferred
  session(DEV.firetv, '2026-11-20T22:39:21Z', '2026-11-20T23:35:10Z'), // Fri 23:40-00:35, inferred
  session(DEV.ipad, '2026-11-21T01:13:04Z', '2026-11-21T01:50:17Z'), // Sat 02:15-02:50
  session(guest, '2026-11-21T12:58:06Z', '2026-11-21T13:40:37Z'), // Sat 14:00-14:40
  session(DEV.tv, '2026-11-21T19:58:37Z', '2026-11-21T21:30:16Z'), // Sat 21:00-22:30
];
// The demo log runs from local midnight on the 20th to 23:57 on the 21st.
const coverage = [{ start: T('2026-11-19T23:00:04Z'), end: T('2026-11-21T22:57:19Z') }];

const expected: [string, string, string, string | null][] = [
  ['Mum', '2026-11-20T06:30:00Z', 'home', DEV.pixel.mac],
  ['Mum', '2026-11-20T07:45:00Z', 'away_own', null], // the Pixel at work
  ['Dad', '2026-11-20T17:59:35Z', 'home', DEV.tv.mac], // the film's hook, while choosing
  ['Dad', '2026-11-20T18:00:00Z', 'home', DEV.tv.mac],
  ['Kids', '2026-11-20T19:09:30Z', 'home', DEV.ipad.mac], // a trailer, while choosing
  ['Kids', '2026-11-20T19:10:00Z', 'home', DEV.ipad.mac],
  ['Mum', '2026-11-20T19:30:00Z', 'home', DEV.firetv.mac],
  ['Dad', '2026-11-20T22:40:00Z', 'home', DEV.firetv.mac],
  ['Dad', '2026-11-20T23:00:00Z', 'away_unknown', null], // Brazil
  ['Kids', '2026-11-21T01:15:00Z', 'home', DEV.ipad.mac],
  ['Kids', '2026-11-21T10:00:00Z', 'away_own', null], // the iPad at grandma's
  ['Mum', '2026-11-21T16:30:00Z', 'away_own', null], // the Pixel out
  ['Dad', '2026-11-21T20:00:00Z', 'home', DEV.tv.mac],
  ['Dad', '2026-11-21T20:15:00Z', 'away_unknown', null], // Brazil, while Dad's TV plays at home
];

describe('demo household', () => {
  const { plays } = parseViewingCsv(readFileSync(join(import.meta.dirname, '../../../fixtures/viewing/ViewingActivity.csv')));
  const result = reconcile({ plays, sessions, coverage, config: { toleranceS: 300, timeZone: 'Europe/Amsterdam' } });

  it('gives the intended verdicts', () => {
    expect(result.plays.map((p) => [p.profile, p.start, p.verdict, p.home_device?.mac ?? null])).toEqual(expected);
  });

  it('scores the account and Dad high, Mum and Kids low', () => {
    expect(result.account.sharing_score).toBeGreaterThan(70);
    expect(result.profiles.map((p) => p.profile)).toEqual(['Dad', 'Kids', 'Mum']);
    expect(result.profiles[0]?.sharing_score).toBeGreaterThan(70);
    expect(result.profiles.slice(1).every((p) => p.sharing_score < 10)).toBe(true);
  });

  it('alerts once on the Brazilian Sony TV', () => {
    const alerts = outsideHomeAlerts(result, { deviceTypes: new Set(), countries: new Set() });
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ rule: 'outside_home', severity: 'critical', at: T('2026-11-20T23:00:00Z') });
  });

  it('reports worst first and ends with what to do', () => {
    const text = renderReconcileReport(result, { timeZone: 'Europe/Amsterdam' });
    expect(text).toMatch(/^Netflix account: sharing score 100\/100 - likely shared/);
    expect(text.indexOf('Dad: score')).toBeLessThan(text.indexOf('Kids: score'));
    expect(text).toContain('2026-11-21 00:00  Dad  Sony Sony Android TV 2015 Smart TV  BR');
    expect(text.trimEnd().split('\n').at(-1)).toContain('Manage access and devices');
  });
});
