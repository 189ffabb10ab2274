// Bad input through the built binary (issue 2, "Bad input"): every problem is one line on stderr
// naming the file, line or key; exit 2 for bad usage or config, 1 for runtime failures; bad
// lines are counted and skipped; nothing already stored is lost; never a stack trace.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  BAD, CliSandbox, copyHousehold, HOUSEHOLD_CONFIG, HOUSEHOLD_WRITTEN, ingestHousehold, stderrLines, type CliResult, type HouseholdFiles,
} from '../helpers/cli.js';

interface LogReport {
  path: string;
  lines_read: number;
  skipped: Record<string, number>;
  dns_events: number;
  end_offset: number;
}
interface IngestJson {
  logs: LogReport[];
  leases: { path: string; format?: string; leases: number; skipped: Record<string, number> }[];
  sessions: number;
  new_alerts: number;
  history_alerts: number;
  errors: string[];
}
interface SessionJson {
  device: { mac: string | null; name: string; ip: string };
  start: string;
  end: string;
}

/** No stack trace, no "at file:line" frames, no uncaught-exception banner. */
function expectNoTrace(r: CliResult): void {
  expect(r.stderr).not.toMatch(/^\s+at /m);
  expect(r.stderr).not.toContain('Error:');
  expect(r.stderr).not.toContain('node:internal');
}

let house: CliSandbox;
let files: HouseholdFiles;
let sessionsBefore: unknown;
beforeAll(() => {
  house = new CliSandbox(HOUSEHOLD_CONFIG);
  files = copyHousehold(house);
  ingestHousehold(house, files);
  sessionsBefore = house.json(['sessions', '--since', 'all']);
});
afterAll(() => house.dispose());

describe('a binary file passed as a log', () => {
  it('fails with exit 1 and one line naming the file and what it looks like', () => {
    const bin = house.copy(join(BAD, 'binary.log'), 'binary.log');
    const r = house.run(['ingest', '--pihole-log', bin]);
    expect(r.code).toBe(1);
    expect(stderrLines(r)).toEqual([`nfmon: ${bin}: this looks like a program (executable), not a Pi-hole query log`]);
    expectNoTrace(r);
  });

  it('loses nothing already stored', () => {
    expect(house.json(['sessions', '--since', 'all'])).toEqual(sessionsBefore);
    expect(house.json<{ counters: Record<string, number> }>(['status']).counters).toEqual({ devices: 6, dns_events: 467, sessions: 8, alerts: 5 });
  });

  it('does not stop the other files of the same call', () => {
    const other = new CliSandbox(HOUSEHOLD_CONFIG);
    try {
      const f = copyHousehold(other);
      const r = other.run(['ingest', '--leases', f.leases, '--pihole-log', join(BAD, 'binary.log'), '--pihole-log', f.log, '--json']);
      expect(r.code).toBe(1);
      expect(stderrLines(r)).toEqual([`nfmon: ${join(BAD, 'binary.log')}: this looks like a program (executable), not a Pi-hole query log`]);
      const report = JSON.parse(r.stdout) as IngestJson;
      expect(report.logs.map((l) => [l.path, l.dns_events])).toEqual([[f.log, 467]]);
      expect(report.sessions).toBe(8);
      // The story's four alerts are about events older than rules.notify_max_age: history, not new.
      expect([report.new_alerts, report.history_alerts]).toEqual([0, 4]);
    } finally {
      other.dispose();
    }
  });
});

describe('bad lines inside good files', () => {
  let sb: CliSandbox;
  let report: IngestJson;
  let log: string;
  let leases: string;
  beforeAll(() => {
    sb = new CliSandbox(); // defaults, TZ=UTC: the log's stamps are UTC
    log = sb.copy(join(BAD, 'truncated.log'), 'truncated.log', HOUSEHOLD_WRITTEN);
    leases = sb.copy(join(BAD, 'broken.leases'), 'broken.leases', HOUSEHOLD_WRITTEN);
    const r = sb.run(['ingest', '--leases', leases, '--pihole-log', log, '--json']);
    expect([r.code, r.stderr]).toEqual([0, '']);
    report = JSON.parse(r.stdout) as IngestJson;
  });
  afterAll(() => sb.dispose());

  it('a last line cut mid-word without newline is read to the end and counted as skipped', () => {
    expect(report.logs).toEqual([
      expect.objectContaining({
        path: log, lines_read: 12, dns_events: 3, end_offset: 955, skipped: { malformed: 1, forwarded: 2, other_service: 2 },
      }),
    ]);
    expect(report.errors).toEqual([]);
  });

  it('a lease file with broken lines counts them and uses the rest', () => {
    // Two lines are not leases (free text, a line cut short); two are.
    expect(report.leases).toEqual([expect.objectContaining({ path: leases, format: 'dnsmasq', leases: 2, skipped: { field_count: 2 } })]);
    const devices = sb.json<{ mac: string; hostname: string | null; ips: string[] }[]>(['devices']);
    expect(devices.map((d) => [d.mac, d.hostname, d.ips])).toEqual([
      ['b8:27:eb:00:00:01', 'living-room-pi', ['192.168.1.60']],
      ['b8:27:eb:00:00:02', null, ['192.168.1.61']],
    ]);
  });

  it('the good lines make their session, attributed through the good lease', () => {
    const sessions = sb.json<SessionJson[]>(['sessions', '--since', 'all']);
    expect(sessions).toMatchObject([
      { device: { mac: 'b8:27:eb:00:00:01', name: 'living-room-pi', ip: '192.168.1.60' }, start: '2026-11-21T20:00:00Z', end: '2026-11-21T20:04:10Z' },
    ]);
  });

  it('status counts the skips per reason', () => {
    const status = sb.json<{ sources: { path: string; lines: number; skipped: Record<string, number> }[] }>(['status']);
    expect(status.sources.find((s) => s.path === log)).toMatchObject({ lines: 12, skipped: { malformed: 1, forwarded: 2, other_service: 2 } });
  });

  it('a run of NUL bytes inside a log (as a power cut leaves) is skipped, the lines around it read', () => {
    const good = 'Nov 21 21:00:00 dnsmasq[812]: query[A] ipv4-c009-ams001-ix.1.oca.nflxvideo.net from 192.168.1.62\n';
    const head = 'Nov 21 20:59:00 dnsmasq[812]: query[A] www.google.com from 192.168.1.62\n'.repeat(20); // > 1 KB of text first
    const nul = sb.write('nul.log', Buffer.concat([Buffer.from(head), Buffer.alloc(300), Buffer.from(`\n${good}`)]), HOUSEHOLD_WRITTEN);
    const r = sb.run(['ingest', '--pihole-log', nul, '--json']);
    expect([r.code, r.stderr]).toEqual([0, '']);
    const l = (JSON.parse(r.stdout) as IngestJson).logs[0];
    // Lines that name no monitored service are passed over unread (`unrelated`, issue 17), except
    // a batch's first line and the last ones before a hit, from the last with a stamp (here the
    // last Google lookup and the NUL line), which are read to keep the clock exact.
    expect(l).toMatchObject({ lines_read: 22, dns_events: 1, skipped: { unrelated: 18, other_service: 2, binary: 1 } });
  });
});

describe('missing, empty and odd files', () => {
  let sb: CliSandbox;
  beforeEach(() => {
    sb = new CliSandbox();
    return () => sb.dispose();
  });

  it.each(['--pihole-log', '--leases', '--pcap', '--viewing-activity'])('a missing %s file: exit 2, one line naming it', (flag) => {
    const r = sb.run(['ingest', flag, 'no-such.log']);
    expect(r.code).toBe(2);
    expect(stderrLines(r)).toEqual(['nfmon: no-such.log: no such file']);
    expect(r.stdout).toBe('');
  });

  it('a missing file among good ones stops before anything is read', () => {
    const log = sb.copy(join(BAD, 'truncated.log'), 'ok.log', HOUSEHOLD_WRITTEN);
    const r = sb.run(['ingest', '--pihole-log', log, '--pihole-log', sb.path('gone.log')]);
    expect(r.code).toBe(2);
    expect(stderrLines(r)).toEqual([`nfmon: ${sb.path('gone.log')}: no such file`]);
    // Not even a database was made.
    expect(existsSync(sb.db)).toBe(false);
  });

  it('a directory is not a log', () => {
    const r = sb.run(['ingest', '--pihole-log', sb.dir]);
    expect(r.code).toBe(2);
    expect(stderrLines(r)).toEqual([`nfmon: ${sb.dir}: not a regular file`]);
  });

  it('an empty log, lease, capture or export file is fine and adds nothing', () => {
    const empty = join(BAD, 'empty.log');
    const r = sb.run(['ingest', '--pihole-log', empty, '--leases', empty, '--pcap', empty, '--viewing-activity', empty, '--json']);
    expect([r.code, r.stderr]).toEqual([0, '']);
    const report = JSON.parse(r.stdout) as IngestJson;
    expect(report.logs).toMatchObject([{ lines_read: 0, dns_events: 0 }]);
    expect(report.leases).toMatchObject([{ leases: 0 }]);
    expect(report).toMatchObject({ pcaps: [{ packets: 0 }], viewing_activity: [{ plays: 0 }] });
    expect(report).toMatchObject({ sessions: 0, new_alerts: 0, errors: [] });
    expect(sb.json<{ counters: Record<string, number> }>(['status']).counters).toEqual({ devices: 0, dns_events: 0, sessions: 0, alerts: 0 });
  });

  it('no file at all is a usage error', () => {
    const r = sb.run(['ingest']);
    expect(r.code).toBe(2);
    expect(stderrLines(r)).toEqual(['nfmon: ingest: give at least one of --pihole-log, --pihole-db, --leases, --pcap, --viewing-activity']);
  });
});

describe('bad config', () => {
  let sb: CliSandbox;
  beforeAll(() => {
    sb = new CliSandbox();
  });
  afterAll(() => sb.dispose());
  const withConfig = (name: string, args: string[] = ['devices']): CliResult => sb.run(['--config', join(BAD, name), ...args]);

  it('a typo: exit 2, one line per bad key with "did you mean"', () => {
    const file = join(BAD, 'typo.yaml');
    const r = withConfig('typo.yaml');
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(stderrLines(r)).toEqual([
      `nfmon: config ${file}: rules.quiet_hour: unknown key (did you mean "quiet_hours"?)`,
      `nfmon: config ${file}: devcies: unknown key (did you mean "devices"?)`,
    ]);
  });

  it('refuses before touching anything: ingest with a bad config reads nothing', () => {
    const r = withConfig('typo.yaml', ['ingest', '--pihole-log', join(BAD, 'truncated.log')]);
    expect(r.code).toBe(2);
    expect(existsSync(sb.db)).toBe(false);
  });

  it('bad values: one line each, naming the key and what was expected', () => {
    const file = join(BAD, 'bad-values.yaml');
    const r = withConfig('bad-values.yaml');
    expect(r.code).toBe(2);
    const lines = stderrLines(r);
    expect(lines).toHaveLength(3);
    expect(lines[0]).toBe(`nfmon: config ${file}: timezone: expected an IANA time zone such as Europe/Amsterdam`);
    expect(lines[1]).toBe(`nfmon: config ${file}: rules.quiet_hours: expected "HH:MM-HH:MM", e.g. "00:00-06:00"`);
    expect(lines[2]).toMatch(new RegExp(`^nfmon: config ${file}: rules\\.max_concurrent_streams: .*number`));
  });

  it('broken YAML: exit 2, one line with the line number', () => {
    const r = withConfig('not-yaml.yaml');
    expect(r.code).toBe(2);
    expect(stderrLines(r)).toHaveLength(1);
    expect(r.stderr).toMatch(new RegExp(`^nfmon: config ${join(BAD, 'not-yaml.yaml')}: line \\d+: `));
    expectNoTrace(r);
  });
});

describe('a database nfmon cannot use', () => {
  let sb: CliSandbox;
  beforeEach(() => {
    sb = new CliSandbox();
    return () => sb.dispose();
  });

  it.each([['devices'], ['sessions'], ['status'], ['ingest']])('garbage bytes at --db: %s exits 1 with one line, no stack trace', (cmd) => {
    writeFileSync(sb.db, Buffer.from('this is not an SQLite database, just bytes\n'.repeat(200)));
    const args = cmd === 'ingest' ? ['ingest', '--pihole-log', join(BAD, 'truncated.log')] : [cmd];
    const r = sb.run(args);
    expect(r.code).toBe(1);
    expect(stderrLines(r)).toEqual([`nfmon: database ${sb.db} is not usable: file is not a database`]);
    expectNoTrace(r);
  });

  it('a directory at --db exits 1 with one line naming it', () => {
    mkdirSync(sb.db);
    const r = sb.run(['devices']);
    expect(r.code).toBe(1);
    expect(stderrLines(r)).toEqual([`nfmon: cannot open database ${sb.db}: it is a directory, not a database file`]);
    const w = sb.run(['ingest', '--pihole-log', join(BAD, 'truncated.log')]);
    expect(w.code).toBe(1);
    expect(stderrLines(w)).toEqual([`nfmon: cannot open database ${sb.db}: unable to open database file`]);
    expectNoTrace(r);
  });

  it('a database written by a newer nfmon is refused with exit 1', () => {
    const db = new Database(sb.db);
    db.pragma('user_version = 99');
    db.close();
    const r = sb.run(['devices']);
    expect(r.code).toBe(1);
    expect(stderrLines(r)).toHaveLength(1);
    expect(r.stderr).toMatch(new RegExp(`^nfmon: database ${sb.db} has schema 99, newer than this nfmon \\(\\d+\\)\\n$`));
    expectNoTrace(r);
  });
});

describe('bad usage', () => {
  let sb: CliSandbox;
  beforeAll(() => {
    sb = new CliSandbox();
  });
  afterAll(() => sb.dispose());

  it.each([
    [['frobnicate'], "error: unknown command 'frobnicate' (run nfmon --help for usage)"],
    [['devices', '--jsn'], "error: unknown option '--jsn' (Did you mean --json?) (run nfmon --help for usage)"],
    [['sessions', '--since'], "error: option '--since <time>' argument missing (run nfmon --help for usage)"],
    [['device', 'set'], "error: missing required argument 'mac' (run nfmon --help for usage)"],
    [['alerts', '--since', 'last week'], 'nfmon: --since: expected "all", "today", a duration such as 90m, 24h or 7d, or an ISO time, got "last week"'],
  ])('%j: exit 2 and exactly one line', (args, line) => {
    const r = sb.run(args);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(stderrLines(r)).toEqual([line]);
  });

  it('--help and --version are not errors', () => {
    const h = sb.run(['--help']);
    expect([h.code, h.stderr]).toEqual([0, '']);
    expect(h.stdout).toContain('Usage: nfmon [options] [command]');
    for (const cmd of ['ingest', 'devices', 'sessions', 'alerts', 'device', 'forget', 'status', 'run', 'reconcile']) {
      expect(h.stdout).toMatch(new RegExp(`^\\s+${cmd}\\b`, 'm'));
    }
    expect(sb.run(['--version'])).toEqual({ code: 0, stdout: '0.1.0\n', stderr: '' });
  });
});
