// dns_events and served_addresses: what Pi-hole (or a capture) saw of monitored names.
import { foldServed, type ServedRow } from '../core/served.js';
import type { DnsActivity, Role, ServedAddress } from '../core/types.js';
import type { Statement } from 'better-sqlite3';
import type { Db } from './db.js';

/** Rows per multi-row statement, largest first (the last must be 1): one call per that many rows. */
const ROW_COUNTS = [100, 20, 5, 1] as const;
const DNS_INSERT = 'INSERT OR IGNORE INTO dns_events (ts, client_ip, device, name, qtype, service, role, blocked, source_id) VALUES ';
const SERVED_APPEND = 'INSERT INTO served_log (source_id, ip, service, role, name, first_seen, last_seen) VALUES ';
const SERVED_UPSERT = 'INSERT INTO served_addresses (ip, service, role, name, first_seen, last_seen) VALUES ';
/** core/served.ts foldRow in SQL: the stored row and the incoming one fold the same either way round. */
const SERVED_CONFLICT = `
  ON CONFLICT (ip, service) DO UPDATE SET
    first_seen = min(first_seen, excluded.first_seen),
    last_seen = max(last_seen, excluded.last_seen),
    role = CASE
      WHEN role = 'video' OR excluded.role = 'video' THEN 'video'
      WHEN excluded.last_seen > last_seen OR (excluded.last_seen = last_seen AND excluded.name > name) THEN excluded.role
      ELSE role END,
    name = CASE
      WHEN excluded.last_seen > last_seen OR (excluded.last_seen = last_seen AND excluded.name > name) THEN excluded.name
      ELSE name END`;
/** served_log left by a read killed before it upserted it, folded as foldRow would, in key order. */
const SERVED_MERGE = `
  WITH ranked AS (
    SELECT ip, service, role, name, last_seen,
           row_number() OVER (PARTITION BY ip, service ORDER BY last_seen DESC, name DESC) AS rn,
           min(first_seen) OVER w AS first_all,
           max(role = 'video') OVER w AS any_video
    FROM served_log WINDOW w AS (PARTITION BY ip, service))
  INSERT INTO served_addresses (ip, service, role, name, first_seen, last_seen)
    SELECT ip, service, CASE WHEN any_video THEN 'video' ELSE role END, name, first_all, last_seen
    FROM ranked WHERE rn = 1 ORDER BY ip, service
  ${SERVED_CONFLICT}`;

/** An unblocked lookup for a rebuild: id, ts, client_ip, device, name, service. */
export type LookupRow = readonly [number, number, string, string | null, string, string];

/** How addDns recognises a lookup already stored. */
export interface AddDnsOptions {
  /**
   * A lookup of the same client, name and type stored from one of `sources` and stamped from
   * ts + fromMs to ts + toMs is the same query, not stored again. The Pi-hole log and Pi-hole's
   * database stamp one query one second apart when a second boundary falls between dnsmasq's log
   * stamp and FTL's later timestamp (ingest/pihole-db.ts). Given only when both kinds are stored.
   */
  readonly sameQuery?: { readonly sources: readonly number[]; readonly fromMs: number; readonly toMs: number };
  /**
   * The device that held the client's address at the time, as the leases stored now say: what
   * the rebuild would set. Stored with the row, the rebuild finds it right and writes nothing
   * (setting it afterwards rewrote every new row and its index entry: a third of a busy log's
   * import). The rebuild still checks every row, so a lease that arrives later corrects it.
   */
  readonly deviceOf?: (ip: string, ts: number) => string;
}

export class EventRepo {
  private readonly insertDns: MultiRow;
  private readonly nearDns: Statement;
  private readonly appendServedRows: MultiRow;
  private readonly upsertServedRows: MultiRow;
  /** Sources whose read is appending to served_log in this process right now (the daemon may run two at once). */
  private readonly servedReads = new Set<number>();
  private readonly setDevicesByIds: Statement;
  private readonly lookups: Statement;

  constructor(private readonly db: Db) {
    this.insertDns = new MultiRow(db, DNS_INSERT, '(?, ?, ?, ?, ?, ?, ?, ?, ?)', '');
    this.appendServedRows = new MultiRow(db, SERVED_APPEND, '(?, ?, ?, ?, ?, ?, ?)', '');
    // Rows of one statement go in one after the other, so a key twice in it is an upsert of the first.
    this.upsertServedRows = new MultiRow(db, SERVED_UPSERT, '(?, ?, ?, ?, ?, ?)', SERVED_CONFLICT);
    this.nearDns = db.prepare(
      `SELECT 1 FROM dns_events WHERE client_ip = ? AND ts BETWEEN ? AND ? AND name = ? AND qtype = ?
         AND source_id IN (SELECT value FROM json_each(?)) LIMIT 1`,
    );
    this.setDevicesByIds = db.prepare('UPDATE dns_events SET device = ? WHERE id IN (SELECT value FROM json_each(?))');
    this.lookups = db
      .prepare('SELECT id, ts, client_ip, device, name, service FROM dns_events WHERE ts BETWEEN ? AND ? AND blocked = 0 ORDER BY ts, id')
      .raw(true);
  }

  /**
   * Call inside a transaction. Rows get ids in the order of `events`. A lookup already stored
   * (same time, client, name and type) is not stored again. Returns how many rows were new.
   */
  addDns(events: readonly DnsActivity[], sourceId: number | null, opts: AddDnsOptions = {}): number {
    let rows = events;
    const same = opts.sameQuery;
    const deviceOf = opts.deviceOf;
    if (same && same.sources.length > 0) {
      const ids = JSON.stringify(same.sources);
      rows = events.filter((e) => this.nearDns.get(e.clientIp, e.ts + same.fromMs, e.ts + same.toMs, e.name, e.qtype, ids) === undefined);
    }
    return this.insertDns.run(rows.length, (i, out) => {
      const e = rows[i]!;
      // Blocked lookups are no one's activity: the rebuild never attributes them.
      out.push(e.ts, e.clientIp, deviceOf && !e.blocked ? deviceOf(e.clientIp, e.ts) : null, e.name, e.qtype, e.service, e.role, e.blocked ? 1 : 0, sourceId);
    });
  }

  /**
   * Answers folded into served_addresses (captures: a few hundred at a time). Call inside a
   * transaction. A log read, which has tens of thousands, appends them instead (appendServed)
   * and upserts once at its end: upserts at random keys rewrite most of the table's pages at
   * every commit (the busy bench log: 1 s of 3).
   */
  addServed(served: readonly ServedAddress[]): void {
    this.upsertServed(foldServed(served));
  }

  /** Fold rows (core/served.ts) into served_addresses; in key order they write each page once. */
  upsertServed(rows: readonly ServedRow[]): void {
    this.upsertServedRows.run(rows.length, (i, out) => {
      const r = rows[i]!;
      out.push(r.ip, r.service, r.role, r.name, r.firstSeen, r.lastSeen);
    });
  }

  /**
   * Keep a read's folded rows in served_log until it upserts them itself (settleServed): call
   * inside the transaction that records how far the input was read, so a crash loses none.
   * Appends write only the log's last pages.
   */
  appendServed(sourceId: number, rows: readonly ServedRow[]): void {
    this.servedReads.add(sourceId);
    this.appendServedRows.run(rows.length, (i, out) => {
      const r = rows[i]!;
      out.push(sourceId, r.ip, r.service, r.role, r.name, r.firstSeen, r.lastSeen);
    });
  }

  /**
   * A read that appended to served_log is over. Complete (`rows`: all it folded and has not
   * upserted yet): upsert them and drop its log rows. Failed: its rows stay for mergeServed.
   * In a transaction.
   */
  settleServed(sourceId: number, rows: readonly ServedRow[] | undefined): void {
    if (rows) {
      this.upsertServed(rows);
      this.db.prepare('DELETE FROM served_log WHERE source_id = ?').run(sourceId);
    }
    this.servedReads.delete(sourceId);
  }

  /**
   * Fold served_log into served_addresses (folding twice changes nothing) and drop the rows of
   * reads not running in this process: what a killed or failed read left. In a transaction.
   */
  mergeServed(): void {
    if (this.db.prepare('SELECT 1 FROM served_log LIMIT 1').get() === undefined) return;
    this.db.prepare(SERVED_MERGE).run();
    this.db.prepare('DELETE FROM served_log WHERE source_id NOT IN (SELECT value FROM json_each(?))').run(JSON.stringify([...this.servedReads]));
  }

  /**
   * Unblocked lookups in [from, to], oldest first, as rebuilding sessions needs them: rows as
   * arrays, because for tens of thousands of rows objects cost more than reading them.
   */
  lookupsBetween(from: number, to: number): LookupRow[] {
    return this.lookups.all(from, to) as LookupRow[];
  }


  /**
   * Set the device of many events at once (a rebuild resolves thousands, a window at a time).
   * One statement for any number of ids: a statement per list length would be prepared again and
   * again, and their native memory lingers until the garbage collector finds the wrappers.
   */
  setDevices(changes: ReadonlyMap<string, readonly number[]>): void {
    const CHUNK = 5000;
    for (const [device, ids] of changes) {
      for (let i = 0; i < ids.length; i += CHUNK) this.setDevicesByIds.run(device, JSON.stringify(ids.slice(i, i + CHUNK)));
    }
  }

  /** The earliest lookup by `ip` (a new lease for it may change who made every one of them). */
  earliestFrom(ip: string): number | undefined {
    const r = this.db.prepare('SELECT min(ts) AS ts FROM dns_events WHERE client_ip = ?').get(ip) as { ts: number | null };
    return r.ts ?? undefined;
  }

  servedAddress(ip: string): { service: string; role: Role } | undefined {
    return this.db.prepare('SELECT service, role FROM served_addresses WHERE ip = ? ORDER BY role DESC LIMIT 1').get(ip) as
      | { service: string; role: Role }
      | undefined;
  }

  count(): number {
    return (this.db.prepare('SELECT count(*) AS n FROM dns_events').get() as { n: number }).n;
  }

  deleteOlderThan(ts: number): number {
    return this.db.prepare('DELETE FROM dns_events WHERE ts < ?').run(ts).changes;
  }
}

/**
 * INSERTs of many rows each: a batch's rows go in as statements of ROW_COUNTS[0] rows, and the rest
 * as fewer of the smaller sizes, all prepared once. Rows are written in order, as one statement
 * per row would write them.
 */
class MultiRow {
  private readonly statements: Statement[];

  constructor(db: Db, head: string, row: string, tail: string) {
    this.statements = ROW_COUNTS.map((n) => db.prepare(`${head}${Array.from({ length: n }, () => row).join(', ')}${tail}`));
  }

  /** Write rows 0..count-1; `fill(i, out)` pushes row i's values. Returns the rows changed. */
  run(count: number, fill: (i: number, out: unknown[]) => void): number {
    let changes = 0;
    let i = 0;
    for (let k = 0; k < ROW_COUNTS.length; k++) {
      const rows = ROW_COUNTS[k]!;
      const st = this.statements[k]!;
      for (; i + rows <= count; i += rows) {
        const values: unknown[] = [];
        for (let j = i; j < i + rows; j++) fill(j, values);
        changes += st.run(values).changes;
      }
    }
    return changes;
  }
}
