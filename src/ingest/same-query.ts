// One query can reach us twice, from Pi-hole's log and from its database: both steps that store
// lookups (pihole-log.ts, pihole-db.ts) ask here how to recognise the other's copy.
import type { AddDnsOptions } from '../store/events.js';
import type { Store } from '../store/index.js';

/**
 * How a lookup about to be stored from one kind of Pi-hole input finds the same query stored from
 * the other: the log's second is the database's or the one before, never the one after.
 */
export function sameQueryOf(store: Store, incoming: 'pihole' | 'pihole_db'): AddDnsOptions | undefined {
  const sources = store.sources.byKind(incoming === 'pihole' ? 'pihole_db' : 'pihole').map((s) => s.id);
  if (sources.length === 0) return undefined;
  return { sameQuery: incoming === 'pihole' ? { sources, fromMs: 0, toMs: 1000 } : { sources, fromMs: -1000, toMs: 0 } };
}
