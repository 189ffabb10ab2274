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

  /** The earliest start of a session that starts before `at` and ends at or after it. */
  earliestStraddling(at: number): number | undefined {
    const r = this.db.prepare('SELECT min(start) AS start FROM sessions WHERE end >= ? AND start < ?').get(at, at) as { start: number | null };
    return r.start ?? undefined;
  }

  /**
   * Replace the sessions ending at or after `from` by `next`. Returns the id of every session in
   * `next`, keyed by sessionKey(). Call inside a transaction.
   */
  replaceFrom(from: number, next: readonly Session[]): Map<string, number> {
    const replacer = this.replacer(from);
    const ids = replacer.write(next);
    replacer.finish();
    return ids;
  }

  /** replaceFrom a batch at a time: for a rebuild that folds its history a window at a time. */
  replacer(from: number): SessionReplacer {
    return new SessionReplacer(this.db, from);
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

/**
 * Replacing the sessions that end at or after `from` by the next ones, given in batches in
 * foldSessions' order (by start, device, service). A stored session that survives (same device
 * and service, the same start or else the first overlapping one) keeps its id, so alerts keep
 * pointing at it. What the replacer holds is the ids of the stored sessions already taken; the
 * stored ones are read per session from the table (the unique index on device, service, start).
 * Call inside a transaction, finish() last.
 */
export class SessionReplacer {
  private readonly used = new Set<number>();
  /** Rows above this id are new ones. */
  private readonly lastOldId: number;
  private readonly update;
  private readonly insert;
  private readonly candidates;
  private readonly byKey;

  constructor(
    private readonly db: Db,
    private readonly from: number,
  ) {
    this.lastOldId = (db.prepare('SELECT coalesce(max(id), 0) AS id FROM sessions').get() as { id: number }).id;
    this.update = db.prepare(
      `UPDATE sessions SET ip = ?, start = ?, end = ?, first_video = ?, bytes_down = ?, bytes_up = ?, avg_mbps = ?,
         peak_mbps = ?, quality = ?, evidence = ? WHERE id = ?`,
    );
    this.insert = db.prepare(
      `INSERT INTO sessions (device, service, ip, start, end, first_video, bytes_down, bytes_up, avg_mbps, peak_mbps, quality, evidence)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.byKey = db.prepare('SELECT id FROM sessions WHERE device = ? AND service = ? AND start = ?');
    // Stored sessions that `s` may take over: the same start, or overlapping it.
    this.candidates = db.prepare(
      `SELECT id, start FROM sessions WHERE device = ? AND service = ? AND id <= ? AND end >= ? AND start <= ? AND end >= ? ORDER BY start`,
    );
  }

  /** The next sessions; returns the id of each, keyed by sessionKey(). */
  write(next: readonly Session[]): Map<string, number> {
    const ids = new Map<string, number>();
    for (const s of next) {
      const values = [s.ip, s.start, s.end, s.firstVideo, s.bytesDown, s.bytesUp, s.avgMbps, s.peakMbps, s.quality, s.evidence.join(',')];
      const old = (this.candidates.all(s.device, s.service, this.lastOldId, this.from, s.end, s.start) as { id: number; start: number }[]).filter(
        (o) => !this.used.has(o.id),
      );
      const match = old.find((o) => o.start === s.start) ?? old[0];
      if (match) {
        this.used.add(match.id);
        this.update.run(...values, match.id);
        ids.set(sessionKey(s), match.id);
      } else {
        const r = this.insert.run(s.device, s.service, ...values);
        ids.set(sessionKey(s), Number(r.lastInsertRowid));
      }
    }
    return ids;
  }

  /** The id of a session written before. */
  idOf(s: { device: string; service: string; start: number }): number | undefined {
    return (this.byKey.get(s.device, s.service, s.start) as { id: number } | undefined)?.id;
  }

  /**
   * The stored sessions nothing took over are gone: merged into a new one that overlaps them (their
   * alerts follow there) or no longer there at all (their alerts keep no session).
   */
  finish(): void {
    const page = this.db.prepare('SELECT id, device, service, start, end FROM sessions WHERE id > ? AND id <= ? AND end >= ? ORDER BY id LIMIT 500');
    const into = this.db.prepare('SELECT id FROM sessions WHERE device = ? AND service = ? AND start <= ? AND end >= ? ORDER BY start');
    const move = this.db.prepare('UPDATE alerts SET session_id = ? WHERE session_id = ?');
    const del = this.db.prepare('DELETE FROM sessions WHERE id = ?');
    for (let after = 0; ; ) {
      const rows = page.all(after, this.lastOldId, this.from) as Pick<SessionRow, 'id' | 'device' | 'service' | 'start' | 'end'>[];
      if (rows.length === 0) break;
      after = rows[rows.length - 1]!.id;
      for (const o of rows.filter((r) => !this.used.has(r.id))) {
        const next = (into.all(o.device, o.service, o.end, o.start) as { id: number }[]).find((r) => r.id > this.lastOldId || this.used.has(r.id));
        move.run(next?.id ?? null, o.id);
        del.run(o.id);
      }
    }
  }
}
