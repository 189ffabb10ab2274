// Opening the database: migrations in order by user_version, each in its own transaction, never
// re-run; a database from a newer nfmon is refused.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, schemaVersion, StoreError } from '../../src/store/db.js';
import { Store } from '../../src/store/index.js';
import { MIGRATIONS } from '../../src/store/migrations.js';

let dir: string;
let file: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'nfmon-store-'));
  file = join(dir, 'nfmon.db');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const tables = (db: Database.Database): string[] =>
  (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[]).map((r) => r.name);

/** A database as an nfmon with only the first `n` migrations left it. */
function databaseAt(n: number): void {
  const db = new Database(file);
  for (let v = 0; v < n; v++) db.exec(MIGRATIONS[v] ?? '');
  db.pragma(`user_version = ${n}`);
  db.close();
}

describe('migrations', () => {
  it('there are at least the spine and the plays migrations', () => {
    expect(MIGRATIONS.length).toBeGreaterThanOrEqual(2);
  });

  it('a new database gets every migration and user_version = their count', () => {
    const db = openDatabase(file);
    try {
      expect(schemaVersion(db)).toBe(MIGRATIONS.length);
      expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
      expect(tables(db)).toEqual(
        expect.arrayContaining(['alerts', 'devices', 'ingest_requests', 'dns_events', 'flows', 'leases', 'meta', 'outbox', 'plays', 'served_addresses', 'sessions', 'sources']),
      );
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    } finally {
      db.close();
    }
  });

  it('an older database gets only the migrations it lacks, in order, keeping its data', () => {
    databaseAt(1);
    const old = new Database(file);
    old.prepare("INSERT INTO devices (device, name, trust) VALUES ('aa:bb:cc:dd:ee:01', 'TV', 'known')").run();
    expect(tables(old)).not.toContain('plays');
    old.close();

    const db = openDatabase(file);
    try {
      expect(schemaVersion(db)).toBe(MIGRATIONS.length);
      expect(tables(db)).toContain('plays');
      expect(db.prepare('SELECT device, name, trust FROM devices').all()).toEqual([{ device: 'aa:bb:cc:dd:ee:01', name: 'TV', trust: 'known' }]);
    } finally {
      db.close();
    }
  });

  it('reopening does not run them again (they would fail: tables exist) and keeps the data', () => {
    const first = Store.open(file);
    first.meta.set('probe', 'kept');
    first.devices.setLabel('aa:bb:cc:dd:ee:02', 'Laptop', 'trusted');
    first.close();
    for (let i = 0; i < 2; i++) {
      const again = Store.open(file);
      try {
        expect(schemaVersion(again.db)).toBe(MIGRATIONS.length);
        expect(again.meta.get('probe')).toBe('kept');
        expect(again.devices.get('aa:bb:cc:dd:ee:02')).toMatchObject({ name: 'Laptop', trust: 'trusted' });
      } finally {
        again.close();
      }
    }
  });

  it('a migration that fails is rolled back whole and leaves user_version where it was', () => {
    databaseAt(1);
    // Something already named like what migration 2 creates: its CREATE TABLE fails.
    const db = new Database(file);
    db.exec('CREATE TABLE plays (x INTEGER)');
    db.close();
    expect(() => openDatabase(file)).toThrow(StoreError);
    expect(() => openDatabase(file)).toThrow(/is not usable: table plays already exists/);
    const after = new Database(file);
    try {
      expect(after.pragma('user_version', { simple: true })).toBe(1);
      // The index migration 2 would create after its table is not there either.
      expect(after.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'plays_start'").get()).toEqual({ n: 0 });
    } finally {
      after.close();
    }
  });

  it('a database with a newer user_version is refused with StoreError, untouched', () => {
    const newer = MIGRATIONS.length + 1;
    databaseAt(MIGRATIONS.length);
    const raw = new Database(file);
    raw.pragma(`user_version = ${newer}`);
    raw.close();

    let caught: unknown;
    try {
      openDatabase(file);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(StoreError);
    expect((caught as StoreError).file).toBe(file);
    expect((caught as StoreError).message).toBe(`database ${file} has schema ${newer}, newer than this nfmon (${MIGRATIONS.length})`);
    expect(() => openDatabase(file, { readonly: true })).toThrow(StoreError);
    const check = new Database(file);
    expect(check.pragma('user_version', { simple: true })).toBe(newer);
    check.close();
  });

  it('a file that is not a database is a StoreError naming it, and is left as it was', () => {
    const bytes = Buffer.from('not a database, just text '.repeat(100));
    writeFileSync(file, bytes);
    expect(() => openDatabase(file)).toThrow(new StoreError(`database ${file} is not usable: file is not a database`, file));
    expect(readFileSync(file).equals(bytes)).toBe(true);
  });
});
