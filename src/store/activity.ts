// Read-only queries for activity, the dashboard and the report: the newest session of every
// device, and bytes per device and minute from captures. Nothing here writes.
import type { Db } from './db.js';
import type { SessionRow } from './sessions.js';

export interface DeviceFlowMinute {
  readonly device: string;
  readonly minute: number;
  readonly bytesDown: number;
}

const COLUMNS = `s.id, s.device, s.service, s.ip, s.start, s.end, s.first_video AS firstVideo, s.bytes_down AS bytesDown,
  s.bytes_up AS bytesUp, s.avg_mbps AS avgMbps, s.peak_mbps AS peakMbps, s.quality, s.evidence`;

type RawRow = Omit<SessionRow, 'evidence'> & { evidence: string };

export class ActivityQueries {
  constructor(private readonly db: Db) {}

  /**
   * The newest session (by start, then end) of every device that ever streamed, among those that
   * started at or before `asOf`.
   */
  lastSessions(asOf: number): SessionRow[] {
    const rows = this.db
      .prepare(
        `SELECT ${COLUMNS} FROM sessions s
         JOIN (SELECT device, max(start) AS latest FROM sessions WHERE start <= ? GROUP BY device) l
           ON s.device = l.device AND s.start = l.latest
         ORDER BY s.device, s.end DESC`,
      )
      .all(asOf) as RawRow[];
    const seen = new Set<string>();
    return rows
      .filter((r) => !seen.has(r.device) && seen.add(r.device))
      .map((r) => ({ ...r, evidence: r.evidence.split(',').filter(Boolean) }));
  }

  /** Bytes down per attributed device and minute in [from, to) (a range of the primary key, minute first). */
  flowMinutes(from: number, to: number): DeviceFlowMinute[] {
    return this.db
      .prepare(
        `SELECT device, minute, sum(bytes_down) AS bytesDown FROM flows
         WHERE device IS NOT NULL AND minute >= ? AND minute < ? GROUP BY device, minute ORDER BY device, minute`,
      )
      .all(from, to) as DeviceFlowMinute[];
  }
}
