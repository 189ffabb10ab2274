// sessions: viewing sessions as last folded. Rebuilding a time window keeps the ids of sessions
// that survive (same device and service, overlapping), so alerts keep pointing at them.
import type { Quality, Session } from '../core/types.js';
import type { Db } from './db.js';

export interface SessionRow {
  readonly id: number;
  readonly device: string;
  readonly service: string;
  readonly ip: string;
  readonly start: number;
  readonly end: number;
  readonly firstVideo: number;
  readonly bytesDown: number | null;
  readonly bytesUp: number | null;
  readonly avgMbps: number | null;
  readonly peakMbps: number | null;
  readonly quality: Quality | null;
  readonly evidence: string[];
}

export interface SessionQuery {
  readonly since?: number;
  readonly until?: number;
  readonly devices?: readonly string[];
  readonly service?: string;
}

const COLUMNS = `id, device, service, ip, start, end, first_video AS firstVideo, bytes_down AS bytesDown,
  bytes_up AS bytesUp, avg_mbps AS avgMbps, peak_mbps AS peakMbps, quality, evidence`;

type RawRow = Omit<SessionRow, 'evidence'> & { evidence: string };
const toRow = (r: RawRow): SessionRow => ({ ...r, evidence: r.evidence.split(',').filter(Boolean) });

export class SessionRepo {
  constructor(private readonly db: Db) {}

  /** Sessions that end at or after `from`: the ones a rebuild from `from` may change. */
  endingAfter(from: number): SessionRow[] {
    return (this.db.prepare(`SELECT ${COLUMNS} FROM sessions WHERE end >= ? ORDER BY start`).all(from) as RawRow[]).map(toRow);
  }

  /**
   * Replace the sessions ending at or after `from` by `next`. Returns the id of every session in
   * `next`, keyed by sessionKey(). Call inside a transaction.
   */
  replaceFrom(from: number, next: readonly Session[]): Map<string, number> {
    const old = this.endingAfter(from);
    const used = new Set<number>();
    const ids = new Map<string, number>();
    const update = this.db.prepare(
      `UPDATE sessions SET ip = ?, start = ?, end = ?, first_video = ?, bytes_down = ?, bytes_up = ?, avg_mbps = ?,
         peak_mbps = ?, quality = ?, evidence = ? WHERE id = ?`,
    );
    const insert = this.db.prepare(
      `INSERT INTO sessions (device, service, ip, start, end, first_video, bytes_down, bytes_up, avg_mbps, peak_mbps, quality, evidence)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    for (const s of next) {
      const values = [s.ip, s.start, s.end, s.firstVideo, s.bytesDown, s.bytesUp, s.avgMbps, s.peakMbps, s.quality, s.evidence.join(',')];
      const match =
        old.find((o) => !used.has(o.id) && o.device === s.device && o.service === s.service && o.start === s.start) ??
        old.find((o) => !used.has(o.id) && o.device === s.device && o.service === s.service && o.start <= s.end && s.start <= o.end);
      if (match) {
        used.add(match.id);
        update.run(...values, match.id);
        ids.set(sessionKey(s), match.id);
      } else {
        const r = insert.run(s.device, s.service, ...values);
        ids.set(sessionKey(s), Number(r.lastInsertRowid));
      }
    }
    // A session that is gone was merged into one that overlaps it (its alerts follow there) or
    // no longer exists (its alerts keep no session).
    for (const o of old.filter((x) => !used.has(x.id))) {
      const into = next.find((s) => s.device === o.device && s.service === o.service && s.start <= o.end && o.start <= s.end);
      const survivor = into ? (ids.get(sessionKey(into)) ?? null) : null;
      this.db.prepare('UPDATE alerts SET session_id = ? WHERE session_id = ?').run(survivor, o.id);
      this.db.prepare('DELETE FROM sessions WHERE id = ?').run(o.id);
    }
    return ids;
  }

  query(q: SessionQuery): SessionRow[] {
    const where: string[] = [];
    const args: (string | number)[] = [];
    if (q.since !== undefined) {
      where.push('end >= ?');
      args.push(q.since);
    }
    if (q.until !== undefined) {
      where.push('start <= ?');
      args.push(q.until);
    }
    if (q.devices) {
      where.push(`device IN (${q.devices.map(() => '?').join(',') || "''"})`);
      args.push(...q.devices);
    }
    if (q.service) {
      where.push('service = ?');
      args.push(q.service);
    }
    const sql = `SELECT ${COLUMNS} FROM sessions ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY start, id`;
    return (this.db.prepare(sql).all(...args) as RawRow[]).map(toRow);
  }

  deleteDevice(device: string): number {
    return this.db.prepare('DELETE FROM sessions WHERE device = ?').run(device).changes;
  }
}

export function sessionKey(s: { device: string; service: string; start: number }): string {
  return `${s.device}\u0000${s.service}\u0000${s.start}`;
}
