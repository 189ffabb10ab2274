// What reconciliation tells the user: `outside_home` alerts and the readable report. Pure.
import type { ReconcileResult, ReconciledPlay, ScoreReason, Verdict } from './types.js';
import type { Alert } from '../types.js';
import { toWall } from '../time.js';

export interface SeenAway {
  readonly deviceTypes: ReadonlySet<string>;
  readonly countries: ReadonlySet<string>;
}

const LIKELY_SHARED = 70;

/**
 * One `outside_home` alert per device type and per country first seen on an away_unknown play
 * (previews and day-level plays carry neither, so they never alert). `previouslySeen` holds what
 * earlier imports already alerted on; the key names only what is new, so re-importing the same
 * export gives the same keys and the outbox drops the repeats. No titles: alerts leave the Pi.
 */
export function outsideHomeAlerts(result: ReconcileResult, previouslySeen: SeenAway): Alert[] {
  const types = new Set(previouslySeen.deviceTypes);
  const countries = new Set(previouslySeen.countries);
  const severity = result.account.sharing_score >= LIKELY_SHARED ? 'critical' : 'warning';
  const alerts: Alert[] = [];
  for (const p of result.plays) {
    if (p.verdict !== 'away_unknown' || p.reasons.includes('preview') || p.reasons.includes('day_level_only')) continue;
    const newType = p.device_type !== '' && !types.has(p.device_type);
    const newCountry = p.country !== '' && !countries.has(p.country);
    if (!newType && !newCountry) continue;
    types.add(p.device_type);
    countries.add(p.country);
    const what = [newType ? `device type ${p.device_type}` : '', newCountry ? `country ${p.country}` : '']
      .filter(Boolean)
      .join(' and ');
    alerts.push({
      key: `outside_home:${newType ? `device_type=${p.device_type}` : ''};${newCountry ? `country=${p.country}` : ''}`,
      at: Date.parse(p.start),
      rule: 'outside_home',
      severity,
      device: null,
      sessionStart: null,
      service: 'netflix',
      message: `Netflix profile ${p.profile} played outside the home on a new ${what} (${p.device_type || 'unknown device'}, ${p.country || 'unknown country'}) at ${p.start}`,
    });
  }
  return alerts;
}

/** Device types and countries of away_unknown plays, to remember as seen after alerting. */
export function seenAway(result: ReconcileResult): { deviceTypes: Set<string>; countries: Set<string> } {
  const away = result.plays.filter((p) => p.verdict === 'away_unknown' && !p.reasons.includes('preview'));
  return {
    deviceTypes: new Set(away.map((p) => p.device_type).filter(Boolean)),
    countries: new Set(away.map((p) => p.country).filter(Boolean)),
  };
}

export function scoreLabel(score: number): string {
  if (score >= LIKELY_SHARED) return 'likely shared with someone outside the home';
  if (score >= 40) return 'possibly shared: look at the plays below';
  if (score >= 10) return 'some viewing away from home, most likely your own devices';
  return 'no sign of sharing';
}

const VERDICT_ORDER: Record<Verdict, number> = { away_unknown: 0, away_own: 1, unknown_coverage: 2, home: 3 };
const VERDICT_TEXT: Record<Verdict, string> = {
  away_unknown: 'NOT home, device never seen at home',
  away_own: 'not home, a device seen at home before',
  unknown_coverage: 'not monitored then',
  home: 'home',
};

function when(iso: string, timeZone?: string): string {
  if (!timeZone) return iso.replace('T', ' ').replace(/:\d\dZ$/, 'Z');
  const w = toWall(Date.parse(iso), timeZone);
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${w.year}-${two(w.month)}-${two(w.day)} ${two(w.hour)}:${two(w.minute)}`;
}

function reasonLines(reasons: readonly ScoreReason[], indent: string): string[] {
  return reasons.filter((r) => r.points > 0).map((r) => `${indent}+${r.points} ${r.signal}: ${r.detail}`);
}

function awayLines(plays: readonly ReconciledPlay[], timeZone: string | undefined, limit: number): string[] {
  const away = plays
    .filter((p) => p.verdict === 'away_unknown' || p.verdict === 'away_own')
    .filter((p) => !p.reasons.includes('preview'))
    .sort((a, b) => VERDICT_ORDER[a.verdict] - VERDICT_ORDER[b.verdict] || b.start.localeCompare(a.start));
  if (away.length === 0) return [];
  const lines = away.slice(0, limit).map((p) => {
    const device = p.device_type || (p.reasons.includes('day_level_only') ? 'day-level only' : 'unknown device');
    return `  ${when(p.start, timeZone)}  ${p.profile}  ${device}  ${p.country || '?'}  ${VERDICT_TEXT[p.verdict]}`;
  });
  if (away.length > limit) lines.push(`  ... and ${away.length - limit} more`);
  return ['', 'Plays the home network did not see (worst first):', ...lines];
}

const ADVICE_SHARED = [
  'What to do:',
  '  1. Netflix > Account > Security & privacy > "Sign out of all devices".',
  '  2. Change the Netflix password to a new one used nowhere else.',
  "  3. Secure the e-mail account the Netflix account uses (new password, two-step login): whoever reads it can reset Netflix's password.",
  '  4. Check Account > "Manage access and devices" and the profiles list for anything you do not know.',
];

/** A short report, worst first, ending with what to do. Times in `timeZone` if given, else UTC. */
export function renderReconcileReport(result: ReconcileResult, opts: { timeZone?: string } = {}): string {
  const score = result.account.sharing_score;
  const lines = [`Netflix account: sharing score ${score}/100 - ${scoreLabel(score)}`];
  const home = result.account.reasons.find((r) => r.signal === 'home_country');
  if (home) lines.push(`  ${home.detail}; times in ${opts.timeZone ?? 'UTC'}`);
  lines.push(...reasonLines(result.account.reasons, '  '), '', 'Profiles (worst first):');
  for (const p of result.profiles) {
    const counts = `${p.plays} plays: ${p.home} home, ${p.away_own} own device away, ${p.away_unknown} unknown device away, ${p.unknown_coverage} not monitored`;
    lines.push(`  ${p.profile}: score ${p.sharing_score} (${counts})`, ...reasonLines(p.reasons, '    '));
  }
  lines.push(...awayLines(result.plays, opts.timeZone, 20), '');
  if (score < 10) lines.push('Nothing to do. If you ever doubt it:');
  else if (score < 40) lines.push('Probably your own devices away from home. If any play above is not yours:');
  lines.push(...ADVICE_SHARED);
  return `${lines.join('\n')}\n`;
}
