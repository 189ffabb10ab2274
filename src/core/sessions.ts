// Folding a device's activity into viewing sessions. Pure: the same activities always give the
// same sessions, whatever order they arrive in.
//
// The model follows how Netflix clients behave (src/core/services/netflix.md has the evidence):
// a client resolves its Open Connect (video) names when a title starts and then rarely, because
// the playback manifest carries the server list; while the title plays it reports playback
// telemetry every few minutes, silent for up to about 20 minutes; an idle app phones home with
// `background` names that say nothing about viewing. So:
// - video evidence proves a play; playback evidence carries an open play through silence;
// - a session is a chain of video and playback evidence with no silence longer than the gap,
//   that holds video (or, without any video name, the telemetry cadence of a play: `inferred`);
// - it starts at the play's first evidence (ui or playback activity just before the first
//   video counts: opening the title) and ends at its last evidence of playing;
// - with capture flows, flows decide start and end to the minute.
import type { Activity, Evidence, Quality, Session } from './types.js';

export interface SessionOptions {
  /** Silence that ends a session, ms. */
  readonly gapMs: number;
  readonly hdMbps: number;
  readonly uhdMbps: number;
  /** Video bytes flows need, without any video-role name, to count as viewing. */
  readonly minVideoBytes: number;
}

const MINUTE = 60_000;

/**
 * Opening a title: ui or playback activity this long before the first video starts the session.
 * Short on purpose: browsing the catalogue for a quarter of an hour is not viewing.
 */
export const LEAD_IN_MS = 2 * MINUTE;

/**
 * A play without any video name (the manifest handed the client addresses; Android TV does
 * this) is inferred from its telemetry: at least this many minutes with playback activity, no
 * two further apart than the gap, spread over at least INFER_MIN_SPAN_MS, opened by ui activity
 * (choosing the title: the manifest request) before it. An idle app's phone-home never counts.
 */
export const INFER_MIN_BEATS = 4;
export const INFER_MIN_SPAN_MS = 15 * MINUTE;

/**
 * Idle apps upload their logs with the phone-home burst (boot config and API within a minute,
 * netflix.md "Where the evidence cannot tell playback from idle telemetry"): telemetry within
 * this long of background activity is part of the burst, not of a play.
 */
export const BURST_MS = 60_000;

/** Sessions of every device and service in `activities`. */
export function foldSessions(activities: readonly Activity[], opts: SessionOptions): Session[] {
  const groups = new Map<string, Activity[]>();
  for (const a of activities) {
    const key = `${a.device}\u0000${a.service}`;
    let list = groups.get(key);
    if (!list) groups.set(key, (list = []));
    list.push(a);
  }
  const sessions: Session[] = [];
  for (const list of groups.values()) sessions.push(...foldDevice(withoutBursts(list.sort(byTime)), opts));
  return sessions.sort(bySessionOrder);
}

/** The order sessions are listed, stored and judged in: by start, then device and service. */
export function bySessionOrder(x: Session, y: Session): number {
  return x.start - y.start || x.device.localeCompare(y.device) || x.service.localeCompare(y.service);
}

/** Order by time, then by kind, so that equal times fold the same whatever the input order. */
export function byTime(x: Activity, y: Activity): number {
  return x.ts - y.ts || x.evidence.localeCompare(y.evidence) || x.role.localeCompare(y.role) || x.bytesDown - y.bytesDown;
}

/**
 * Telemetry that comes with an idle phone-home burst is phone-home too; background is dropped.
 * Each activity's fate depends only on the background activity within BURST_MS of it.
 */
export function withoutBursts(sorted: readonly Activity[]): Activity[] {
  const background = sorted.filter((a) => a.role === 'background').map((a) => a.ts);
  const out: Activity[] = [];
  let j = 0;
  for (const a of sorted) {
    if (a.role === 'background') continue;
    if (a.role === 'playback' && a.evidence === 'dns') {
      while (j < background.length && background[j]! < a.ts - BURST_MS) j++;
      if (j < background.length && background[j]! <= a.ts + BURST_MS) continue;
    }
    out.push(a);
  }
  return out;
}

export const isPlaying = (a: Activity): boolean => a.role === 'video' || a.role === 'playback';
const isVideoFlow = (a: Activity): boolean => a.role === 'video' && a.evidence === 'flows';

/** Flow activity covers its whole minute. */
function activityEnd(a: Activity): number {
  return a.evidence === 'flows' ? a.ts + MINUTE - 1000 : a.ts;
}

/**
 * The sessions of one device and service from its activity without bursts, in time order.
 * `previousEnd`: the end of the session before `sorted` (a fold that goes on from an earlier one).
 */
export function foldDevice(sorted: readonly Activity[], opts: SessionOptions, previousEnd = -Infinity): Session[] {
  const out: Session[] = [];
  for (const chain of chains(sorted, opts.gapMs)) {
    const session = provenSession(chain, sorted, previousEnd, opts) ?? inferredSession(chain, sorted, previousEnd, opts.gapMs);
    if (session) {
      out.push(session);
      previousEnd = session.end;
    }
  }
  return out;
}

/** Runs of playing evidence with no silence longer than the gap. */
function chains(sorted: readonly Activity[], gapMs: number): Activity[][] {
  const out: Activity[][] = [];
  let current: Activity[] = [];
  let lastEnd = -Infinity;
  for (const a of sorted) {
    if (!isPlaying(a)) continue;
    if (current.length > 0 && a.ts - lastEnd > gapMs) {
      out.push(current);
      current = [];
    }
    current.push(a);
    lastEnd = Math.max(lastEnd, activityEnd(a));
  }
  if (current.length > 0) out.push(current);
  return out;
}

/** The earliest ui/playback activity within LEAD_IN_MS before `first`, after the previous session. */
function leadIn(all: readonly Activity[], first: number, previousEnd: number, leadMs: number): number {
  for (const a of all) {
    if (a.ts >= first) break;
    if (a.ts > previousEnd && first - a.ts <= leadMs) return a.ts;
  }
  return first;
}

function provenSession(chain: readonly Activity[], all: readonly Activity[], previousEnd: number, opts: SessionOptions): Session | undefined {
  const videoNames = chain.filter((a) => a.role === 'video' && a.evidence === 'dns');
  const videoFlows = chain.filter(isVideoFlow);
  const flowBytes = videoFlows.reduce((sum, a) => sum + a.bytesDown, 0);
  const byFlows = videoFlows.length > 0 && (videoNames.length > 0 || flowBytes >= opts.minVideoBytes);
  if (videoNames.length === 0 && !byFlows) return undefined;
  const video = byFlows ? [...videoNames, ...videoFlows].sort(byTime) : videoNames;
  const firstVideo = video[0]!.ts;
  // Flows decide the play's extent to the minute; DNS alone ends at the last evidence of playing.
  const end = maxOf(byFlows ? video : chain.filter((a) => a.ts >= firstVideo), activityEnd);
  const start = byFlows ? firstVideo : leadIn(all, firstVideo, previousEnd, LEAD_IN_MS);
  const inside = between(all, start, end);
  const evidence = new Set<Evidence>();
  for (const a of inside) {
    if (a.evidence === 'flows' ? isVideoFlow(a) : isPlaying(a)) evidence.add(a.evidence);
  }
  return makeSession(chain, start, end, firstVideo, [...evidence].sort(), inside, opts);
}

function inferredSession(chain: readonly Activity[], all: readonly Activity[], previousEnd: number, gapMs: number): Session | undefined {
  const beats = [...new Set(chain.filter((a) => a.role === 'playback').map((a) => Math.floor(a.ts / MINUTE)))];
  if (beats.length < INFER_MIN_BEATS) return undefined;
  const telemetry = chain.filter((a) => a.role === 'playback');
  const first = telemetry[0]!.ts;
  const last = maxOf(telemetry, (a) => a.ts);
  if (last - first < INFER_MIN_SPAN_MS) return undefined;
  // Choosing the title (the manifest request, the artwork around it) opens the play: the last
  // ui activity before the first telemetry, no further back than the gap.
  const opening = lastBefore(all, first, (a) => a.role === 'ui' && a.ts > previousEnd && first - a.ts <= gapMs);
  if (opening === undefined) return undefined;
  const start = opening.ts;
  const inside = between(all, start, last);
  return makeSession(chain, start, last, start, ['inferred'], inside, { hdMbps: 0, uhdMbps: 0 });
}

function makeSession(
  chain: readonly Activity[],
  start: number,
  end: number,
  firstVideo: number,
  evidence: readonly Evidence[],
  inside: readonly Activity[],
  opts: Pick<SessionOptions, 'hdMbps' | 'uhdMbps'>,
): Session {
  const playing = inside.filter((a) => (a.evidence === 'flows' ? isVideoFlow(a) : isPlaying(a)));
  const first = chain[0]!;
  const last = chain[chain.length - 1]!;
  return {
    device: first.device,
    ip: last.ip,
    service: first.service,
    start,
    end,
    firstVideo,
    ...flowFigures(inside.filter((a) => a.evidence === 'flows'), opts),
    evidence,
    playTimes: [...new Set(playing.map((a) => a.ts))].sort((x, y) => x - y),
  };
}

/** The last activity before `ts` (in time order) that `ok` accepts. */
function lastBefore(sorted: readonly Activity[], ts: number, ok: (a: Activity) => boolean): Activity | undefined {
  let hit: Activity | undefined;
  for (const a of sorted) {
    if (a.ts > ts) break;
    if (ok(a)) hit = a;
  }
  return hit;
}

function maxOf(list: readonly Activity[], f: (a: Activity) => number): number {
  let max = -Infinity;
  for (const a of list) max = Math.max(max, f(a));
  return max;
}

/** The activities of `sorted` (by time) with from <= ts <= to. */
function between(sorted: readonly Activity[], from: number, to: number): Activity[] {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]!.ts < from) lo = mid + 1;
    else hi = mid;
  }
  const out: Activity[] = [];
  for (let i = lo; i < sorted.length && sorted[i]!.ts <= to; i++) out.push(sorted[i]!);
  return out;
}

/** Bytes count every flow of the service in the session; bitrate and quality only the video. */
function flowFigures(flows: readonly Activity[], opts: Pick<SessionOptions, 'hdMbps' | 'uhdMbps'>): Bitrate {
  const video = flows.filter(isVideoFlow);
  const all = bitrate(flows, opts);
  if (video.length === 0 || video.length === flows.length) return all;
  return { ...bitrate(video, opts), bytesDown: all.bytesDown, bytesUp: all.bytesUp };
}

type Bitrate = Pick<Session, 'bytesDown' | 'bytesUp' | 'avgMbps' | 'peakMbps' | 'quality'>;

/**
 * Average over the minutes that carried video (a paused player is not a lower quality), peak
 * over the busiest minute. Quality follows the sustained average.
 */
export function bitrate(flows: readonly Activity[], opts: Pick<SessionOptions, 'hdMbps' | 'uhdMbps'>): Bitrate {
  if (flows.length === 0) return { bytesDown: null, bytesUp: null, avgMbps: null, peakMbps: null, quality: null };
  const perMinute = new Map<number, number>();
  let down = 0;
  let up = 0;
  for (const f of flows) {
    down += f.bytesDown;
    up += f.bytesUp;
    const minute = Math.floor(f.ts / MINUTE) * MINUTE;
    perMinute.set(minute, (perMinute.get(minute) ?? 0) + f.bytesDown);
  }
  const toMbps = (bytes: number, seconds: number): number => Math.round(((bytes * 8) / seconds / 1e6) * 100) / 100;
  const active = [...perMinute.values()].filter((b) => b > 0);
  const avgMbps = active.length > 0 ? toMbps(down, active.length * 60) : 0;
  const peakMbps = toMbps(Math.max(0, ...active), 60);
  return { bytesDown: down, bytesUp: up, avgMbps, peakMbps, quality: qualityOf(avgMbps, opts) };
}

export function qualityOf(mbps: number, opts: Pick<SessionOptions, 'hdMbps' | 'uhdMbps'>): Quality {
  if (mbps > opts.uhdMbps) return 'UHD';
  if (mbps >= opts.hdMbps) return 'HD';
  return 'SD';
}
