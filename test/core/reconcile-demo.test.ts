// The demo household (scripts/make-household.mjs) against fixtures/viewing/ViewingActivity.csv.
// The sessions below are what the demo Pi-hole log yields (local story times - 1 h, UTC); the
// lead's end-to-end demo must give the same verdicts.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { reconcile } from '../../src/core/reconcile.js';
import { outsideHomeAlerts, renderReconcileReport } from '../../src/core/reconcile-report.js';
import { parseViewingCsv } from '../../src/sources/viewing-activity.js';
import { DEV, T, session } from './reconcile-fixtures.js';

const guest = { mac: '18:59:36:bb:77:06', name: null, vendor: 'Xiaomi Communications Co Ltd', hostname: 'Redmi-Note-12' };
const sessions = [
  session(DEV.pixel, '2026-11-20T06:29:20Z', '2026-11-20T06:50:00Z'),
  session(DEV.tv, '2026-11-20T17:59:20Z', '2026-11-20T19:45:00Z'),
  session(DEV.ipad, '2026-11-20T19:09:20Z', '2026-11-20T20:00:00Z'),
  session(DEV.firetv, '2026-11-20T19:29:20Z', '2026-11-20T19:50:00Z'),
  session(DEV.firetv, '2026-11-20T22:39:20Z', '2026-11-20T23:35:00Z'),
  session(DEV.ipad, '2026-11-21T01:14:20Z', '2026-11-21T01:50:00Z'),
  session(guest, '2026-11-21T12:59:20Z', '2026-11-21T13:40:00Z'),
  session(DEV.tv, '2026-11-21T19:59:20Z', '2026-11-21T21:30:00Z'),
];
// The demo log runs from local midnight on the 20th to 23:59 on the 21st.
const coverage = [{ start: T('2026-11-19T23:00:00Z'), end: T('2026-11-21T22:59:00Z') }];

const expected: [string, string, string, string | null][] = [
  ['Mum', '2026-11-20T06:30:40Z', 'home', DEV.pixel.mac],
  ['Mum', '2026-11-20T07:45:00Z', 'away_own', null],
  ['Dad', '2026-11-20T17:59:40Z', 'home', DEV.tv.mac],
  ['Dad', '2026-11-20T18:00:30Z', 'home', DEV.tv.mac],
  ['Kids', '2026-11-20T19:09:45Z', 'home', DEV.ipad.mac],
  ['Kids', '2026-11-20T19:10:20Z', 'home', DEV.ipad.mac],
  ['Mum', '2026-11-20T19:30:15Z', 'home', DEV.firetv.mac],
  ['Dad', '2026-11-20T22:40:30Z', 'home', DEV.firetv.mac],
  ['Dad', '2026-11-20T23:00:00Z', 'away_unknown', null],
  ['Kids', '2026-11-21T01:15:20Z', 'home', DEV.ipad.mac],
  ['Kids', '2026-11-21T10:00:00Z', 'away_own', null],
  ['Mum', '2026-11-21T16:30:00Z', 'away_own', null],
  ['Dad', '2026-11-21T20:00:40Z', 'home', DEV.tv.mac],
  ['Dad', '2026-11-21T20:15:00Z', 'away_unknown', null],
];

describe('demo household', () => {
  const { plays } = parseViewingCsv(readFileSync(join(import.meta.dirname, '../../fixtures/viewing/ViewingActivity.csv')));
  const result = reconcile({ plays, sessions, coverage, config: { timeZone: 'Europe/Amsterdam' } });

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
