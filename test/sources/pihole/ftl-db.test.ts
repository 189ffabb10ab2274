// Reading pihole-FTL.db. The pihole-FTL binary is not in Debian, so it cannot write these
// databases here: they are built from the CREATE statements FTL's own test suite asserts
// (pi-hole/FTL test/test_suite.bats "pihole-FTL.db schema is as expected" for version 21, and
// test/pihole-FTL.db.sql for version 9; v6.4.1 8d1add8d, copied in fixtures/pihole-ftl/), with
// rows inserted as FTL inserts them (test/helpers/ftl-fixture.ts).
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildCatalog, NETFLIX } from '../../../src/core/catalog.js';
import type { DnsActivity } from '../../../src/core/types.js';
import { SourceError } from '../../../src/sources/errors.js';
import { catalogFilter, FtlDbError, ftlTimestampMs, openFtlDatabase, readNetwork, readQueries, type QueryBatch } from '../../../src/sources/pihole/ftl-db.js';
import { FtlFixture, type FtlSchema, type QueryRow } from '../../helpers/ftl-fixture.js';

const T0 = Date.UTC(2026, 10, 21, 18, 0, 0) / 1000;
const TV = '192.168.1.20', PHONE = '192.168.1.31', LAPTOP = '192.168.1.42';
const filter = catalogFilter(buildCatalog([NETFLIX]));

/** A household evening, in id order. Types: 1 A, 2 AAAA, 16 HTTPS, 105 = CNAME (5 + 100), 766 = type 666. */
function householdRows(schema: FtlSchema): QueryRow[] {
  const v5 = schema === 9;
  const at = (s: number) => (v5 ? Math.floor(T0 + s) : T0 + s);
  const rows: QueryRow[] = [
    { ts: T0 - 37800, type: 1, status: 3, domain: 'api-global.netflix.com', client: LAPTOP, legacyText: !v5 },
    { ts: at(0.25), type: 1, status: 2, domain: 'www.netflix.com', client: TV },
    { ts: at(0.9), type: 2, status: 3, domain: 'www.netflix.com', client: TV },
    { ts: at(1.1), type: 1, status: 2, domain: 'example.org', client: LAPTOP },
    { ts: at(5), type: 1, status: 2, domain: 'ipv4-c001-ams001-ix.1.oca.nflxvideo.net', client: TV },
    { ts: at(7.5), type: 16, status: 17, domain: 'occ-0-768-769.1.nflxso.net', client: PHONE },
    { ts: at(8), type: 1, status: 1, domain: 'ads.doubleclick.net', client: PHONE },
    { ts: at(9.999), type: 1, status: 4, domain: 'customerevents.netflix.com', client: LAPTOP },
    { ts: at(10), type: 1, status: 2, domain: 'hidden', client: TV }, // privacy level 1
    { ts: at(11), type: 1, status: 3, domain: 'hidden', client: '0.0.0.0' }, // privacy level 2
    { ts: at(12), type: 1, status: 2, domain: 'notnetflix.com', client: LAPTOP },
    { ts: at(13), type: 105, status: 2, domain: 'www.netflix.com', client: TV },
    { ts: at(14), type: 766, status: 2, domain: 'www.netflix.com', client: TV },
    { ts: at(15), type: 1, status: 0, domain: 'www.netflix.com', client: TV },
    { ts: at(16), type: 1, status: 12, domain: 'www.netflix.com', client: TV },
    { ts: at(17), type: 1, status: 8, domain: 'ichnaea-web.netflix.com', client: LAPTOP },
    // FTL lower-cases names it stores; a mixed-case row is still found and normalised.
    { ts: at(18), type: 1, status: 2, domain: 'Assets.NFLXEXT.com', client: LAPTOP },
    { ts: at(19), type: 1, status: 2, domain: 'www.netflix.com', client: TV, danglingClient: true }, // v5 stores text: no link to dangle
    { ts: at(20), type: 1, status: 2, domain: 'fast.com', client: LAPTOP },
  ];
  return v5 ? rows.filter((r) => !r.danglingClient) : rows;
}

function ev(ms: number, clientIp: string, name: string, qtype: string, role: DnsActivity['role'], blocked = false): DnsActivity {
  return { ts: ms, clientIp, name, qtype, service: 'netflix', role, blocked };
}

function expectedEvents(schema: FtlSchema): DnsActivity[] {
  const ms = (s: number) => T0 * 1000 + s;
  const events = [
    ev((T0 - 37800) * 1000, LAPTOP, 'api-global.netflix.com', 'A', 'ui'),
    ev(ms(schema === 9 ? 0 : 250), TV, 'www.netflix.com', 'A', 'ui'),
    ev(ms(schema === 9 ? 0 : 900), TV, 'www.netflix.com', 'AAAA', 'ui'),
    ev(ms(5000), TV, 'ipv4-c001-ams001-ix.1.oca.nflxvideo.net', 'A', 'video'),
    ev(ms(schema === 9 ? 7000 : 7500), PHONE, 'occ-0-768-769.1.nflxso.net', 'HTTPS', 'ui'),
    ev(ms(schema === 9 ? 9000 : 9999), LAPTOP, 'customerevents.netflix.com', 'A', 'playback', true),
    ev(ms(13000), TV, 'www.netflix.com', 'CNAME', 'ui'),
    ev(ms(14000), TV, 'www.netflix.com', 'type=666', 'ui'),
    ev(ms(15000), TV, 'www.netflix.com', 'A', 'ui'),
    ev(ms(16000), TV, 'www.netflix.com', 'A', 'ui'),
    ev(ms(17000), LAPTOP, 'ichnaea-web.netflix.com', 'A', 'playback', true),
    ev(ms(18000), LAPTOP, 'assets.nflxext.com', 'A', 'ui'),
    ev(ms(20000), LAPTOP, 'fast.com', 'A', 'background'),
  ];
  return events;
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'nfmon-ftldb-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function build(schema: FtlSchema, journal: 'wal' | 'delete' = 'wal'): string {
  const file = join(dir, 'pihole-FTL.db');
  const fx = new FtlFixture(file, schema, journal);
  fx.insertQueries(householdRows(schema));
  fx.insertDevice({ hwaddr: 'F4:7B:5E:A1:B2:C3', firstSeen: T0 - 30 * 86400, lastQuery: T0 + 19, vendor: 'Samsung Electronics Co.,Ltd', addresses: [{ ip: TV, lastSeen: T0 + 60, name: 'samsung-tv.lan' }] });
  fx.insertDevice({ hwaddr: `ip-${PHONE}`, firstSeen: T0 - 86400, lastQuery: T0 + 8, addresses: [{ ip: PHONE, lastSeen: T0 + 60, name: 'pixel.lan' }] });
  fx.insertDevice({ hwaddr: 'ac:de:48:00:11:22', firstSeen: T0 - 86400, lastQuery: T0 + 20, addresses: [{ ip: LAPTOP, lastSeen: T0 + 60, name: 'laptop.lan' }, { ip: 'fd00::42', lastSeen: T0 + 30 }] });
  fx.insertDevice({ hwaddr: 'b8:27:eb:00:00:01', firstSeen: T0 - 86400, lastQuery: 0, addresses: [] });
  fx.insertDevice({ hwaddr: '00:00:00:00:00:00', firstSeen: T0, lastQuery: 0, addresses: [{ ip: '192.168.1.99', lastSeen: T0 }] });
  fx.close();
  return file;
}

describe.each([21, 9] as const)('FTL database version %i', (schema) => {
  const rowCount = householdRows(schema).length;

  it('detects the layout and reads the monitored rows exactly', () => {
    const db = openFtlDatabase(build(schema));
    expect([db.layout, db.version, db.journal, db.hasNetwork]).toEqual([schema === 21 ? 'query_storage' : 'queries', schema, 'wal', true]);
    const b = readQueries(db, { ...filter, afterId: 0, limit: 1000 });
    db.close();
    expect(b.events).toEqual(expectedEvents(schema));
    const v5 = schema === 9;
    expect(b.counts).toEqual({
      scanned: rowCount,
      kept: 13,
      hidden: 2,
      unmatched: 0,
      malformed: v5 ? 0 : 1,
      byStatus: { CACHE: 2, FORWARDED: 6, CACHE_STALE: 1, REGEX: 1, UNKNOWN: 1, RETRIED: 1, EXTERNAL_BLOCKED_NXRA: 1 },
      byOutcome: { forwarded: 7, cached: 3, blocked: 2, unknown: 1 },
    });
    expect([b.lastId, b.lastTs, b.maxId, b.caughtUp, b.restarted]).toEqual([rowCount, (T0 + 20) * 1000, rowCount, true, false]);
  });

  it('pages by rows scanned and resumes from the last id without repeating a row', () => {
    const db = openFtlDatabase(build(schema));
    const pages: QueryBatch[] = [];
    let afterId = 0, afterTs: number | undefined;
    for (let i = 0; i < 10; i++) {
      const b = readQueries(db, { ...filter, afterId, afterTs, limit: 5 });
      pages.push(b);
      ({ lastId: afterId, lastTs: afterTs } = b);
      if (b.caughtUp) break;
    }
    const again = readQueries(db, { ...filter, afterId, afterTs, limit: 5 });
    db.close();
    expect(pages.map((p) => [p.lastId, p.counts.scanned, p.caughtUp])).toEqual(
      schema === 21 ? [[5, 5, false], [10, 5, false], [15, 5, false], [19, 4, true]] : [[5, 5, false], [10, 5, false], [15, 5, false], [18, 3, true]],
    );
    expect(pages.flatMap((p) => p.events)).toEqual(expectedEvents(schema));
    expect([again.events, again.lastId, again.lastTs, again.counts.scanned, again.restarted]).toEqual([[], afterId, afterTs, 0, false]);
  });
});

describe('resume point checks', () => {
  it('restarts from the beginning when the resume point belongs to another database', () => {
    const db = openFtlDatabase(build(21));
    const first = readQueries(db, { ...filter, afterId: 0, limit: 1000 });
    // Row 10 exists with another timestamp: the file was replaced by another history.
    const otherTs = readQueries(db, { ...filter, afterId: 10, afterTs: 1, limit: 1000 });
    // Ids stop below the resume point: a recreated database.
    const beyond = readQueries(db, { ...filter, afterId: 5000, limit: 1000 });
    // The same row: carry on after it.
    const sameTs = readQueries(db, { ...filter, afterId: 10, afterTs: ftlTimestampMs(T0 + 11), limit: 1000 });
    // Row gone but ids continue above it (FTL's maxDBdays garbage collection): carry on too.
    const writer = new Database(db.file);
    writer.prepare('DELETE FROM query_storage WHERE id <= 10').run();
    writer.close();
    const collected = readQueries(db, { ...filter, afterId: 10, afterTs: 123, limit: 1000 });
    db.close();
    expect([otherTs.restarted, otherTs.events]).toEqual([true, first.events]);
    expect([beyond.restarted, beyond.events]).toEqual([true, first.events]);
    expect([sameTs.restarted, sameTs.counts.scanned]).toEqual([false, 9]);
    expect([collected.restarted, collected.counts.scanned]).toEqual([false, 9]);
  });

  it('keeps the whole second when converting to ms', () => {
    // T0 + 0.9999997 is stored as T0 + 0.99999976...: rounds to 1000 ms, still second T0.
    expect([ftlTimestampMs(T0 + 9.999), ftlTimestampMs(T0 + 0.9999997), ftlTimestampMs(T0)]).toEqual([T0 * 1000 + 9999, T0 * 1000 + 999, T0 * 1000]);
  });

  it('counts pre-filtered names the classifier rejects', () => {
    const db = openFtlDatabase(build(21));
    const b = readQueries(db, { domains: ['netflix.com'], classify: (n) => (n === 'www.netflix.com' ? { service: 'netflix', role: 'ui' } : undefined), afterId: 0, limit: 100 });
    db.close();
    expect([b.counts.kept, b.counts.unmatched, b.counts.hidden, b.counts.malformed]).toEqual([6, 3, 2, 1]);
  });
});

describe('the handle', () => {
  it('notices when the path names another file (moved away, recreated)', () => {
    const file = build(21);
    const db = openFtlDatabase(file);
    const before = db.replaced();
    renameSync(file, `${file}.old`);
    const moved = db.replaced();
    build(21);
    const recreated = db.replaced();
    db.close();
    expect([before, moved, recreated]).toEqual([false, true, true]);
  });
});

describe('readNetwork', () => {
  it.each([21, 9] as const)('turns network + network_addresses (version %i) into identity intervals', (schema) => {
    const db = openFtlDatabase(build(schema));
    const net = readNetwork(db);
    db.close();
    expect(net.identities).toEqual([
      { ip: TV, mac: 'f4:7b:5e:a1:b2:c3', start: (T0 - 30 * 86400) * 1000, end: (T0 + 61) * 1000, hostname: 'samsung-tv.lan', vendor: 'Samsung Electronics Co.,Ltd', source: 'pihole-db' },
      { ip: LAPTOP, mac: 'ac:de:48:00:11:22', start: (T0 - 86400) * 1000, end: (T0 + 61) * 1000, hostname: 'laptop.lan', source: 'pihole-db' },
      { ip: 'fd00::42', mac: 'ac:de:48:00:11:22', start: (T0 - 86400) * 1000, end: (T0 + 31) * 1000, source: 'pihole-db' },
    ]);
    expect(net.counts).toEqual({ devices: 5, addresses: 5, identities: 3, mockHwaddr: 1, notMac: 1, malformed: 0, withoutAddress: 1 });
  });
});

describe('bad input', () => {
  function expectFtlError(fn: () => unknown, file: string, problem: string): FtlDbError {
    let caught: unknown;
    try {
      fn();
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(SourceError);
    const e = caught as FtlDbError;
    expect([e.name, e.problem, e.file, e.message.startsWith(`${file}: `)]).toEqual(['FtlDbError', problem, file, true]);
    return e;
  }

  it('names the file that is not SQLite', () => {
    const file = join(dir, 'pihole-FTL.db');
    writeFileSync(file, 'Nov 22 05:56:33 dnsmasq[812]: query[A] www.netflix.com from 192.168.1.42\n'.repeat(5));
    expect(expectFtlError(() => openFtlDatabase(file), file, 'not_sqlite').message).toBe(`${file}: not a SQLite database`);
  });

  it('names a SQLite file with another schema', () => {
    const file = join(dir, 'gravity.db');
    const other = new Database(file);
    other.exec('CREATE TABLE adlist (id INTEGER PRIMARY KEY, address TEXT); CREATE TABLE queries_log (id INTEGER)');
    other.close();
    expectFtlError(() => openFtlDatabase(file), file, 'not_pihole');
  });

  it('names a file that does not exist', () => {
    const file = join(dir, 'missing.db');
    expectFtlError(() => openFtlDatabase(file), file, 'missing');
  });
});
