import { describe, expect, it } from 'vitest';
import { reconcile } from '../../../src/core/reconcile/reconcile.js';
import { outsideHomeAlerts, renderReconcileReport, scoreLabel, seenAway } from '../../../src/core/reconcile/report.js';
import { always, DEV, T, TYPE, play, session } from './fixtures.js';

const zone = 'Europe/Amsterdam';
const tv = session(DEV.tv, '2026-11-20T17:59:00Z', '2026-11-20T21:00:00Z');
const plays = [
  play({ at: '2026-11-20T18:00:00Z', min: 120, device: TYPE.tv }),
  play({ at: '2026-11-20T18:30:00Z', min: 60, device: TYPE.sony, country: 'BR' }),
  play({ at: '2026-11-20T20:00:00Z', min: 30, device: TYPE.sony, country: 'BR' }),
  play({ at: '2026-11-21T20:00:00Z', min: 30, device: TYPE.sony, country: 'AR' }),
  play({ at: '2026-11-22T20:00:00Z', min: 30, device: TYPE.chrome, country: 'AR' }),
  play({ at: '2026-11-22T21:00:00Z', min: 1, device: TYPE.iphone, country: 'JP', preview: 'TRAILER' }),
];
const result = reconcile({ plays, sessions: [tv], coverage: always, config: { toleranceS: 300, timeZone: zone } });
const none = { deviceTypes: new Set<string>(), countries: new Set<string>() };

describe('outsideHomeAlerts', () => {
  it('alerts once per new device type and per new country, never on previews', () => {
    const alerts = outsideHomeAlerts(result, none);
    expect(alerts.map((a) => [a.key, new Date(a.at).toISOString()])).toEqual([
      [`outside_home:device_type=${TYPE.sony};country=BR`, '2026-11-20T18:30:00.000Z'],
      ['outside_home:;country=AR', '2026-11-21T20:00:00.000Z'],
      [`outside_home:device_type=${TYPE.chrome};`, '2026-11-22T20:00:00.000Z'],
    ]);
    expect(alerts.every((a) => a.rule === 'outside_home' && a.service === 'netflix' && a.device === null)).toBe(true);
    expect(alerts[0]?.message).toContain('Sony Sony Android TV 2015 Smart TV');
    expect(alerts[0]?.message).not.toContain('title@');
  });

  it('stays quiet about what earlier imports already reported, and repeats its keys on replay', () => {
    expect(outsideHomeAlerts(result, seenAway(result))).toEqual([]);
    expect(outsideHomeAlerts(result, none)).toEqual(outsideHomeAlerts(result, none));
    const partly = { deviceTypes: new Set<string>([TYPE.sony]), countries: new Set<string>(['BR']) };
    expect(outsideHomeAlerts(result, partly).map((a) => a.key)).toEqual([
      'outside_home:;country=AR',
      `outside_home:device_type=${TYPE.chrome};`,
    ]);
  });

  it('is critical when the account likely is shared, a warning otherwise', () => {
    expect(outsideHomeAlerts(result, none)[0]?.severity).toBe('critical');
    const mild = reconcile({
      plays: [play({ at: '2026-11-20T12:00:00Z', min: 30, device: TYPE.iphone })],
      sessions: [],
      coverage: always,
      config: { toleranceS: 300, timeZone: zone, homeCountry: 'NL' },
    });
    expect(outsideHomeAlerts(mild, none)[0]?.severity).toBe('warning');
  });
});

describe('renderReconcileReport', () => {
  it.each([
    [0, 'no sign of sharing'],
    [9, 'no sign of sharing'],
    [10, 'most likely your own devices'],
    [40, 'possibly shared'],
    [70, 'likely shared'],
  ])('labels score %i', (score, label) => expect(scoreLabel(score)).toContain(label));

  it('lists the worst plays first, in UTC without a zone, and ends with the four steps', () => {
    const text = renderReconcileReport(result);
    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^Netflix account: sharing score \d+\/100 - likely shared/);
    expect(text).toContain('2026-11-22 20:00Z  Dad  Chrome PC (Cadmium)  AR  NOT home');
    expect(text).not.toContain('iPhone 12');
    expect(lines.slice(-5)).toEqual([
      'What to do:',
      expect.stringContaining('Sign out of all devices'),
      expect.stringContaining('Change the Netflix password'),
      expect.stringContaining('e-mail account'),
      expect.stringContaining('Manage access and devices'),
    ]);
  });

  it('tells a quiet household there is nothing to do, and still shows the steps', () => {
    const quiet = reconcile({ plays: [plays[0]!], sessions: [tv], coverage: always, config: { toleranceS: 300, timeZone: zone } });
    const text = renderReconcileReport(quiet, { timeZone: zone });
    expect(text).toContain('sharing score 0/100 - no sign of sharing');
    expect(text).toContain('Nothing to do.');
    expect(text).not.toContain('did not see (worst first)');
    expect(text).toContain('Sign out of all devices');
  });

  it('needs no clock: the same result renders the same text', () => {
    expect(renderReconcileReport(result, { timeZone: zone })).toBe(renderReconcileReport(result, { timeZone: zone }));
    expect(T('2026-11-20T18:30:00Z')).toBe(Date.parse(result.plays[1]?.start ?? ''));
  });
});
