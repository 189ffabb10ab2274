// Rules turn sessions into alerts. Pure and deterministic: each alert has a key derived from the
// input alone, so replaying the same input yields the same alerts and the store can ignore repeats.
import { serviceLabel, type DeviceFacts } from './facts.js';
import { unusualHourAlerts, type PastStart, type UnusualHourOptions } from './baseline.js';
import { dnsBypassAlerts, type DnsBypassOptions, type Lookup } from './dns-bypass.js';
import { minuteOfDay, toWall } from './time.js';
import type { Alert, Session } from './types.js';

export { serviceLabel, type DeviceFacts } from './facts.js';

export interface RuleOptions {
  readonly timeZone: string;
  readonly quietHours: string;
  readonly maxConcurrentStreams: number;
  readonly unknownDevice: boolean;
  /** Absent: the rule is off. */
  readonly unusualHour?: UnusualHourOptions;
  readonly dnsBypass?: DnsBypassOptions;
}

/** What rules need beyond the sessions being judged, loaded by the rebuild. */
export interface RuleInputs {
  /** Session starts from before `sessions`, within unusual_hour's window (its profile). */
  readonly history?: readonly PastStart[];
  /** Every unblocked lookup of a monitored name by each device, from dns_bypass's look-back before the first session on. */
  readonly lookups?: readonly Lookup[];
}

export interface Window {
  readonly startMin: number;
  readonly endMin: number;
}

/** "23:30-06:00" -> minutes of day; a window may wrap midnight. */
export function parseWindow(text: string): Window | undefined {
  const m = /^(\d{2}):(\d{2})-(\d{2}):(\d{2})$/.exec(text);
  if (!m) return undefined;
  const [h1, m1, h2, m2] = m.slice(1).map(Number) as [number, number, number, number];
  if (h1 > 23 || h2 > 23 || m1 > 59 || m2 > 59) return undefined;
  return { startMin: h1 * 60 + m1, endMin: h2 * 60 + m2 };
}

export function inWindow(minute: number, w: Window): boolean {
  if (w.startMin === w.endMin) return false;
  return w.startMin < w.endMin ? minute >= w.startMin && minute < w.endMin : minute >= w.startMin || minute < w.endMin;
}

const unknownFacts = (device: string): DeviceFacts => ({ label: device, trust: 'unknown' });

export function evaluateRules(
  sessions: readonly Session[],
  devices: ReadonlyMap<string, DeviceFacts>,
  opts: RuleOptions,
  inputs: RuleInputs = {},
): Alert[] {
  const { unusualHour, dnsBypass } = opts;
  const alerts = [
    ...quietHoursAlerts(sessions, devices, opts),
    ...(opts.unknownDevice ? unknownDeviceAlerts(sessions, devices, opts) : []),
    ...concurrentStreamAlerts(sessions, devices, opts),
    ...(unusualHour?.enabled ? unusualHourAlerts(sessions, inputs.history ?? [], devices, opts.timeZone, unusualHour) : []),
    ...(dnsBypass?.enabled ? dnsBypassAlerts(sessions, inputs.lookups ?? [], devices, opts.timeZone, dnsBypass) : []),
  ];
  return alerts.sort((a, b) => a.at - b.at || a.key.localeCompare(b.key));
}

function hhmm(ts: number, zone: string): string {
  const w = toWall(ts, zone);
  return `${String(w.hour).padStart(2, '0')}:${String(w.minute).padStart(2, '0')}`;
}

/**
 * A session alerts at its first evidence of playing inside the quiet window, even if it began
 * before. Once per session: an alert stored for an earlier, less complete view of the same
 * session (its start refined by a capture that arrived later) is the same alert.
 */
export function quietHoursAlerts(
  sessions: readonly Session[],
  devices: ReadonlyMap<string, DeviceFacts>,
  opts: RuleOptions,
): Alert[] {
  const out: Alert[] = [];
  for (const s of sessions) {
    const facts = devices.get(s.device) ?? unknownFacts(s.device);
    const text = facts.quietHours ?? opts.quietHours;
    const window = parseWindow(text);
    if (!window) continue;
    const at = s.playTimes.find((t) => inWindow(minuteOfDay(t, opts.timeZone), window));
    if (at === undefined) continue;
    out.push({
      key: `quiet_hours:${s.device}:${s.service}:${at}`,
      at,
      rule: 'quiet_hours',
      severity: 'warning',
      device: s.device,
      sessionStart: s.start,
      service: s.service,
      message: `${serviceLabel(s.service)} playing on ${facts.label} at ${hhmm(at, opts.timeZone)}, inside quiet hours ${text}`,
      sameWithin: { from: s.start, to: s.end },
    });
  }
  return out;
}

/** Once per device: the first session of a device nobody marked known. */
export function unknownDeviceAlerts(
  sessions: readonly Session[],
  devices: ReadonlyMap<string, DeviceFacts>,
  opts: RuleOptions,
): Alert[] {
  const seen = new Set<string>();
  const out: Alert[] = [];
  for (const s of [...sessions].sort((a, b) => a.firstVideo - b.firstVideo)) {
    const facts = devices.get(s.device) ?? unknownFacts(s.device);
    if (facts.trust !== 'unknown' || seen.has(s.device)) continue;
    seen.add(s.device);
    out.push({
      key: `unknown_device:${s.device}`,
      at: s.firstVideo,
      rule: 'unknown_device',
      severity: 'warning',
      device: s.device,
      sessionStart: s.start,
      service: s.service,
      message: `${serviceLabel(s.service)} playing on an unknown device ${facts.label} at ${hhmm(s.firstVideo, opts.timeZone)}`,
      // Once per device, whenever its first session turns out to have been.
      sameWithin: { from: -Number.MAX_SAFE_INTEGER, to: Number.MAX_SAFE_INTEGER },
    });
  }
  return out;
}

interface Edge {
  readonly ts: number;
  readonly delta: 1 | -1;
  readonly session: Session;
}

/** Once per crossing: alert when one more screen than allowed plays, again only after it drops back. */
export function concurrentStreamAlerts(
  sessions: readonly Session[],
  devices: ReadonlyMap<string, DeviceFacts>,
  opts: RuleOptions,
): Alert[] {
  const byService = new Map<string, Session[]>();
  for (const s of sessions) byService.set(s.service, [...(byService.get(s.service) ?? []), s]);
  const out: Alert[] = [];
  for (const [service, list] of byService) {
    const edges: Edge[] = list.flatMap((s): Edge[] => [
      { ts: s.firstVideo, delta: 1, session: s },
      { ts: s.end, delta: -1, session: s },
    ]);
    // Ends before starts at the same instant: a hand-over between screens is not an overlap.
    edges.sort((a, b) => a.ts - b.ts || a.delta - b.delta || a.session.device.localeCompare(b.session.device));
    const playing = new Map<string, number>();
    let over: { alert: Alert; from: number } | undefined;
    const close = (to: number): void => {
      if (!over) return;
      // The crossing is the same alert while the count stays above the plan, whichever screen came last.
      out.push({ ...over.alert, sameWithin: { from: over.from, to, anyDevice: true } });
      over = undefined;
    };
    for (const e of edges) {
      playing.set(e.session.device, (playing.get(e.session.device) ?? 0) + e.delta);
      const screens = [...playing.values()].filter((n) => n > 0).length;
      if (!over && screens > opts.maxConcurrentStreams) {
        const facts = devices.get(e.session.device) ?? unknownFacts(e.session.device);
        over = {
          from: e.ts,
          alert: {
            key: `concurrent_streams:${service}:${e.ts}`,
            at: e.ts,
            rule: 'concurrent_streams',
            severity: 'warning',
            device: e.session.device,
            sessionStart: e.session.start,
            service,
            message: `${screens} screens playing ${serviceLabel(service)} at ${hhmm(e.ts, opts.timeZone)} (plan allows ${opts.maxConcurrentStreams}); latest: ${facts.label}`,
          },
        };
      } else if (over && screens <= opts.maxConcurrentStreams) {
        close(e.ts);
      }
    }
    close(edges[edges.length - 1]?.ts ?? 0);
  }
  return out;
}
