// Rules turn sessions into alerts. Pure and deterministic: each alert has a key derived from the
// input alone, so replaying the same input yields the same alerts and the store can ignore repeats.
import { serviceLabel, type DeviceFacts } from './facts.js';
import { UnusualHour, type PastStart, type UnusualHourOptions } from './baseline.js';
import { ConcurrentStreams, hhmm } from './concurrent-streams.js';
import { DnsBypass, type DnsBypassOptions, type Lookup } from './dns-bypass.js';
import { minuteOfDay } from './time.js';
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
  const stream = new RuleStream(devices, opts, inputs);
  return [...stream.add([...sessions].sort(bySessionOrder), -Infinity), ...stream.finish()];
}

const bySessionOrder = (x: Session, y: Session): number => x.start - y.start || x.device.localeCompare(y.device) || x.service.localeCompare(y.service);
const byAlertOrder = (a: Alert, b: Alert): number => a.at - b.at || a.key.localeCompare(b.key);

/**
 * Every rule over sessions that come in batches, in order of start (a rebuild that streams its
 * history a window at a time), giving the alerts evaluateRules gives all the sessions at once,
 * in the same order. Each rule keeps only what its own span needs: the sweep of the sessions
 * still playing, a window of starts, a look-back of lookups.
 */
export class RuleStream {
  private readonly unknown: UnknownDevice | undefined;
  private readonly concurrent: ConcurrentStreams;
  private readonly unusual: UnusualHour | undefined;
  private readonly bypass: DnsBypass | undefined;
  private held: Alert[] = [];

  constructor(
    private readonly devices: ReadonlyMap<string, DeviceFacts>,
    private readonly opts: RuleOptions,
    inputs: RuleInputs = {},
  ) {
    this.unknown = opts.unknownDevice ? new UnknownDevice(devices, opts) : undefined;
    this.concurrent = new ConcurrentStreams(devices, opts);
    this.unusual = opts.unusualHour?.enabled ? new UnusualHour(inputs.history ?? [], devices, opts.timeZone, opts.unusualHour) : undefined;
    this.bypass = opts.dnsBypass?.enabled ? new DnsBypass(devices, opts.timeZone, opts.dnsBypass) : undefined;
    this.bypass?.addLookups(inputs.lookups ?? [], -Infinity);
  }

  /** dns_bypass's lookups, in time order; every one before `loadedUntil` is given by now. */
  addLookups(lookups: readonly Lookup[], loadedUntil: number): void {
    this.bypass?.addLookups(lookups, loadedUntil);
  }

  /**
   * The next sessions in foldSessions' order; no session still to come starts before `horizon`.
   * Returns the alerts no later session can precede, in evaluateRules' order.
   */
  add(sessions: readonly Session[], horizon: number): Alert[] {
    this.held.push(
      ...quietHoursAlerts(sessions, this.devices, this.opts),
      ...(this.unknown?.add(sessions, horizon) ?? []),
      ...this.concurrent.add(sessions, horizon),
      ...(this.unusual?.add(sessions, horizon) ?? []),
      ...(this.bypass?.add(sessions, horizon) ?? []),
    );
    return this.release(Math.min(horizon, this.concurrent.pendingFrom(), this.bypass?.pendingFrom() ?? Infinity));
  }

  finish(): Alert[] {
    this.held.push(...(this.unknown?.add([], Infinity) ?? []), ...this.concurrent.finish(), ...(this.bypass?.finish() ?? []));
    return this.release(Infinity);
  }

  private release(before: number): Alert[] {
    const out: Alert[] = [];
    const rest: Alert[] = [];
    for (const a of this.held) (a.at < before ? out : rest).push(a);
    this.held = rest;
    return out.sort(byAlertOrder);
  }
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

/**
 * Once per device: the first session (by first video) of a device nobody marked known. Sessions
 * come in batches; those whose first video is before the horizon are judged in that order.
 */
class UnknownDevice {
  private readonly seen = new Set<string>();
  private waiting: Session[] = [];

  constructor(
    private readonly devices: ReadonlyMap<string, DeviceFacts>,
    private readonly opts: RuleOptions,
  ) {}

  add(sessions: readonly Session[], horizon: number): Alert[] {
    this.waiting.push(...sessions);
    // Stable: sessions that play first at the same instant keep foldSessions' order.
    this.waiting.sort((a, b) => a.firstVideo - b.firstVideo);
    const out: Alert[] = [];
    let i = 0;
    for (; i < this.waiting.length && this.waiting[i]!.firstVideo < horizon; i++) {
      const s = this.waiting[i]!;
      const facts = this.devices.get(s.device) ?? unknownFacts(s.device);
      if (facts.trust !== 'unknown' || this.seen.has(s.device)) continue;
      this.seen.add(s.device);
      out.push({
        key: `unknown_device:${s.device}`,
        at: s.firstVideo,
        rule: 'unknown_device',
        severity: 'warning',
        device: s.device,
        sessionStart: s.start,
        service: s.service,
        message: `${serviceLabel(s.service)} playing on an unknown device ${facts.label} at ${hhmm(s.firstVideo, this.opts.timeZone)}`,
        // Once per device, whenever its first session turns out to have been.
        sameWithin: { from: -Number.MAX_SAFE_INTEGER, to: Number.MAX_SAFE_INTEGER },
      });
    }
    this.waiting = this.waiting.slice(i);
    return out;
  }
}
