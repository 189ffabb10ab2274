// One writer at a time. `nfmon run` and `nfmon ingest` read files into the store over many
// transactions; two of them at once would interleave their rebuilds and fight over SQLite's write
// lock. The writer lock is an exclusive lock on a small side file (`<database>.lock`), taken
// through SQLite itself (locking_mode EXCLUSIVE): the kernel drops it when the process dies,
// however it dies, so a SIGKILL never leaves a stale lock. Who holds it is written to the
// database's meta table, so a second writer can name the process it waits for.
import { chmodSync } from 'node:fs';
import Database from 'better-sqlite3';
import type { Db } from './db.js';

export interface LockHolder {
  readonly pid: number;
  readonly command: string;
  readonly since: number;
}

export class WriterLock {
  private constructor(private readonly lockDb: Database.Database) {}

  /** The lock, or undefined when another process (or connection) holds it. */
  static tryAcquire(dbFile: string): WriterLock | undefined {
    const file = `${dbFile}.lock`;
    const lockDb = new Database(file, { timeout: 0 });
    try {
      chmodSync(file, 0o600);
      lockDb.pragma('journal_mode = DELETE');
      lockDb.pragma('locking_mode = EXCLUSIVE');
      // The first write in exclusive locking mode takes the lock and keeps it until close.
      lockDb.exec('BEGIN EXCLUSIVE; CREATE TABLE IF NOT EXISTS held (at INTEGER); DELETE FROM held; INSERT INTO held VALUES (0); COMMIT');
      return new WriterLock(lockDb);
    } catch (err) {
      lockDb.close();
      if ((err as { code?: string }).code === 'SQLITE_BUSY') return undefined;
      throw err;
    }
  }

  release(): void {
    if (this.lockDb.open) this.lockDb.close();
  }
}

export function recordHolder(db: Db, holder: LockHolder): void {
  db.prepare("INSERT INTO meta (key, value) VALUES ('writer', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value").run(JSON.stringify(holder));
}

/** The last process that took the writer lock (it may have gone since: then the lock is free). */
export function lastHolder(db: Db): LockHolder | undefined {
  const row = db.prepare("SELECT value FROM meta WHERE key = 'writer'").get() as { value: string } | undefined;
  if (!row) return undefined;
  try {
    return JSON.parse(row.value) as LockHolder;
  } catch {
    return undefined;
  }
}
