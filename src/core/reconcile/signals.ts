// Sharing signals and the 0-100 sharing score. Pure.
//
// How the sharing score is built (the README copies this block).
//
// Each signal adds points up to its own cap; the score is the sum, at most 100. Previews (HOOK,
// TRAILER, ...) and plays outside the monitoring's coverage are never evidence. Plays are
// "away" when the home network saw no matching session: away_own on a device type that has
// played at home, away_unknown on one that never has. An away_own play on a smart TV or set-top
// box weighs as away_unknown below: TVs do not travel, so the same model elsewhere is someone
// else's.
//
// - away_plays, cap 15: 2 per away_own play, 5 per away_unknown play. The raw material; the
//   family's own devices away (a phone on the train) are normal, so they weigh little.
// - foreign_country, cap 30: 25 for the first away_unknown play from another country than the
//   home's, +5 for each further one; 4 per away_own play abroad. An unknown device in another
//   country is the textbook shared password; the family's own tablet abroad is a holiday.
// - simultaneous, cap 35: 30 for the first time an away_unknown play overlaps another play of
//   the account (by more than a minute), +5 for each further time; 8 per overlap involving only
//   away_own plays. Two places at once means two viewers: with an unknown device the strongest
//   single sign, with the family's own phone just someone out while the TV plays.
// - impossible_travel, cap 30: 25 per pair of plays of one profile, at least one away, in two
//   countries closer in time than travel allows (countries.ts: neighbours never, else 2 h +
//   a lower bound of the distance at 900 km/h; unlisted countries 2 h). Only within a profile,
//   because family members may well be apart; a VPN also triggers it.
// - unknown_device, cap 24: 12 per distinct device type never seen at home. A new gadget of the
//   family's own triggers it once, so alone it stays far below "likely shared".
// - many_device_types, cap 12: 4 per distinct device type beyond 3 (profile) or 5 (account),
//   only when there are away plays: a household has a handful of screens, and a long list next
//   to plays elsewhere hints at a password that travelled. Screens all seen at home never count.
// - odd_hours, cap 12: 4 per away_unknown, 2 per away_own play starting at an hour of the day
//   (+-1 h, home zone) at which the home never streamed (needs 3+ home sessions). Another
//   household keeps other hours, or lives in another time zone.
// - day_level_away, cap 5: 1 per NetflixViewingHistory.csv title on a day the home did not
//   stream at all. No time and no device: weak evidence only.
//
// Calibration: a household that only watches at home scores 0. One unknown device abroad
// streaming while the TV plays at home scores 5 + 25 + 30 + 12 = 72 (plus impossible_travel when
// it uses the same profile). The family's phone abroad a few times scores 10-30.
import { minTravelHours } from './countries.js';
import { overlapMs, type JudgedPlay } from './match.js';
import type { HomeSession, ScoreReason } from './types.js';
import { toWall } from '../time.js';

const HANDOVER_MS = 60_000;
const HOUR_MS = 3_600_000;
/** Beyond this gap any two countries on earth are reachable (antipodes: 2 h + 20,000 km / 900 km/h). */
const MAX_TRAVEL_H = 25;

export interface SignalContext {
  readonly homeCountry: string;
  readonly timeZone: string;
  /** Hours of the day (home zone) in which the home streamed; null when too little is known. */
  readonly homeHours: ReadonlySet<number> | null;
  /** Every judged play of the account (simultaneity looks across profiles). */
  readonly all: readonly JudgedPlay[];
}

export interface Score {
  readonly score: number;
  readonly reasons: ScoreReason[];
}

const isAway = (j: JudgedPlay): boolean => j.verdict === 'away_own' || j.verdict === 'away_unknown';
/** Weighs as a stranger: an unknown device, or a TV-like device type away (TVs do not travel). */
const isStrong = (j: JudgedPlay): boolean =>
  j.verdict === 'away_unknown' || (j.verdict === 'away_own' && j.reasons.includes('stationary_device_type'));
/** Plays that may count as evidence at all. */
export const isEvidence = (j: JudgedPlay): boolean =>
  !j.play.preview && !j.play.dayOnly && j.verdict !== 'unknown_coverage';

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

function tiered(count: number, first: number, each: number): number {
  return count === 0 ? 0 : first + (count - 1) * each;
}

function reason(signal: string, points: number, cap: number, detail: string, plays: JudgedPlay[]): ScoreReason[] {
  const p = Math.min(cap, Math.round(points));
  return p > 0 ? [{ signal, points: p, detail, plays: [...new Set(plays.map((j) => j.play.key))] }] : [];
}

function countBy(items: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const i of items) counts.set(i, (counts.get(i) ?? 0) + 1);
  return [...counts].map(([k, n]) => `${k} (${n})`).join(', ');
}

function awayPlays(away: JudgedPlay[]): ScoreReason[] {
  const own = away.filter((j) => j.verdict === 'away_own');
  const unknown = away.filter((j) => j.verdict === 'away_unknown');
  const detail = `${plural(away.length, 'play')} the home network did not see: ${own.length} on device types seen at home, ${unknown.length} on device types never seen at home`;
  const strong = away.filter(isStrong).length;
  return reason('away_plays', (away.length - strong) * 2 + strong * 5, 15, detail, away);
}

function foreignCountry(away: JudgedPlay[], home: string): ScoreReason[] {
  if (!home) return [];
  const abroad = away.filter((j) => j.play.country && j.play.country !== home);
  const unknown = abroad.filter(isStrong).length;
  const own = abroad.length - unknown;
  const detail = `plays from outside ${home}: ${countBy(abroad.map((j) => j.play.country))}`;
  return reason('foreign_country', tiered(unknown, 25, 5) + own * 4, 30, detail, abroad);
}

/** Plays of `sorted` (by start; none longer than maxLen) that overlap `a`. */
function overlapping(sorted: readonly JudgedPlay[], maxLen: number, a: JudgedPlay): JudgedPlay[] {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((sorted[mid]?.start ?? 0) < a.start - maxLen) lo = mid + 1;
    else hi = mid;
  }
  const out: JudgedPlay[] = [];
  for (let i = lo; i < sorted.length && (sorted[i]?.start ?? Infinity) < a.end; i++) {
    const b = sorted[i] as JudgedPlay;
    if (b !== a && overlapMs(a.start, a.end, b.start, b.end) > HANDOVER_MS) out.push(b);
  }
  return out;
}

function simultaneous(away: JudgedPlay[], ctx: SignalContext): ScoreReason[] {
  const others = ctx.all.filter(isEvidence).sort((x, y) => x.start - y.start);
  const maxLen = others.reduce((m, j) => Math.max(m, j.end - j.start), 0);
  const seen = new Set<string>();
  const pairs: [JudgedPlay, JudgedPlay][] = [];
  for (const a of away) {
    for (const b of overlapping(others, maxLen, a)) {
      // The same device model in the same country twice at once is more likely one device than two viewers.
      if (a.play.deviceType === b.play.deviceType && a.play.country === b.play.country && b.verdict !== 'home') continue;
      const id = [a.play.key, b.play.key].sort().join('|');
      if (seen.has(id)) continue;
      seen.add(id);
      pairs.push([a, b]);
    }
  }
  const strong = pairs.filter(([a, b]) => isStrong(a) || isStrong(b));
  const points = tiered(strong.length, 30, 5) + (pairs.length - strong.length) * 8;
  const detail = pairs
    .slice(0, 3)
    .map(([a, b]) => `${describe(a)} while ${describe(b)}`)
    .join('; ');
  return reason('simultaneous', points, 35, `${plural(pairs.length, 'time')} two places at once: ${detail}`, pairs.flat());
}

function describe(j: JudgedPlay): string {
  const where = j.verdict === 'home' ? `at home${j.device?.name ? ` on ${j.device.name}` : ''}` : `away in ${j.play.country || '?'}`;
  return `${j.play.profile} on ${j.play.deviceType || 'unknown device'} ${where}`;
}

function impossibleTravel(subject: JudgedPlay[]): ScoreReason[] {
  const byProfile = new Map<string, JudgedPlay[]>();
  for (const j of subject) {
    if (!j.play.country) continue;
    const list = byProfile.get(j.play.profile);
    if (list) list.push(j);
    else byProfile.set(j.play.profile, [j]);
  }
  const pairs: JudgedPlay[][] = [];
  const details: string[] = [];
  for (const list of byProfile.values()) {
    const sorted = [...list].sort((a, b) => a.start - b.start);
    for (let i = 0; i < sorted.length; i++) {
      const a = sorted[i] as JudgedPlay;
      for (let k = i + 1; k < sorted.length; k++) {
        const b = sorted[k] as JudgedPlay;
        const gapH = Math.max(0, b.start - a.end) / HOUR_MS;
        if (gapH > MAX_TRAVEL_H) break;
        if (b.play.country === a.play.country || (!isAway(a) && !isAway(b))) continue;
        const needH = minTravelHours(a.play.country, b.play.country);
        if (gapH >= needH) continue;
        pairs.push([a, b]);
        const when = gapH === 0 ? 'at the same time' : `${gapH.toFixed(1)} h apart`;
        details.push(`${a.play.profile} in ${a.play.country} and ${b.play.country} ${when} (travel takes at least ${needH.toFixed(1)} h)`);
      }
    }
  }
  return reason('impossible_travel', pairs.length * 25, 30, details.slice(0, 3).join('; '), pairs.flat());
}

function unknownDevices(away: JudgedPlay[]): ScoreReason[] {
  const unknown = away.filter((j) => j.verdict === 'away_unknown' && j.play.deviceType.trim());
  const types = [...new Set(unknown.map((j) => j.play.deviceType))];
  return reason('unknown_device', types.length * 12, 24, `device types never seen at home: ${types.join(', ')}`, unknown);
}

function manyDeviceTypes(evidence: JudgedPlay[], threshold: number): ScoreReason[] {
  const types = new Set(evidence.map((j) => j.play.deviceType).filter((t) => t.trim()));
  const extra = types.size - threshold;
  if (extra <= 0 || !evidence.some(isAway)) return [];
  const detail = `${types.size} distinct device types (a household typically has up to ${threshold})`;
  // One play per device type is enough to show which types they are.
  const firstOfType = [...new Map(evidence.map((j) => [j.play.deviceType, j] as const)).values()];
  return reason('many_device_types', extra * 4, 12, detail, firstOfType);
}

function oddHours(away: JudgedPlay[], ctx: SignalContext): ScoreReason[] {
  const hours = ctx.homeHours;
  if (!hours) return [];
  const odd = away.filter((j) => {
    const h = toWall(j.start, ctx.timeZone).hour;
    return ![h, (h + 23) % 24, (h + 1) % 24].some((x) => hours.has(x));
  });
  const points = odd.reduce((sum, j) => sum + (isStrong(j) ? 4 : 2), 0);
  const at = odd.map((j) => `${String(toWall(j.start, ctx.timeZone).hour).padStart(2, '0')}:00`);
  return reason('odd_hours', points, 12, `away plays at hours the home never streams: ${countBy(at)}`, odd);
}

function dayLevelAway(subject: readonly JudgedPlay[]): ScoreReason[] {
  const days = subject.filter((j) => j.play.dayOnly && j.verdict === 'away_unknown' && !j.play.preview);
  const detail = `${plural(days.length, 'title')} watched on days the home network saw no Netflix (day-level data only)`;
  return reason('day_level_away', days.length, 5, detail, days);
}

/** Sharing score of a set of plays (one profile's, or the whole account's). */
export function scorePlays(subject: readonly JudgedPlay[], ctx: SignalContext, scope: 'profile' | 'account'): Score {
  const evidence = subject.filter(isEvidence);
  const away = evidence.filter(isAway);
  const reasons = [
    ...awayPlays(away),
    ...foreignCountry(away, ctx.homeCountry),
    ...simultaneous(away, ctx),
    ...impossibleTravel(evidence),
    ...unknownDevices(away),
    ...manyDeviceTypes(evidence, scope === 'profile' ? 3 : 5),
    ...oddHours(away, ctx),
    ...dayLevelAway(subject),
  ].sort((a, b) => b.points - a.points || a.signal.localeCompare(b.signal));
  const score = Math.min(100, reasons.reduce((sum, r) => sum + r.points, 0));
  return { score, reasons };
}

/** Hours of the day (home zone) in which any home session ran; null with fewer than 3 sessions. */
export function homeHours(sessions: readonly HomeSession[], timeZone: string): Set<number> | null {
  if (sessions.length < 3) return null;
  const hours = new Set<number>();
  for (const s of sessions) {
    // Stepping by the hour is enough: only which hours were touched matters, and 24 steps cover a day.
    for (let t = s.start, n = 0; t <= s.end + HOUR_MS - 1 && n < 25; t += HOUR_MS, n++) {
      hours.add(toWall(Math.min(t, s.end), timeZone).hour);
    }
  }
  return hours;
}
