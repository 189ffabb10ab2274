// Pi-hole's database into the store: the resume point stored with each batch, a replaced database
// read again without double counting, the same query from the log and the database stored once
// (one second apart when a second boundary fell between their stamps), and the network table's
// addresses kept as history when FTL overwrites them. Databases are built from the CREATE
// statements FTL's own test suite asserts (fixtures/pihole-ftl/, test/helpers/ftl-fixture.ts).
import { renameSync, writeFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LeaseInterval } from '../../src/core/types.js';
import { validateConfig } from '../../src/config/load.js';
import { openIngestDeps, type IngestDeps } from '../../src/ingest/deps.js';
import { ingestFtlDatabase, NETWORK_SOURCE, placeIdentities } from '../../src/ingest/pihole-db.js';
import { ingestPiholeLog } from '../../src/ingest/pihole-log.js';
import { rebuildPending } from '../../src/ingest/rebuild.js';
import type { NetworkIdentity } from '../../src/sources/pihole/ftl-db.js';
import { FtlFixture, type QueryRow } from '../helpers/ftl-fixture.js';
import { stamp, tempDir, type TempDir } from '../helpers/daemon-harness.js';

const T0 = Date.UTC(2026, 10, 21, 20, 0, 0) / 1000;
const TV = '192.168.1.20';
const TV_MAC = '8c:79:f5:3c:5a:01';
const STICK_MAC = 'f4:f5:d8:7a:22:02';
const video = (i: number): string => `ipv4-c00${i}-ams001-ix.1.oca.nflxvideo.net`;
const row = (s: number, domain: string, client = TV): QueryRow => ({ ts: T0 + s, type: 1, status: 2, domain, client });

let t: TempDir;
let app: IngestDeps;
beforeEach(() => {
  t = tempDir('nfmon-ingest-pihole-db-');
  app = openIngestDeps(validateConfig({ timezone: 'UTC', pihole: { database: false } }, 'test'), t.path('nfmon.db'));
});
afterEach(() => {
  app.close();
  t.remove();
});

const events = (): { ts: number; name: string; source_id: number }[] =>
  app.store.db.prepare('SELECT ts, name, source_id FROM dns_events ORDER BY ts, name').all() as { ts: number; name: string; source_id: number }[];

function fixture(name = 'pihole-FTL.db'): FtlFixture {
  return new FtlFixture(t.path(name), 21);
}

describe('ingesting pihole-FTL.db', () => {
  it('stores whole seconds, resumes after the last row and reads only what FTL added since', async () => {
    const fx = fixture();
    fx.insertQueries([row(0.25, 'www.netflix.com'), row(1, 'example.org'), row(5.999, video(1)), row(6, 'hidden')]);
    const first = await ingestFtlDatabase(app, fx.file, { now: Date.now(), limit: 2 });
    expect(first).toMatchObject({ scanned: 4, kept: 2, hidden: 1, dnsEvents: 2, resumedFrom: 0, lastId: 4, maxId: 4, restarted: false });
    expect(events().map((e) => e.ts)).toEqual([T0 * 1000, (T0 + 5) * 1000]);
    const again = await ingestFtlDatabase(app, fx.file, { now: Date.now() });
    expect(again).toMatchObject({ scanned: 0, kept: 0, dnsEvents: 0, resumedFrom: 4, lastId: 4 });

    fx.insertQueries([row(30, video(2))]);
    const more = await ingestFtlDatabase(app, fx.file, { now: Date.now() });
    expect(more).toMatchObject({ scanned: 1, kept: 1, dnsEvents: 1, resumedFrom: 4, lastId: 5 });
    const src = app.store.sources.byKind('pihole_db')[0];
    expect(src).toMatchObject({ path: fx.file, offset: 5, size: 5, lines: 5, parsed: 3, fingerprint: String((T0 + 30) * 1000) });
    expect(src?.skipped).toEqual({ not_monitored: 1, hidden: 1 });
    fx.close();
  });

  it('a database replaced at the same path is read from its start, and what it repeats is stored once', async () => {
    const fx = fixture();
    fx.insertQueries([row(0, 'www.netflix.com'), row(1, video(1)), row(2, video(2))]);
    await ingestFtlDatabase(app, fx.file, { now: Date.now() });
    fx.close();
    // Pi-hole rebuilt its database (pihole -f, a restore): new ids, the same queries and one more.
    renameSync(fx.file, t.path('old.db'));
    const fresh = fixture();
    fresh.insertQueries([row(2, video(2)), row(40, video(3))]);
    const r = await ingestFtlDatabase(app, fresh.file, { now: Date.now() });
    expect(r).toMatchObject({ restarted: true, resumedFrom: 3, scanned: 2, kept: 2, dnsEvents: 1, lastId: 2 });
    expect(events()).toHaveLength(4);
    expect(app.store.sources.byKind('pihole_db')[0]).toMatchObject({ offset: 2, lines: 2 });
    fresh.close();
  });

  it('the log and the database store one event per query, also when the log reads one second earlier', async () => {
    const fx = fixture();
    // FTL stamped the queries after dnsmasq logged them; for video(2) a second boundary fell in between.
    fx.insertQueries([row(0.004, 'www.netflix.com'), row(11.003, video(2)), row(20.5, video(3))]);
    const log = t.path('pihole.log');
    const line = (s: number, name: string): string => `${stamp((T0 + s) * 1000)} dnsmasq[1]: query[A] ${name} from ${TV}\n${stamp((T0 + s) * 1000)} dnsmasq[1]: reply ${name} is 45.57.90.1\n`;
    writeFileSync(log, line(0, 'www.netflix.com') + line(10, video(2)) + line(20, video(3)) + line(21, video(3)) + line(50, video(4)));
    await ingestFtlDatabase(app, fx.file, { now: Date.now() });
    await ingestPiholeLog(app, log, { final: true, now: Date.now(), referenceTs: (T0 + 3600) * 1000 });
    // video(3) at :21 is a second lookup the log saw (the database's copy is at :20), video(4) only the log has.
    expect(events().map((e) => [e.ts / 1000 - T0, e.name])).toEqual([
      [0, 'www.netflix.com'], [11, video(2)], [20, video(3)], [21, video(3)], [50, video(4)],
    ]);
    fx.close();
  });

  it('the other way round: the log first, then the database', async () => {
    const fx = fixture();
    fx.insertQueries([row(11.003, video(2)), row(12.5, video(2))]);
    const log = t.path('pihole.log');
    writeFileSync(log, `${stamp((T0 + 10) * 1000)} dnsmasq[1]: query[A] ${video(2)} from ${TV}\n${stamp((T0 + 10) * 1000)} dnsmasq[1]: reply ${video(2)} is 45.57.90.1\n`);
    await ingestPiholeLog(app, log, { final: true, now: Date.now(), referenceTs: (T0 + 3600) * 1000 });
    const r = await ingestFtlDatabase(app, fx.file, { now: Date.now() });
    // :11 is the log's :10 one second later; :12 is another lookup FTL saw (the log here has none).
    expect(r.dnsEvents).toBe(1);
    expect(events().map((e) => e.ts / 1000 - T0)).toEqual([10, 12]);
    fx.close();
  });

  it('without a log source, lookups one second apart are two lookups', async () => {
    const fx = fixture();
    fx.insertQueries([row(10.5, video(2)), row(11.5, video(2))]);
    await ingestFtlDatabase(app, fx.file, { now: Date.now() });
    expect(events()).toHaveLength(2);
    fx.close();
  });

  it('attributes lookups to the MACs of the network table; a mock ip- hardware address stays an address', async () => {
    const fx = fixture();
    fx.insertQueries([row(0, video(1)), row(60, video(1), '192.168.1.40')]);
    fx.insertDevice({ hwaddr: TV_MAC.toUpperCase(), firstSeen: T0 - 86_400, lastQuery: T0, vendor: 'Samsung Electronics Co.,Ltd', addresses: [{ ip: TV, lastSeen: T0 + 600, name: 'Samsung-TV' }] });
    fx.insertDevice({ hwaddr: 'ip-192.168.1.40', firstSeen: T0 - 86_400, lastQuery: T0 + 60, addresses: [{ ip: '192.168.1.40', lastSeen: T0 + 600 }] });
    const r = await ingestFtlDatabase(app, fx.file, { now: Date.now() });
    expect(r.network).toMatchObject({ devices: 2, addresses: 2, identities: 1, mockHwaddr: 1 });
    rebuildPending(app.rebuildContext(), Date.now());
    const devices = app.store.db.prepare('SELECT DISTINCT device FROM dns_events ORDER BY device').all() as { device: string }[];
    expect(devices.map((d) => d.device)).toEqual([TV_MAC, 'ip:192.168.1.40']);
    expect(app.store.leases.all()).toEqual([{ ip: TV, mac: TV_MAC, start: (T0 - 86_400) * 1000, end: (T0 + 601) * 1000, hostname: 'Samsung-TV', source: NETWORK_SOURCE }]);
    fx.close();
  });
});

describe('placeIdentities: FTL overwrites an address that moves, nfmon keeps the history', () => {
  const id = (mac: string, start: number, end: number): NetworkIdentity => ({ ip: TV, mac, start, end, source: 'pihole-db' });
  const stored = (mac: string, start: number, end: number, source = NETWORK_SOURCE): LeaseInterval => ({ ip: TV, mac, start, end, source });

  it.each([
    ['a pair never seen starts at the device first sighting', [id(TV_MAC, 100, 500)], [], [[TV_MAC, 100, 500]]],
    ['a pair seen again keeps its start, so the stored interval grows', [id(TV_MAC, 100, 900)], [stored(TV_MAC, 100, 500)], [[TV_MAC, 100, 900]]],
    ['an address taken over starts when its last holder was last seen', [id(STICK_MAC, 50, 900)], [stored(TV_MAC, 100, 500)], [[STICK_MAC, 500, 900]]],
    ['an address back with its first holder starts a new interval after the other', [id(TV_MAC, 100, 1500)], [stored(TV_MAC, 100, 500), stored(STICK_MAC, 500, 900)], [[TV_MAC, 900, 1500]]],
    ['a lease of another MAC still running past the last sighting does not move the start', [id(TV_MAC, 100, 500)], [stored(STICK_MAC, 200, 5000, 'dhcp.leases')], [[TV_MAC, 100, 500]]],
    ['another holder seen until the same moment: nothing left to place', [id(TV_MAC, 100, 500)], [stored(STICK_MAC, 200, 500)], []],
  ])('%s', (_what, identities, known, expected) => {
    expect(placeIdentities(identities, known).map((l) => [l.mac, l.start, l.end])).toEqual(expected);
  });
});
