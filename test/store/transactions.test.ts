// A store transaction that reads first and writes later (the rebuild: read the mark and the
// events, then write sessions) must not fail because another connection (`nfmon device set`, a
// second process) committed in between. A deferred SQLite transaction does fail then, at once and
// without the busy wait, with SQLITE_BUSY_SNAPSHOT ("database is locked"): the daemon logged
// "rebuild failed: database is locked" beside `nfmon device set` (issue 10, two writers).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StoreError } from '../../src/store/db.js';
import { Store } from '../../src/store/index.js';

let dir: string;
let store: Store;
let other: Database.Database;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'nfmon-tx-'));
  store = Store.open(join(dir, 'nfmon.db'));
  other = new Database(join(dir, 'nfmon.db'), { timeout: 50 });
});

afterEach(() => {
  other.close();
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('Store.tx beside another connection', () => {
  it('a transaction that reads, then writes, survives a commit of another connection attempted in between', () => {
    store.mark.changed(1000);
    let otherResult = 'not tried';
    const r = store.tx(() => {
      const from = store.mark.pending();
      // Another process writes now: it must wait for this transaction (and here gives up), not break it.
      try {
        other.prepare("INSERT INTO meta (key, value) VALUES ('other', 'x')").run();
        otherResult = 'committed';
      } catch (err) {
        otherResult = (err as { code?: string }).code ?? String(err);
      }
      store.mark.clear();
      store.meta.set('derived_from', String(from));
      return from;
    });
    expect(r).toBe(1000);
    expect(store.mark.pending()).toBeUndefined();
    expect(otherResult, 'the other writer waited for the transaction').toBe('SQLITE_BUSY');
    // Once the transaction is done the other connection writes as usual.
    other.prepare("INSERT INTO meta (key, value) VALUES ('other', 'y')").run();
    expect(store.meta.get('other')).toBe('y');
  });
});

describe('Store.tx failing', () => {
  it('names the database and the fix, keeps SQLite code and error as the cause, and rolls back', () => {
    // Another connection holds the write lock past the busy timeout: SQLITE_BUSY at BEGIN IMMEDIATE.
    store.db.pragma('busy_timeout = 10');
    other.exec("BEGIN IMMEDIATE; INSERT INTO meta (key, value) VALUES ('other', 'x')");
    let caught: unknown;
    try {
      store.tx(() => store.mark.changed(5));
    } catch (err) {
      caught = err;
    }
    other.exec('ROLLBACK');
    expect(caught).toBeInstanceOf(StoreError);
    expect((caught as Error).message).toContain(join(dir, 'nfmon.db'));
    expect((caught as Error).message).toMatch(/SQLITE_BUSY.*run the command again/);
    expect(((caught as Error).cause as { code?: string }).code).toBe('SQLITE_BUSY');
    expect(store.mark.pending()).toBeUndefined();
  });

  it('a nested transaction passes the error up unchanged for the outer one to name once', () => {
    let caught: unknown;
    try {
      store.tx(() => store.tx(() => store.db.prepare('INSERT INTO no_such_table VALUES (1)').run()));
    } catch (err) {
      caught = err;
    }
    expect((caught as Error).message.match(/nfmon\.db/g)).toHaveLength(1);
  });
});
