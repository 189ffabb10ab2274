// Opening the database: WAL, pragmas, migrations. One Database object per process.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
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

export interface OpenOptions {
  readonly readonly?: boolean;
}

export function openDatabase(file: string, opts: OpenOptions = {}): Db {
  let db: Db;
  try {
    if (!opts.readonly && file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    db = new Database(file, { readonly: opts.readonly ?? false, fileMustExist: opts.readonly ?? false });
  } catch (err) {
    throw new StoreError(`cannot open database ${file}: ${(err as Error).message}`, file, { cause: err });
  }
  try {
    // WAL lets the CLI read while the daemon writes; NORMAL sync is safe with WAL (no corruption,
    // at worst the last transaction is lost on power failure, and offsets roll back with it).
    if (!opts.readonly) db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    // Keep the page cache small on a Pi (negative = KiB).
    db.pragma('cache_size = -8000');
    if (!opts.readonly) migrate(db, file);
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
