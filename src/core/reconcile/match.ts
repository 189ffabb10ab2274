// Matching Netflix plays to the home's viewing sessions and giving each play a verdict. Pure.
import { classifyDeviceType, classifyHomeDevice, deviceAffinity, type DeviceClass } from './device-types.js';
import type { HomeDevice, HomeSession, Interval, Play, ReconcileInput, Verdict } from './types.js';
import { fromWall } from '../time.js';


/** Two plays on one device may overlap this much (autoplay hand-over) without conflict. */
const HANDOVER_MS = 60_000;
const DAY_MS = 86_400_000;

/** A play with its verdict: the working form that signals and output are built from. */
export interface JudgedPlay {
  readonly play: Play;
  /** Interval the play covers: [start, start + duration], or the home-zone day for dayOnly. */
  readonly start: number;
  readonly end: number;
  readonly verdict: Verdict;
  readonly device: HomeDevice | null;
  readonly confidence: number;
  readonly reasons: readonly string[];
}

interface Candidate {
  readonly play: number;
  readonly session: HomeSession;
  readonly score: number;
  readonly reasons: readonly string[];
}

interface Assignment {
  readonly chosen: Candidate;
  readonly ambiguous: boolean;
}

export function overlapMs(a0: number, a1: number, b0: number, b1: number): number {
  return Math.max(0, Math.min(a1, b1) - Math.max(a0, b0));
}

export function playEnd(p: Play): number {
  return p.start + p.durationS * 1000;
}

/** The home-zone calendar day a dayOnly play is labelled with, as [start, end). */
export function localDay(p: Play, timeZone: string): Interval {
  const d = new Date(p.start);
  const wall = { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), hour: 0, minute: 0, second: 0 };
  const next = new Date(p.start + DAY_MS);
  const nextWall = { ...wall, year: next.getUTCFullYear(), month: next.getUTCMonth() + 1, day: next.getUTCDate() };
  return { start: fromWall(wall, timeZone), end: fromWall(nextWall, timeZone) };
}

/** Merge coverage intervals so that "inside coverage" is one lookup. */
export function mergeIntervals(list: readonly Interval[]): Interval[] {
  const sorted = [...list].filter((i) => i.end >= i.start).sort((a, b) => a.start - b.start);
  const out: { start: number; end: number }[] = [];
  for (const i of sorted) {
    const last = out[out.length - 1];
    if (last && i.start <= last.end) last.end = Math.max(last.end, i.end);
    else out.push({ start: i.start, end: i.end });
  }
  return out;
}

/**
 * True if monitoring had data over [start, end]. The tolerance is granted at both ends (clock
 * skew), so a play starting a minute before monitoring began still counts as covered.
 */
export function isCovered(coverage: readonly Interval[], start: number, end: number, tolMs: number): boolean {
  let a = start + tolMs;
  let b = end - tolMs;
  if (b < a) a = b = (start + end) / 2;
  return coverage.some((c) => c.start <= a && c.end >= b);
}

function sessionsOverlapping(sorted: readonly HomeSession[], maxLen: number, t0: number, t1: number): HomeSession[] {
  // Binary search for the first session that could still reach t0, then scan forward.
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((sorted[mid]?.start ?? 0) < t0 - maxLen) lo = mid + 1;
    else hi = mid;
  }
  const out: HomeSession[] = [];
  for (let i = lo; i < sorted.length; i++) {
    const s = sorted[i];
    if (!s || s.start > t1) break;
    if (s.end >= t0) out.push(s);
  }
  return out;
}

function candidatesFor(
  plays: readonly Play[],
  sessions: readonly HomeSession[],
  tolMs: number,
): { list: Candidate[]; sawSessions: Set<number> } {
  const sorted = [...sessions].sort((a, b) => a.start - b.start);
  const maxLen = sorted.reduce((m, s) => Math.max(m, s.end - s.start), 0);
  const deviceClass = new Map<string, DeviceClass>();
  const list: Candidate[] = [];
  // Plays during which some home device streamed, whether or not it could be this play.
  const sawSessions = new Set<number>();
  plays.forEach((p, index) => {
    if (p.dayOnly) return;
    const end = playEnd(p);
    const playClass = classifyDeviceType(p.deviceType);
    for (const s of sessionsOverlapping(sorted, maxLen, p.start - tolMs, end + tolMs)) {
      let cls = deviceClass.get(s.device.mac);
      if (!cls) deviceClass.set(s.device.mac, (cls = classifyHomeDevice(s.device)));
      const affinity = deviceAffinity(playClass, cls);
      sawSessions.add(index);
      if (affinity.score === 0) continue;
      const covered = overlapMs(p.start, end, s.start - tolMs, s.end + tolMs);
      const fraction = end > p.start ? covered / (end - p.start) : 1;
      list.push({ play: index, session: s, score: 0.5 * affinity.score + 0.5 * fraction, reasons: affinity.reasons });
    }
  });
  return { list, sawSessions };
}

function compareCandidates(plays: readonly Play[]): (a: Candidate, b: Candidate) => number {
  return (a, b) =>
    b.score - a.score ||
    (plays[a.play]?.start ?? 0) - (plays[b.play]?.start ?? 0) ||
    a.play - b.play ||
    String(a.session.id).localeCompare(String(b.session.id));
}

/**
 * Greedy assignment, best fit first: a device streams one programme at a time, so once a play
 * holds a session, another play overlapping it cannot use the same session. This is what keeps
 * a stranger's play, simultaneous with the family's TV, from being explained away by the TV.
 * Previews neither need nor take a session's capacity: they run while the viewer browses.
 */
function assign(plays: readonly Play[], candidates: readonly Candidate[]): Map<number, Assignment> {
  const sorted = [...candidates].sort(compareCandidates(plays));
  const byPlay = new Map<number, Candidate[]>();
  for (const c of sorted) byPlay.set(c.play, [...(byPlay.get(c.play) ?? []), c]);
  const taken = new Map<string | number, Play[]>();
  const result = new Map<number, Assignment>();
  for (const c of sorted) {
    const p = plays[c.play];
    if (!p || result.has(c.play)) continue;
    const holders = taken.get(c.session.id) ?? [];
    const busy = !p.preview && holders.some((h) => overlapMs(p.start, playEnd(p), h.start, playEnd(h)) > HANDOVER_MS);
    if (busy) continue;
    if (!p.preview) taken.set(c.session.id, [...holders, p]);
    // A second device that fits almost as well makes the choice a guess, and the output says so.
    const ambiguous = (byPlay.get(c.play) ?? []).some(
      (o) => o.session.device.mac !== c.session.device.mac && c.score - o.score < 0.05,
    );
    result.set(c.play, { chosen: c, ambiguous });
  }
  return result;
}

function judgeMatched(p: Play, a: Assignment): JudgedPlay {
  const reasons = ['matched_session', ...a.chosen.reasons];
  if (a.ambiguous) reasons.push('ambiguous_device');
  if (p.preview) reasons.push('preview');
  return {
    play: p,
    start: p.start,
    end: playEnd(p),
    verdict: 'home',
    device: a.chosen.session.device,
    confidence: a.chosen.score * (a.ambiguous ? 0.8 : 1),
    reasons,
  };
}

export function normalizeDeviceType(t: string): string {
  return t.trim().toLowerCase();
}

interface Context {
  readonly coverage: readonly Interval[];
  readonly tolMs: number;
  readonly seenAtHome: ReadonlySet<string>;
  readonly sessions: readonly HomeSession[];
}

function judgeUnmatched(p: Play, sawSessions: boolean, ctx: Context): JudgedPlay {
  const end = playEnd(p);
  const base = { play: p, start: p.start, end, device: null };
  const extra = p.preview ? ['preview'] : [];
  if (!isCovered(ctx.coverage, p.start, end, ctx.tolMs)) {
    return { ...base, verdict: 'unknown_coverage', confidence: 1, reasons: ['outside_coverage', ...extra] };
  }
  const reasons = ['no_home_session'];
  if (sawSessions) reasons.push('home_sessions_were_other_devices');
  const own = ctx.seenAtHome.has(normalizeDeviceType(p.deviceType));
  reasons.push(own ? 'device_type_seen_at_home' : p.deviceType.trim() ? 'device_type_never_at_home' : 'device_type_missing');
  const family = classifyDeviceType(p.deviceType).family;
  if (own && (family === 'smart_tv' || family === 'set_top_box')) reasons.push('stationary_device_type');
  // Another home device streaming at the time proves the monitoring was alive then.
  const confidence = sawSessions ? 0.8 : 0.7;
  return { ...base, verdict: own ? 'away_own' : 'away_unknown', confidence, reasons: [...reasons, ...extra] };
}

function judgeDayOnly(p: Play, ctx: Context, timeZone: string): JudgedPlay {
  const day = localDay(p, timeZone);
  const base = { play: p, start: day.start, end: day.end, device: null };
  if (ctx.sessions.some((s) => overlapMs(s.start, s.end + 1, day.start, day.end) > 0)) {
    return { ...base, verdict: 'home', confidence: 0.4, reasons: ['day_level_only', 'home_session_same_day'] };
  }
  if (!isCovered(ctx.coverage, day.start, day.end, ctx.tolMs)) {
    return { ...base, verdict: 'unknown_coverage', confidence: 1, reasons: ['day_level_only', 'outside_coverage'] };
  }
  return { ...base, verdict: 'away_unknown', confidence: 0.4, reasons: ['day_level_only', 'no_home_session_that_day'] };
}

/** Verdicts for every play, in input order. */
export function judgePlays(input: ReconcileInput): JudgedPlay[] {
  const tolMs = input.config.toleranceS * 1000;
  const { list, sawSessions } = candidatesFor(input.plays, input.sessions, tolMs);
  const assigned = assign(input.plays, list);
  const seenAtHome = new Set((input.knownHomeDeviceTypes ?? []).map(normalizeDeviceType));
  for (const [index] of assigned) {
    const p = input.plays[index];
    if (p && p.deviceType.trim()) seenAtHome.add(normalizeDeviceType(p.deviceType));
  }
  const ctx: Context = { coverage: mergeIntervals(input.coverage), tolMs, seenAtHome, sessions: input.sessions };
  return input.plays.map((p, index) => {
    if (p.dayOnly) return judgeDayOnly(p, ctx, input.config.timeZone);
    const a = assigned.get(index);
    return a ? judgeMatched(p, a) : judgeUnmatched(p, sawSessions.has(index), ctx);
  });
}
