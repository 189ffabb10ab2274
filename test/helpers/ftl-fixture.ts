// Builds pihole-FTL.db files for tests. The pihole-FTL binary is not packaged in Debian, so it
// cannot write them here; instead the schema is the CREATE statements FTL's own test suite asserts
// (fixtures/pihole-ftl/schema-v21.sql, schema-v9.sql: sources cited there), and rows are inserted
// the way FTL inserts them (pi-hole/FTL src/database/query-table.c init_memory_database(), v6.4.1
// 8d1add8d): link rows with INSERT OR IGNORE, then the query row pointing at them by sub-select.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { ROOT } from './cli.js';

export type FtlSchema = 21 | 9;

export function ftlSchemaSql(schema: FtlSchema): string {
  return readFileSync(join(ROOT, 'fixtures', 'pihole-ftl', `schema-v${schema}.sql`), 'utf8');
}

export interface QueryRow {
  /** Seconds; fractional in v6 (FTL binds a double), whole in v5. */
  readonly ts: number;
  readonly type: number;
  readonly status: number;
  readonly domain: string;
  readonly client: string;
  /** Store domain/client as TEXT in query_storage, as rows from before the version-10 migration are. */
  readonly legacyText?: boolean;
  /** Force a client id that has no client_by_id row. */
  readonly danglingClient?: boolean;
}

export interface DeviceRow {
  readonly hwaddr: string;
  readonly firstSeen: number;
  readonly lastQuery: number;
  readonly vendor?: string;
  readonly addresses: readonly { ip: string; lastSeen: number; name?: string }[];
}

export class FtlFixture {
  readonly db: Database.Database;

  constructor(
    readonly file: string,
    readonly schema: FtlSchema,
    journal: 'wal' | 'delete' = 'wal',
  ) {
    this.db = new Database(file);
    this.db.pragma(`journal_mode = ${journal}`);
    this.db.exec(ftlSchemaSql(schema));
  }

  insertQueries(rows: readonly QueryRow[]): void {
    this.db.transaction(() => {
      for (const r of rows) this.insertQuery(r);
    })();
  }

  private insertQuery(r: QueryRow): void {
    if (this.schema === 9) {
      this.db.prepare('INSERT INTO queries VALUES (NULL,?,?,?,?,?,NULL,NULL)').run(r.ts, r.type, r.status, r.domain, r.client);
      return;
    }
    if (r.legacyText) {
      this.db.prepare('INSERT INTO query_storage (timestamp,type,status,domain,client) VALUES (?,?,?,?,?)').run(r.ts, r.type, r.status, r.domain, r.client);
      return;
    }
    this.db.prepare('INSERT OR IGNORE INTO domain_by_id (domain) VALUES (?)').run(r.domain);
    this.db.prepare('INSERT OR IGNORE INTO client_by_id (ip,name) VALUES (?,?)').run(r.client, r.client === '0.0.0.0' ? '0.0.0.0' : '');
    const client = r.danglingClient ? '999999' : '(SELECT id FROM client_by_id WHERE ip = @client AND name = @name)';
    this.db
      .prepare(
        `INSERT INTO query_storage VALUES (NULL, @ts, @type, @status, (SELECT id FROM domain_by_id WHERE domain = @domain), ${client}, NULL, NULL, 4, 0.012, 0, NULL, NULL)`,
      )
      .run({ ts: r.ts, type: r.type, status: r.status, domain: r.domain, ...(r.danglingClient ? {} : { client: r.client, name: r.client === '0.0.0.0' ? '0.0.0.0' : '' }) });
  }

  insertDevice(d: DeviceRow): void {
    const id = this.db
      .prepare('INSERT INTO network (hwaddr, interface, firstSeen, lastQuery, numQueries, macVendor) VALUES (?, ?, ?, ?, 0, ?)')
      .run(d.hwaddr, 'eth0', d.firstSeen, d.lastQuery, d.vendor ?? null).lastInsertRowid;
    for (const a of d.addresses) {
      this.db.prepare('INSERT INTO network_addresses (network_id, ip, lastSeen, name, nameUpdated) VALUES (?, ?, ?, ?, ?)').run(id, a.ip, a.lastSeen, a.name ?? null, a.name ? a.lastSeen : null);
    }
  }

  close(): void {
    this.db.close();
  }
}
