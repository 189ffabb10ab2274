// Following Pi-hole's database (pihole-FTL.db) in the daemon. FTL copies queries from memory to
// the file every 60 s, each older than 30 s (database.DBinterval, REPLY_TIMEOUT: pi-hole/FTL
// src/database/query-table.c export_queries_to_disk(), v6.4.1 8d1add8d), so a query reaches the
// file 30-90 s after it was asked; a poll every 1.5 s adds little to that. Its network table is
// refreshed on the same 60 s beat (parse_neighbor_cache()), and re-read here as often.
//
// The handle is opened read-only and kept between polls (never a write lock, and every read is
// one short transaction: sources/pihole/ftl-open.ts), and reopened when the path names another
// file. A locked or not yet usable database (`busy`, `not_ready`) is retried on the next poll; any
// problem is logged once, and again only when it changes or clears. While the handle is open, a
// stopping FTL leaves its -wal/-shm in place (the last connection, ours, is read-only and cannot
// checkpoint) and takes them up again at its next start; whatever replaces pihole-FTL.db must move
// its -wal/-shm with it, as SQLite requires of any WAL database (https://www.sqlite.org/wal.html).
//
// A first read starts a day before nfmon first ran (as the live log holds about a day); older
// history is `nfmon ingest --pihole-db`'s job.
import type { Logger } from '../core/log.js';
import { FtlDbError, ftlDatabaseSetting, ftlProblemFix, openFtlDatabase, type FtlDatabase } from '../sources/pihole/ftl-db.js';
import type { IngestDeps } from '../ingest/deps.js';
import { ftlSource, ingestFtlNetwork, ingestFtlQueries } from '../ingest/pihole-db.js';
import { SerialRunner } from './serial.js';

/** A first read starts this far before nfmon's first run: about what the live log holds. */
const FIRST_READ_BACK_MS = 24 * 3_600_000;

export interface FtlWatchOptions {
  readonly path: string;
  readonly now: () => number;
  /** Called after a pass that stored something (lookups or identities). */
  readonly onChanged: () => void;
  readonly logger: Logger;
  readonly pollMs?: number;
  readonly networkMs?: number;
  /** Rows per read transaction. */
  readonly limit?: number;
}

export class FtlWatch {
  private db: FtlDatabase | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly runner: SerialRunner;
  private networkAt = -Infinity;
  /** The problem last logged, so that each is logged once. */
  private problem: string | undefined;

  constructor(
    private readonly app: IngestDeps,
    private readonly opts: FtlWatchOptions,
  ) {
    this.runner = new SerialRunner(opts.logger, 'pihole database');
  }

  async start(): Promise<void> {
    this.kick();
    await this.runner.idle();
    this.timer = setInterval(() => this.kick(), this.opts.pollMs ?? 1500);
    this.timer.unref();
  }

  kick(): void {
    this.runner.request(() => this.pass());
  }

  idle(): Promise<void> {
    return this.runner.idle();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.runner.stop();
    this.close();
  }

  private close(): void {
    this.db?.close();
    this.db = undefined;
  }

  get path(): string {
    return this.opts.path;
  }

  private async pass(): Promise<void> {
    try {
      const db = this.handle();
      const now = this.opts.now();
      let changed = false;
      if (now - this.networkAt >= (this.opts.networkMs ?? 60_000)) {
        const net = ingestFtlNetwork(this.app, db);
        this.networkAt = now;
        changed = net.changedFrom !== undefined;
        this.opts.logger.debug('network table read', { identities: net.identities, mock_hwaddr: net.mockHwaddr });
      }
      const firstRun = Number(this.app.store.meta.get('first_run') ?? now);
      const q = await ingestFtlQueries(this.app, db, { now, limit: this.opts.limit ?? 10_000, startTs: firstRun - FIRST_READ_BACK_MS });
      if (q.restarted) this.opts.logger.info('another database at the path: read from its start', { file: this.opts.path });
      if (q.scanned > 0) this.opts.logger.debug('rows read', { rows: q.scanned, kept: q.kept, hidden: q.hidden, new: q.dnsEvents, last_id: q.lastId });
      if (this.problem !== undefined) this.opts.logger.info('reading the database again', { file: this.opts.path });
      this.problem = undefined;
      if (changed || q.dnsEvents > 0) this.opts.onChanged();
    } catch (err) {
      if (!(err instanceof FtlDbError)) throw err;
      this.failed(err);
    }
  }

  /** The open handle, reopened when the file at the path was replaced. Throws FtlDbError. */
  private handle(): FtlDatabase {
    if (this.db?.replaced()) {
      this.opts.logger.info('the database file was replaced: reopening', { file: this.opts.path });
      this.close();
    }
    if (!this.db) {
      this.db = openFtlDatabase(this.opts.path);
      // A new handle may be a new file: its network table is read at once.
      this.networkAt = -Infinity;
    }
    return this.db;
  }

  private failed(err: FtlDbError): void {
    // Only a lock or a journal FTL has not set up yet are worth the same handle again.
    if (!err.transient) this.close();
    if (this.problem === err.message) return;
    this.problem = err.message;
    // Shown by `nfmon status`; the next read that succeeds clears it.
    const row = ftlSource(this.app.store, this.opts.path);
    if (row) this.app.store.sources.setError(row.id, err.message, this.opts.now());
    const log = err.transient ? this.opts.logger.info.bind(this.opts.logger) : this.opts.logger.warn.bind(this.opts.logger);
    log(`${err.message}; ${ftlProblemFix(err.problem)}`, { file: this.opts.path, problem: err.problem });
  }
}

/**
 * The watcher `pihole.database` asks for, or undefined when it is off. The default path that
 * exists but cannot be read is off too, with one warning saying how to fix it.
 */
export function ftlWatchFor(app: IngestDeps, opts: Omit<FtlWatchOptions, 'path'>): FtlWatch | undefined {
  const setting = app.config.pihole.database;
  const chosen = ftlDatabaseSetting(setting, true);
  if (chosen) return new FtlWatch(app, { ...opts, path: chosen.path });
  const present = ftlDatabaseSetting(setting, false);
  if (present) opts.logger.warn(`${present.path}: permission denied, not read; ${ftlProblemFix('unreadable')}`, { file: present.path });
  return undefined;
}
