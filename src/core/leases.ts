// Leases observed over time become IP -> MAC intervals, and an event at time T is attributed with
// the binding valid at T. Pure: observation times are passed in, nothing reads the clock.
import type { LeaseInterval } from './types.js';

/** One lease as a source reports it. Times are epoch ms. */
export interface Lease {
  /** IPv4 dotted quad or canonical (compressed, lower-case) IPv6. */
  readonly ip: string;
  /** Canonical MAC (see normalizeMac), or another link-layer address when `nonEthernet`. */
  readonly mac: string;
  readonly hostname?: string;
  readonly clientId?: string;
  /** Start of the binding when the source records it (ISC, Kea). dnsmasq only knows the expiry. */
  readonly start?: number;
  /** End of the binding; Infinity for an infinite lease. */
  readonly end: number;
  /** The server's own state name (`active`, `free`, `expired-reclaimed`, ...), when it has one. */
  readonly state?: string;
  readonly family: 4 | 6;
  /**
   * The hardware address is not a 6-octet Ethernet MAC (e.g. the 12-octet chaddr of pi-hole/FTL#2723).
   * Kept as the identity the server knows the client by, but it never matches a captured frame and
   * has no vendor or randomization bit.
   */
  readonly nonEthernet?: true;
}

/** One record of an append-only lease journal (ISC dhcpd.leases, Kea CSV), in file order. */
export type JournalEntry =
  | { readonly kind: 'binding'; readonly lease: Lease & { readonly start: number } }
  /** The IP is known to be held by nobody from `at` on (deleted, abandoned, declined). */
  | { readonly kind: 'release'; readonly ip: string; readonly at: number };

/**
 * Replays a lease journal into the bindings it records, keeping history. A later record for the
 * same IP and MAC that starts within the earlier binding continues it (renewal, release, expiry:
 * the latest record knows the real end); any other later record ends the earlier binding at the
 * later record's start. Zero-length bindings are dropped.
 */
export function foldLeaseJournal(entries: readonly JournalEntry[]): Lease[] {
  const byIp = new Map<string, Lease[]>();
  for (const e of entries) {
    const ip = e.kind === 'binding' ? e.lease.ip : e.ip;
    const at = e.kind === 'binding' ? e.lease.start : e.at;
    let list = byIp.get(ip);
    if (!list) byIp.set(ip, (list = []));
    const prev = list.at(-1);
    if (prev?.start !== undefined && e.kind === 'binding' && prev.mac === e.lease.mac && at <= prev.end) {
      const hostname = e.lease.hostname ?? prev.hostname;
      list[list.length - 1] = { ...e.lease, start: Math.min(prev.start, at), ...(hostname ? { hostname } : {}) };
      continue;
    }
    if (prev?.start !== undefined) list[list.length - 1] = { ...prev, end: Math.min(prev.end, Math.max(prev.start, at)) };
    if (e.kind === 'binding') list.push(e.lease);
  }
  return [...byIp.values()].flat().filter((l) => l.start === undefined || l.end > l.start);
}

export interface LeaseObservation {
  /** When the leases were read (the daemon's poll time, or the file's mtime for a one-off import). */
  readonly observedAt: number;
  readonly leases: readonly Lease[];
  /** Which lease file/API they came from; absence is judged per source. */
  readonly source: string;
}

export interface TimelineOptions {
  /**
   * How long before its expiry a lease of unknown start is assumed to have begun (dnsmasq writes
   * only the expiry): leases.lease_time, whose default (24 h) is Pi-hole's lease time.
   */
  readonly leaseTimeMs: number;
}

interface Draft {
  ip: string;
  mac: string;
  start: number;
  end: number;
  hostname?: string;
  source: string;
}

interface SourceState {
  lastAt: number;
  /** Leases of unknown start seen in the source's latest observation, by `ip mac`. */
  readonly open: Map<string, Draft>;
  /** Last holder of each IP and when it was seen holding it. */
  readonly holders: Map<string, { mac: string; at: number }>;
}

/**
 * Folds lease observations, in time order per source, into intervals. A lease of unknown start
 * (dnsmasq, Pi-hole API) is assumed to have begun at its first observation or `leaseTime` before
 * its expiry, whichever is earlier (an infinite lease: `leaseTime` before its first observation),
 * but never before the IP was last seen held by another MAC (then: at its first observation). It
 * extends while later observations still show it; when one no longer does, it ends there at the
 * latest (released or expired).
 * Leases whose start the source records (ISC, Kea) are taken as they are; the latest observation
 * of one (same source, IP, MAC, start) replaces earlier ones, so a release shortens it.
 */
export class LeaseTimeline {
  private readonly leaseTime: number;
  private readonly sources = new Map<string, SourceState>();
  private closed: LeaseInterval[] = [];
  private readonly known = new Map<string, LeaseInterval>();

  constructor(opts: TimelineOptions) {
    this.leaseTime = opts.leaseTimeMs;
  }

  /** Adds one observation. Returns false (and ignores it) if it is older than the source's last. */
  observe(obs: LeaseObservation): boolean {
    let st = this.sources.get(obs.source);
    if (!st) this.sources.set(obs.source, (st = { lastAt: -Infinity, open: new Map(), holders: new Map() }));
    if (obs.observedAt < st.lastAt) return false;
    const seen = new Set<string>();
    for (const lease of obs.leases) {
      if (lease.start !== undefined) {
        const iv = toInterval(lease, lease.start, obs.source);
        this.known.set(`${obs.source} ${lease.ip} ${lease.mac} ${lease.start}`, iv);
        continue;
      }
      const key = `${lease.ip} ${lease.mac}`;
      seen.add(key);
      const draft = st.open.get(key);
      if (draft) {
        draft.end = lease.end;
        if (lease.hostname) draft.hostname = lease.hostname;
      } else {
        st.open.set(key, { ...toInterval(lease, this.estimateStart(lease, obs.observedAt, st), obs.source) });
      }
    }
    for (const [key, d] of st.open) {
      if (seen.has(key)) continue;
      st.open.delete(key);
      this.closed.push({ ...d, end: Math.min(d.end, obs.observedAt) });
    }
    for (const lease of obs.leases) {
      if (lease.start === undefined) st.holders.set(lease.ip, { mac: lease.mac, at: obs.observedAt });
    }
    st.lastAt = obs.observedAt;
    return true;
  }

  private estimateStart(lease: Lease, observedAt: number, st: SourceState): number {
    const byExpiry = Number.isFinite(lease.end) ? lease.end - this.leaseTime : observedAt - this.leaseTime;
    const start = Math.min(observedAt, byExpiry);
    // Seen held by another MAC after the estimated start: the estimate is wrong (a lease longer
    // than leaseTime), and the switch happened between that sighting and this one; the earlier
    // holder keeps the gap, whose lease was seen valid and not yet expired.
    const holder = st.holders.get(lease.ip);
    return holder && holder.mac !== lease.mac && start < holder.at ? observedAt : start;
  }

  /** Forgets finished intervals that ended before `ts` (retention). */
  prune(ts: number): void {
    this.closed = this.closed.filter((iv) => iv.end >= ts);
    for (const [key, iv] of this.known) if (iv.end < ts) this.known.delete(key);
  }

  /** All intervals so far, non-overlapping per IP (see normalizeIntervals). */
  intervals(): LeaseInterval[] {
    const open = [...this.sources.values()].flatMap((st) => [...st.open.values()].map((d) => ({ ...d })));
    return normalizeIntervals([...this.closed, ...this.known.values(), ...open]);
  }
}

function toInterval(lease: Lease, start: number, source: string): LeaseInterval {
  return {
    ip: lease.ip,
    mac: lease.mac,
    start,
    end: lease.end,
    ...(lease.hostname ? { hostname: lease.hostname } : {}),
    source,
  };
}

/** leasesToIntervals over a whole set of observations (any order; sorted by time per source). */
export function leasesToIntervals(observations: readonly LeaseObservation[], opts: TimelineOptions): LeaseInterval[] {
  const timeline = new LeaseTimeline(opts);
  for (const obs of [...observations].sort((a, b) => a.observedAt - b.observedAt)) timeline.observe(obs);
  return timeline.intervals();
}

function compareIntervals(a: LeaseInterval, b: LeaseInterval): number {
  if (a.start !== b.start) return a.start < b.start ? -1 : 1;
  if (a.end !== b.end) return a.end < b.end ? -1 : 1;
  return a.mac < b.mac ? -1 : a.mac > b.mac ? 1 : 0;
}

/**
 * Per IP: sorts by start, merges overlapping or touching intervals of the same MAC, and lets a
 * later-starting binding of another MAC cut an earlier one short. An IP has one holder at a time,
 * and the later start is the fresher evidence (the earlier lease was released or its expiry was
 * only an upper bound). Output sorted by IP, then start.
 */
export function normalizeIntervals(intervals: readonly LeaseInterval[]): LeaseInterval[] {
  const byIp = new Map<string, LeaseInterval[]>();
  for (const iv of intervals) {
    if (!(iv.end > iv.start)) continue;
    const list = byIp.get(iv.ip);
    if (list) list.push(iv);
    else byIp.set(iv.ip, [iv]);
  }
  const out: LeaseInterval[] = [];
  for (const ip of [...byIp.keys()].sort()) {
    const list = byIp.get(ip)!.sort(compareIntervals);
    const merged: LeaseInterval[] = [];
    for (const cur of list) {
      const last = merged.at(-1);
      if (last && last.mac === cur.mac && cur.start <= last.end) {
        const hostname = cur.hostname ?? last.hostname;
        merged[merged.length - 1] = { ...last, end: Math.max(last.end, cur.end), ...(hostname ? { hostname } : {}) };
        continue;
      }
      if (last && cur.start < last.end) {
        if (cur.start > last.start) merged[merged.length - 1] = { ...last, end: cur.start };
        else merged.pop();
      }
      merged.push(cur);
    }
    out.push(...merged);
  }
  return out;
}

/** A device configured by hand: an infinite binding when it has a fixed IP. */
export interface StaticDevice {
  readonly mac: string;
  readonly ip?: string;
  readonly hostname?: string;
}

export interface LeaseIndexOptions {
  readonly statics?: readonly StaticDevice[];
  /**
   * How far outside any interval an event may lie and still be attributed to the closest one
   * (clock skew between sources, a lease first seen a poll late, a client using its address a
   * little past the expiry). Default 1 h.
   */
  readonly toleranceMs?: number;
}

export const DEFAULT_TOLERANCE_MS = 3_600_000;

export interface ResolvedDevice {
  readonly mac: string;
  readonly hostname?: string;
  readonly source: string;
  /** `lease`: an interval covers the time; `static`: from config; `nearest`: within tolerance. */
  readonly match: 'lease' | 'static' | 'nearest';
}

interface IpTimeline {
  readonly starts: Float64Array;
  readonly ends: Float64Array;
  readonly items: readonly LeaseInterval[];
}

/**
 * Answers "which MAC had this IP at time T" with a binary search per IP; it runs for every event.
 * Precedence: a lease interval covering T, then a static device with that IP (the user said so,
 * but a lease the server actually granted at T is better evidence than a config that may be
 * stale), then the closest interval within the tolerance (the earlier one on a tie: a device
 * keeps using an address a while after its lease, a new one cannot use it before its grant).
 */
export class LeaseIndex {
  private readonly timelines = new Map<string, IpTimeline>();
  private readonly statics = new Map<string, ResolvedDevice>();
  private readonly tolerance: number;

  constructor(intervals: readonly LeaseInterval[], opts: LeaseIndexOptions = {}) {
    this.tolerance = opts.toleranceMs ?? DEFAULT_TOLERANCE_MS;
    const byIp = new Map<string, LeaseInterval[]>();
    for (const iv of normalizeIntervals(intervals)) {
      const list = byIp.get(iv.ip);
      if (list) list.push(iv);
      else byIp.set(iv.ip, [iv]);
    }
    for (const [ip, items] of byIp) {
      this.timelines.set(ip, {
        starts: Float64Array.from(items, (iv) => iv.start),
        ends: Float64Array.from(items, (iv) => iv.end),
        items,
      });
    }
    for (const s of opts.statics ?? []) {
      if (s.ip === undefined) continue;
      this.statics.set(s.ip, { mac: s.mac, ...(s.hostname ? { hostname: s.hostname } : {}), source: 'config', match: 'static' });
    }
  }

  resolve(ip: string, ts: number): ResolvedDevice | undefined {
    const tl = this.timelines.get(ip);
    const i = tl ? lastStartAtOrBefore(tl.starts, ts) : -1;
    if (tl && i >= 0 && ts < tl.ends[i]!) return resolved(tl.items[i]!, 'lease');
    const fixed = this.statics.get(ip);
    if (fixed) return fixed;
    if (!tl) return undefined;
    const afterPrev = i >= 0 ? ts - tl.ends[i]! : Infinity;
    const beforeNext = i + 1 < tl.starts.length ? tl.starts[i + 1]! - ts : Infinity;
    if (Math.min(afterPrev, beforeNext) > this.tolerance) return undefined;
    return resolved(tl.items[afterPrev <= beforeNext ? i : i + 1]!, 'nearest');
  }
}

function resolved(iv: LeaseInterval, match: ResolvedDevice['match']): ResolvedDevice {
  return { mac: iv.mac, ...(iv.hostname ? { hostname: iv.hostname } : {}), source: iv.source, match };
}

/** Index of the last element <= ts in an ascending array, or -1. */
function lastStartAtOrBefore(starts: Float64Array, ts: number): number {
  let lo = 0;
  let hi = starts.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (starts[mid]! <= ts) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}
