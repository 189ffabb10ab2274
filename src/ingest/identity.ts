// Identity input: lease intervals (from lease files, the Pi-hole API, captures) stored together
// with the rebuild mark of the time from which they may change which device did what.
import { DEFAULT_TOLERANCE_MS } from '../core/leases.js';
import type { LeaseInterval } from '../core/types.js';
import type { Store } from '../store/index.js';

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

