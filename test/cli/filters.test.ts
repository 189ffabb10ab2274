// Filters and flags of the query commands, the global --config/--db options on every command,
// $NFMON_CONFIG, and running on the built-in defaults with only --db.
import { existsSync, readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CliSandbox, copyHousehold, HOUSEHOLD_CONFIG, ingestHousehold, stderrLines, type HouseholdFiles } from '../helpers/cli.js';

interface SessionJson {
  id: number;
  device: { mac: string | null; name: string; ip: string };
  start: string;
  end: string;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** A dnsmasq log stamp of `t` in UTC (the zone the runs below use). */
function stamp(t: number): string {
  const d = new Date(t);
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, ' ')} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`;
}

/** Five video lookups 3 min apart from `start` by `client`, each with its reply. */
function viewingLines(start: number, client: string): string[] {
  return [0, 1, 2, 3, 4].flatMap((i) => {
    const name = `ipv4-c00${i + 1}-ams001-ix.1.oca.nflxvideo.net`;
    const at = stamp(start + i * 180_000);
    return [`${at} dnsmasq[812]: query[A] ${name} from ${client}`, `${at} dnsmasq[812]: reply ${name} is 45.57.90.${i + 1}`];
  });
}

const iso = (t: number): string => new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z');

let house: CliSandbox;
let files: HouseholdFiles;
beforeAll(() => {
  house = new CliSandbox(HOUSEHOLD_CONFIG);
  files = copyHousehold(house);
  ingestHousehold(house, files);
});
afterAll(() => house.dispose());

describe('sessions --since / --until', () => {
  // Sessions relative to the real clock: the default window is the last 24 hours of now.
  const now = Date.now();
  const old = now - 30 * 3_600_000;
  const recent = now - 2 * 3_600_000;
  let rel: CliSandbox;
  beforeAll(() => {
    rel = new CliSandbox();
    const log = rel.write('pihole.log', [...viewingLines(old, '192.168.1.50'), ...viewingLines(recent, '192.168.1.50')].join('\n') + '\n', new Date(now));
    expect(rel.run(['ingest', '--pihole-log', log]).code).toBe(0);
  });
  afterAll(() => rel.dispose());

  it('defaults to the last 24 hours', () => {
    const starts = (args: string[]): string[] => rel.json<SessionJson[]>(['sessions', ...args]).map((s) => s.start);
    expect(rel.json<{ open: boolean }[]>(['sessions', '--since', 'all']).map((s) => s.open)).toEqual([false, false]);
    expect(starts([])).toEqual([iso(recent)]);
    expect(starts(['--since', '24h'])).toEqual([iso(recent)]);
    expect(starts(['--since', 'all'])).toEqual([iso(old), iso(recent)]);
    expect(starts(['--since', '2d'])).toEqual([iso(old), iso(recent)]);
    expect(starts(['--since', '90m'])).toEqual([]);
  });

  it('takes an ISO time for --since (sessions ending after it)', () => {
    const s = house.json<SessionJson[]>(['sessions', '--since', '2026-11-21T00:00:00Z']);
    // The Fire TV's night session ended at 23:35:10Z, before: it is left out.
    expect(s.map((x) => [x.device.name, x.start])).toEqual([
      ['Kids iPad', '2026-11-21T01:13:04Z'],
      ['Redmi-Note-12', '2026-11-21T12:58:06Z'],
      ['Living room TV', '2026-11-21T19:58:37Z'],
    ]);
  });

  it('--until keeps sessions that started by then', () => {
    const s = house.json<SessionJson[]>(['sessions', '--since', 'all', '--until', '2026-11-20T20:00:00Z']);
    expect(s.map((x) => x.start)).toEqual(['2026-11-20T06:28:04Z', '2026-11-20T17:58:28Z', '2026-11-20T19:08:00Z', '2026-11-20T19:29:46Z']);
    const window = house.json<SessionJson[]>(['sessions', '--since', '2026-11-21T00:00:00Z', '--until', '2026-11-21T12:00:00Z']);
    expect(window.map((x) => x.start)).toEqual(['2026-11-21T01:13:04Z']);
  });

  it('refuses a --since it cannot read with exit 2 and one line', () => {
    const r = house.run(['sessions', '--since', 'yesterday']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(stderrLines(r)).toEqual([
      'nfmon: --since: expected "all", "today", a duration such as 90m, 24h or 7d, or an ISO time, got "yesterday"',
    ]);
    const u = house.run(['sessions', '--until', '2026-13-45']);
    expect(u.code).toBe(2);
    expect(stderrLines(u)).toHaveLength(1);
    expect(u.stderr).toContain('--until');
  });
});

describe('sessions --device / --service', () => {
  const ipadSessions = ['2026-11-20T19:08:00Z', '2026-11-21T01:13:04Z'];
  it.each([
    ['its configured name', 'Kids iPad'],
    ['its name in another case', 'kids ipad'],
    ['its MAC', '10:29:59:7a:22:02'],
    ['its MAC in capitals', '10:29:59:7A:22:02'],
    ['its IP', '192.168.1.21'],
    ['its hostname', 'iPad'],
  ])('finds the Kids iPad by %s', (_what, query) => {
    const s = house.json<SessionJson[]>(['sessions', '--since', 'all', '--device', query]);
    expect(s.map((x) => [x.device.mac, x.start])).toEqual(ipadSessions.map((t) => ['10:29:59:7a:22:02', t]));
  });

  it('an unknown device is a usage error naming it', () => {
    const r = house.run(['sessions', '--since', 'all', '--device', 'Nobody']);
    expect(r.code).toBe(2);
    const [line] = stderrLines(r);
    expect(line).toMatch(/^nfmon: --device: no device matches "Nobody" \(known devices: .+; nfmon devices lists them all\)$/);
  });

  it('--service netflix keeps all eight; a service that is not monitored is refused with the choices', () => {
    expect(house.json<SessionJson[]>(['sessions', '--since', 'all', '--service', 'netflix'])).toHaveLength(8);
    const r = house.run(['sessions', '--since', 'all', '--service', 'hulu']);
    expect([r.code, r.stdout]).toEqual([2, '']);
    expect(stderrLines(r)).toEqual(['nfmon: --service: unknown service "hulu" (monitored: netflix; more can be added under services in the config)']);
  });
});

describe('--json', () => {
  it.each([
    [['devices']],
    [['sessions', '--since', 'all']],
    [['alerts']],
    [['status']],
    [['reconcile']],
    [['ingest', '--pihole-log', 'pihole.log']],
  ])('nfmon %j --json prints one JSON document and nothing else', (args) => {
    const r = house.run([...args, '--json']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout.endsWith('\n')).toBe(true);
    const doc: unknown = JSON.parse(r.stdout); // throws on anything around the document
    expect(typeof doc).toBe('object');
    expect(doc).not.toBeNull();
    expect(Array.isArray(doc)).toBe(args[0] === 'devices' || args[0] === 'sessions' || args[0] === 'alerts');
  });

  it('without --json prints a table, not JSON', () => {
    const r = house.run(['devices']);
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[0]).toMatch(/^DEVICE\s+NAME\s+HOSTNAME\s+VENDOR\s+IPS\s+TRUST\s+LAST SEEN$/);
    expect(r.stdout).toContain('Kids iPad');
  });
});

describe('global --config and --db', () => {
  const names = (sb: CliSandbox, opts: Parameters<CliSandbox['run']>[1], extra: string[] = []): (string | null)[] =>
    sb.json<{ name: string | null }[]>(['devices', ...extra], opts).map((d) => d.name).sort();
  const CONFIGURED = ["Bedroom Fire TV", 'Kids iPad', 'Laptop', "Sam's Pixel", 'Living room TV'].sort();

  it.each([
    [['devices']],
    [['sessions', '--since', 'all']],
    [['alerts']],
    [['status']],
    [['reconcile']],
    [['ingest', '--leases', 'dhcp.leases']],
    [['device', 'set', '18:59:36:bb:77:06', '--trust', 'unknown']],
    [['forget', '--viewing-activity']],
  ])('are read by %j, before or after the command name', (args) => {
    const other = new CliSandbox();
    try {
      other.copy(files.leases, 'dhcp.leases');
      const typo = other.write('typo.yaml', 'timezone: UTC\nrulez: {}\n');
      // Queries never create a database: give them one.
      const query = ['devices', 'sessions', 'alerts', 'status', 'reconcile'].includes(args[0] ?? '');
      for (const [i, place] of (['before', 'after'] as const).entries()) {
        const db = other.path(`${place}.db`);
        const globals = ['--config', HOUSEHOLD_CONFIG, '--db', db];
        if (query) expect(other.run(['--db', db, 'ingest', '--leases', 'dhcp.leases'], { noDb: true }).code).toBe(0);
        const ok = other.run(place === 'before' ? [...globals, ...args] : [...args, ...globals], { noDb: true });
        expect([ok.code, ok.stderr]).toEqual([0, '']);
        expect(existsSync(db)).toBe(true);
        expect(readdirSync(other.dir).filter((f) => f.endsWith('.db'))).toHaveLength(i + 1);
        // The config is read by this command too: a broken one stops it.
        const bad = other.run(place === 'before' ? ['--config', typo, '--db', db, ...args] : [...args, '--config', typo, '--db', db], { noDb: true });
        expect([bad.code, stderrLines(bad)]).toEqual([2, [`nfmon: config ${typo}: rulez: unknown key (did you mean "rules"?)`]]);
      }
    } finally {
      other.dispose();
    }
  });

  it('--db picks the database: another path is another (empty) store', () => {
    const other = new CliSandbox(HOUSEHOLD_CONFIG);
    try {
      const empty = other.write('empty.log', '');
      expect(other.run(['ingest', '--pihole-log', empty]).code).toBe(0);
      expect(other.json(['devices'])).toEqual([]);
      expect(other.json(['sessions', '--since', 'all'])).toEqual([]);
      expect(house.json<unknown[]>(['devices'])).toHaveLength(6);
    } finally {
      other.dispose();
    }
  });

  it('$NFMON_CONFIG is read when --config is not given, and --config wins over it', () => {
    const bare = { noConfig: true } as const;
    expect(names(house, { ...bare, env: { NFMON_CONFIG: HOUSEHOLD_CONFIG } })).toEqual([...CONFIGURED, null]);
    // Without any config the names of the household's config are unknown.
    expect(names(house, bare)).toEqual([null, null, null, null, null, null]);
    const empty = house.write('empty-config.yaml', 'timezone: UTC\n');
    expect(names(house, { ...bare, env: { NFMON_CONFIG: HOUSEHOLD_CONFIG } }, ['--config', empty])).toEqual([null, null, null, null, null, null]);
  });

  it('a missing $NFMON_CONFIG file is a config error naming it', () => {
    const r = house.run(['devices'], { noConfig: true, env: { NFMON_CONFIG: house.path('nope.yaml') } });
    expect(r.code).toBe(2);
    expect(stderrLines(r)).toEqual([`nfmon: config ${house.path('nope.yaml')}: file not found`]);
  });

  it('every command works on the built-in defaults given only --db', () => {
    const bare = new CliSandbox();
    try {
      // Lookups from 14 to 2 minutes ago: the session is still open (default session gap 20m).
      const t = Date.now() - 14 * 60_000;
      const log = bare.write('pihole.log', viewingLines(t, '192.168.1.77').join('\n') + '\n', new Date());
      expect(bare.run(['ingest', '--pihole-log', log]).code).toBe(0);
      const sessions = bare.json<(SessionJson & { open: boolean })[]>(['sessions']);
      expect(sessions.map((s) => [s.device.mac, s.device.name, s.device.ip, s.start, s.open])).toEqual([
        [null, 'ip:192.168.1.77', '192.168.1.77', iso(t), true],
      ]);
      expect(bare.json<{ mac: string | null; ips: string[] }[]>(['devices'])).toMatchObject([{ mac: null, ips: ['192.168.1.77'] }]);
      const rules = bare.json<{ rule: string }[]>(['alerts']).map((a) => a.rule);
      expect(rules).toContain('unknown_device'); // default rules.unknown_device: true
      expect(bare.json<{ database: { path: string } }>(['status']).database.path).toBe(bare.db);
      expect(bare.json<{ plays: unknown[] }>(['reconcile']).plays).toEqual([]);
    } finally {
      bare.dispose();
    }
  });
});

describe('nothing found: the hint fits what was asked', () => {
  it('suggests --since all only when it was not given, and refuses --until before --since', () => {
    const sb = new CliSandbox();
    try {
      expect(sb.run(['ingest', '--pihole-log', sb.write('empty.log', '')]).code).toBe(0);
      expect(sb.run(['sessions']).stdout).toBe('No viewing sessions in that range (try --since all).\n');
      expect(sb.run(['sessions', '--since', 'all']).stdout).toBe('No viewing sessions yet.\n');
      expect(sb.run(['sessions', '--since', 'all', '--until', '2020-01-01']).stdout).toBe('No viewing sessions in that range.\n');
      const r = sb.run(['sessions', '--since', '2026-01-02', '--until', '2026-01-01']);
      expect([r.code, stderrLines(r)]).toEqual([2, ['nfmon: --until 2026-01-01 is before --since 2026-01-02']]);
    } finally {
      sb.dispose();
    }
  });
});
