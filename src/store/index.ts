// The store: one object holding the database and a repository per table.
import { AlertRepo } from './alerts.js';
import { namingDatabase, openDatabase, type Db, type OpenOptions } from './db.js';
import { DeviceRepo } from './devices.js';
import { EventRepo } from './events.js';
import { FlowRepo } from './flows.js';
import { LeaseRepo } from './leases.js';
import { MetaRepo, RebuildMark } from './meta.js';
import { PlayRepo } from './plays.js';
import { SessionRepo } from './sessions.js';
import { SourceRepo } from './sources.js';

export class Store {
  readonly alerts: AlertRepo;
  readonly devices: DeviceRepo;
  readonly events: EventRepo;
  readonly flows: FlowRepo;
  readonly leases: LeaseRepo;
  readonly meta: MetaRepo;
  readonly mark: RebuildMark;
  readonly plays: PlayRepo;
  readonly sessions: SessionRepo;
  readonly sources: SourceRepo;

  constructor(
    readonly db: Db,
    readonly file: string,
  ) {
    this.alerts = new AlertRepo(db);
    this.devices = new DeviceRepo(db);
    this.events = new EventRepo(db);
    this.flows = new FlowRepo(db);
    this.leases = new LeaseRepo(db);
    this.meta = new MetaRepo(db);
    this.mark = new RebuildMark(db);
    this.plays = new PlayRepo(db);
    this.sessions = new SessionRepo(db);
    this.sources = new SourceRepo(db);
  }

  static open(file: string, opts?: OpenOptions): Store {
    return new Store(openDatabase(file, opts), file);
  }

  /**
   * Run fn in one transaction (nested calls become savepoints). IMMEDIATE: the write lock is taken
   * (waiting up to busy_timeout) at BEGIN. A deferred transaction that reads first and writes later
   * fails at once with "database is locked" (SQLITE_BUSY_SNAPSHOT, no busy wait) when another
   * connection, e.g. `nfmon device set`, committed in between: the daemon's rebuild failed so.
   */
  tx<T>(fn: () => T): T {
    if (this.db.inTransaction) return this.db.transaction(fn).immediate();
    try {
      return this.db.transaction(fn).immediate();
    } catch (err) {
      // SQLite's own words ("database or disk is full") name neither the file nor the fix: the
      // daemon's log and every command get both (the outermost transaction names it once).
      throw namingDatabase(err, this.file);
    }
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
