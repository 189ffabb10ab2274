// "Is someone else using my account?": Netflix's export against what the home network saw.
// Pure: plays, sessions and coverage in; verdicts, signals and the CLI's JSON out.
import { judgePlays, type JudgedPlay } from './match.js';
import { homeHours, scorePlays, type SignalContext } from './signals.js';
import type {
  ProfileSummary,
  ReconcileInput,
  ReconcileResult,
  ReconciledPlay,
  ScoreReason,
} from './types.js';
import { isoUtc } from '../time.js';

export type * from './types.js';

function mostCommon(values: readonly string[]): string | undefined {
  const counts = new Map<string, number>();
  for (const v of values) if (v) counts.set(v, (counts.get(v) ?? 0) + 1);
  // Ties go to the alphabetically first, so the answer does not depend on row order.
  return [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]?.[0];
}

/**
 * The configured home country, else the most common country of plays matched at home (the
 * network vouches for those), else of all plays: the export alone, as the issue allows.
 */
export function homeCountryOf(judged: readonly JudgedPlay[], configured?: string, allPlaysCountry?: string): string {
  if (configured) return configured.toUpperCase();
  const real = judged.filter((j) => !j.play.preview);
  return (
    mostCommon(real.filter((j) => j.verdict === 'home' && !j.play.dayOnly).map((j) => j.play.country)) ??
    (allPlaysCountry !== undefined ? allPlaysCountry || undefined : mostCommon(real.map((j) => j.play.country))) ??
    ''
  );
}

const round2 = (x: number): number => Math.round(Math.min(1, Math.max(0, x)) * 100) / 100;

/** Country tweaks once the home country is known: it never decides a match, only weighs it. */
function withCountry(j: JudgedPlay, home: string): JudgedPlay {
  const abroad = home !== '' && j.play.country !== '' && j.play.country !== home;
  if (!abroad || j.verdict === 'unknown_coverage' || j.play.dayOnly) return j;
  if (j.verdict === 'home') {
    // Seen at home yet reported abroad: a VPN or a stale geo-IP entry; the match is less sure.
    return { ...j, confidence: j.confidence * 0.7, reasons: [...j.reasons, 'country_differs_from_home'] };
  }
  return { ...j, confidence: j.confidence + 0.1, reasons: [...j.reasons, 'country_differs_from_home'] };
}

function toJson(j: JudgedPlay): ReconciledPlay {
  return {
    profile: j.play.profile,
    start: isoUtc(j.start),
    end: isoUtc(j.end),
    title: j.play.title,
    device_type: j.play.deviceType,
    country: j.play.country,
    verdict: j.verdict,
    home_device: j.device ? { mac: j.device.mac, name: j.device.name } : null,
    confidence: round2(j.confidence),
    reasons: j.reasons,
    key: j.play.key,
  };
}

function summarize(profile: string, plays: readonly JudgedPlay[], ctx: SignalContext): ProfileSummary {
  const count = (v: string): number => plays.filter((j) => j.verdict === v).length;
  const { score, reasons } = scorePlays(plays, ctx, 'profile');
  return {
    profile,
    plays: plays.length,
    home: count('home'),
    away_own: count('away_own'),
    away_unknown: count('away_unknown'),
    unknown_coverage: count('unknown_coverage'),
    sharing_score: score,
    reasons,
  };
}

function homeCountryReason(home: string, configured: boolean): ScoreReason {
  const how = configured ? 'configured' : 'the most common country of the plays seen at home';
  return { signal: 'home_country', points: 0, detail: `home country ${home || 'unknown'}: ${how}`, plays: [] };
}

/** Verdicts for every play, a sharing score per profile (worst first) and for the account. */
export function reconcile(input: ReconcileInput): ReconcileResult {
  const first = judgePlays(input);
  const home = homeCountryOf(first, input.config.homeCountry, input.config.allPlaysCountry);
  const judged = first
    .map((j) => withCountry(j, home))
    .sort((a, b) => a.start - b.start || a.play.key.localeCompare(b.play.key));
  const ctx: SignalContext = {
    homeCountry: home,
    timeZone: input.config.timeZone,
    homeHours: homeHours(input.sessions, input.config.timeZone),
    all: judged,
  };
  const byProfile = new Map<string, JudgedPlay[]>();
  for (const j of judged) {
    const list = byProfile.get(j.play.profile);
    if (list) list.push(j);
    else byProfile.set(j.play.profile, [j]);
  }
  const profiles = [...byProfile]
    .map(([name, plays]) => summarize(name, plays, ctx))
    .sort((a, b) => b.sharing_score - a.sharing_score || a.profile.localeCompare(b.profile));
  const account = scorePlays(judged, ctx, 'account');
  return {
    plays: judged.map(toJson),
    profiles,
    account: {
      sharing_score: account.score,
      reasons: [...account.reasons, homeCountryReason(home, Boolean(input.config.homeCountry))],
    },
  };
}
