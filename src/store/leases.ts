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

export class LeaseRepo {
  private readonly upsert;

  constructor(private readonly db: Db) {
    // The same lease seen again extends its interval; the start never moves later.
    this.upsert = db.prepare(
      `INSERT INTO leases (ip, mac, start, end, hostname, source) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (ip, mac, source, start) DO UPDATE SET
         end = CASE WHEN excluded.end IS NULL OR end IS NULL THEN NULL ELSE max(end, excluded.end) END,
         hostname = coalesce(excluded.hostname, hostname)`,
    );
  }

  add(intervals: readonly LeaseInterval[]): void {
    for (const l of intervals) {
      this.upsert.run(l.ip, l.mac, l.start, Number.isFinite(l.end) ? l.end : null, l.hostname ?? null, l.source);
    }
  }

  all(): LeaseInterval[] {
    const rows = this.db.prepare('SELECT ip, mac, start, end, hostname, source FROM leases').all() as Row[];
    return rows.map((r) => ({
      ip: r.ip,
      mac: r.mac,
      start: r.start,
      end: r.end ?? Infinity,
      source: r.source,
      ...(r.hostname ? { hostname: r.hostname } : {}),
    }));
  }

  deleteMac(mac: string): number {
    return this.db.prepare('DELETE FROM leases WHERE mac = ?').run(mac).changes;
  }
}
