// dns_events and served_addresses: what Pi-hole (or a capture) saw of monitored names.
import type { Activity, DnsActivity, ServedAddress } from '../core/types.js';
import type { Db } from './db.js';

export interface StoredDnsEvent {
  readonly id: number;
  readonly ts: number;
  readonly clientIp: string;
  readonly device: string | null;
  readonly name: string;
  readonly role: 'video' | 'ui';
  readonly service: string;
}

export class EventRepo {
  private readonly insertDns;
  private readonly upsertServed;
  private readonly setDeviceStmt;

  constructor(private readonly db: Db) {
    this.insertDns = db.prepare(
      `INSERT INTO dns_events (ts, client_ip, name, qtype, service, role, blocked, source_id)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.upsertServed = db.prepare(
      `INSERT INTO served_addresses (ip, service, role, name, first_seen, last_seen) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (ip, service) DO UPDATE SET
         first_seen = min(first_seen, excluded.first_seen),
         last_seen = max(last_seen, excluded.last_seen),
         role = CASE WHEN excluded.role = 'video' THEN 'video' ELSE role END,
         name = CASE WHEN excluded.last_seen >= last_seen THEN excluded.name ELSE name END`,
    );
    this.setDeviceStmt = db.prepare('UPDATE dns_events SET device = ? WHERE id = ?');
  }

  /** Call inside a transaction. */
  addDns(events: readonly DnsActivity[], sourceId: number | null): void {
    for (const e of events) {
      this.insertDns.run(e.ts, e.clientIp, e.name, e.qtype, e.service, e.role, e.blocked ? 1 : 0, sourceId);
    }
  }

  /** The same address is answered again and again: fold a batch to one row per address first. */
  addServed(served: readonly ServedAddress[]): void {
    const folded = new Map<string, { s: ServedAddress; first: number; last: number; video: boolean }>();
    for (const s of served) {
      const key = `${s.ip} ${s.service}`;
      const f = folded.get(key);
      if (!f) folded.set(key, { s, first: s.ts, last: s.ts, video: s.role === 'video' });
      else {
        f.first = Math.min(f.first, s.ts);
        if (s.ts >= f.last) {
          f.last = s.ts;
          f.s = s;
        }
        f.video ||= s.role === 'video';
      }
    }
    for (const { s, first, last, video } of folded.values()) {
      this.upsertServed.run(s.ip, s.service, video ? 'video' : s.role, s.name, first, last);
    }
  }

  /** Unblocked lookups in [from, to], oldest first. */
  dnsBetween(from: number, to: number): StoredDnsEvent[] {
    return this.db
      .prepare(
        `SELECT id, ts, client_ip AS clientIp, device, name, role, service FROM dns_events
         WHERE ts BETWEEN ? AND ? AND blocked = 0 ORDER BY ts, id`,
      )
      .all(from, to) as StoredDnsEvent[];
  }

  setDevice(id: number, device: string): void {
    this.setDeviceStmt.run(device, id);
  }

  /** Set the device of many events at once (a rebuild resolves thousands). */
  setDevices(changes: ReadonlyMap<string, readonly number[]>): void {
    const CHUNK = 500;
    for (const [device, ids] of changes) {
      for (let i = 0; i < ids.length; i += CHUNK) {
        const part = ids.slice(i, i + CHUNK);
        this.db.prepare(`UPDATE dns_events SET device = ? WHERE id IN (${part.map(() => '?').join(',')})`).run(device, ...part);
      }
    }
  }

  servedAddress(ip: string): { service: string; role: 'video' | 'ui' } | undefined {
    return this.db.prepare('SELECT service, role FROM served_addresses WHERE ip = ? ORDER BY role DESC LIMIT 1').get(ip) as
      | { service: string; role: 'video' | 'ui' }
      | undefined;
  }

  count(): number {
    return (this.db.prepare('SELECT count(*) AS n FROM dns_events').get() as { n: number }).n;
  }

  deleteOlderThan(ts: number): number {
    return this.db.prepare('DELETE FROM dns_events WHERE ts < ?').run(ts).changes;
  }
}

export function dnsToActivity(e: StoredDnsEvent, device: string): Activity {
  return { ts: e.ts, device, ip: e.clientIp, service: e.service, role: e.role, evidence: 'dns', bytesDown: 0, bytesUp: 0 };
}
