// The daemon reading Pi-hole's database live (pihole.database): rows another process commits the
// way FTL exports them (test/helpers/ftl-writer.mjs) become sessions and alerts within the poll
// interval plus 2 s, attributed to the MAC of FTL's network table; a database that appears later
// or is replaced is picked up; the log and the database together store each query once.
import { appendFileSync, existsSync, renameSync, writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { RawConfig } from '../../src/config/schema.js';
import { FtlFixture } from '../helpers/ftl-fixture.js';
import { startWriter } from '../helpers/ftl-writer-process.js';
import { DbProbe, quietWindowAround, stamp, startInProcess, tempDir, testConfig, until, type InProcess, type TempDir } from '../helpers/daemon-harness.js';

const TV = '192.168.1.20';
const TV_MAC = '8c:79:f5:3c:5a:01';
const POLL_MS = 1500;

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

interface Setup {
  t: TempDir;
  d: InProcess;
  probe: DbProbe;
  dbFile: string;
}

/** FTL's database with the TV in its network table; kept open, as pihole-FTL keeps it. */
function ftlDatabase(t: TempDir, name = 'pihole-FTL.db'): FtlFixture {
  const fx = new FtlFixture(t.path(name), 21, 'wal');
  const now = Math.floor(Date.now() / 1000);
  fx.insertDevice({ hwaddr: TV_MAC, firstSeen: now - 86_400, lastQuery: now - 60, vendor: 'Samsung Electronics Co.,Ltd', addresses: [{ ip: TV, lastSeen: now, name: 'Samsung-TV' }] });
  return fx;
}

async function setup(raw: RawConfig, fx?: FtlFixture, dbFile?: string): Promise<Setup> {
  const t = tempDir('nfmon-ftlwatch-');
  cleanups.push(() => t.remove());
  const file = dbFile ?? fx?.file ?? t.path('pihole-FTL.db');
  const config = testConfig(t, { ...raw, pihole: { database: file, ...raw.pihole } });
  writeFileSync(config.pihole.log, '');
  const d = await startInProcess(config);
  cleanups.push(() => d.stop());
  const probe = new DbProbe(config.database);
  cleanups.push(() => probe.close());
  return { t, d, probe, dbFile: file };
}

const alerts = (probe: DbProbe): { rule: string; device: string }[] => probe.all('SELECT rule, device FROM alerts');

describe('nfmon run with pihole.database', () => {
  it('a row FTL commits reaches a session and an alert within the poll interval + 2 s, on the MAC of the network table', async () => {
    const t0 = tempDir('nfmon-ftl-');
    cleanups.push(() => t0.remove());
    const fx = ftlDatabase(t0);
    cleanups.push(() => fx.close());
    const { probe } = await setup({ rules: { quiet_hours: quietWindowAround(Date.now()) } }, fx);
    expect(alerts(probe)).toEqual([]);
    // An export: www.netflix.com, example.com, an Open Connect name (video), clients3.google.com.
    const writer = startWriter(fx.file, 'hold', 4);
    expect(await writer.next()).toBe('holding');
    writer.child.stdin.write('commit\n');
    await writer.next();
    const committed = Date.now();
    await until(() => alerts(probe).length > 0, 'a quiet-hours alert', POLL_MS + 2000, () => probe.all('SELECT * FROM dns_events'));
    const latency = Date.now() - committed;
    expect(await writer.exit).toBe(0);
    expect(alerts(probe)).toEqual([{ rule: 'quiet_hours', device: TV_MAC }]);
    expect(probe.all('SELECT device FROM sessions')).toEqual([{ device: TV_MAC }]);
    console.log(`pihole.database: committed row -> alert in ${latency} ms (poll every ${POLL_MS} ms)`);
  });

  it('a database that appears after the start is read once it is there; the problem was logged once', async () => {
    const { t, d, probe, dbFile } = await setup({ rules: { quiet_hours: quietWindowAround(Date.now()) } });
    await new Promise((r) => setTimeout(r, POLL_MS * 2 + 200));
    const missing = d.lines.filter((l) => l.includes(`${dbFile}: no such file`));
    expect(missing).toHaveLength(1);
    expect(missing[0]).toContain('set pihole.database');
    // Built elsewhere and moved into place, as a restore would.
    const fx = ftlDatabase(t, 'staging.db');
    fx.insertQueries([{ ts: Date.now() / 1000 - 1, type: 1, status: 2, domain: 'ipv4-c001-ams001-ix.1.oca.nflxvideo.net', client: TV }]);
    fx.close();
    renameSync(fx.file, dbFile);
    await until(() => alerts(probe).length > 0, 'the alert from the database that appeared', POLL_MS + 2000);
    expect(alerts(probe)).toEqual([{ rule: 'quiet_hours', device: TV_MAC }]);
    expect(d.lines.some((l) => l.includes('reading the database again'))).toBe(true);
  });

  it('the log and the database together: the query both saw is one event, also across a second boundary', async () => {
    const t0 = tempDir('nfmon-ftl-');
    cleanups.push(() => t0.remove());
    const fx = ftlDatabase(t0);
    cleanups.push(() => fx.close());
    const { probe, d } = await setup({}, fx);
    const logFile = d.app.config.pihole.log;
    const at = Math.floor(Date.now() / 1000) - 5;
    const name = 'ipv4-c007-ams001-ix.1.oca.nflxvideo.net';
    // dnsmasq logged it at second `at`; FTL stamped it 3 ms later, in the next second.
    appendFileSync(logFile, `${stamp(at * 1000)} dnsmasq[1]: query[A] ${name} from ${TV}\n${stamp(at * 1000)} dnsmasq[1]: reply ${name} is 45.57.90.1\n${stamp(at * 1000)} dnsmasq[1]: query[A] example.org from ${TV}\n`);
    await until(() => probe.events().count === 1, 'the log line stored', 5000);
    fx.insertQueries([{ ts: at + 1.003, type: 1, status: 2, domain: name, client: TV }, { ts: at + 1.5, type: 1, status: 2, domain: 'www.netflix.com', client: TV }]);
    await until(() => probe.events().count === 2, 'the database rows read', POLL_MS + 2000);
    await new Promise((r) => setTimeout(r, POLL_MS + 200));
    expect(probe.all('SELECT ts, name FROM dns_events ORDER BY ts')).toEqual([
      { ts: at * 1000, name },
      { ts: (at + 1) * 1000, name: 'www.netflix.com' },
    ]);
  });

  it('a database replaced while open is reopened and read from its start, without double counting', async () => {
    const t0 = tempDir('nfmon-ftl-');
    cleanups.push(() => t0.remove());
    const fx = ftlDatabase(t0);
    const now = Date.now() / 1000;
    const row = (s: number, i: number) => ({ ts: now - s, type: 1, status: 2, domain: `ipv4-c00${i}-ams001-ix.1.oca.nflxvideo.net`, client: TV });
    fx.insertQueries([row(30, 1), row(20, 2)]);
    const { probe, d } = await setup({}, fx);
    await until(() => probe.events().count === 2, 'the first database read', POLL_MS + 2000);
    fx.close();
    // Pi-hole's database moved aside with its -wal/-shm (SQLite pairs a database with the -wal at
    // its path, so whoever replaces one moves both) and another put in its place: other ids, the
    // last query again and a new one.
    for (const ext of ['', '-wal', '-shm']) if (existsSync(fx.file + ext)) renameSync(fx.file + ext, t0.path(`damaged.db${ext}`));
    const next = ftlDatabase(t0, 'restored.db');
    next.insertQueries([row(20, 2), row(5, 3)]);
    next.close();
    renameSync(next.file, fx.file);
    await until(() => probe.events().count === 3, 'the new query from the replaced database', POLL_MS + 2000, () => probe.events());
    await new Promise((r) => setTimeout(r, POLL_MS + 200));
    expect(probe.events()).toEqual({ count: 3, distinct: 3 });
    expect(d.lines.some((l) => l.includes('the database file was replaced: reopening'))).toBe(true);
  });

  it('a lock FTL holds is waited out: logged once, read on a later poll, FTL never held up', async () => {
    const t0 = tempDir('nfmon-ftl-');
    cleanups.push(() => t0.remove());
    // FTL with database.useWAL=false: a rollback journal, where a writer's commit locks readers out.
    const fx = new FtlFixture(t0.path('pihole-FTL.db'), 21, 'delete');
    fx.insertQueries([{ ts: Date.now() / 1000 - 30, type: 1, status: 2, domain: 'www.netflix.com', client: TV }]);
    fx.close();
    const { probe, d } = await setup({}, undefined, fx.file);
    await until(() => probe.events().count === 1, 'the first read', POLL_MS + 2000);
    const writer = startWriter(fx.file, 'lock', 0);
    expect(await writer.next()).toBe('locked');
    await new Promise((r) => setTimeout(r, POLL_MS * 2 + 600));
    const locked = d.lines.filter((l) => l.includes('database is locked'));
    expect(locked).toHaveLength(1);
    writer.child.stdin.write('release\n');
    expect(await writer.exit).toBe(0);
    const appender = startWriter(fx.file, 'hold', 3);
    expect(await appender.next()).toBe('holding');
    appender.child.stdin.write('commit\n');
    expect(await appender.exit).toBe(0);
    // www.netflix.com and a video name among the 3 rows (ftl-writer.mjs cycles through 4 names).
    await until(() => probe.events().count === 3, 'the rows committed after the lock', POLL_MS + 2000, () => probe.events());
    expect(d.lines.some((l) => l.includes('reading the database again'))).toBe(true);
  });
});
