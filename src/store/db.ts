// Opening the database: WAL, pragmas, migrations. One Database object per process.
// Read-only opening (the CLI's queries) never creates anything: no file, no directory, no
// migration it could not do, and it works on a database it may not write (mode 0444, a
// read-only mount). A database nfmon creates is 0640 and its directory 0750: SQLite gives the
// -wal and -shm files the mode of the database file (unix VFS, robust_open), so they follow.
import { accessSync, closeSync, constants, fchmodSync, mkdirSync, openSync, readFileSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { describeFsError, errnoOf } from '../core/errno.js';
import { MIGRATIONS } from './migrations.js';

export type Db = Database.Database;

export class StoreError extends Error {
  constructor(
    message: string,
    readonly file: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'StoreError';
  }
}

/**
 * SQLite's own words ("database or disk is full") name neither the file nor the fix: an error of
 * our database becomes a StoreError that does (exit 1, still not a bug). Codes: sqlite.org/rescode.html.
 */
export function namingDatabase(err: unknown, file: string): unknown {
  const code = (err as { code?: unknown } | null)?.code;
  if (err instanceof StoreError || typeof code !== 'string' || !code.startsWith('SQLITE_')) return err;
  const what = (err as Error).message;
  const fix = code === 'SQLITE_FULL' || code.startsWith('SQLITE_IOERR')
    ? `free space on the file system of ${file} and run the command again: it resumes where it stopped`
    : code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')
      ? 'another process held it beyond the timeout; run the command again'
      : code.startsWith('SQLITE_READONLY')
        ? "nfmon's user may not write it: run the command as that user (sudo -u nfmon)"
        : code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB'
          ? `the file is damaged: move it aside and rebuild it with nfmon ingest (your inputs are the source of truth)`
          : 'see nfmon status';
  return new StoreError(`database ${file}: ${what} (${code}): ${fix}`, file, { cause: err });
}

/** A read-only command was pointed at a database that does not exist (yet). */
export class NoDatabaseError extends StoreError {
  constructor(file: string, options?: { cause?: unknown }) {
    super(`no database at ${file} (run nfmon ingest or nfmon run first)`, file, options);
    this.name = 'NoDatabaseError';
  }
}

export interface OpenOptions {
  readonly readonly?: boolean;
}

/** Modes of what nfmon creates: the database may hold who watched what, and when. */
export const DB_FILE_MODE = 0o640;
export const DB_DIR_MODE = 0o750;

export function openDatabase(file: string, opts: OpenOptions = {}): Db {
  if (opts.readonly && file !== ':memory:') return openReadOnly(file);
  let db: Db;
  try {
    if (file !== ':memory:') createFile(file);
    db = new Database(file);
  } catch (err) {
    throw new StoreError(`cannot open database ${file}: ${(err as Error).message}`, file, { cause: err });
  }
  return configure(db, file, false);
}

/** The directory and an empty file with nfmon's modes, unless the file is there already. */
function createFile(file: string): void {
  mkdirSync(dirname(file), { recursive: true, mode: DB_DIR_MODE });
  let fd: number;
  try {
    fd = openSync(file, 'wx', DB_FILE_MODE);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return;
    throw err;
  }
  try {
    fchmodSync(fd, DB_FILE_MODE); // whatever the umask
  } finally {
    closeSync(fd);
  }
}

function openReadOnly(file: string): Db {
  try {
    if (statSync(file).isDirectory()) throw new StoreError(`cannot open database ${file}: it is a directory, not a database file`, file);
  } catch (err) {
    if (err instanceof StoreError) throw err;
    const code = errnoOf(err);
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new NoDatabaseError(file, { cause: err });
    throw new StoreError(`cannot open database ${file}: ${describeFsError(err, { EACCES: 'permission denied' })}`, file, { cause: err });
  }
  const db = openShared(file) ?? openSnapshot(file);
  const version = schemaVersion(db);
  if (version >= MIGRATIONS.length) return db;
  // Written by an older nfmon: bring it up to date if we may write it, else say how to.
  db.close();
  if (!writable(file)) {
    throw new StoreError(`database ${file} has schema ${version}, older than this nfmon (${MIGRATIONS.length}), and is read-only: run nfmon run or nfmon ingest once as its owner to upgrade it`, file);
  }
  openDatabase(file).close();
  return openShared(file) ?? openSnapshot(file);
}

/** SQLite's codes for "the -shm file can be neither created nor opened" (WAL index). */
const NO_SHM = new Set(['SQLITE_READONLY_DIRECTORY', 'SQLITE_READONLY_CANTINIT', 'SQLITE_CANTOPEN', 'SQLITE_READONLY_CANTLOCK']);

/**
 * The usual read-only connection, which shares the WAL index (-shm) with a running daemon; or
 * undefined when that index can be neither created nor opened (a read-only mount, a directory
 * this user may not write).
 */
function openShared(file: string): Db | undefined {
  let db: Db;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
  } catch (err) {
    throw new StoreError(`cannot open database ${file}: ${(err as Error).message}`, file, { cause: err });
  }
  try {
    return configure(db, file, true);
  } catch (err) {
    const code = (err as { cause?: { code?: unknown } }).cause?.code;
    if (typeof code === 'string' && NO_SHM.has(code)) return undefined;
    throw err;
  }
}

/** Largest database read whole into memory when it cannot be shared (see openSnapshot). */
export const MAX_SNAPSHOT_BYTES = 256 * 1024 * 1024;

/**
 * Without a usable -shm, SQLite cannot read a WAL database in place. If its -wal holds nothing,
 * the file alone is the whole database: read it into memory, marked as a rollback-journal
 * database (header bytes 18-19, https://www.sqlite.org/fileformat2.html#file_format_version_numbers),
 * which only this copy sees. Otherwise the data in the -wal is needed: say whose it is.
 */
function openSnapshot(file: string): Db {
  const wal = fileSize(`${file}-wal`);
  if (wal !== undefined && wal > 0) {
    throw new StoreError(
      `cannot read database ${file}: ${dirname(file)} or ${file}-shm is not writable for this user while the daemon has data in ${file}-wal; run the command as the daemon's user (sudo -u nfmon nfmon ...)`,
      file,
    );
  }
  const size = fileSize(file) ?? 0;
  if (size > MAX_SNAPSHOT_BYTES) {
    throw new StoreError(`cannot read database ${file} in place (read-only location) and at ${size} bytes it is too large to copy into memory; run the command as the daemon's user`, file);
  }
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (err) {
    throw new StoreError(`cannot read database ${file}: ${(err as Error).message}`, file, { cause: err });
  }
  if (bytes.length > 19 && bytes[18] === 2 && bytes[19] === 2) {
    bytes[18] = 1;
    bytes[19] = 1;
  }
  let db: Db;
  try {
    db = new Database(bytes, { readonly: true });
  } catch (err) {
    throw new StoreError(`database ${file} is not usable: ${(err as Error).message}`, file, { cause: err });
  }
  return configure(db, file, true);
}

function fileSize(file: string): number | undefined {
  try {
    return statSync(file).size;
  } catch {
    return undefined;
  }
}

function writable(file: string): boolean {
  try {
    accessSync(file, constants.W_OK);
    accessSync(dirname(file), constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/** How long two processes opening a new database at once may take to agree on WAL and schema. */
const OPEN_BUSY_MS = 5000;

/**
 * Runs a step of opening (the switch to WAL, the migration) again while SQLite says
 * SQLITE_BUSY, for up to `budgetMs`. `journal_mode = WAL` on a database still in rollback mode
 * takes a shared lock, then an exclusive one; two processes doing it at once both hold the
 * shared lock, and SQLite answers one of them SQLITE_BUSY at once instead of calling the busy
 * handler, which would deadlock (sqlite.org/c3ref/busy_handler.html). Two `nfmon ingest`
 * started at the same instant on a new database failed so, once in a CI run. Each step is one
 * statement or one transaction, so running it again is safe. Pauses are short and jittered.
 */
export function retryBusy<T>(step: () => T, budgetMs = OPEN_BUSY_MS, clock: () => number = Date.now): T {
  const deadline = clock() + budgetMs;
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (;;) {
    try {
      return step();
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      if (typeof code !== 'string' || !code.startsWith('SQLITE_BUSY') || clock() > deadline) throw err;
      Atomics.wait(pause, 0, 0, 10 + Math.floor(Math.random() * 40));
    }
  }
}

function configure(db: Db, file: string, readonly: boolean): Db {
  try {
    // WAL lets the CLI read while the daemon writes; NORMAL sync is safe with WAL (no corruption,
    // at worst the last transaction is lost on power failure, and offsets roll back with it).
    if (!readonly) retryBusy(() => db.pragma('journal_mode = WAL'));
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    // Keep the page cache small on a Pi (negative = KiB).
    db.pragma('cache_size = -8000');
    if (!readonly) retryBusy(() => migrate(db, file));
    else checkVersion(db, file);
  } catch (err) {
    db.close();
    if (err instanceof StoreError) throw err;
    throw new StoreError(`database ${file} is not usable: ${(err as Error).message}`, file, { cause: err });
  }
  return db;
}

export function schemaVersion(db: Db): number {
  return db.pragma('user_version', { simple: true }) as number;
}

function checkVersion(db: Db, file: string): void {
  const v = schemaVersion(db);
  if (v > MIGRATIONS.length) {
    throw new StoreError(`database ${file} has schema ${v}, newer than this nfmon (${MIGRATIONS.length})`, file);
  }
}

export function migrate(db: Db, file: string): void {
  checkVersion(db, file);
  if (schemaVersion(db) >= MIGRATIONS.length) return;
  // IMMEDIATE: two processes opening an old database at once migrate it once, one after the other.
  db.transaction(() => {
    for (let v = schemaVersion(db); v < MIGRATIONS.length; v++) {
      db.exec(MIGRATIONS[v] ?? '');
      db.pragma(`user_version = ${v + 1}`);
    }
  }).immediate();
}
