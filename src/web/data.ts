// Everything the dashboard and the report show, read from the store in one go as of `now`.
import type { DeviceActivity } from '../core/activity.js';
import { localDay, type Span } from '../core/local-days.js';
import { hourOfWeek, timelineDays, type HourOfWeek, type TimelineDay } from '../core/patterns.js';
import type { IngestDeps } from '../ingest/deps.js';
import { collectStatus, type StatusJson } from '../ingest/status.js';
import { alertsJson, deviceRefs, isSessionOpenAt, loadActivity, querySessions, type AlertJson, type DeviceRef } from '../ingest/views.js';
import { deviceColour } from './html.js';
import type { TimelineDevice } from './svg.js';

const DAY = 86_400_000;
/** The dashboard's windows: a heatmap needs a few weeks to show habits, the timeline a week. */
export const DASHBOARD_HEATMAP_DAYS = 28;
export const DASHBOARD_TIMELINE_DAYS = 7;
/** A report over a long range still draws at most this many timeline days (the newest). */
export const MAX_TIMELINE_DAYS = 62;
const RECENT_ALERTS = 25;

export interface DeviceView {
  readonly device: string;
  readonly ref: DeviceRef;
  readonly colour: string;
}

export interface DashboardData {
  readonly now: number;
  readonly timeZone: string;
  readonly devices: readonly DeviceView[];
  readonly activity: readonly DeviceActivity[];
  /** Start of each of the 7 local days of activity's daily minutes. */
  readonly activityDays: readonly number[];
  readonly heatmapWindow: Span;
  readonly heatmaps: readonly { device: string; grid: HourOfWeek; minutes: number }[];
  readonly timeline: readonly TimelineDay[];
  readonly alerts: readonly (AlertJson & { atMs: number })[];
  readonly status: StatusJson;
}

export interface DashboardRange {
  /** Start of the heatmap and timeline (default: 28 days of heatmap, 7 of timeline); undefined bound = all. */
  readonly since?: number | undefined;
  readonly all?: boolean;
}

export function collectDashboard(app: IngestDeps, now: number, range: DashboardRange = {}): DashboardData {
  const zone = app.timeZone;
  const activity = loadActivity(app, now);
  const ref = deviceRefs(app);
  // Colours follow the device key, not the row order, so they stay put when a device starts playing.
  const devices = [...activity]
    .map((a) => a.device)
    .sort()
    .map((device, i): DeviceView => ({ device, ref: ref(device, activity.find((a) => a.device === device)?.ip ?? null), colour: deviceColour(i) }));
  const byDevice = new Map(devices.map((d) => [d.device, d]));

  const firstStart = range.all ? (app.store.sessions.query({ until: now })[0]?.start ?? now - DAY) : undefined;
  const heatStart = firstStart ?? range.since ?? now - DASHBOARD_HEATMAP_DAYS * DAY;
  const heatmapWindow: Span = { start: heatStart, end: now };
  const sessions = querySessions(app, { since: heatStart, until: now }).map((s) => ({
    device: s.device, start: s.start, end: Math.min(s.end, now), open: isSessionOpenAt(app, s.end, now),
  }));
  const heatmaps = devices
    .map((d) => {
      const grid = hourOfWeek(sessions.filter((s) => s.device === d.device), heatmapWindow, zone);
      return { device: d.device, grid, minutes: grid.flat().reduce((a, b) => a + b, 0) };
    })
    .filter((h) => h.minutes > 0);

  const timelineDaysBack = range.since !== undefined || range.all ? MAX_TIMELINE_DAYS : DASHBOARD_TIMELINE_DAYS;
  const timelineStart = Math.max(heatStart, localDay(now, zone, 1 - timelineDaysBack).start);
  const timeline = timelineDays(sessions.filter((s) => byDevice.has(s.device)), { start: timelineStart, end: now }, zone);

  const alertRows = app.store.alerts.list(range.since ?? (range.all ? undefined : now - DASHBOARD_HEATMAP_DAYS * DAY));
  const alerts = alertsJson(app, alertRows)
    .map((a, i) => ({ ...a, atMs: alertRows[i]?.at ?? 0 }))
    .reverse()
    .slice(0, RECENT_ALERTS);

  return {
    now,
    timeZone: zone,
    devices,
    activity,
    activityDays: Array.from({ length: 7 }, (_, i) => localDay(now, zone, i - 6).start),
    heatmapWindow,
    heatmaps,
    timeline,
    alerts,
    status: collectStatus(app, now),
  };
}

/** The devices that have a piece of a session in the timeline, in colour order. */
export function timelineDevices(data: DashboardData): TimelineDevice[] {
  const present = new Set(data.timeline.flatMap((d) => d.segments.map((s) => s.device)));
  return data.devices.filter((d) => present.has(d.device)).map((d) => ({ device: d.device, name: d.ref.name, colour: d.colour }));
}
