// flows: bytes per minute between a local address and a monitored remote one.
import type { FlowMinute } from '../core/types.js';
import type { Db } from './db.js';

export interface StoredFlow {
  readonly minute: number;
  readonly localIp: string;
  readonly remoteIp: string;
  readonly service: string;
  readonly role: 'video' | 'ui';
  readonly device: string | null;
  readonly bytesDown: number;
  readonly bytesUp: number;
}

export class FlowRepo {
  private readonly upsert;
  private readonly setDeviceStmt;

  constructor(private readonly db: Db) {
    // A minute can span two capture files: add, never overwrite.
    this.upsert = db.prepare(
      `INSERT INTO flows (minute, local_ip, remote_ip, service, role, bytes_down, bytes_up, packets_down, packets_up)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (minute, local_ip, remote_ip, service) DO UPDATE SET
         bytes_down = bytes_down + excluded.bytes_down, bytes_up = bytes_up + excluded.bytes_up,
         packets_down = packets_down + excluded.packets_down, packets_up = packets_up + excluded.packets_up,
         role = CASE WHEN excluded.role = 'video' THEN 'video' ELSE role END`,
    );
    this.setDeviceStmt = db.prepare(
      'UPDATE flows SET device = ? WHERE minute = ? AND local_ip = ? AND remote_ip = ? AND service = ?',
    );
  }

  add(flows: readonly FlowMinute[]): void {
    for (const f of flows) {
      this.upsert.run(f.minute, f.localIp, f.remoteIp, f.service, f.role, f.bytesDown, f.bytesUp, f.packetsDown, f.packetsUp);
    }
  }

  between(from: number, to: number): StoredFlow[] {
    return this.db
      .prepare(
        `SELECT minute, local_ip AS localIp, remote_ip AS remoteIp, service, role, device,
                bytes_down AS bytesDown, bytes_up AS bytesUp
         FROM flows WHERE minute BETWEEN ? AND ? ORDER BY minute`,
      )
      .all(from, to) as StoredFlow[];
  }

  setDevice(f: StoredFlow, device: string): void {
    this.setDeviceStmt.run(device, f.minute, f.localIp, f.remoteIp, f.service);
  }

  deleteOlderThan(ts: number): number {
    return this.db.prepare('DELETE FROM flows WHERE minute < ?').run(ts).changes;
  }
}
