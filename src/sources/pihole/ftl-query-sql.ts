// The SQL that reads FTL's query tables. The monitored-domain filter runs inside SQLite: for the
// query_storage layout the ids of matching domain_by_id rows are looked up once per handle (and
// then only for ids added since), bound as a JSON array, and each of a million rows costs one
// integer lookup; only rows of monitored (or hidden) domains cross into JavaScript, where
// `classify` decides exactly.
//
// Schema: CREATE statements asserted by pi-hole/FTL test/test_suite.bats ("pihole-FTL.db schema
// is as expected", v6.4.1 8d1add8d99d8a36ccc6fb97628a33a219cf8abbd) for query_storage /
// domain_by_id / client_by_id; the plain `queries` table of version <= 9 as in FTL's
// test/pihole-FTL.db.sql. The on-disk query_storage is indexed on timestamp only, so rows are
// walked by id (its rowid), which is also the resume order. domain_by_id ids only grow: FTL adds
// rows with INSERT OR IGNORE (rowid = max + 1) and exports `WHERE id > MAX(disk id)`
// (src/database/query-table.c), and never deletes from it.
import type Database from 'better-sqlite3';
import { HIDDEN_DOMAIN } from './ftl-codes.js';
import type { FtlLayout } from './ftl-open.js';

type Stmt<P, R = unknown> = Database.Statement<[P], R>;
type Range = { after: number; hi: number };

export interface QuerySql {
  readonly maxId: Database.Statement<[], { id: number | null }>;
  /** The first row after the resume point, and whether it keeps its domain as text (pre-v10 row). */
  readonly firstAfter: Stmt<{ after: number }, { id: number; text: number }>;
  /** Rows in the window, and the last id present in it. */
  readonly count: Stmt<Range, { n: number; hi: number | null }>;
  /** Monitored or hidden rows with after < id <= hi, in id order. */
  readonly rows: Stmt<Range & { ids: string }>;
  /** The same, also matching rows whose domain is stored as text (query_storage before version 10). */
  readonly textRows: Stmt<Range & { ids: string }>;
  /** Monitored or hidden domain_by_id rows with after < id <= hi (query_storage layout). */
  readonly domainIds: Stmt<Range, { id: number }> | undefined;
  readonly maxDomainId: Database.Statement<[], { id: number | null }> | undefined;
  readonly tsOf: Stmt<{ id: number }, { ts: unknown }>;
}

function quote(s: string): string {
  return `'${s.replaceAll("'", "''")}'`;
}

function likeEscape(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** `col` is one of the domains or a sub-domain of one, or Pi-hole's hidden marker. LIKE ignores ASCII case. */
export function domainPredicate(col: string, domains: readonly string[]): string {
  const terms = domains.map((raw) => {
    const d = raw.toLowerCase().replace(/\.$/, '');
    return `${col} = ${quote(d)} OR ${col} LIKE ${quote(`%.${likeEscape(d)}`)} ESCAPE '\\'`;
  });
  terms.push(`${col} = ${quote(HIDDEN_DOMAIN)}`);
  return terms.join(' OR ');
}

const LINKED_ROWS = `SELECT q.id AS id, q.timestamp AS ts, q.type AS type, q.status AS status,
    CASE typeof(q.domain) WHEN 'integer' THEN d.domain ELSE q.domain END AS domain,
    CASE typeof(q.client) WHEN 'integer' THEN c.ip ELSE q.client END AS client
  FROM query_storage q
  LEFT JOIN domain_by_id d ON d.id = q.domain
  LEFT JOIN client_by_id c ON c.id = q.client
  WHERE q.id > @after AND q.id <= @hi`;

export function prepareQuerySql(sql: Database.Database, layout: FtlLayout, domains: readonly string[]): QuerySql {
  const table = layout === 'query_storage' ? 'query_storage' : 'queries';
  const common = {
    maxId: sql.prepare<[], { id: number | null }>(`SELECT max(id) AS id FROM ${table}`),
    firstAfter: sql.prepare<[{ after: number }], { id: number; text: number }>(
      `SELECT id, typeof(domain) = 'text' AS text FROM ${table} WHERE id > @after ORDER BY id LIMIT 1`,
    ),
    count: sql.prepare<[Range], { n: number; hi: number | null }>(`SELECT count(*) AS n, max(id) AS hi FROM ${table} WHERE id > @after AND id <= @hi`),
    tsOf: sql.prepare<[{ id: number }], { ts: unknown }>(`SELECT timestamp AS ts FROM ${table} WHERE id = @id`),
  };
  if (layout === 'queries') {
    // Text columns only; @ids is bound for a uniform call and unused.
    const rows = sql.prepare<[Range & { ids: string }]>(
      `SELECT id, timestamp AS ts, type, status, domain, client FROM queries
       WHERE id > @after AND id <= @hi AND (${domainPredicate('domain', domains)}) AND @ids IS NOT NULL ORDER BY id`,
    );
    return { ...common, rows, textRows: rows, domainIds: undefined, maxDomainId: undefined };
  }
  const inIds = 'q.domain IN (SELECT value FROM json_each(@ids))';
  return {
    ...common,
    rows: sql.prepare(`${LINKED_ROWS} AND ${inIds} ORDER BY q.id`),
    textRows: sql.prepare(`${LINKED_ROWS} AND (${inIds} OR (typeof(q.domain) = 'text' AND (${domainPredicate('q.domain', domains)}))) ORDER BY q.id`),
    domainIds: sql.prepare<[Range], { id: number }>(`SELECT id FROM domain_by_id WHERE id > @after AND id <= @hi AND (${domainPredicate('domain', domains)})`),
    maxDomainId: sql.prepare<[], { id: number | null }>('SELECT max(id) AS id FROM domain_by_id'),
  };
}
