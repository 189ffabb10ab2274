// Identity input: lease intervals (from lease files, the Pi-hole API, captures) stored together
// with the rebuild mark of the time from which they may change which device did what.
import { DEFAULT_TOLERANCE_MS } from '../core/leases.js';
import type { LeaseInterval } from '../core/types.js';
import type { Store } from '../store/index.js';
import type { DeviceResolver } from './context.js';

/**
 * Store lease intervals and mark the time from which they may change who did what. Returns that
 * time, or undefined when the intervals told nothing new.
 */
export function storeLeases(store: Store, intervals: readonly LeaseInterval[]): number | undefined {
  const earliest = (ip: string): number | undefined => {
    const times = [store.events.earliestFrom(ip), store.flows.earliestFrom(ip)].filter((t): t is number => t !== undefined);
    return times.length > 0 ? Math.min(...times) : undefined;
  };
  return store.tx(() => {
    const changed = store.leases.add(intervals, earliest, DEFAULT_TOLERANCE_MS);
    if (changed !== undefined) store.mark.changed(changed);
    return changed;
  });
}


/**
 * Who made a lookup from `ip` at `ts`: the device that held the address then, or the address
 * itself (`ip:...`) while no lease names one. The rebuild attributes every row this way; a
 * store that sets it on insert spares the rebuild the rewrite. The resolver is built on first
 * use: a live log's read of a few lines about other names needs none.
 */
export function attribution(resolver: () => DeviceResolver): (ip: string, ts: number) => string {
  let r: DeviceResolver | undefined;
  return (ip, ts) => (r ??= resolver()).resolve(ip, ts)?.mac ?? `ip:${ip}`;
}
