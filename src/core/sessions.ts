// Folding a device's activity into viewing sessions. Pure: the same activities always give the
// same sessions, whatever order they arrive in.
import type { Activity, Quality, Session } from './types.js';

export interface SessionOptions {
  /** Idle time that splits two sessions, ms. */
  readonly gapMs: number;
  readonly hdMbps: number;
  readonly uhdMbps: number;
  /** Video bytes flows need, without any video-role name, to count as viewing. */
  readonly minVideoBytes: number;
}

const MINUTE = 60_000;

/**
 * Sessions of every device and service in `activities`. Video activity makes a session; UI
 * activity (API, artwork) only extends one that video proves, up to one gap before the first
 * video (opening the app and choosing) — a lone background lookup never becomes a session.
 */
export function foldSessions(activities: readonly Activity[], opts: SessionOptions): Session[] {
  const groups = new Map<string, Activity[]>();
  for (const a of activities) {
    const key = `${a.device}\u0000${a.service}`;
    let list = groups.get(key);
    if (!list) groups.set(key, (list = []));
    list.push(a);
  }
  const sessions: Session[] = [];
  for (const list of groups.values()) {
    list.sort((x, y) => x.ts - y.ts);
    sessions.push(...foldDevice(list, opts));
  }
  return sessions.sort((x, y) => x.start - y.start || x.device.localeCompare(y.device));
}

/** Only video-role names and video-role flows (Open Connect, *.nflxvideo.net) prove viewing. */
function isVideo(a: Activity): boolean {
  return a.role === 'video';
}

function foldDevice(sorted: readonly Activity[], opts: SessionOptions): Session[] {
  const clusters: Activity[][] = [];
  let current: Activity[] = [];
  let lastVideo = -Infinity;
  for (const a of sorted) {
    if (!isVideo(a)) continue;
    if (current.length > 0 && a.ts - lastVideo > opts.gapMs) {
      clusters.push(current);
      current = [];
    }
    current.push(a);
    lastVideo = Math.max(lastVideo, activityEnd(a));
  }
  if (current.length > 0) clusters.push(current);

  const out: Session[] = [];
  let previousEnd = -Infinity;
  for (const cluster of clusters) {
    const session = buildSession(cluster, sorted, previousEnd, opts);
    if (session) {
      out.push(session);
      previousEnd = session.end;
    }
  }
  return out;
}

/** Flow activity covers its whole minute. */
function activityEnd(a: Activity): number {
  return a.evidence === 'flows' ? a.ts + MINUTE - 1000 : a.ts;
}

function buildSession(
  video: readonly Activity[],
  all: readonly Activity[],
  previousEnd: number,
  opts: SessionOptions,
): Session | undefined {
  const first = video[0];
  const last = video[video.length - 1];
  if (!first || !last) return undefined;
  const hasVideoName = video.some((a) => a.evidence === 'dns');
  const flowBytes = video.reduce((sum, a) => sum + (a.evidence === 'flows' ? a.bytesDown : 0), 0);
  if (!hasVideoName && flowBytes < opts.minVideoBytes) return undefined;

  const end = Math.max(...video.map(activityEnd));
  // UI activity just before the first video (the app opened, a title chosen) starts the session.
  let start = first.ts;
  for (const a of all) {
    if (a.ts >= start) break;
    if (a.ts > previousEnd && first.ts - a.ts <= opts.gapMs) {
      start = a.ts;
      break;
    }
  }
  const flows = all.filter((a) => a.evidence === 'flows' && a.ts >= start && a.ts <= end);
  const evidence = [...new Set([...video, ...all.filter((a) => a.ts >= start && a.ts <= end)].map((a) => a.evidence))].sort();
  return {
    device: first.device,
    ip: last.ip,
    service: first.service,
    start,
    end,
    firstVideo: first.ts,
    ...bitrate(flows, opts),
    evidence,
    videoTimes: video.map((a) => a.ts),
  };
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
