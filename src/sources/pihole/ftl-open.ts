// Opening Pi-hole's own database (/etc/pihole/pihole-FTL.db) for reading, without ever taking a
// write lock, creating a file next to it, or holding FTL up.
//
// How FTL writes it (pi-hole/FTL v6.4.1, 8d1add8d99d8a36ccc6fb97628a33a219cf8abbd):
// - src/database/query-table.c init_memory_database(): queries live in an in-memory database with
//   the disk file ATTACHed; every database.DBinterval (60 s) export_queries_to_disk() copies rows
//   older than REPLY_TIMEOUT (30 s, src/FTL.h) in one transaction. `PRAGMA disk.journal_mode=WAL`
//   unless database.useWAL is false (then DELETE, SQLite's rollback journal); FTL v5 never set WAL.
// - src/database/common.c sqliteBusyCallback(): FTL waits at most DATABASE_BUSY_TIMEOUT (1000 ms)
//   for a lock, so a reader must keep each read transaction far shorter than that.
// - pi-hole/pi-hole advanced/Templates/pihole-FTL-prestart.sh (1837b754): at every start
//   /etc/pihole is chowned pihole:pihole, directories 0755, files 0640. SQLite gives -wal/-shm the
//   database file's mode, so a member of the `pihole` group can read all three and write none.
//
// What SQLite does with a read-only connection (checked on this SQLite, 3.53, and in the tests):
// - Rollback journal: readers take a SHARED lock per read transaction; never a write.
// - WAL with -wal/-shm present (FTL running: it keeps the file attached): readable even when the
//   -shm is read-only to us ("readonly shm", SQLite >= 3.22, https://www.sqlite.org/wal.html
//   "Read-Only Databases"). Readers never block FTL's writes in WAL mode.
// - WAL without -wal/-shm (FTL stopped; the last connection deletes them): SQLite CREATES both,
//   owned by whoever opens, even read-only. If that is not the file's owner, FTL (user pihole) later
//   finds a -shm it cannot write and its database stops working. So we open only when the files
//   exist, or when SQLite would create them for the owner anyway (we are the owner, or root: SQLite
//   chowns new -wal/-shm to the database's owner when run as root). Otherwise: 'not_ready'.
// - `immutable=1` / `mode=ro` URIs would avoid that, but better-sqlite3 is built with
//   SQLITE_USE_URI=0 (node_modules/better-sqlite3/deps/defines.gypi) and passes no SQLITE_OPEN_URI,
//   so "file:" names are plain file names. immutable would also be unsafe while FTL runs (no locks:
//   a checkpoint under a reader gives torn pages), so nothing is lost.
import { accessSync, closeSync, constants, existsSync, openSync, readSync, statSync, type Stats } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { errnoOf } from '../../core/errno.js';
import { SourceError } from '../errors.js';

export type FtlDbProblem = 'missing' | 'unreadable' | 'not_sqlite' | 'not_pihole' | 'busy' | 'not_ready' | 'corrupt' | 'io';

/** A database-level failure naming the file. `transient` ones (busy, not_ready) are worth a retry. */
export class FtlDbError extends SourceError {
  readonly problem: FtlDbProblem;
  readonly transient: boolean;

  constructor(file: string, problem: FtlDbProblem, detail: string, cause?: unknown) {
    super(`${file}: ${detail}`, { file, cause });
    this.name = 'FtlDbError';
    this.problem = problem;
    this.transient = problem === 'busy' || problem === 'not_ready';
  }
}

/**
 * Which tables hold the queries. `query_storage`: FTL v5.14+ (database version >= 10, all of v6),
 * integer ids into domain_by_id/client_by_id and a `queries` VIEW over them. `queries`: the plain
 * table of FTL <= v5.13 (version <= 9), domain and client as text.
 */
export type FtlLayout = 'query_storage' | 'queries';

export interface OpenFtlOptions {
  /** How long to wait for a lock FTL holds (rollback-journal commits). Default 500 ms. */
  readonly busyTimeoutMs?: number;
}

/** An open, read-only FTL database. Keep it across polls; reopen when `replaced()`. */
export class FtlDatabase {
  /** @internal the connection; only sources/pihole reads it. */
  readonly sql: Database.Database;
  readonly file: string;
  readonly layout: FtlLayout;
  /** `ftl` table, id 0 (DB_VERSION): 21 for Pi-hole v6.1+, 9 for FTL v5.0-v5.13. */
  readonly version: number;
  readonly journal: 'wal' | 'rollback';
  readonly hasNetwork: boolean;
  private readonly ino: number;
  private readonly dev: number;

  constructor(init: { sql: Database.Database; file: string; layout: FtlLayout; version: number; journal: 'wal' | 'rollback'; hasNetwork: boolean; st: Stats }) {
    this.sql = init.sql;
    this.file = init.file;
    this.layout = init.layout;
    this.version = init.version;
    this.journal = init.journal;
    this.hasNetwork = init.hasNetwork;
    this.ino = init.st.ino;
    this.dev = init.st.dev;
  }

  /** The path now names another file (moved away, deleted, recreated): this handle reads the old one. */
  replaced(): boolean {
    try {
      const st = statSync(this.file);
      return st.ino !== this.ino || st.dev !== this.dev;
    } catch {
      return true;
    }
  }

  close(): void {
    this.sql.close();
  }

  /** Runs `fn` in one read transaction, turning SQLite failures into FtlDbError. */
  read<T>(fn: () => T): T {
    return guard(this.file, () => this.sql.transaction(fn)());
  }
}

const MAGIC = 'SQLite format 3\0';

interface Header {
  readonly st: Stats;
  readonly wal: boolean;
}

/** Reads the 100-byte header: the file must be SQLite; bytes 18/19 = 2 mean WAL mode. */
function readHeader(file: string): Header {
  let st: Stats;
  let fd: number;
  try {
    st = statSync(file);
    fd = openSync(file, 'r');
  } catch (err) {
    const code = errnoOf(err);
    if (code === 'ENOENT') throw new FtlDbError(file, 'missing', 'no such file', err);
    if (code === 'EACCES' || code === 'EPERM') {
      throw new FtlDbError(file, 'unreadable', 'permission denied (the reading user needs the pihole group)', err);
    }
    throw new FtlDbError(file, 'io', `cannot open: ${(err as Error).message}`, err);
  }
  try {
    if (!st.isFile()) throw new FtlDbError(file, 'not_sqlite', 'not a regular file');
    const buf = Buffer.alloc(100);
    const n = readSync(fd, buf, 0, 100, 0);
    if (n === 0) throw new FtlDbError(file, 'not_pihole', 'empty file, not a Pi-hole FTL database');
    if (n < 100 || buf.toString('latin1', 0, 16) !== MAGIC) throw new FtlDbError(file, 'not_sqlite', 'not a SQLite database');
    return { st, wal: buf[18] === 2 || buf[19] === 2 };
  } finally {
    closeSync(fd);
  }
}

/** The -wal/-shm hazard above: would opening fail, or make SQLite create files FTL cannot use? */
function assertWalFilesUsable(file: string, st: Stats): void {
  if (existsSync(`${file}-wal`) && existsSync(`${file}-shm`)) return;
  const missing = 'WAL-mode database without its -wal/-shm files (pihole-FTL not running?)';
  try {
    accessSync(dirname(file), constants.W_OK);
  } catch {
    throw new FtlDbError(file, 'not_ready', `${missing}: SQLite cannot read it without them and this user cannot create them`);
  }
  const uid = process.geteuid?.() ?? -1;
  if (uid === 0 || uid === st.uid) return;
  throw new FtlDbError(file, 'not_ready', `${missing}: opening it would create them owned by uid ${uid}, which FTL could then not write`);
}

/**
 * Opens an FTL database read-only and detects its layout and version. Throws FtlDbError (a
 * SourceError naming the file) for a missing/unreadable file, a file that is not SQLite, a SQLite
 * file that is not FTL's, a lock held beyond `busyTimeoutMs`, or a WAL database that cannot be
 * read safely right now.
 */
export function openFtlDatabase(file: string, opts: OpenFtlOptions = {}): FtlDatabase {
  const { st, wal } = readHeader(file);
  if (wal) assertWalFilesUsable(file, st);
  const sql = guard(file, () => new Database(file, { readonly: true, fileMustExist: true, timeout: opts.busyTimeoutMs ?? 500 }));
  try {
    return guard(file, () => detect(sql, file, st, wal));
  } catch (err) {
    sql.close();
    throw err;
  }
}

function detect(sql: Database.Database, file: string, st: Stats, wal: boolean): FtlDatabase {
  return sql.transaction(() => {
    const objects = new Map<string, string>();
    for (const r of sql.prepare<[], { name: string; type: string }>("SELECT name, type FROM sqlite_master WHERE type IN ('table', 'view')").all()) {
      objects.set(r.name, r.type);
    }
    const has = (name: string) => objects.get(name) === 'table';
    let layout: FtlLayout;
    if (has('query_storage') && has('domain_by_id') && has('client_by_id')) layout = 'query_storage';
    else if (has('queries')) layout = 'queries';
    else throw new FtlDbError(file, 'not_pihole', 'SQLite database without query_storage or queries table: not a Pi-hole FTL database');
    if (!has('ftl')) throw new FtlDbError(file, 'not_pihole', `has ${layout} but no ftl table: not a Pi-hole FTL database`);
    const cols = new Set(sql.prepare<[], { name: string }>(`SELECT name FROM pragma_table_info('${layout}')`).all().map((c) => c.name));
    const missing = ['id', 'timestamp', 'type', 'status', 'domain', 'client'].filter((c) => !cols.has(c));
    if (missing.length > 0) throw new FtlDbError(file, 'not_pihole', `${layout} lacks column(s) ${missing.join(', ')}: not a Pi-hole FTL database`);
    const v = sql.prepare<[], { value: unknown }>('SELECT value FROM ftl WHERE id = 0').get()?.value;
    const version = typeof v === 'number' || (typeof v === 'string' && /^\d+$/.test(v)) ? Number(v) : Number.NaN;
    if (!Number.isInteger(version)) throw new FtlDbError(file, 'not_pihole', 'ftl table has no database version (id 0)');
    const hasNetwork = has('network') && has('network_addresses');
    return new FtlDatabase({ sql, file, layout, version, journal: wal ? 'wal' : 'rollback', hasNetwork, st });
  })();
}

/** Runs `fn`, mapping better-sqlite3's SqliteError codes to FtlDbError problems. */
export function guard<T>(file: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof FtlDbError) throw err;
    if (!(err instanceof Database.SqliteError)) throw err;
    const code = err.code;
    const [problem, detail] = classifySqliteError(code);
    throw new FtlDbError(file, problem, `${detail} (${code}: ${err.message})`, err);
  }
}

function classifySqliteError(code: string): [FtlDbProblem, string] {
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) return ['busy', 'database is locked by another process beyond the timeout'];
  if (code === 'SQLITE_NOTADB') return ['not_sqlite', 'not a SQLite database'];
  if (code.startsWith('SQLITE_CORRUPT')) return ['corrupt', 'database is corrupt'];
  if (code === 'SQLITE_PERM' || code === 'SQLITE_AUTH') return ['unreadable', 'permission denied'];
  // A hot journal or a WAL index only a writer (FTL) can recover, or -wal/-shm that cannot be created.
  if (code.startsWith('SQLITE_READONLY')) return ['not_ready', 'database needs pihole-FTL to recover or create its journal first'];
  if (code.startsWith('SQLITE_CANTOPEN')) return ['not_ready', 'cannot open the database or its -wal/-shm files'];
  return ['io', 'cannot read database'];
}
