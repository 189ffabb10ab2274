// leases: IP -> MAC intervals observed from lease files, captures and static config.
import type { LeaseInterval } from '../core/types.js';
import type { Db } from './db.js';

interface Row {
  ip: string;
  mac: string;
  start: number;
  end: number | null;
  hostname: string | null;
  source: string;
}

const toInterval = (r: Row): LeaseInterval => ({
  ip: r.ip,
  mac: r.mac,
  start: r.start,
  end: r.end ?? Infinity,
  source: r.source,
  ...(r.hostname ? { hostname: r.hostname } : {}),
});

export class LeaseRepo {
  private readonly upsert;
  private readonly pairRows;

  constructor(private readonly db: Db) {
    // The same lease seen again extends its interval; the start never moves later.
    this.upsert = db.prepare(
      `INSERT INTO leases (ip, mac, start, end, hostname, source) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (ip, mac, source, start) DO UPDATE SET
         end = CASE WHEN excluded.end IS NULL OR end IS NULL THEN NULL ELSE max(end, excluded.end) END,
         hostname = coalesce(excluded.hostname, hostname)`,
    );
    this.pairRows = db.prepare('SELECT ip, mac, start, end, hostname, source FROM leases WHERE ip = ? AND mac = ? ORDER BY start');
  }

  /**
   * Store intervals. Returns the earliest time from which the device behind some stored activity
   * may now be another (undefined: nothing new). A pair of IP and MAC never seen before can
   * change the device of every lookup that IP ever made (an IP only one device ever held is
   * that device's at any time), so it counts from `earliestActivity(ip)`; a known pair only
   * from the first moment its new interval covers that its old ones did not, less `toleranceMs`.
   */
  add(intervals: readonly LeaseInterval[], earliestActivity: (ip: string) => number | undefined, toleranceMs: number): number | undefined {
    let changed = Infinity;
    for (const l of intervals) {
      const known = (this.pairRows.all(l.ip, l.mac) as Row[]).map(toInterval);
      const from = known.length === 0 ? Math.min(l.start, earliestActivity(l.ip) ?? l.start) : firstUncovered(known, l);
      if (from !== undefined) changed = Math.min(changed, from - (known.length === 0 ? 0 : toleranceMs));
      this.upsert.run(l.ip, l.mac, l.start, Number.isFinite(l.end) ? l.end : null, l.hostname ?? null, l.source);
    }
    return Number.isFinite(changed) ? changed : undefined;
  }

  all(): LeaseInterval[] {
    return (this.db.prepare('SELECT ip, mac, start, end, hostname, source FROM leases').all() as Row[]).map(toInterval);
  }

  deleteMac(mac: string): number {
    return this.db.prepare('DELETE FROM leases WHERE mac = ?').run(mac).changes;
  }
}

/** The first instant of `l` that none of `known` (same IP and MAC) covers, if any. */
function firstUncovered(known: readonly LeaseInterval[], l: LeaseInterval): number | undefined {
  let at = l.start;
  for (const k of [...known].sort((a, b) => a.start - b.start)) {
    if (k.start > at) break;
    if (k.end > at) at = k.end;
    if (at >= l.end) return undefined;
  }
  return at < l.end ? at : undefined;
}
