// sources: each file read, identified by a fingerprint of its first bytes so that a rotated,
// renamed or compressed copy of a file already read is recognised and resumed, not read twice.
import type { SkipCounts } from '../core/types.js';
import type { Db } from './db.js';

// pihole_db: Pi-hole's FTL database, one row per path: offset = last row id read, size = highest id
// seen, fingerprint = the timestamp (ms) of the last row read (tells a replaced database apart).
export type SourceKind = 'pihole' | 'pihole_db' | 'capture' | 'leases' | 'viewing_activity';

export interface SourceRow {
  readonly id: number;
  readonly kind: SourceKind;
  readonly path: string;
  readonly fingerprint: string;
  readonly fpLen: number;
  readonly inode: number | null;
  readonly offset: number;
  readonly size: number;
  readonly complete: boolean;
  readonly lines: number;
  readonly parsed: number;
  readonly skipped: SkipCounts;
  readonly firstEvent: number | null;
  readonly lastEvent: number | null;
  readonly lastError: string | null;
  readonly updatedAt: number;
}

export interface Progress {
  readonly path: string;
  readonly inode: number | null;
  readonly offset: number;
  readonly size: number;
  readonly complete: boolean;
  readonly addLines: number;
  readonly addParsed: number;
  readonly addSkipped: SkipCounts;
  readonly firstEvent?: number | undefined;
  readonly lastEvent?: number | undefined;
  readonly now: number;
}

type RawRow = Omit<SourceRow, 'complete' | 'skipped'> & { complete: number; skipped: string };
const COLUMNS = `id, kind, path, fingerprint, fp_len AS fpLen, inode, offset, size, complete, lines, parsed, skipped,
  first_event AS firstEvent, last_event AS lastEvent, last_error AS lastError, updated_at AS updatedAt`;
const toRow = (r: RawRow): SourceRow => ({ ...r, complete: r.complete === 1, skipped: JSON.parse(r.skipped) as SkipCounts });

export class SourceRepo {
  constructor(private readonly db: Db) {}

  byKind(kind: SourceKind): SourceRow[] {
    return (this.db.prepare(`SELECT ${COLUMNS} FROM sources WHERE kind = ? ORDER BY updated_at DESC`).all(kind) as RawRow[]).map(toRow);
  }

  all(): SourceRow[] {
    return (this.db.prepare(`SELECT ${COLUMNS} FROM sources ORDER BY kind, updated_at DESC`).all() as RawRow[]).map(toRow);
  }

  get(id: number): SourceRow | undefined {
    const r = this.db.prepare(`SELECT ${COLUMNS} FROM sources WHERE id = ?`).get(id) as RawRow | undefined;
    return r ? toRow(r) : undefined;
  }

  create(kind: SourceKind, path: string, fingerprint: string, fpLen: number, inode: number | null, now: number): number {
    const r = this.db
      .prepare('INSERT INTO sources (kind, path, fingerprint, fp_len, inode, updated_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(kind, path, fingerprint, fpLen, inode, now);
    return Number(r.lastInsertRowid);
  }

  /** Record how far a file was read. Call in the transaction that stored what it produced. */
  progress(id: number, p: Progress): void {
    const row = this.get(id);
    if (!row) return;
    const skipped = { ...row.skipped };
    for (const [k, v] of Object.entries(p.addSkipped)) skipped[k] = (skipped[k] ?? 0) + v;
    this.db
      .prepare(
        `UPDATE sources SET path = ?, inode = ?, offset = ?, size = ?, complete = ?, lines = lines + ?, parsed = parsed + ?,
           skipped = ?, first_event = coalesce(min(first_event, ?), first_event, ?), last_event = coalesce(max(last_event, ?), last_event, ?),
           last_error = NULL, updated_at = ? WHERE id = ?`,
      )
      .run(p.path, p.inode, p.offset, p.size, p.complete ? 1 : 0, p.addLines, p.addParsed, JSON.stringify(skipped),
        p.firstEvent ?? null, p.firstEvent ?? null, p.lastEvent ?? null, p.lastEvent ?? null, p.now, id);
  }

  /** Counters back to zero, for a file read again from its start. */
  reset(id: number): void {
    this.db.prepare("UPDATE sources SET offset = 0, lines = 0, parsed = 0, skipped = '{}', first_event = NULL, last_event = NULL WHERE id = ?").run(id);
  }

  updateFingerprint(id: number, fingerprint: string, fpLen: number): void {
    this.db.prepare('UPDATE sources SET fingerprint = ?, fp_len = ? WHERE id = ?').run(fingerprint, fpLen, id);
  }

  setError(id: number, error: string, now: number): void {
    this.db.prepare('UPDATE sources SET last_error = ?, updated_at = ? WHERE id = ?').run(error, now, id);
  }

  delete(id: number): void {
    this.db.prepare('DELETE FROM sources WHERE id = ?').run(id);
  }
}
