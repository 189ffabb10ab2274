// Reading Pi-hole's own database (pihole-FTL.db) into the store: the query history in batches,
// each stored with the database's resume point in one transaction, and the network table's
// MAC addresses as identity intervals. Used by `nfmon ingest --pihole-db` and by the daemon.
//
// One query, two sources. dnsmasq stamps the log line (whole seconds, time()) just before FTL
// takes the query's timestamp (double_time(), CLOCK_REALTIME; pi-hole/FTL src/dnsmasq_interface.c
// _FTL_new_query(), v6.4.1 8d1add8d). So the log's second is floor(FTL's timestamp), except when a
// second boundary falls between the two; then the log reads one second earlier (about 1e-5 of
// queries with musl's time(), 0.73% measured with glibc's, whose time() lags the real clock).
// Database events are therefore stored at their whole second, where the unique index on
// (ts, client_ip, name, qtype) makes a query seen in both one event; and when the store holds
// both kinds of source, a lookup of the other kind one second off (the log earlier) is the same query
// too (EventRepo.addDns sameQuery). A home with only one of them pays nothing for this.
import type { LeaseInterval } from '../core/types.js';
import {
  catalogFilter, openFtlDatabase, readNetwork, readQueries, resumePointAt,
  type FtlDatabase, type NetworkCounts, type NetworkIdentity, type QueryBatch, type QueryCounts, type QueryOutcome,
} from '../sources/pihole/ftl-db.js';
import type { AddDnsOptions } from '../store/events.js';
import type { Store } from '../store/index.js';
import type { SourceRow } from '../store/sources.js';
import type { IngestDeps } from './deps.js';
import { sameQueryOf } from './same-query.js';
import { attribution } from './identity.js';
import { storeLeases } from './identity.js';

export interface FtlQueryResult {
  /** Rows read (after the resume point), and what became of them. */
  readonly scanned: number;
  readonly kept: number;
  readonly hidden: number;
  readonly unmatched: number;
  readonly malformed: number;
  readonly byOutcome: Record<QueryOutcome, number>;
  readonly byStatus: Record<string, number>;
  /** Lookups stored that were not stored before (from this database or the log). */
  readonly dnsEvents: number;
  readonly firstEventTs: number | undefined;
  /** The resume point this read started after, the last row read and the highest row seen. */
  readonly resumedFrom: number;
  readonly lastId: number;
  readonly maxId: number;
  /** The stored resume point belonged to another database: read again from the start. */
  readonly restarted: boolean;
}

export interface FtlNetworkResult extends NetworkCounts {
  /** Earliest time whose device attribution the network table changed (undefined: nothing new). */
  readonly changedFrom: number | undefined;
}

export interface FtlIngestResult extends FtlQueryResult {
  readonly path: string;
  /** FTL's database version (ftl table, id 0) and where its queries live. */
  readonly version: number;
  readonly layout: string;
  readonly network: FtlNetworkResult;
}

export interface FtlQueryOptions {
  readonly now: number;
  /** Rows per read transaction (and per store transaction). */
  readonly limit: number;
  /** A database never read before starts at its rows from this time (ms) on; default: all. */
  readonly startTs?: number | undefined;
}

/** The lease source name of identities from FTL's network table. */
export const NETWORK_SOURCE = 'pihole-db';

/** The store's row for the database at `path` (one per path). */
export function ftlSource(store: Store, path: string): SourceRow | undefined {
  return store.sources.byKind('pihole_db').find((s) => s.path === path);
}

/** Resume point of a source row: last row id read and its timestamp (kept in `fingerprint`). */
function resumeOf(row: SourceRow | undefined): { afterId: number; afterTs: number | undefined } | undefined {
  if (!row || row.fingerprint === '') return undefined;
  const ts = Number(row.fingerprint);
  return { afterId: row.offset, afterTs: Number.isFinite(ts) ? ts : undefined };
}

const floorSecond = (ts: number): number => Math.floor(ts / 1000) * 1000;

function addCounts(into: Record<string, number>, from: Readonly<Record<string, number>>): void {
  for (const [k, v] of Object.entries(from)) into[k] = (into[k] ?? 0) + v;
}

/** Stores one batch, the resume point and the counters in one transaction; returns the new lookups. */
function storeBatch(store: Store, source: { id: number; path: string }, batch: QueryBatch, near: AddDnsOptions | undefined, now: number): number {
  const events = batch.events.map((e) => ({ ...e, ts: floorSecond(e.ts) }));
  let earliest = Infinity;
  for (const e of events) if (e.ts < earliest) earliest = e.ts;
  const c = batch.counts;
  const other = c.scanned - c.kept - c.hidden - c.unmatched - c.malformed;
  return store.tx(() => {
    // Another database now lives at this path: its counters start again (its rows may repeat ours: stored once).
    if (batch.restarted) store.sources.reset(source.id);
    const added = store.events.addDns(events, source.id, near);
    if (added > 0) store.mark.changed(earliest);
    const skipped: Record<string, number> = {};
    for (const [k, v] of [['not_monitored', other], ['hidden', c.hidden], ['unmatched', c.unmatched], ['malformed', c.malformed]] as const) {
      if (v > 0) skipped[k] = v;
    }
    store.sources.progress(source.id, {
      path: source.path, inode: null, offset: batch.lastId, size: batch.maxId, complete: false,
      addLines: c.scanned, addParsed: c.kept, addSkipped: skipped,
      firstEvent: events[0]?.ts, lastEvent: events.at(-1)?.ts, now,
    });
    store.sources.updateFingerprint(source.id, batch.lastTs === undefined ? '' : String(batch.lastTs), 0);
    return added;
  });
}

/**
 * Reads the rows after the stored resume point until caught up, a batch of `limit` rows per
 * transaction, yielding to the event loop between batches. A failure keeps the batches stored
 * before it and is thrown (an FtlDbError naming the file).
 */
export async function ingestFtlQueries(deps: IngestDeps, db: FtlDatabase, opts: FtlQueryOptions): Promise<FtlQueryResult> {
  const { store } = deps;
  const row = ftlSource(store, db.file);
  const source = { id: row?.id ?? store.sources.create('pihole_db', db.file, '', 0, null, opts.now), path: db.file };
  const resume = resumeOf(row);
  let afterId = resume?.afterId ?? (opts.startTs === undefined ? 0 : resumePointAt(db, opts.startTs));
  let afterTs = resume?.afterTs;
  const near = { ...sameQueryOf(store, 'pihole_db'), deviceOf: attribution(() => deps.rebuildContext().resolver) };
  const filter = catalogFilter(deps.catalog);
  const total = { scanned: 0, kept: 0, hidden: 0, unmatched: 0, malformed: 0 };
  const byOutcome: Record<QueryOutcome, number> = { forwarded: 0, cached: 0, blocked: 0, unknown: 0 };
  const byStatus: Record<string, number> = {};
  let dnsEvents = 0, firstEventTs: number | undefined, restarted = false, maxId = afterId;
  const resumedFrom = afterId;
  for (let first = true; ; first = false) {
    const batch = readQueries(db, { ...filter, afterId, afterTs, limit: opts.limit });
    restarted ||= batch.restarted;
    maxId = batch.maxId;
    // Nothing new: write only to fill a new row or to clear the error `nfmon status` shows.
    const idle = batch.counts.scanned === 0 && !batch.restarted;
    if (!idle || (first && (row === undefined || row.lastError !== null))) dnsEvents += storeBatch(store, source, batch, near, opts.now);
    sum(total, batch.counts, byOutcome, byStatus);
    for (const e of batch.events) if (firstEventTs === undefined || e.ts < firstEventTs) firstEventTs = floorSecond(e.ts);
    afterId = batch.lastId;
    afterTs = batch.lastTs;
    if (batch.caughtUp) break;
    await new Promise((resolve) => setImmediate(resolve));
  }
  return { ...total, byOutcome, byStatus, dnsEvents, firstEventTs, resumedFrom, lastId: afterId, maxId, restarted };
}

function sum(total: Record<'scanned' | 'kept' | 'hidden' | 'unmatched' | 'malformed', number>, c: QueryCounts, byOutcome: Record<QueryOutcome, number>, byStatus: Record<string, number>): void {
  total.scanned += c.scanned;
  total.kept += c.kept;
  total.hidden += c.hidden;
  total.unmatched += c.unmatched;
  total.malformed += c.malformed;
  addCounts(byOutcome, c.byOutcome);
  addCounts(byStatus, c.byStatus);
}

/**
 * Where each address of the network table starts, given the intervals already stored. FTL keeps
 * one row per address and overwrites it when the address moves to another device, and its only
 * time for a device's start is `firstSeen` (the device's first sighting, a lower bound). So a pair
 * seen for the first time, or again after another MAC held the address, starts at the later of
 * firstSeen and the end of the last other holder nfmon knows; a pair that still holds the address
 * keeps its stored start, so storing it again extends that interval instead of adding one.
 */
export function placeIdentities(identities: readonly NetworkIdentity[], stored: readonly LeaseInterval[]): LeaseInterval[] {
  const byIp = new Map<string, LeaseInterval[]>();
  for (const s of stored) {
    const list = byIp.get(s.ip);
    if (list) list.push(s);
    else byIp.set(s.ip, [s]);
  }
  const out: LeaseInterval[] = [];
  for (const id of identities) {
    const known = byIp.get(id.ip) ?? [];
    // Another MAC's interval that ended by our last sighting: the address moved since it.
    let otherEnd = -Infinity;
    for (const k of known) if (k.mac !== id.mac && Number.isFinite(k.end) && k.end <= id.end) otherEnd = Math.max(otherEnd, k.end);
    const mine = known.filter((k) => k.mac === id.mac && k.source === NETWORK_SOURCE).sort((a, b) => b.start - a.start)[0];
    const start = mine && mine.end >= otherEnd ? mine.start : Math.max(id.start, otherEnd);
    if (start >= id.end) continue;
    out.push({ ip: id.ip, mac: id.mac, start, end: id.end, source: NETWORK_SOURCE, ...(id.hostname ? { hostname: id.hostname } : {}) });
  }
  return out;
}

/** Reads the network table and stores its identities (moving the rebuild mark where they change who did what). */
export function ingestFtlNetwork(deps: IngestDeps, db: FtlDatabase): FtlNetworkResult {
  const { identities, counts } = readNetwork(db);
  const intervals = placeIdentities(identities, deps.store.leases.all());
  const changedFrom = intervals.length > 0 ? storeLeases(deps.store, intervals) : undefined;
  return { ...counts, changedFrom };
}

export interface FtlIngestOptions {
  readonly now: number;
  readonly limit?: number;
}

/** `nfmon ingest --pihole-db FILE`: the network table, then the whole history after the resume point. */
export async function ingestFtlDatabase(deps: IngestDeps, path: string, opts: FtlIngestOptions): Promise<FtlIngestResult> {
  const db = openFtlDatabase(path);
  try {
    const network = ingestFtlNetwork(deps, db);
    const q = await ingestFtlQueries(deps, db, { now: opts.now, limit: opts.limit ?? 20_000 });
    return { path, version: db.version, layout: db.layout, ...q, network };
  } catch (err) {
    const row = ftlSource(deps.store, path);
    if (row) deps.store.sources.setError(row.id, (err as Error).message, opts.now);
    throw err;
  } finally {
    db.close();
  }
}
