// devices and device_ips: the identity (MAC) of each device and what hangs off it.
import type { Trust } from '../core/types.js';
import type { Db } from './db.js';

export interface DeviceRow {
  readonly device: string;
  readonly name: string | null;
  readonly hostname: string | null;
  readonly vendor: string | null;
  readonly trust: Trust;
  readonly randomized: boolean;
  readonly firstSeen: number | null;
  readonly lastSeen: number | null;
  readonly ips: string[];
}

export interface Sighting {
  readonly device: string;
  readonly ip: string;
  readonly ts: number;
  readonly hostname?: string | undefined;
}

interface RawRow extends Omit<DeviceRow, 'randomized' | 'ips'> {
  randomized: number;
  ips: string | null;
}

const SELECT = `SELECT d.device, d.name, d.hostname, d.vendor, d.trust, d.randomized,
  d.first_seen AS firstSeen, d.last_seen AS lastSeen,
  (SELECT group_concat(ip, ' ') FROM (SELECT ip FROM device_ips i WHERE i.device = d.device ORDER BY last_seen DESC)) AS ips
  FROM devices d`;

export class DeviceRepo {
  private readonly seenStmt;
  private readonly ipStmt;

  constructor(private readonly db: Db) {
    this.seenStmt = db.prepare(
      `INSERT INTO devices (device, hostname, first_seen, last_seen) VALUES (?, ?, ?, ?)
       ON CONFLICT (device) DO UPDATE SET
         hostname = coalesce(excluded.hostname, hostname),
         first_seen = min(coalesce(first_seen, excluded.first_seen), excluded.first_seen),
         last_seen = max(coalesce(last_seen, excluded.last_seen), excluded.last_seen)`,
    );
    this.ipStmt = db.prepare(
      `INSERT INTO device_ips (device, ip, first_seen, last_seen) VALUES (?, ?, ?, ?)
       ON CONFLICT (device, ip) DO UPDATE SET
         first_seen = min(first_seen, excluded.first_seen), last_seen = max(last_seen, excluded.last_seen)`,
    );
  }

  /** Record that a device was active (or leased) with an IP at ts. */
  seen(s: Sighting): void {
    this.seenStmt.run(s.device, s.hostname ?? null, s.ts, s.ts);
    this.ipStmt.run(s.device, s.ip, s.ts, s.ts);
  }

  /** Ensure a row exists, e.g. for a device named in config before it was ever seen. */
  ensure(device: string): void {
    this.db.prepare('INSERT INTO devices (device) VALUES (?) ON CONFLICT (device) DO NOTHING').run(device);
  }

  setIdentity(device: string, fields: { vendor?: string | null; randomized?: boolean; hostname?: string | null }): void {
    this.ensure(device);
    if (fields.vendor !== undefined) this.db.prepare('UPDATE devices SET vendor = ? WHERE device = ?').run(fields.vendor, device);
    if (fields.randomized !== undefined) {
      this.db.prepare('UPDATE devices SET randomized = ? WHERE device = ?').run(fields.randomized ? 1 : 0, device);
    }
    if (fields.hostname) this.db.prepare('UPDATE devices SET hostname = ? WHERE device = ?').run(fields.hostname, device);
  }

  setLabel(device: string, name: string | undefined, trust: Trust | undefined): void {
    this.ensure(device);
    if (name !== undefined) this.db.prepare('UPDATE devices SET name = ? WHERE device = ?').run(name, device);
    if (trust !== undefined) this.db.prepare('UPDATE devices SET trust = ? WHERE device = ?').run(trust, device);
  }

  list(): DeviceRow[] {
    return (this.db.prepare(`${SELECT} ORDER BY coalesce(d.last_seen, 0) DESC, d.device`).all() as RawRow[]).map(toRow);
  }

  get(device: string): DeviceRow | undefined {
    const raw = this.db.prepare(`${SELECT} WHERE d.device = ?`).get(device) as RawRow | undefined;
    return raw ? toRow(raw) : undefined;
  }

  /** Find by MAC, name (case-insensitive), hostname or IP. */
  find(query: string): DeviceRow[] {
    const q = query.trim().toLowerCase();
    const rows = this.db
      .prepare(
        `${SELECT} WHERE d.device = ? OR lower(d.name) = ? OR lower(d.hostname) = ?
           OR d.device IN (SELECT device FROM device_ips WHERE ip = ?)`,
      )
      .all(q, q, q, query.trim()) as RawRow[];
    return rows.map(toRow);
  }

  withoutVendor(): string[] {
    return (this.db.prepare("SELECT device FROM devices WHERE vendor IS NULL AND device NOT LIKE 'ip:%'").all() as { device: string }[]).map(
      (r) => r.device,
    );
  }

  delete(device: string): void {
    this.db.prepare('DELETE FROM device_ips WHERE device = ?').run(device);
    this.db.prepare('DELETE FROM devices WHERE device = ?').run(device);
  }
}

function toRow(r: RawRow): DeviceRow {
  return { ...r, randomized: r.randomized === 1, ips: r.ips ? r.ips.split(' ') : [] };
}
