// A one-off import often pairs days of log with one lease snapshot that covers only its last day.
// DHCP servers hand a returning device its old address, so an IP that only one device was ever
// seen holding is attributed to that device at any time; where several devices held an IP, only
// the lease valid at the time (within the index's tolerance) counts.
import type { LeaseInterval } from './types.js';

export interface Resolver {
  resolve(ip: string, ts: number): { mac: string; hostname?: string | undefined } | undefined;
}

export class StickyResolver implements Resolver {
  private readonly sole = new Map<string, { mac: string; hostname?: string | undefined }>();

  constructor(
    private readonly inner: Resolver,
    intervals: readonly LeaseInterval[],
  ) {
    const holders = new Map<string, Set<string>>();
    for (const iv of intervals) {
      const set = holders.get(iv.ip) ?? new Set<string>();
      set.add(iv.mac);
      holders.set(iv.ip, set);
      if (set.size === 1) this.sole.set(iv.ip, { mac: iv.mac, hostname: iv.hostname ?? this.sole.get(iv.ip)?.hostname });
    }
    for (const [ip, set] of holders) if (set.size > 1) this.sole.delete(ip);
  }

  resolve(ip: string, ts: number): { mac: string; hostname?: string | undefined } | undefined {
    return this.inner.resolve(ip, ts) ?? this.sole.get(ip);
  }
}
