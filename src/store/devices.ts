// devices: the identity (MAC, or ip:<address>) of each device and what the user or the OUI list
// says of it. What follows from activity (first and last seen, addresses) and from leases (host
// name) is computed from those tables when asked for, so it always agrees with them.
import type { Trust } from '../core/types.js';
import type { Db } from './db.js';

export interface DeviceRow {
  readonly device: string;
  readonly name: string | null;
  readonly hostname: string | null;
  readonly vendor: string | null;
  readonly trust: Trust;
  readonly randomized: boolean;
  /** First and last monitored activity (lookups, flows); null for a device only a lease names. */
  readonly firstSeen: number | null;
  readonly lastSeen: number | null;
  /** Addresses it used or was leased, most recent first. */
  readonly ips: string[];
}

interface LabelRow {
  device: string;
  name: string | null;
  vendor: string | null;
  trust: Trust;
  randomized: number;
}

interface Use {
  device: string;
  ip: string;
  first: number | null;
  last: number | null;
}

export class DeviceRepo {
  constructor(private readonly db: Db) {}

  /** Ensure a row exists, e.g. for a device named in config before it was ever seen. */
  ensure(device: string): void {
    this.db.prepare('INSERT INTO devices (device) VALUES (?) ON CONFLICT (device) DO NOTHING').run(device);
  }

  setIdentity(device: string, fields: { vendor?: string | null; randomized?: boolean }): void {
    this.ensure(device);
    if (fields.vendor !== undefined) this.db.prepare('UPDATE devices SET vendor = ? WHERE device = ?').run(fields.vendor, device);
    if (fields.randomized !== undefined) {
      this.db.prepare('UPDATE devices SET randomized = ? WHERE device = ?').run(fields.randomized ? 1 : 0, device);
    }
  }

  setLabel(device: string, name: string | undefined, trust: Trust | undefined): void {
    this.ensure(device);
    if (name !== undefined) this.db.prepare('UPDATE devices SET name = ? WHERE device = ?').run(name, device);
    if (trust !== undefined) this.db.prepare('UPDATE devices SET trust = ? WHERE device = ?').run(trust, device);
  }

  /** The earliest activity attributed to a device (lookups, flows). */
  earliestActivity(device: string): number | undefined {
    const r = this.db
      .prepare('SELECT min(t) AS t FROM (SELECT min(ts) AS t FROM dns_events WHERE device = ? UNION ALL SELECT min(minute) FROM flows WHERE device = ?)')
      .get(device, device) as { t: number | null };
    return r.t ?? undefined;
  }

  /** Every device the store knows: labelled, active (lookups, flows) or leased; most recently active first. */
  list(): DeviceRow[] {
    const labels = new Map((this.db.prepare('SELECT device, name, vendor, trust, randomized FROM devices').all() as LabelRow[]).map((r) => [r.device, r]));
    const uses = [
      ...this.spans('dns_events', 'client_ip', 'ts'),
      ...this.spans('flows', 'local_ip', 'minute'),
      ...(this.db.prepare("SELECT mac AS device, ip, NULL AS first, NULL AS last FROM leases WHERE source != 'capture'").all() as Use[]),
    ];
    const leaseEnds = new Map(
      (this.db.prepare("SELECT mac, ip, max(coalesce(end, 9e15)) AS e FROM leases WHERE source != 'capture' GROUP BY mac, ip").all() as { mac: string; ip: string; e: number }[]).map(
        (r) => [`${r.mac} ${r.ip}`, r.e],
      ),
    );
    const hostnames = this.hostnames();
    const byDevice = new Map<string, Use[]>();
    for (const u of uses) {
      const list = byDevice.get(u.device);
      if (list) list.push(u);
      else byDevice.set(u.device, [u]);
    }
    for (const d of labels.keys()) if (!byDevice.has(d)) byDevice.set(d, []);
    const rows = [...byDevice].map(([device, list]) => toRow(device, list, labels.get(device), hostnames.get(device) ?? null, leaseEnds));
    return rows.sort((a, b) => (b.lastSeen ?? 0) - (a.lastSeen ?? 0) || a.device.localeCompare(b.device));
  }

  /**
   * First and last time of each (device, address) with activity, in (device, address) order, as
   * `GROUP BY device, ip` with min and max gives them, but by seeking the (device, ip, time) index
   * (EXPLAIN QUERY PLAN: SEARCH ... USING COVERING INDEX) a few times per pair instead of reading
   * every row: a year of lookups made that scan a quarter of every query's time.
   */
  private spans(table: 'dns_events' | 'flows', ip: 'client_ip' | 'local_ip', time: 'ts' | 'minute'): Use[] {
    const next = this.db.prepare(
      `SELECT device, ${ip} AS ip FROM ${table} WHERE device IS NOT NULL AND (device, ${ip}) > (?, ?) ORDER BY device, ${ip} LIMIT 1`,
    );
    const first = this.db.prepare(`SELECT ${time} FROM ${table} WHERE device = ? AND ${ip} = ? ORDER BY ${time} LIMIT 1`).pluck();
    const last = this.db.prepare(`SELECT ${time} FROM ${table} WHERE device = ? AND ${ip} = ? ORDER BY ${time} DESC LIMIT 1`).pluck();
    const out: Use[] = [];
    // '' sorts before every device and address (BINARY collation), so the first step finds the first pair.
    for (let k = next.get('', '') as { device: string; ip: string } | undefined; k; k = next.get(k.device, k.ip) as typeof k) {
      out.push({ device: k.device, ip: k.ip, first: first.get(k.device, k.ip) as number, last: last.get(k.device, k.ip) as number });
    }
    return out;
  }

  /** What rules need of every device the user or a lease named: name, host name, trust (no activity scan). */
  labels(): Map<string, { name: string | null; hostname: string | null; trust: Trust }> {
    const out = new Map<string, { name: string | null; hostname: string | null; trust: Trust }>();
    for (const [mac, hostname] of this.hostnames()) out.set(mac, { name: null, hostname, trust: 'unknown' });
    for (const r of this.db.prepare('SELECT device, name, trust FROM devices').all() as LabelRow[]) {
      out.set(r.device, { name: r.name, hostname: out.get(r.device)?.hostname ?? null, trust: r.trust });
    }
    return out;
  }

  get(device: string): DeviceRow | undefined {
    return this.list().find((d) => d.device === device);
  }

  /** Find by MAC, name (case-insensitive), hostname or IP. */
  find(query: string): DeviceRow[] {
    const q = query.trim().toLowerCase();
    return this.list().filter((d) => d.device === q || d.name?.toLowerCase() === q || d.hostname?.toLowerCase() === q || d.ips.includes(query.trim()));
  }

  /** MAC devices whose vendor has not been looked up yet. */
  withoutVendor(): string[] {
    const rows = this.db
      .prepare(
        `SELECT DISTINCT device FROM (SELECT device FROM dns_events WHERE device IS NOT NULL UNION SELECT device FROM flows WHERE device IS NOT NULL
           UNION SELECT mac AS device FROM leases WHERE source != 'capture') WHERE device NOT LIKE 'ip:%'
           AND device NOT IN (SELECT device FROM devices WHERE vendor IS NOT NULL)`,
      )
      .all() as { device: string }[];
    return rows.map((r) => r.device);
  }

  /** ip: devices that nothing refers to any more (their activity now belongs to a MAC). */
  deleteOrphans(): number {
    return this.db
      .prepare(
        `DELETE FROM devices WHERE device LIKE 'ip:%' AND name IS NULL AND trust = 'unknown'
           AND device NOT IN (SELECT device FROM dns_events WHERE device IS NOT NULL)
           AND device NOT IN (SELECT device FROM flows WHERE device IS NOT NULL)`,
      )
      .run().changes;
  }

  delete(device: string): void {
    this.db.prepare('DELETE FROM devices WHERE device = ?').run(device);
  }

  private hostnames(): Map<string, string> {
    const rows = this.db
      .prepare('SELECT mac, hostname FROM leases WHERE hostname IS NOT NULL ORDER BY coalesce(end, 9e15), start')
      .all() as { mac: string; hostname: string }[];
    return new Map(rows.map((r) => [r.mac, r.hostname]));
  }
}

function toRow(device: string, uses: readonly Use[], label: LabelRow | undefined, hostname: string | null, leaseEnds: ReadonlyMap<string, number>): DeviceRow {
  let first: number | null = null;
  let last: number | null = null;
  const recency = new Map<string, number>();
  for (const u of uses) {
    if (u.first !== null) first = first === null ? u.first : Math.min(first, u.first);
    if (u.last !== null) last = last === null ? u.last : Math.max(last, u.last);
    const when = u.last ?? leaseEnds.get(`${device} ${u.ip}`) ?? 0;
    recency.set(u.ip, Math.max(recency.get(u.ip) ?? -Infinity, when));
  }
  return {
    device,
    name: label?.name ?? null,
    hostname,
    vendor: label?.vendor ?? null,
    trust: label?.trust ?? 'unknown',
    randomized: (label?.randomized ?? 0) === 1,
    firstSeen: first,
    lastSeen: last,
    ips: [...recency].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([ip]) => ip),
  };
}
