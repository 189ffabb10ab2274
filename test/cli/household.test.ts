// The demo household end to end through the built binary: ingest the fixture as `npm run demo`
// does, then check devices, sessions, alerts and reconcile against the story the fixture tells
// (scripts/make-household.mjs's header; local time there is Europe/Amsterdam, UTC+1 in November).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CliSandbox, copyHousehold, HOUSEHOLD, HOUSEHOLD_CONFIG, ingestHousehold, ROOT, type HouseholdFiles } from '../helpers/cli.js';

interface DeviceJson {
  mac: string | null;
  name: string | null;
  hostname: string | null;
  vendor: string | null;
  ips: string[];
  trust: string;
  randomized: boolean;
  first_seen: string | null;
  last_seen: string | null;
}

interface SessionJson {
  id: number;
  device: { mac: string | null; name: string; hostname: string | null; ip: string };
  service: string;
  start: string;
  end: string;
  duration_s: number;
  bytes_down: number | null;
  bytes_up: number | null;
  avg_mbps: number | null;
  peak_mbps: number | null;
  quality: string | null;
  evidence: string[];
  open: boolean;
}

interface AlertJson {
  id: number;
  at: string;
  rule: string;
  severity: string;
  device: { mac: string | null; name: string } | null;
  session_id: number | null;
  message: string;
  delivered: boolean;
}

const MAC = {
  tv: '10:30:47:3c:5a:01',
  ipad: '10:29:59:7a:22:02',
  firetv: '10:96:93:1e:33:03',
  pixel: 'da:a1:19:4e:55:04',
  laptop: '10:51:07:aa:66:05',
  guest: '18:59:36:bb:77:06',
};

const ISO_SECONDS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
const LOG_LINES = readFileSync(join(HOUSEHOLD, 'pihole.log'), 'utf8').split('\n');

/** A log stamp of 20/21 November (local, UTC+1) as the ISO UTC time the CLI prints. */
function stampToUtc(day: number, hms: string): string {
  const [h, m, s] = hms.split(':').map(Number) as [number, number, number];
  return new Date(Date.UTC(2026, 10, day, h - 1, m, s)).toISOString().replace('.000Z', 'Z');
}

/** The first lookup in the fixture log matching `re` (group 1 = day, group 2 = hh:mm:ss). */
function firstLogTime(re: RegExp): string {
  for (const line of LOG_LINES) {
    const m = re.exec(line);
    if (m) return stampToUtc(Number(m[1]), m[2] ?? '');
  }
  throw new Error(`no line of the household log matches ${re}`);
}

let sb: CliSandbox;
let files: HouseholdFiles;
let ingestOut: string;

beforeAll(() => {
  sb = new CliSandbox(HOUSEHOLD_CONFIG);
  files = copyHousehold(sb);
  ingestOut = ingestHousehold(sb, files).stdout;
});
afterAll(() => sb.dispose());

describe('nfmon ingest of the demo household', () => {
  it('reports what it read from each file', () => {
    expect(ingestOut).toContain(`${files.log}: 18858 lines`);
    expect(ingestOut).toContain(`${files.leases}: dnsmasq, 6 leases; skipped: none`);
    expect(ingestOut).toContain('sessions rebuilt: 8; new alerts: 1');
  });
});

describe('nfmon devices --json', () => {
  let devices: DeviceJson[];
  const byMac = (mac: string): DeviceJson => {
    const d = devices.find((x) => x.mac === mac);
    if (!d) throw new Error(`no device ${mac}`);
    return d;
  };
  beforeAll(() => {
    devices = sb.json<DeviceJson[]>(['devices']);
  });

  it('lists the six devices of the lease file with exactly the contract keys', () => {
    expect(devices.map((d) => d.mac).sort()).toEqual(Object.values(MAC).sort());
    for (const d of devices) {
      expect(Object.keys(d).sort()).toEqual(['first_seen', 'hostname', 'ips', 'last_seen', 'mac', 'name', 'randomized', 'trust', 'vendor']);
      // First and last monitored activity; a device only the lease file names has none.
      if (d.first_seen === null) expect(d.last_seen).toBeNull();
      else {
        expect(d.first_seen).toMatch(ISO_SECONDS);
        expect(d.last_seen).toMatch(ISO_SECONDS);
      }
    }
  });

  it('takes names and trust from the config, hostnames from the leases, vendors from the OUI list', () => {
    expect(byMac(MAC.tv)).toMatchObject({
      name: 'Living room TV', hostname: 'Samsung-TV', vendor: 'Samsung Electronics Co.,Ltd', ips: ['192.168.1.20'], trust: 'trusted', randomized: false,
    });
    expect(byMac(MAC.ipad)).toMatchObject({ name: 'Kids iPad', hostname: 'iPad', ips: ['192.168.1.21'], trust: 'known' });
    expect(byMac(MAC.firetv)).toMatchObject({ name: 'Bedroom Fire TV', hostname: 'amazon-fire-tv', trust: 'known' });
    expect(byMac(MAC.laptop)).toMatchObject({ name: 'Laptop', trust: 'trusted' });
    // Not in the config: no name, not trusted.
    expect(byMac(MAC.guest)).toMatchObject({ name: null, hostname: 'Redmi-Note-12', ips: ['192.168.1.40'], trust: 'unknown' });
  });

  it('flags the Pixel (locally administered MAC) as randomized, and only it', () => {
    expect(byMac(MAC.pixel)).toMatchObject({ name: "Sam's Pixel", hostname: 'Pixel-7', randomized: true });
    expect(devices.filter((d) => d.randomized).map((d) => d.mac)).toEqual([MAC.pixel]);
  });

  it('first_seen is the first Netflix lookup attributed to the device', () => {
    // Pixel: www.netflix.com 40 s before its 07:30 local viewing.
    expect(byMac(MAC.pixel).first_seen).toBe('2026-11-20T06:29:20Z');
    expect(byMac(MAC.guest).first_seen).toBe('2026-11-21T12:59:20Z');
  });
});

describe('nfmon sessions --json --since all', () => {
  let sessions: SessionJson[];
  beforeAll(() => {
    sessions = sb.json<SessionJson[]>(['sessions', '--since', 'all']);
  });

  // watch(dev, from, to) in the generator looks up www.netflix.com 40 s before `from` and the
  // last video name at `to`; local times minus one hour are UTC.
  const STORY: [string, string, string, string][] = [
    [MAC.pixel, "Sam's Pixel", '2026-11-20T06:29:20Z', '2026-11-20T06:50:00Z'], // Fri 07:30-07:50
    [MAC.tv, 'Living room TV', '2026-11-20T17:59:20Z', '2026-11-20T19:45:00Z'], // Fri 19:00-20:45
    [MAC.ipad, 'Kids iPad', '2026-11-20T19:09:20Z', '2026-11-20T20:00:00Z'], // Fri 20:10-21:00
    [MAC.firetv, 'Bedroom Fire TV', '2026-11-20T19:29:20Z', '2026-11-20T19:50:00Z'], // Fri 20:30-20:50
    [MAC.firetv, 'Bedroom Fire TV', '2026-11-20T22:39:20Z', '2026-11-20T23:35:00Z'], // Fri 23:40-Sat 00:35
    [MAC.ipad, 'Kids iPad', '2026-11-21T01:14:20Z', '2026-11-21T01:50:00Z'], // Sat 02:15-02:50
    [MAC.guest, 'Redmi-Note-12', '2026-11-21T12:59:20Z', '2026-11-21T13:40:00Z'], // Sat 14:00-14:40
    // Sat 21:00-22:30; the TV's background API ping at 20:56 local (00:17 + 57 x 47 min) is
    // 3 min before the first lookup, inside session_gap, so the session starts there.
    [MAC.tv, 'Living room TV', '2026-11-21T19:59:20Z', '2026-11-21T21:30:00Z'],
  ];

  it('finds the eight viewing sessions of the story, in order', () => {
    expect(LOG_LINES).toContain('Nov 21 20:56:00 dnsmasq[812]: query[A] api-global.netflix.com from 192.168.1.20');
    expect(sessions.map((s) => [s.device.mac, s.device.name, s.start, s.end])).toEqual(STORY);
    expect(sessions.map((s) => s.duration_s)).toEqual(STORY.map(([, , a, b]) => (Date.parse(b) - Date.parse(a)) / 1000));
  });

  it('has exactly the contract keys plus bytes_up and peak_mbps', () => {
    for (const s of sessions) {
      expect(Object.keys(s).sort()).toEqual(
        ['avg_mbps', 'bytes_down', 'bytes_up', 'device', 'duration_s', 'end', 'evidence', 'id', 'open', 'peak_mbps', 'quality', 'service', 'start'],
      );
      expect(Object.keys(s.device).sort()).toEqual(['hostname', 'ip', 'mac', 'name']);
      expect(s.start).toMatch(ISO_SECONDS);
      expect(s.end).toMatch(ISO_SECONDS);
    }
  });

  it('leaves bytes, bitrate and quality null for DNS-only sessions', () => {
    for (const s of sessions) {
      expect(s).toMatchObject({
        service: 'netflix', bytes_down: null, bytes_up: null, avg_mbps: null, peak_mbps: null, quality: null, evidence: ['dns'], open: false,
      });
    }
    expect(new Set(sessions.map((s) => s.id)).size).toBe(8);
  });

  it('keeps the Fire TV session that runs past local midnight in one piece', () => {
    const late = sessions.find((s) => s.device.mac === MAC.firetv && s.start.startsWith('2026-11-20T22'));
    expect(late).toMatchObject({
      device: { mac: MAC.firetv, name: 'Bedroom Fire TV', hostname: 'amazon-fire-tv', ip: '192.168.1.22' },
      start: '2026-11-20T22:39:20Z', end: '2026-11-20T23:35:00Z', duration_s: 3340,
    });
  });

  it('makes no session of background API pings or the 03:12 artwork refresh', () => {
    // The TV pings api-global.netflix.com every 47 min around the clock; the iPad fetches art at 03:12.
    expect(LOG_LINES.filter((l) => l.includes('query[A] api-global.netflix.com from 192.168.1.20')).length).toBeGreaterThan(50);
    expect(sessions.filter((s) => s.device.mac === MAC.tv)).toHaveLength(2);
    expect(sessions.some((s) => s.start.startsWith('2026-11-21T02'))).toBe(false);
  });
});

describe('nfmon alerts --json', () => {
  let alerts: AlertJson[];
  let sessions: SessionJson[];
  beforeAll(() => {
    alerts = sb.json<AlertJson[]>(['alerts']);
    sessions = sb.json<SessionJson[]>(['sessions', '--since', 'all']);
  });
  const sessionOf = (mac: string, start: string): number | undefined => sessions.find((s) => s.device.mac === mac && s.start === start)?.id;

  it('raises exactly the five alerts of the story, ordered by time', () => {
    // The Fire TV enters quiet hours at its first video lookup after local midnight.
    const fireTvMidnight = firstLogTime(/^Nov (21) (00:\d\d:\d\d) dnsmasq\[\d+\]: query\[A\] \S+\.nflxvideo\.net from 192\.168\.1\.22$/);
    expect(fireTvMidnight).toBe('2026-11-20T23:01:26Z');
    expect(alerts.map((a) => [a.at, a.rule, a.device?.mac ?? null])).toEqual([
      // Fri 20:30 local: the Fire TV's first video lookup makes a third screen (plan allows 2).
      ['2026-11-20T19:30:00Z', 'concurrent_streams', MAC.firetv],
      // ViewingActivity.csv: Dad on a Sony TV in BR at 2026-11-20 23:00:00 (UTC in the export).
      ['2026-11-20T23:00:00Z', 'outside_home', null],
      [fireTvMidnight, 'quiet_hours', MAC.firetv],
      // Sat 02:15 local: the iPad's first video lookup, inside 00:00-06:00.
      ['2026-11-21T01:15:00Z', 'quiet_hours', MAC.ipad],
      // Sat 14:00 local: the guest phone (192.168.1.40) nobody registered.
      ['2026-11-21T13:00:00Z', 'unknown_device', MAC.guest],
    ]);
  });

  it('has the contract shape and points at the sessions that caused them', () => {
    for (const a of alerts) {
      expect(Object.keys(a).sort()).toEqual(['at', 'delivered', 'device', 'id', 'message', 'rule', 'session_id', 'severity']);
      expect(a.at).toMatch(ISO_SECONDS);
      expect(a.delivered).toBe(false); // no Home Assistant configured: queued, not sent
      if (a.device) expect(Object.keys(a.device).sort()).toEqual(['mac', 'name']);
    }
    const [concurrent, outside, quietFire, quietIpad, unknown] = alerts;
    expect(concurrent).toMatchObject({ device: { name: 'Bedroom Fire TV' }, session_id: sessionOf(MAC.firetv, '2026-11-20T19:29:20Z') });
    expect(outside).toMatchObject({ device: null, session_id: null, severity: 'critical' });
    expect(quietFire).toMatchObject({ device: { name: 'Bedroom Fire TV' }, session_id: sessionOf(MAC.firetv, '2026-11-20T22:39:20Z') });
    expect(quietIpad).toMatchObject({ device: { mac: MAC.ipad, name: 'Kids iPad' }, session_id: sessionOf(MAC.ipad, '2026-11-21T01:14:20Z') });
    expect(unknown).toMatchObject({ device: { mac: MAC.guest, name: 'Redmi-Note-12' }, session_id: sessionOf(MAC.guest, '2026-11-21T12:59:20Z') });
    expect(quietIpad?.session_id).toEqual(expect.any(Number));
  });

  it('words messages in local time', () => {
    expect(alerts[0]?.message).toBe('3 screens playing Netflix at 20:30 (plan allows 2); latest: Bedroom Fire TV');
    expect(alerts[3]?.message).toBe('Netflix playing on Kids iPad at 02:15, inside quiet hours 00:00-06:00');
  });

  it('--since filters on the alert time', () => {
    const later = sb.json<AlertJson[]>(['alerts', '--since', '2026-11-21T01:00:00Z']);
    expect(later.map((a) => a.rule)).toEqual(['quiet_hours', 'unknown_device']);
  });
});

describe('tables without --json', () => {
  it('show local times (Europe/Amsterdam from the config)', () => {
    const sessions = sb.run(['sessions', '--since', 'all']);
    expect(sessions.code).toBe(0);
    const lines = sessions.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ID\s+DEVICE\s+SERVICE\s+START\s+DURATION\s+DOWN\s+AVG\s+QUALITY\s+EVIDENCE$/);
    expect(lines).toHaveLength(9);
    // 06:29:20Z is 07:29 in Amsterdam; 1240 s is 20 min.
    expect(lines[1]).toMatch(/^\d+\s+Sam's Pixel\s+netflix\s+2026-11-20 07:29\s+20m\s+-\s+-\s+-\s+dns$/);
    const alerts = sb.run(['alerts']);
    expect(alerts.stdout).toMatch(/^\d+\s+2026-11-21 02:15\s+quiet_hours\s+Kids iPad\s+no \(history\)\s+Netflix playing on Kids iPad at 02:15/m);
  });
});

describe('nfmon reconcile --json', () => {
  interface PlayJson {
    profile: string;
    start: string;
    country: string;
    verdict: string;
    home_device: { mac: string; name: string } | null;
  }
  let report: { plays: PlayJson[]; profiles: { profile: string; plays: number }[]; account: { sharing_score: number } };
  beforeAll(() => {
    report = sb.json(['reconcile']);
  });

  it('prints {plays, profiles, account} with every play of the export', () => {
    expect(Object.keys(report)).toEqual(['plays', 'profiles', 'account']);
    const csvRows = readFileSync(join(ROOT, 'fixtures', 'viewing', 'ViewingActivity.csv'), 'utf8').trim().split('\n').length - 1;
    expect(report.plays).toHaveLength(csvRows);
    expect(report.profiles.map((p) => p.profile).sort()).toEqual(['Dad', 'Kids', 'Mum']);
    expect(report.profiles.reduce((n, p) => n + p.plays, 0)).toBe(csvRows);
    expect(typeof report.account.sharing_score).toBe('number');
  });

  it('matches the night play to the Kids iPad and marks the Brazilian plays as away', () => {
    const night = report.plays.find((p) => p.start === '2026-11-21T01:15:20Z');
    expect(night).toMatchObject({ profile: 'Kids', verdict: 'home', home_device: { mac: MAC.ipad, name: 'Kids iPad' } });
    const br = report.plays.filter((p) => p.country === 'BR');
    expect(br.map((p) => [p.start, p.verdict, p.home_device])).toEqual([
      ['2026-11-20T23:00:00Z', 'away_unknown', null],
      ['2026-11-21T20:15:00Z', 'away_unknown', null],
    ]);
  });
});
