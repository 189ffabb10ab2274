// flows: bytes per minute between a local address and a monitored remote one, per capture file.
import type { FlowMinute, Role } from '../core/types.js';
import type { Db } from './db.js';

export interface StoredFlow {
  readonly sourceId: number;
  readonly minute: number;
  readonly localIp: string;
  readonly remoteIp: string;
  readonly service: string;
  readonly role: Role;
  readonly device: string | null;
  readonly bytesDown: number;
  readonly bytesUp: number;
}

export class FlowRepo {
  private readonly insert;
  private readonly setDeviceStmt;

  constructor(private readonly db: Db) {
    this.insert = db.prepare(
      `INSERT INTO flows (source_id, minute, local_ip, remote_ip, service, role, bytes_down, bytes_up, packets_down, packets_up)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.setDeviceStmt = db.prepare(
      'UPDATE flows SET device = ? WHERE minute = ? AND local_ip = ? AND remote_ip = ? AND service = ? AND source_id = ?',
    );
  }

  /**
   * The flows a capture file gave, replacing what an earlier read of the same file stored (a file
   * read when cut short and again when complete counts each packet once). A minute that spans two
   * files has a row from each. Call inside the transaction that records the file as read.
   */
  replaceSource(sourceId: number, flows: readonly FlowMinute[]): void {
    this.db.prepare('DELETE FROM flows WHERE source_id = ?').run(sourceId);
    for (const f of flows) {
      this.insert.run(sourceId, f.minute, f.localIp, f.remoteIp, f.service, f.role, f.bytesDown, f.bytesUp, f.packetsDown, f.packetsUp);
    }
  }

  between(from: number, to: number): StoredFlow[] {
    return this.db
      .prepare(
        `SELECT source_id AS sourceId, minute, local_ip AS localIp, remote_ip AS remoteIp, service, role, device,
                bytes_down AS bytesDown, bytes_up AS bytesUp
         FROM flows WHERE minute BETWEEN ? AND ? ORDER BY minute`,
      )
      .all(from, to) as StoredFlow[];
  }

  setDevice(f: StoredFlow, device: string): void {
    this.setDeviceStmt.run(device, f.minute, f.localIp, f.remoteIp, f.service, f.sourceId);
  }

  /** The earliest flow of a local address. */
  earliestFrom(ip: string): number | undefined {
    const r = this.db.prepare('SELECT min(minute) AS ts FROM flows WHERE local_ip = ?').get(ip) as { ts: number | null };
    return r.ts ?? undefined;
  }

  /** The earliest minute a capture file gave. */
  earliestOfSource(sourceId: number): number | undefined {
    const r = this.db.prepare('SELECT min(minute) AS ts FROM flows WHERE source_id = ?').get(sourceId) as { ts: number | null };
    return r.ts ?? undefined;
  }

  deleteOlderThan(ts: number): number {
    return this.db.prepare('DELETE FROM flows WHERE minute < ?').run(ts).changes;
  }
}
