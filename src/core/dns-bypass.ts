// The `dns_bypass` rule: a device pulls a service's video (seen in captures) without having
// asked Pi-hole for any of the service's names shortly before, so it resolves elsewhere
// (DNS-over-HTTPS, DNS-over-TLS on port 853, or a hard-coded resolver such as 8.8.8.8) and every
// rule based on Pi-hole's log is blind to it. Pure: sessions and lookups in, alerts out.
//
// "Shortly before" is a look-back that covers the longest time a device may answer from its own
// cache: a stub resolver keeps an answer for its TTL. Netflix's answers seen in public captures
// have TTLs of 1-58 s for addresses and 111-363 s for CNAMEs (nDPI's netflix.pcap, see
// src/core/services/netflix.md, "DNS TTLs"); no source shows an Open Connect name's TTL (estimate
// 300 s). The default look-back, 10 minutes, covers the longest of them with room to spare.
// Direct-IP clients (Android TV: the manifest hands them addresses, netflix.md "Clients that never
// resolve a video name") still look up the API and manifest names just before a play, and any
// Netflix name counts, whatever its role.
import { localDate, localDay } from './local-days.js';
import { serviceLabel, type DeviceFacts } from './facts.js';
import { toWall } from './time.js';
import type { Alert, Session } from './types.js';

export interface DnsBypassOptions {
  readonly enabled: boolean;
  /** How long before a session's start a lookup through Pi-hole still explains it, ms. */
  readonly lookbackMs: number;
}

/** A lookup of a monitored name by a device, as Pi-hole logged it (any role, unblocked). */
export interface Lookup {
  readonly ts: number;
  readonly device: string;
  readonly service: string;
}

/**
 * Flows are counted by the minute: a session proven by flows starts at the top of the minute of
 * its first video packet, so a lookup up to a minute after that start can still precede the packet.
 */
const FLOW_MINUTE_MS = 60_000;

export const BYPASS_FIX =
  'on the router, block outgoing DNS (port 53, TCP and UDP) and DNS-over-TLS (port 853) to every resolver but Pi-hole, or redirect port 53 to Pi-hole';

/** Once per device and local day: the first session with video flows and no lookup before it. */
export function dnsBypassAlerts(
  sessions: readonly Session[],
  lookups: readonly Lookup[],
  devices: ReadonlyMap<string, DeviceFacts>,
  timeZone: string,
  opts: DnsBypassOptions,
): Alert[] {
  const rule = new DnsBypass(devices, timeZone, opts);
  rule.addLookups(lookups);
  rule.add([...sessions].sort((a, b) => a.start - b.start || a.device.localeCompare(b.device)), Infinity);
  return rule.finish();
}

/**
 * The rule over lookups and sessions given in batches (a rebuild that streams its history):
 * lookups in time order up to `loadedUntil`, sessions in order of start. A session is judged once
 * every lookup that may explain it has been given; lookups older than any look-back still to
 * come are let go.
 */
export class DnsBypass {
  private readonly times = new Map<string, number[]>();
  /** Sessions with flows waiting for the lookups up to a minute after their start. */
  private waiting: Session[] = [];
  /** The local date each device last alerted on: sessions come by start, so dates only grow. */
  private readonly raised = new Map<string, string>();
  private loadedUntil = -Infinity;

  constructor(
    private readonly devices: ReadonlyMap<string, DeviceFacts>,
    private readonly timeZone: string,
    private readonly opts: DnsBypassOptions,
  ) {}

  /** Lookups, none earlier than those given before; every lookup before `loadedUntil` is given by now. */
  addLookups(lookups: readonly Lookup[], loadedUntil = Infinity): void {
    for (const l of lookups) {
      const key = `${l.device}\u0000${l.service}`;
      const list = this.times.get(key);
      if (list) list.push(l.ts);
      else this.times.set(key, [l.ts]);
    }
    for (const list of this.times.values()) {
      for (let i = 1; i < list.length; i++) {
        if (list[i]! < list[i - 1]!) {
          list.sort((a, b) => a - b);
          break;
        }
      }
    }
    this.loadedUntil = Math.max(this.loadedUntil, loadedUntil);
  }

  /** The next sessions by start, then the horizon: no session still to come starts before it. */
  add(sessions: readonly Session[], horizon: number): Alert[] {
    for (const s of sessions) if (s.evidence.includes('flows')) this.waiting.push(s);
    const out: Alert[] = [];
    let i = 0;
    for (; i < this.waiting.length && this.waiting[i]!.start + FLOW_MINUTE_MS <= this.loadedUntil; i++) {
      const alert = this.judge(this.waiting[i]!);
      if (alert) out.push(alert);
    }
    this.waiting = this.waiting.slice(i);
    const oldest = Math.min(horizon, this.waiting[0]?.start ?? Infinity) - this.opts.lookbackMs;
    for (const [key, list] of this.times) {
      const keep = list.findIndex((t) => t >= oldest);
      if (keep < 0) this.times.delete(key);
      else if (keep > 0) this.times.set(key, list.slice(keep));
    }
    return out;
  }

  finish(): Alert[] {
    this.loadedUntil = Infinity;
    return this.add([], Infinity);
  }

  /** No alert still to come is earlier than this (beyond the horizon). */
  pendingFrom(): number {
    return this.waiting[0]?.start ?? Infinity;
  }

  private judge(s: Session): Alert | undefined {
    const { opts, timeZone } = this;
    const date = localDate(s.start, timeZone);
    if (this.raised.get(s.device) === date) return undefined;
    const asked = this.times.get(`${s.device}\u0000${s.service}`) ?? [];
    if (anyWithin(asked, s.start - opts.lookbackMs, s.start + FLOW_MINUTE_MS)) return undefined;
    this.raised.set(s.device, date);
    const day = localDay(s.start, timeZone);
    const label = this.devices.get(s.device)?.label ?? s.device;
    const w = toWall(s.start, timeZone);
    const clock = `${String(w.hour).padStart(2, '0')}:${String(w.minute).padStart(2, '0')}`;
    const minutes = Math.round(opts.lookbackMs / 60_000);
    return {
      key: `dns_bypass:${s.device}:${date}`,
      at: s.start,
      rule: 'dns_bypass',
      severity: 'warning',
      device: s.device,
      sessionStart: s.start,
      service: s.service,
      message:
        `${label} streamed ${serviceLabel(s.service)} video at ${clock} without asking Pi-hole for any ${serviceLabel(s.service)} name ` +
        `in the ${minutes} minutes before: it resolves names elsewhere (DNS-over-HTTPS, DNS-over-TLS or a hard-coded resolver), ` +
        `out of reach of Pi-hole and of the rules based on its log. Fix: ${BYPASS_FIX}.`,
      // The day's alert, whichever of the day's sessions turns out to be the first.
      sameWithin: { from: day.start, to: day.end - 1 },
    };
  }
}

/** Whether sorted `times` holds a value in [from, to). */
function anyWithin(times: readonly number[], from: number, to: number): boolean {
  let lo = 0;
  let hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (times[mid]! < from) lo = mid + 1;
    else hi = mid;
  }
  return lo < times.length && times[lo]! < to;
}
