// `nfmon ingest --pihole-db` through the built binary, on a household day written twice by
// bench/gen-household.mjs: as Pi-hole's database (pihole-FTL.db from the CREATE statements FTL's
// own test suite asserts, fixtures/pihole-ftl/schema-v21.sql, with the network table) and as the
// dnsmasq log of the same lookups. The router does DHCP in this home: no lease file is given, so
// every MAC comes from FTL's network table.
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, CliSandbox, stderrLines } from '../helpers/cli.js';
import { FtlFixture } from '../helpers/ftl-fixture.js';
import { startWriter } from '../helpers/ftl-writer-process.js';

interface Truth {
  generator: { to: string };
  files: { pihole_log: string; config: string; pihole_db: string };
  devices: { mac: string; ip: string; hostname: string }[];
  plays: { device_mac: string; ip: string }[];
}
type Generate = (o: { days: number; seed: number; out: string; ftlDb?: boolean; ftlMock?: string[] }) => Truth;
interface DbReport {
  path: string;
  version: number;
  rows_scanned: number;
  kept: number;
  hidden: number;
  dns_events: number;
  by_outcome: Record<string, number>;
  resumed_from: number;
  last_id: number;
  network: { devices: number; identities: number; mock_hwaddr: number };
}
interface IngestJson {
  pihole_dbs: DbReport[];
  logs: { path: string; dns_events: number }[];
  sessions: number;
  errors: string[];
}
interface SessionJson {
  device: { mac: string | null; name: string; hostname: string | null; ip: string };
  start: string;
}
interface SourceJson {
  kind: string;
  path: string;
  last_row?: number;
  max_row?: number | null;
  lag_rows?: number | null;
  lag_s?: number | null;
  hidden_rows?: number;
  last_error: string | null;
  fix?: string | null;
}

const AS_ROOT = process.getuid?.() === 0;
const NOBODY = 65534;
const GUEST_IP = '192.168.1.40';
/** Rows FTL wrote after Pi-hole's privacy level was raised at the end of the day (not in the log). */
const HIDDEN_ROWS = 6;

let dir: string;
let truth: Truth;
let sb: CliSandbox;
let first: IngestJson;

/** Log stamps are Europe/Amsterdam wall time, UTC+1 in November 2026. */
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
function logQueries(file: string): Set<string> {
  const out = new Set<string>();
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const m = /^(\w{3}) ([ \d]\d) (\d\d):(\d\d):(\d\d) dnsmasq\[\d+\]: query\[(\w+)\] (\S+) from (\S+)$/.exec(line);
    if (!m) continue;
    const s = Date.UTC(2026, MONTHS.indexOf(m[1]!), Number(m[2]), Number(m[3]) - 1, Number(m[4]), Number(m[5])) / 1000;
    out.add(`${s} ${m[8]} ${m[7]} ${m[6]}`);
  }
  return out;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'nfmon-piholedb-'));
  const genUrl = new URL('../../bench/gen-household.mjs', import.meta.url).href;
  const generate = ((await import(genUrl)) as { generateHousehold: Generate }).generateHousehold;
  // FTL never saw the guest phone's MAC (say it came through a VPN): a mock ip-<address> row.
  truth = generate({ days: 1, seed: 3, out: join(dir, 'house'), ftlDb: true, ftlMock: ['guest'] });
  const db = new Database(truth.files.pihole_db);
  const at = Date.parse(truth.generator.to) / 1000;
  const hidden = db.prepare(
    `INSERT INTO query_storage VALUES (NULL, ?, 1, 2, (SELECT id FROM domain_by_id WHERE domain = 'hidden'),
       (SELECT id FROM client_by_id WHERE ip = ? AND name = ''), NULL, NULL, 4, 0.01, 0, NULL, NULL)`,
  );
  db.transaction(() => {
    db.prepare("INSERT OR IGNORE INTO domain_by_id (domain) VALUES ('hidden')").run();
    db.prepare("INSERT OR IGNORE INTO client_by_id (ip, name) VALUES ('0.0.0.0', '')").run();
    for (let i = 0; i < HIDDEN_ROWS; i++) hidden.run(at + i, i === 0 ? '0.0.0.0' : '192.168.1.20');
  })();
  db.close();
  sb = new CliSandbox(truth.files.config);
  first = sb.json<IngestJson>(['ingest', '--pihole-db', truth.files.pihole_db]);
}, 60_000);
afterAll(() => {
  sb.dispose();
  rmSync(dir, { recursive: true, force: true });
});

describe('nfmon ingest --pihole-db: a household day from Pi-hole database alone', () => {
  it('reports rows scanned, kept by outcome, hidden by the privacy level, and the network table', () => {
    const r = first.pihole_dbs[0]!;
    const total = (new Database(truth.files.pihole_db, { readonly: true }).prepare('SELECT count(*) AS n FROM query_storage').get() as { n: number }).n;
    expect(first.errors).toEqual([]);
    expect(r).toMatchObject({ path: truth.files.pihole_db, version: 21, rows_scanned: total, hidden: HIDDEN_ROWS, resumed_from: 0, last_id: total });
    expect(r.kept).toBeGreaterThan(300);
    expect(r.by_outcome.forwarded! + r.by_outcome.cached! + r.by_outcome.blocked! + r.by_outcome.unknown!).toBe(r.kept);
    // Seven devices with a MAC; the guest and the Pi itself (127.0.0.1) under ip-<address>.
    expect(r.network).toMatchObject({ devices: 9, identities: 7, mock_hwaddr: 2 });
    const fresh = new CliSandbox(truth.files.config);
    try {
      const text = fresh.run(['ingest', '--pihole-db', truth.files.pihole_db]);
      expect(text.code).toBe(0);
      expect(text.stdout).toContain(`${r.rows_scanned.toLocaleString('en')} rows scanned, ${r.kept} monitored`);
      expect(text.stdout).toContain(`; ${HIDDEN_ROWS} hidden by Pi-hole's privacy level`);
      expect(text.stdout).toContain('2 without a MAC (ip-<address>)');
    } finally {
      fresh.dispose();
    }
  });

  it("attributes every session to the MAC the network table gives for its address; the guest's mock address stays ip:", () => {
    const sessions = sb.json<SessionJson[]>(['sessions', '--since', 'all']);
    expect(sessions.length).toBeGreaterThanOrEqual(5);
    const byIp = new Map(truth.devices.map((d) => [d.ip, d]));
    for (const s of sessions) {
      if (s.device.ip === GUEST_IP) {
        expect(s.device.mac).toBeNull();
        expect(s.device.name).toBe(`ip:${GUEST_IP}`);
      } else {
        expect(s.device.mac, s.device.ip).toBe(byIp.get(s.device.ip)?.mac);
        expect(s.device.hostname, s.device.ip).toBe(byIp.get(s.device.ip)?.hostname);
      }
    }
    expect(new Set(sessions.map((s) => s.device.mac ?? s.device.name))).toEqual(new Set(truth.plays.map((p) => (p.ip === GUEST_IP ? `ip:${GUEST_IP}` : p.device_mac))));
  });

  it('a second import adds nothing', () => {
    const before = sb.json<{ counters: Record<string, number> }>(['status']).counters;
    const again = sb.json<IngestJson>(['ingest', '--pihole-db', truth.files.pihole_db]);
    expect(again.pihole_dbs[0]).toMatchObject({ rows_scanned: 0, kept: 0, dns_events: 0, resumed_from: first.pihole_dbs[0]!.last_id });
    expect(sb.run(['ingest', '--pihole-db', truth.files.pihole_db]).stdout).toContain(`0 rows scanned (resumed after row ${first.pihole_dbs[0]!.last_id})`);
    expect(sb.json<{ counters: Record<string, number> }>(['status']).counters).toEqual(before);
  });

  it('status shows the database: last row, no lag, hidden rows', () => {
    const src = sb.json<{ sources: SourceJson[] }>(['status']).sources.find((s) => s.kind === 'pihole_db');
    const last = first.pihole_dbs[0]!.last_id;
    expect(src).toMatchObject({ path: truth.files.pihole_db, last_row: last, max_row: last, lag_rows: 0, lag_s: 0, hidden_rows: HIDDEN_ROWS, last_error: null, fix: null });
  });

  it("adding the same day's log changes no session, no alert and stores no lookup twice", () => {
    // The pair of stamps the dedupe must bridge: FTL's second is the log's next one for some queries.
    const log = logQueries(truth.files.pihole_log);
    const rows = new Database(truth.files.pihole_db, { readonly: true })
      .prepare("SELECT CAST(timestamp AS INTEGER) AS s, client, domain, type FROM queries WHERE domain LIKE '%netflix.com' OR domain LIKE '%nflxvideo.net'")
      .all() as { s: number; client: string; domain: string; type: number }[];
    const qtype = (t: number): string => (t === 1 ? 'A' : t === 2 ? 'AAAA' : t === 16 ? 'HTTPS' : `${t}`);
    const shifted = rows.filter((r) => !log.has(`${r.s} ${r.client} ${r.domain} ${qtype(r.type)}`) && log.has(`${r.s - 1} ${r.client} ${r.domain} ${qtype(r.type)}`));
    expect(shifted.length).toBeGreaterThan(0);

    const sessions = sb.run(['sessions', '--since', 'all', '--json']).stdout;
    const alerts = sb.run(['alerts', '--since', 'all', '--json']).stdout;
    const events = sb.json<{ counters: Record<string, number> }>(['status']).counters.dns_events;
    expect(JSON.parse(alerts)).not.toEqual([]);
    const withLog = sb.json<IngestJson>(['ingest', '--pihole-log', truth.files.pihole_log]);
    expect(withLog.logs[0]!.dns_events).toBeGreaterThan(300);
    expect(sb.json<{ counters: Record<string, number> }>(['status']).counters.dns_events).toBe(events);
    expect(sb.run(['sessions', '--since', 'all', '--json']).stdout).toBe(sessions);
    expect(sb.run(['alerts', '--since', 'all', '--json']).stdout).toBe(alerts);
  });
});

describe('nfmon ingest --pihole-db: bad input', () => {
  let bad: CliSandbox;
  let logFile: string;
  beforeAll(() => {
    bad = new CliSandbox(truth.files.config);
    logFile = truth.files.pihole_log;
  });
  afterAll(() => bad.dispose());

  /** The database fails with one line naming it; the log given with it is still imported. */
  function expectNamedFailure(file: string, message: RegExp): void {
    const r = bad.run(['ingest', '--pihole-db', file, '--pihole-log', logFile, '--json']);
    expect(r.code).toBe(1);
    const lines = stderrLines(r);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^nfmon: ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: ${message.source}`));
    expect(r.stderr).not.toMatch(/^\s+at /m);
    const report = JSON.parse(r.stdout) as IngestJson;
    expect(report.pihole_dbs).toEqual([]);
    expect(report.logs[0]!.path).toBe(logFile);
  }

  it('a file that is not SQLite', () => {
    expectNamedFailure(bad.write('not-sqlite.db', 'SQLite? no, a text file\n'.repeat(20)), /not a SQLite database/);
    // The log was imported in that same call.
    expect(bad.json<SessionJson[]>(['sessions', '--since', 'all']).length).toBeGreaterThan(0);
  });

  it("a SQLite database that is not Pi-hole's", () => {
    const file = bad.path('other.db');
    const db = new Database(file);
    db.exec('CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)');
    db.close();
    expectNamedFailure(file, /SQLite database without query_storage or queries table: not a Pi-hole FTL database/);
  });

  it('a database another process holds locked', async () => {
    const fx = new FtlFixture(bad.path('locked.db'), 21, 'delete');
    fx.insertQueries([{ ts: Date.parse(truth.generator.to) / 1000 - 60, type: 1, status: 2, domain: 'www.netflix.com', client: '192.168.1.20' }]);
    fx.close();
    const writer = startWriter(fx.file, 'lock', 0);
    expect(await writer.next()).toBe('locked');
    try {
      expectNamedFailure(fx.file, /database is locked by another process beyond the timeout/);
    } finally {
      writer.child.stdin.write('release\n');
      await writer.exit;
    }
  });
});

describe('nfmon ingest --pihole-db: files only readable', () => {
  /** The CLI as `nobody` when the suite runs as root (root reads any file), in a directory it owns. */
  function runAsReader(args: string[], work: string): { code: number | null; stdout: string; stderr: string } {
    const r = spawnSync(process.execPath, [BIN, '--db', join(work, 'nfmon.db'), ...args], {
      encoding: 'utf8', timeout: 60_000, env: { ...process.env, TZ: 'UTC' }, ...(AS_ROOT ? { uid: NOBODY, gid: NOBODY } : {}),
    });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  }

  function workDir(): string {
    const work = mkdtempSync(join(tmpdir(), 'nfmon-reader-'));
    if (AS_ROOT) chownSync(work, NOBODY, NOBODY);
    return work;
  }

  it('reads a 0444 database that pihole-FTL has open (its -wal/-shm present, read-only to us)', () => {
    const ftlDir = mkdtempSync(join(tmpdir(), 'nfmon-ftl-'));
    const work = workDir();
    try {
      chmodSync(ftlDir, 0o755);
      const fx = new FtlFixture(join(ftlDir, 'pihole-FTL.db'), 21, 'wal');
      fx.insertQueries([{ ts: Date.now() / 1000 - 120, type: 1, status: 2, domain: 'ipv4-c001-ams001-ix.1.oca.nflxvideo.net', client: '192.168.1.20' }]);
      // fx stays open: it is FTL, keeping the -wal and -shm files.
      for (const f of [fx.file, `${fx.file}-wal`, `${fx.file}-shm`]) chmodSync(f, 0o444);
      const r = runAsReader(['ingest', '--pihole-db', fx.file, '--json'], work);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect((JSON.parse(r.stdout) as IngestJson).pihole_dbs[0]).toMatchObject({ rows_scanned: 1, kept: 1, dns_events: 1 });
      fx.close();
    } finally {
      rmSync(ftlDir, { recursive: true, force: true });
      rmSync(work, { recursive: true, force: true });
    }
  });

  it.skipIf(!AS_ROOT)('status names a database nfmon may not read, and the fix (the pihole group)', () => {
    const ftlDir = mkdtempSync(join(tmpdir(), 'nfmon-ftl-'));
    const work = workDir();
    try {
      chmodSync(ftlDir, 0o755);
      const fx = new FtlFixture(join(ftlDir, 'pihole-FTL.db'), 21, 'delete');
      fx.close();
      chmodSync(fx.file, 0o640); // pihole:pihole 0640, and this reader is not in the group
      const config = join(work, 'config.yaml');
      writeFileSync(config, JSON.stringify({ timezone: 'UTC', pihole: { database: fx.file } }));
      expect(runAsReader(['--config', config, 'forget', '--viewing-activity'], work).code).toBe(0); // makes nfmon's database
      const r = runAsReader(['--config', config, 'status', '--json'], work);
      expect(r.code).toBe(0);
      const src = (JSON.parse(r.stdout) as { sources: SourceJson[] }).sources.find((s) => s.kind === 'pihole_db');
      expect(src?.last_error).toBe(`${fx.file}: permission denied (the reading user needs the pihole group)`);
      expect(src?.fix).toMatch(/usermod -aG pihole nfmon/);
      const text = runAsReader(['--config', config, 'status'], work);
      expect(text.stdout).toContain('fix: nfmon reads it through the pihole group');
    } finally {
      rmSync(ftlDir, { recursive: true, force: true });
      rmSync(work, { recursive: true, force: true });
    }
  });

  it('status names a configured database that does not exist', () => {
    const work = mkdtempSync(join(tmpdir(), 'nfmon-status-'));
    try {
      mkdirSync(join(work, 'etc'));
      const missing = join(work, 'etc', 'pihole-FTL.db');
      const config = join(work, 'config.yaml');
      writeFileSync(config, JSON.stringify({ timezone: 'UTC', pihole: { database: missing } }));
      const cli = (args: string[]) => spawnSync(process.execPath, [BIN, '--config', config, '--db', join(work, 'nfmon.db'), ...args], { encoding: 'utf8' });
      expect(cli(['forget', '--viewing-activity']).status).toBe(0); // makes nfmon's database
      const r = cli(['status', '--json']);
      const src = (JSON.parse(r.stdout) as { sources: SourceJson[] }).sources.find((s) => s.kind === 'pihole_db');
      expect(src).toMatchObject({ path: missing, last_row: 0, max_row: null, last_error: `${missing}: no such file` });
      expect(src?.fix).toMatch(/pihole\.database/);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });
});
