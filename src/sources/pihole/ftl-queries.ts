// Reading the query history out of an FTL database: rows after a resume point, in id order, only
// those of monitored services, as DnsActivity events.
//
// Facts this relies on (pi-hole/FTL v6.4.1, 8d1add8d99d8a36ccc6fb97628a33a219cf8abbd):
// - Ids only grow. export_queries_to_disk() (src/database/query-table.c) inserts
//   `WHERE id > (SELECT IFNULL(MAX(id), -1) FROM disk.query_storage) AND timestamp < now - 30`,
//   the table is AUTOINCREMENT, and a row on disk is never updated; garbage collection
//   (delete_old_queries_from_db) deletes only the oldest rows. So "id > last id read" never misses
//   or repeats a row, and one export is one transaction (query rows and their domain_by_id /
//   client_by_id rows together).
// - `timestamp` is a REAL since v6 (sqlite3_bind_double(query->timestamp), double_time() =
//   CLOCK_REALTIME with nanoseconds), an integer (time_t) in FTL v5.
// - Rows written before the version-10 migration keep their domain/client as TEXT in
//   query_storage (optimize_queries_table(); the `queries` VIEW's `CASE typeof(domain)`), so both
//   forms are read.
// - Privacy levels 1 and 2 store the domain as "hidden" and level 2 the client as "0.0.0.0"
//   (src/datastructure.c getDomainString()/getClientIPString(), src/FTL.h); level 3 stores nothing.
// - No answer is stored: query_storage has reply_type (4 = "a valid IP record") and reply_time but
//   not the addresses (test/test_suite.bats CREATE statement; docs/database/query-database.md), so
//   this source yields no ServedAddress; served addresses come from the log or captures only.
import type { Classification, DnsActivity } from '../../core/types.js';
import { normalizeName, type Catalog } from '../../core/catalog.js';
import { HIDDEN_CLIENT, HIDDEN_DOMAIN, queryTypeName, statusName, statusOutcome, type QueryOutcome } from './ftl-codes.js';
import type { FtlDatabase } from './ftl-open.js';
import { prepareQuerySql, type QuerySql } from './ftl-query-sql.js';

export interface ReadQueriesOptions {
  /** Resume point: rows with a greater id are read. 0 for the whole history. */
  readonly afterId: number;
  /** Timestamp (ms, as returned in `lastTs`) of row `afterId`: tells a replaced database apart. */
  readonly afterTs?: number | undefined;
  /** Registrable domains to pre-filter in SQL (a name equal to one or ending in `.` + one). */
  readonly domains: readonly string[];
  /** The exact decision, applied to every pre-filtered name. */
  readonly classify: (name: string) => Classification | undefined;
  /** Rows scanned per call (not rows returned): bounds memory and the read lock's duration. */
  readonly limit: number;
}

export interface QueryCounts {
  /** Rows with afterId < id <= lastId. */
  scanned: number;
  /** Rows returned as events. */
  kept: number;
  /** Rows whose domain ("hidden") or client ("0.0.0.0") Pi-hole's privacy level hid: not guessed. */
  hidden: number;
  /** Pre-filtered in SQL but not monitored by `classify` (a look-alike name). */
  unmatched: number;
  /** Monitored rows with no timestamp, type, status or client (a dangling link id). */
  malformed: number;
  /** Kept rows by Pi-hole's status name (FORWARDED, CACHE, GRAVITY, ...). */
  byStatus: Record<string, number>;
  /** Kept rows by what the status means in Pi-hole's documentation. */
  byOutcome: Record<QueryOutcome, number>;
}

export interface QueryBatch {
  /** Events in id order (so in FTL's arrival order). */
  readonly events: DnsActivity[];
  /** The new resume point: the last row scanned (kept or not). Equals afterId when nothing was new. */
  readonly lastId: number;
  /** Timestamp (ms) of row lastId; store it with lastId. undefined when nothing was ever read. */
  readonly lastTs: number | undefined;
  /** Highest id in the database at read time: lag = maxId - lastId rows. */
  readonly maxId: number;
  /** lastId === maxId: nothing more to read right now. */
  readonly caughtUp: boolean;
  /**
   * The resume point does not belong to this database (row afterId has another timestamp, or ids
   * stop below it: the file was replaced or recreated), so reading restarted from id 0.
   */
  readonly restarted: boolean;
  readonly counts: QueryCounts;
}

interface Row {
  id: number;
  ts: unknown;
  type: unknown;
  status: unknown;
  domain: unknown;
  client: unknown;
}

/** The pre-filter and exact decision of a catalog: every service's domains and video domains. */
export function catalogFilter(catalog: Catalog): Pick<ReadQueriesOptions, 'domains' | 'classify'> {
  const domains = [...new Set(catalog.services.flatMap((s) => [...s.domains, ...s.videoDomains]))];
  return { domains, classify: (name) => catalog.classifyDomain(name) };
}

interface ReaderState {
  readonly q: QuerySql;
  /** domain_by_id ids up to here have been matched against the pre-filter. */
  seenDomainId: number;
  readonly ids: number[];
  idsJson: string;
}

const states = new WeakMap<FtlDatabase, Map<string, ReaderState>>();

function stateFor(db: FtlDatabase, domains: readonly string[]): ReaderState {
  let byKey = states.get(db);
  if (!byKey) states.set(db, (byKey = new Map<string, ReaderState>()));
  const key = domains.join(' ');
  let st = byKey.get(key);
  if (!st) byKey.set(key, (st = { q: prepareQuerySql(db.sql, db.layout, domains), seenDomainId: 0, ids: [], idsJson: '[]' }));
  return st;
}

/** Matches domain_by_id rows added since the last call (inside the caller's read transaction). */
function refreshDomainIds(st: ReaderState): void {
  const max = st.q.maxDomainId?.get()?.id ?? 0;
  if (!st.q.domainIds || max <= st.seenDomainId) return;
  for (const r of st.q.domainIds.iterate({ after: st.seenDomainId, hi: max })) st.ids.push(r.id);
  st.seenDomainId = max;
  st.idsJson = JSON.stringify(st.ids);
}

/**
 * FTL's seconds (REAL in v6, integer in v5) as epoch ms, keeping the second: floor(ms / 1000) =
 * floor(ts). A double near 1.8e9 resolves 0.24 us, so the fraction is rounded to whole
 * microseconds first (9.999 is stored as 9.99899983...) and the milliseconds then floored.
 */
export function ftlTimestampMs(ts: number): number {
  const s = Math.floor(ts);
  return s * 1000 + Math.min(999, Math.floor(Math.round((ts - s) * 1e6) / 1000));
}

function emptyCounts(): QueryCounts {
  return { scanned: 0, kept: 0, hidden: 0, unmatched: 0, malformed: 0, byStatus: {}, byOutcome: { forwarded: 0, cached: 0, blocked: 0, unknown: 0 } };
}

/**
 * Reads up to `limit` rows after the resume point in one short read transaction, keeping those of
 * monitored domains. Pass `lastId`/`lastTs` back as `afterId`/`afterTs` next time.
 */
export function readQueries(db: FtlDatabase, opts: ReadQueriesOptions): QueryBatch {
  if (!Number.isSafeInteger(opts.limit) || opts.limit < 1) throw new RangeError(`readQueries: limit must be a positive integer, got ${opts.limit}`);
  const st = stateFor(db, opts.domains);
  const q = st.q;
  return db.read(() => {
    const maxId = q.maxId.get()?.id ?? 0;
    const restarted = resumeInvalid(q, opts, maxId);
    const afterId = restarted ? 0 : opts.afterId;
    const counts = emptyCounts();
    const events: DnsActivity[] = [];
    const first = q.firstAfter.get({ after: afterId });
    // The window spans at most `limit` ids (ids only have gaps where rows were deleted).
    const win = first ? q.count.get({ after: afterId, hi: Math.min(maxId, first.id + opts.limit - 1) }) : undefined;
    if (!first || !win || win.hi === null) {
      const lastTs = restarted ? undefined : opts.afterTs;
      return { events, lastId: afterId, lastTs, maxId, caughtUp: true, restarted, counts };
    }
    counts.scanned = win.n;
    refreshDomainIds(st);
    // Rows from before the version-10 migration (text domains) can only precede all others.
    const stmt = first.text ? q.textRows : q.rows;
    for (const row of stmt.iterate({ after: afterId, hi: win.hi, ids: st.idsJson }) as IterableIterator<Row>) keep(row, opts.classify, counts, events);
    const ts = q.tsOf.get({ id: win.hi })?.ts;
    return { events, lastId: win.hi, lastTs: typeof ts === 'number' ? ftlTimestampMs(ts) : undefined, maxId, caughtUp: win.hi >= maxId, restarted, counts };
  });
}

function resumeInvalid(q: QuerySql, opts: ReadQueriesOptions, maxId: number): boolean {
  if (opts.afterId <= 0) return false;
  if (maxId < opts.afterId) return true;
  if (opts.afterTs === undefined) return false;
  const ts = q.tsOf.get({ id: opts.afterId })?.ts;
  // Row gone: garbage-collected (maxDBdays) while we were away, the database is still the same one.
  return typeof ts === 'number' && ftlTimestampMs(ts) !== opts.afterTs;
}

function keep(row: Row, classify: ReadQueriesOptions['classify'], counts: QueryCounts, events: DnsActivity[]): void {
  const { domain, client } = row;
  if (domain === HIDDEN_DOMAIN || client === HIDDEN_CLIENT) {
    counts.hidden++;
    return;
  }
  const cls = typeof domain === 'string' ? classify(domain) : undefined;
  if (!cls) {
    counts.unmatched++;
    return;
  }
  if (typeof row.ts !== 'number' || typeof row.type !== 'number' || typeof row.status !== 'number' || typeof client !== 'string' || client === '') {
    counts.malformed++;
    return;
  }
  const outcome = statusOutcome(row.status);
  const name = statusName(row.status);
  counts.byStatus[name] = (counts.byStatus[name] ?? 0) + 1;
  counts.byOutcome[outcome]++;
  counts.kept++;
  events.push({
    ts: ftlTimestampMs(row.ts),
    clientIp: client,
    name: normalizeName(domain as string),
    qtype: queryTypeName(row.type),
    service: cls.service,
    role: cls.role,
    blocked: outcome === 'blocked',
  });
}

export interface QueryLag {
  /** Highest id in the database now. */
  readonly maxId: number;
  /** Its timestamp (ms); undefined for an empty table. */
  readonly maxTs: number | undefined;
  /** Timestamp (ms) of row `afterId`; undefined when it is gone (garbage-collected) or 0. */
  readonly afterTs: number | undefined;
}

const tableOf = (db: FtlDatabase): string => (db.layout === 'query_storage' ? 'query_storage' : 'queries');

/** How far the database has got beyond a resume point: rows and time (for `nfmon status`). */
export function queryLag(db: FtlDatabase, afterId: number): QueryLag {
  const table = tableOf(db);
  return db.read(() => {
    const maxId = db.sql.prepare<[], { id: number | null }>(`SELECT max(id) AS id FROM ${table}`).get()?.id ?? 0;
    const tsOf = db.sql.prepare<[number], { ts: unknown }>(`SELECT timestamp AS ts FROM ${table} WHERE id = ?`);
    const ms = (id: number): number | undefined => {
      const ts = id > 0 ? tsOf.get(id)?.ts : undefined;
      return typeof ts === 'number' ? ftlTimestampMs(ts) : undefined;
    };
    return { maxId, maxTs: ms(maxId), afterTs: ms(afterId) };
  });
}

/**
 * A resume point just before the first row stamped at or after `tsMs` (through FTL's timestamp
 * index, idx_queries_timestamps): where a reader that must not import older history starts.
 * Ids follow export order, which follows time closely enough for a starting point.
 */
export function resumePointAt(db: FtlDatabase, tsMs: number): number {
  const table = tableOf(db);
  return db.read(() => {
    const first = db.sql.prepare<[number], { id: number }>(`SELECT id FROM ${table} WHERE timestamp >= ? ORDER BY timestamp LIMIT 1`).get(tsMs / 1000);
    if (first) return first.id - 1;
    return db.sql.prepare<[], { id: number | null }>(`SELECT max(id) AS id FROM ${table}`).get()?.id ?? 0;
  });
}
