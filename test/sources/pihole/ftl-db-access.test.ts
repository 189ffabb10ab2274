// How the FTL database reader shares the file with pihole-FTL: read-only files and directories,
// -wal/-shm it may not create, a writer in the middle of a transaction, a lock held too long.
// The pihole-FTL binary is not in Debian; test/helpers/ftl-writer.mjs stands in for it as another
// process writing the way FTL does, on databases built from the CREATE statements FTL's own test
// suite asserts (fixtures/pihole-ftl/schema-v21.sql).
//
// Root ignores file permissions, so when the suite runs as root the permission cases read in a
// child process running as `nobody` (the nfmon user's position: not the owner, in the file's group
// at best); otherwise the current user reads files it cannot write (0444, directory 0555).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, chownSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildCatalog, NETFLIX } from '../../../src/core/catalog.js';
import { SourceError } from '../../../src/sources/errors.js';
import { catalogFilter, FtlDbError, openFtlDatabase, readQueries } from '../../../src/sources/pihole/ftl-db.js';
import { assertBuilt } from '../../helpers/daemon-process.js';
import { ROOT } from '../../helpers/cli.js';
import { FtlFixture, type QueryRow } from '../../helpers/ftl-fixture.js';
import { startWriter } from '../../helpers/ftl-writer-process.js';

const AS_ROOT = process.getuid?.() === 0;
const NOBODY = 65534;
const CHILD = join(ROOT, 'test', 'helpers', 'ftl-read-child.mjs');
const filter = catalogFilter(buildCatalog([NETFLIX]));
const T0 = Date.UTC(2026, 10, 21, 18, 0, 0) / 1000;
const BASE: QueryRow[] = Array.from({ length: 20 }, (_, i) => ({
  ts: T0 + i * 1.5,
  type: 1,
  status: i % 5 === 0 ? 3 : 2,
  domain: i % 2 === 0 ? 'www.netflix.com' : 'example.org',
  client: '192.168.1.20',
}));

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'nfmon-ftlacc-'));
  chmodSync(dir, 0o755);
});
afterEach(() => {
  chmodSync(dir, 0o755);
  rmSync(dir, { recursive: true, force: true });
});

function build(journal: 'wal' | 'delete'): FtlFixture {
  const fx = new FtlFixture(join(dir, 'pihole-FTL.db'), 21, journal);
  fx.insertQueries(BASE);
  return fx;
}

interface ChildRead {
  ok: boolean;
  journal?: string;
  events?: number;
  problem?: string;
  file?: string;
  message?: string;
}

/** The built reader in a process of its own, as `nobody` when we are root. */
function readInChild(file: string): ChildRead {
  const r = spawnSync(process.execPath, [CHILD, join(ROOT, 'dist'), file], { encoding: 'utf8', timeout: 20_000, ...(AS_ROOT ? { uid: NOBODY, gid: NOBODY } : {}) });
  const last = r.stdout.trim().split('\n').at(-1);
  if (!last) throw new Error(`reader child printed nothing (exit ${r.status}): ${r.stderr}`);
  return JSON.parse(last) as ChildRead;
}

/** Files readable but not writable by the reader; the directory not writable unless `groupWritableDir`. */
function lockDown(files: readonly string[], mode: number, groupWritableDir = false): void {
  for (const f of files) {
    if (AS_ROOT) chownSync(f, 0, NOBODY);
    chmodSync(f, AS_ROOT ? mode : 0o444);
  }
  if (AS_ROOT) chownSync(dir, 0, NOBODY);
  chmodSync(dir, AS_ROOT ? (groupWritableDir ? 0o775 : 0o755) : 0o555);
}

const listing = () => readdirSync(dir).sort();
const sha = (f: string) => createHash('sha256').update(readFileSync(f)).digest('hex');

describe('permissions: read-only, never creating a file', () => {
  beforeAll(() => assertBuilt());

  it('reads a 0444 rollback-journal database in a read-only directory', () => {
    const fx = build('delete');
    fx.close();
    lockDown([fx.file], 0o444);
    const before = [listing(), sha(fx.file)];
    expect(readInChild(fx.file)).toEqual({ ok: true, journal: 'rollback', events: 10, lastId: 20, identities: 0 });
    expect([listing(), sha(fx.file)]).toEqual(before);
  });

  it('reads a WAL database through read-only -wal/-shm while the writer keeps rows in the WAL', () => {
    const fx = build('wal');
    fx.db.pragma('wal_autocheckpoint = 0');
    fx.insertQueries(BASE.map((r) => ({ ...r, ts: r.ts + 60 })));
    expect(statSync(`${fx.file}-wal`).size).toBeGreaterThan(0);
    lockDown([fx.file, `${fx.file}-wal`, `${fx.file}-shm`], 0o640);
    const before = listing();
    expect(readInChild(fx.file)).toEqual({ ok: true, journal: 'wal', events: 20, lastId: 40, identities: 0 });
    fx.insertQueries(BASE.slice(0, 2)); // the writer carries on
    expect(listing()).toEqual(before);
    fx.close();
  });

  it('refuses a WAL database whose -wal/-shm are gone (FTL stopped) when it cannot create them', () => {
    const fx = build('wal');
    fx.close();
    expect(listing()).toEqual(['pihole-FTL.db']);
    lockDown([fx.file], 0o640);
    const r = readInChild(fx.file);
    expect([r.ok, r.problem, r.file, r.message?.startsWith(`${fx.file}: WAL-mode database without its -wal/-shm files`)]).toEqual([false, 'not_ready', fx.file, true]);
    expect(listing()).toEqual(['pihole-FTL.db']);
  });

  it.skipIf(!AS_ROOT)('does not create -wal/-shm another user would own even where the directory lets it', () => {
    const fx = build('wal');
    fx.close();
    lockDown([fx.file], 0o640, true);
    const r = readInChild(fx.file);
    expect([r.ok, r.problem]).toEqual([false, 'not_ready']);
    expect(r.message).toContain('would create them owned by uid 65534');
    expect(listing()).toEqual(['pihole-FTL.db']);
  });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.each(['wal', 'delete'] as const)('a writer at work, %s journal', (journal) => {
  it('reads during an open write transaction without error or delay, and does not hold up its commit', async () => {
    build(journal).close();
    const file = join(dir, 'pihole-FTL.db');
    const db = openFtlDatabase(file);
    const writer = startWriter(file, 'hold', 1000);
    expect(await writer.next()).toBe('holding');
    const t0 = performance.now();
    const during = readQueries(db, { ...filter, afterId: 0, limit: 10_000 });
    const readMs = performance.now() - t0;
    writer.child.stdin.write('commit\n');
    const { commitMs } = JSON.parse(await writer.next()) as { commitMs: number };
    expect(await writer.exit).toBe(0);
    const after = readQueries(db, { ...filter, afterId: during.lastId, afterTs: during.lastTs, limit: 10_000 });
    db.close();
    expect([during.lastId, during.events.length, after.counts.scanned, after.events.length, after.lastId]).toEqual([20, 10, 1000, 500, 1020]);
    expect(readMs).toBeLessThan(400);
    expect(commitMs).toBeLessThan(400);
  });

  it('follows a stream of FTL exports, every row once, with no error on either side', async () => {
    build(journal).close();
    const file = join(dir, 'pihole-FTL.db');
    const db = openFtlDatabase(file);
    const writer = startWriter(file, 'stream', 25);
    let afterId = 0, afterTs: number | undefined, scanned = 0, kept = 0, reads = 0, running = true;
    void writer.exit.then(() => (running = false));
    const poll = () => {
      const b = readQueries(db, { ...filter, afterId, afterTs, limit: 700 });
      ({ lastId: afterId, lastTs: afterTs } = b);
      scanned += b.counts.scanned;
      kept += b.events.length;
      reads++;
      return b;
    };
    while (running) {
      poll();
      await sleep(3);
    }
    while (!poll().caughtUp);
    const report = JSON.parse(await writer.next()) as { rows: number; maxCommitMs: number; errors: string[] };
    db.close();
    expect([report.errors, report.rows, scanned, kept, afterId]).toEqual([[], 5000, 5020, 2510, 5020]);
    expect(reads).toBeGreaterThan(5);
    // FTL gives up on a lock after 1000 ms; stay far below.
    expect(report.maxCommitMs).toBeLessThan(500);
  });
});

describe('a lock held beyond the timeout', () => {
  function busyError(fn: () => unknown, file: string): FtlDbError {
    let caught: unknown;
    try {
      fn();
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(SourceError);
    const e = caught as FtlDbError;
    expect([e.problem, e.transient, e.message.startsWith(`${file}: database is locked`)]).toEqual(['busy', true, true]);
    return e;
  }

  it('rollback journal: opening and reading are a busy SourceError naming the file; reading resumes once released', async () => {
    build('delete').close();
    const file = join(dir, 'pihole-FTL.db');
    const early = openFtlDatabase(file, { busyTimeoutMs: 100 });
    const writer = startWriter(file, 'lock', 0);
    expect(await writer.next()).toBe('locked');
    const t0 = performance.now();
    busyError(() => openFtlDatabase(file, { busyTimeoutMs: 100 }), file);
    busyError(() => readQueries(early, { ...filter, afterId: 0, limit: 100 }), file);
    const waitedMs = performance.now() - t0;
    writer.child.stdin.write('release\n');
    expect(await writer.exit).toBe(0);
    expect(waitedMs).toBeGreaterThanOrEqual(190);
    expect(waitedMs).toBeLessThan(3000);
    expect(readQueries(early, { ...filter, afterId: 0, limit: 100 }).events.length).toBe(10);
    early.close();
  });

  // In WAL mode only a writer in locking_mode=EXCLUSIVE shuts readers out (FTL never sets it);
  // it can only take that lock while no other connection is open, so the reader comes second.
  it('WAL with an exclusive-mode writer: opening is a busy SourceError naming the file', async () => {
    build('wal').close();
    const file = join(dir, 'pihole-FTL.db');
    const writer = startWriter(file, 'lock', 0);
    expect(await writer.next()).toBe('locked');
    busyError(() => openFtlDatabase(file, { busyTimeoutMs: 100 }), file);
    writer.child.stdin.write('release\n');
    expect(await writer.exit).toBe(0);
    const db = openFtlDatabase(file);
    expect(readQueries(db, { ...filter, afterId: 0, limit: 100 }).events.length).toBe(11);
    db.close();
  });
});
