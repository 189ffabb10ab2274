// The `concurrent_streams` rule: alert when one more screen than the plan allows plays a
// service, once per crossing, again only after the count drops back. A sweep over the sessions'
// first-video and end instants, service by service, that can be fed a few sessions at a time
// (a rebuild that streams its history): instants before the horizon are swept, the rest wait.
import { serviceLabel, type DeviceFacts } from './facts.js';
import { toWall } from './time.js';
import type { Alert, Session } from './types.js';

export interface ConcurrentOptions {
  readonly timeZone: string;
  readonly maxConcurrentStreams: number;
}

interface Edge {
  readonly ts: number;
  readonly delta: 1 | -1;
  readonly session: Session;
}

/** Ends before starts at the same instant: a hand-over between screens is not an overlap. */
const byInstant = (a: Edge, b: Edge): number => a.ts - b.ts || a.delta - b.delta || a.session.device.localeCompare(b.session.device);

class ServiceSweep {
  private edges: Edge[] = [];
  private readonly playing = new Map<string, number>();
  private over: { alert: Alert; from: number } | undefined;
  private lastTs: number | undefined;

  constructor(
    private readonly service: string,
    private readonly devices: ReadonlyMap<string, DeviceFacts>,
    private readonly opts: ConcurrentOptions,
  ) {}

  add(s: Session): void {
    this.edges.push({ ts: s.firstVideo, delta: 1, session: s }, { ts: s.end, delta: -1, session: s });
  }

  /** Sweep the instants before `horizon` (no session still to come has one before it). */
  sweep(horizon: number, out: Alert[]): void {
    this.edges.sort(byInstant);
    let i = 0;
    for (; i < this.edges.length && this.edges[i]!.ts < horizon; i++) this.step(this.edges[i]!, out);
    this.edges = this.edges.slice(i);
  }

  /** The end of the input: the crossing still open closes at the last instant. */
  finish(out: Alert[]): void {
    this.sweep(Infinity, out);
    this.close(this.lastTs ?? 0, out);
  }

  /** The time of the alert still open, if any: it is pushed when the count drops back. */
  openFrom(): number {
    return this.over?.from ?? Infinity;
  }

  private step(e: Edge, out: Alert[]): void {
    this.lastTs = e.ts;
    const device = e.session.device;
    this.playing.set(device, (this.playing.get(device) ?? 0) + e.delta);
    if (this.playing.get(device) === 0) this.playing.delete(device);
    const screens = [...this.playing.values()].filter((n) => n > 0).length;
    const max = this.opts.maxConcurrentStreams;
    if (!this.over && screens > max) {
      const label = this.devices.get(device)?.label ?? device;
      this.over = {
        from: e.ts,
        alert: {
          key: `concurrent_streams:${this.service}:${e.ts}`,
          at: e.ts,
          rule: 'concurrent_streams',
          severity: 'warning',
          device,
          sessionStart: e.session.start,
          service: this.service,
          message: `${screens} screens playing ${serviceLabel(this.service)} at ${hhmm(e.ts, this.opts.timeZone)} (plan allows ${max}); latest: ${label}`,
        },
      };
    } else if (this.over && screens <= max) {
      this.close(e.ts, out);
    }
  }

  private close(to: number, out: Alert[]): void {
    if (!this.over) return;
    // The crossing is the same alert while the count stays above the plan, whichever screen came last.
    out.push({ ...this.over.alert, sameWithin: { from: this.over.from, to, anyDevice: true } });
    this.over = undefined;
  }
}

/** The rule over sessions given in batches; alerts come out as their crossings close. */
export class ConcurrentStreams {
  private readonly services = new Map<string, ServiceSweep>();

  constructor(
    private readonly devices: ReadonlyMap<string, DeviceFacts>,
    private readonly opts: ConcurrentOptions,
  ) {}

  /** Sessions, then the horizon: no session still to come plays or ends before it. */
  add(sessions: readonly Session[], horizon: number): Alert[] {
    for (const s of sessions) {
      let sweep = this.services.get(s.service);
      if (!sweep) this.services.set(s.service, (sweep = new ServiceSweep(s.service, this.devices, this.opts)));
      sweep.add(s);
    }
    const out: Alert[] = [];
    for (const sweep of this.services.values()) sweep.sweep(horizon, out);
    return out;
  }

  finish(): Alert[] {
    const out: Alert[] = [];
    for (const sweep of this.services.values()) sweep.finish(out);
    return out;
  }

  /** No alert still to come is earlier than this. */
  pendingFrom(): number {
    let low = Infinity;
    for (const sweep of this.services.values()) low = Math.min(low, sweep.openFrom());
    return low;
  }
}

export function hhmm(ts: number, zone: string): string {
  const w = toWall(ts, zone);
  return `${String(w.hour).padStart(2, '0')}:${String(w.minute).padStart(2, '0')}`;
}
