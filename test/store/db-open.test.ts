// openDatabase for queries (read-only): never creates anything, brings an older database up to
// date when it may, and reads a WAL database whose -shm it cannot create (a read-only place).
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DB_FILE_MODE, NoDatabaseError, openDatabase, retryBusy, schemaVersion, StoreError } from '../../src/store/db.js';
import { MIGRATIONS } from '../../src/store/migrations.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'nfmon-open-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('openDatabase', () => {
  it('read-only on a missing file: NoDatabaseError, and no file or directory made', () => {
    const file = join(dir, 'a', 'b', 'nfmon.db');
    expect(() => openDatabase(file, { readonly: true })).toThrow(NoDatabaseError);
    expect(() => openDatabase(file, { readonly: true })).toThrow(`no database at ${file} (run nfmon ingest or nfmon run first)`);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('read-write creates the file 0640 whatever the umask', () => {
    const old = process.umask(0);
    try {
      const file = join(dir, 'new', 'nfmon.db');
      openDatabase(file).close();
      expect(statSync(file).mode & 0o777).toBe(DB_FILE_MODE);
    } finally {
      process.umask(old);
    }
  });

  it('read-only on an older database it may write: brought up to date first', () => {
    const file = join(dir, 'old.db');
    const raw = new Database(file);
    raw.exec(MIGRATIONS[0] ?? '');
    raw.pragma('user_version = 1');
    raw.close();
    const db = openDatabase(file, { readonly: true });
    try {
      expect(schemaVersion(db)).toBe(MIGRATIONS.length);
      expect(() => db.prepare('DELETE FROM plays').run()).toThrow(/readonly/);
    } finally {
      db.close();
    }
  });

  it('read-only on a directory: a StoreError saying so', () => {
    expect(() => openDatabase(dir, { readonly: true })).toThrow(new StoreError(`cannot open database ${dir}: it is a directory, not a database file`, dir));
    expect(existsSync(join(dir, '-shm'))).toBe(false);
  });
});

describe('retryBusy (opening steps two processes may race on)', () => {
  const busy = (): Error => Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' });

  it('runs a step again while SQLite says busy, then returns its value', () => {
    let calls = 0;
    expect(retryBusy(() => (++calls < 3 ? (() => { throw busy(); })() : 'done'))).toBe('done');
    expect(calls).toBe(3);
  });

  it('gives up after its budget with the busy error, and never retries other errors', () => {
    let t = 0;
    let calls = 0;
    expect(() => retryBusy(() => { calls++; t += 100; throw busy(); }, 250, () => t)).toThrow('database is locked');
    expect(calls).toBe(3); // at 100, 200 and 300 ms of a 250 ms budget
    calls = 0;
    expect(() => retryBusy(() => { calls++; throw Object.assign(new Error('disk I/O error'), { code: 'SQLITE_IOERR' }); })).toThrow('disk I/O error');
    expect(calls).toBe(1);
  });
});
