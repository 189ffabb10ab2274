// The read side as the outside sees it: the JSON of `sessions`, `alerts` and `activity` (the
// contracts of DESIGN.md), built in one place for the CLI's --json and the dashboard's /api/*.
import { computeActivity, isSessionOpen, type DeviceActivity } from '../core/activity.js';
import { localDay } from '../core/local-days.js';
import { isoUtc } from '../core/time.js';
import { ActivityQueries } from '../store/activity.js';
import type { AlertRow } from '../store/alerts.js';
import type { SessionRow } from '../store/sessions.js';
import type { IngestDeps } from './deps.js';
import { deviceFacts } from './rebuild.js';

export const macOf = (device: string): string | null => (device.startsWith('ip:') ? null : device);
const iso = (ts: number | null): string | null => (ts === null ? null : isoUtc(ts));

export interface DeviceRef {
  mac: string | null;
  name: string;
  hostname: string | null;
  ip: string | null;
}

/** Name and hostname of every device, config names first (as alerts and the CLI show them). */
export function deviceRefs(deps: IngestDeps): (device: string, ip: string | null) => DeviceRef {
  const facts = deviceFacts(deps);
  const rows = new Map(deps.store.devices.list().map((d) => [d.device, d]));
  return (device, ip) => ({
    mac: macOf(device),
    name: facts.get(device)?.label ?? device,
    hostname: rows.get(device)?.hostname ?? null,
    ip: ip ?? rows.get(device)?.ips[0] ?? null,
  });
}

/** Devices matching a MAC, config name, stored name, hostname or IP; empty when none does. */
export function resolveDevices(deps: IngestDeps, query: string): string[] {
  const fromConfig = deps.configuredDevices.filter((c) => c.name?.toLowerCase() === query.trim().toLowerCase()).map((c) => c.mac);
  return [...new Set([...fromConfig, ...deps.store.devices.find(query).map((d) => d.device)])];
}

/** Whether a session whose last evidence is `end` is still playing at `now` (sessions.gap). */
export function isSessionOpenAt(deps: IngestDeps, end: number, now: number): boolean {
  return isSessionOpen(end, now, deps.sessionOptions.gapMs);
}

export interface SessionFilter {
  readonly since?: number | undefined;
  readonly until?: number | undefined;
  readonly devices?: readonly string[] | undefined;
  readonly service?: string | undefined;
}

export function querySessions(deps: IngestDeps, q: SessionFilter): SessionRow[] {
  return deps.store.sessions.query({
    ...(q.since !== undefined ? { since: q.since } : {}),
    ...(q.until !== undefined ? { until: q.until } : {}),
    ...(q.devices ? { devices: q.devices } : {}),
    ...(q.service ? { service: q.service } : {}),
  });
}

export interface SessionJson {
  id: number;
  device: DeviceRef & { ip: string };
  service: string;
  start: string;
  end: string;
  duration_s: number;
  bytes_down: number | null;
  bytes_up: number | null;
  avg_mbps: number | null;
  peak_mbps: number | null;
  quality: string | null;
  evidence: string[];
  open: boolean;
}

/** `sessions --json` rows. */
export function sessionsJson(deps: IngestDeps, rows: readonly SessionRow[], now: number): SessionJson[] {
  const ref = deviceRefs(deps);
  return rows.map((s) => ({
    id: s.id,
    device: { ...ref(s.device, s.ip), ip: s.ip },
    service: s.service,
    start: isoUtc(s.start),
    end: isoUtc(s.end),
    duration_s: Math.round((s.end - s.start) / 1000),
    bytes_down: s.bytesDown,
    bytes_up: s.bytesUp,
    avg_mbps: s.avgMbps,
    peak_mbps: s.peakMbps,
    quality: s.quality,
    evidence: s.evidence,
    open: isSessionOpenAt(deps, s.end, now),
  }));
}

export interface AlertJson {
  id: number;
  at: string;
  rule: string;
  severity: string;
  device: { mac: string | null; name: string } | null;
  session_id: number | null;
  message: string;
  delivered: boolean;
  /** sent; queued (not sent yet); history (about an event older than rules.notify_max_age when raised: never sent). */
  delivery: 'sent' | 'queued' | 'history';
}

/** `alerts --json` rows. */
export function alertsJson(deps: IngestDeps, rows: readonly AlertRow[]): AlertJson[] {
  const facts = deviceFacts(deps);
  return rows.map((a) => ({
    id: a.id,
    at: isoUtc(a.at),
    rule: a.rule,
    severity: a.severity,
    device: a.device === null ? null : { mac: macOf(a.device), name: facts.get(a.device)?.label ?? a.device },
    session_id: a.sessionId,
    message: a.message,
    delivered: a.deliveredAt !== null,
    delivery: a.deliveredAt !== null ? 'sent' : a.held === 'history' ? 'history' : 'queued',
  }));
}

export interface ActivityFilter {
  /** Only these devices. */
  readonly devices?: readonly string[] | undefined;
  /** Only devices whose newest session ends at or after this. */
  readonly since?: number | undefined;
}

/** Activity rows (camelCase, epoch ms) as of `now`, for tables and pictures. */
export function loadActivity(deps: IngestDeps, now: number, filter: ActivityFilter = {}): DeviceActivity[] {
  const queries = new ActivityQueries(deps.store.db);
  const week = localDay(now, deps.timeZone, -6);
  const today = localDay(now, deps.timeZone);
  const rows = computeActivity({
    sessions: deps.store.sessions.query({ since: week.start, until: now }),
    lastSessions: queries.lastSessions(now),
    flows: queries.flowMinutes(today.start, today.end),
    now,
    timeZone: deps.timeZone,
    gapMs: deps.sessionOptions.gapMs,
  });
  const only = filter.devices ? new Set(filter.devices) : undefined;
  return rows.filter((r) => (!only || only.has(r.device)) && (filter.since === undefined || (r.lastSession?.end ?? -Infinity) >= filter.since));
}

export interface ActivityJson {
  device: DeviceRef;
  streaming_now: boolean;
  streaming_since: string | null;
  today_minutes: number;
  last_7d_minutes: number;
  sessions_today: number;
  last_session: { start: string; end: string } | null;
  bytes_today: number | null;
}

/** `activity --json` rows and /api/activity. */
export function activityJson(deps: IngestDeps, rows: readonly DeviceActivity[]): ActivityJson[] {
  const ref = deviceRefs(deps);
  return rows.map((r) => ({
    device: ref(r.device, r.ip),
    streaming_now: r.streamingNow,
    streaming_since: iso(r.streamingSince),
    today_minutes: r.todayMinutes,
    last_7d_minutes: r.last7dMinutes,
    sessions_today: r.sessionsToday,
    last_session: r.lastSession ? { start: isoUtc(r.lastSession.start), end: isoUtc(r.lastSession.end) } : null,
    bytes_today: r.bytesToday,
  }));
}
