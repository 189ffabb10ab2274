// nfmon activity through the built CLI: the demo household as of Saturday 22:00 (the TV playing),
// filters, and a hand-made night across local midnight with exact minutes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CliSandbox, copyHousehold, HOUSEHOLD_CONFIG, ingestHousehold } from '../helpers/cli.js';

interface ActivityJson {
  device: { mac: string | null; name: string; hostname: string | null; ip: string | null };
  streaming_now: boolean;
  streaming_since: string | null;
  today_minutes: number;
  last_7d_minutes: number;
  sessions_today: number;
  last_session: { start: string; end: string } | null;
  bytes_today: number | null;
}

const KEYS = ['bytes_today', 'device', 'last_7d_minutes', 'last_session', 'sessions_today', 'streaming_now', 'streaming_since', 'today_minutes'];

describe('nfmon activity on the demo household', () => {
  let sb: CliSandbox;
  beforeAll(() => {
    sb = new CliSandbox(HOUSEHOLD_CONFIG);
    ingestHousehold(sb, copyHousehold(sb), false);
  });
  afterAll(() => sb.dispose());

  // Sessions (UTC; Amsterdam is UTC+1): Pixel Fri 06:29:20-06:50, TV Fri 17:59:20-19:45, iPad Fri
  // 19:09:20-20:00, Fire TV Fri 19:29:20-19:50 and 22:39:20-Sat 23:35, iPad Sat 01:14:20-01:50,
  // guest Sat 12:59:20-13:40, TV Sat 19:56-21:30. Saturday begins at Fri 23:00 UTC.
  it('as of Saturday 22:00 local: one row per device that streamed, exact minutes, the TV playing', () => {
    const rows = sb.json<ActivityJson[]>(['activity', '--at', '2026-11-21T21:00:00Z']);
    for (const r of rows) expect(Object.keys(r).sort()).toEqual(KEYS);
    expect(rows.map((r) => [r.device.name, r.streaming_now, r.streaming_since, r.today_minutes, r.last_7d_minutes, r.sessions_today, r.last_session])).toEqual([
      // 20:56-22:00 local so far (64 min); Friday 105:40 more: 170 in 7 days.
      ['Living room TV', true, '2026-11-21T19:56:00Z', 64, 170, 1, { start: '2026-11-21T19:56:00Z', end: '2026-11-21T21:00:00Z' }],
      ['Redmi-Note-12', false, null, 41, 41, 1, { start: '2026-11-21T12:59:20Z', end: '2026-11-21T13:40:00Z' }],
      // 35:40 on Saturday; Friday's 50:40 too: 86:20 -> 86.
      ['Kids iPad', false, null, 36, 86, 1, { start: '2026-11-21T01:14:20Z', end: '2026-11-21T01:50:00Z' }],
      // Its 23:39:20-00:35 session gives Saturday only the 35 minutes after midnight.
      ['Bedroom Fire TV', false, null, 35, 76, 1, { start: '2026-11-20T22:39:20Z', end: '2026-11-20T23:35:00Z' }],
      ["Sam's Pixel", false, null, 0, 21, 0, { start: '2026-11-20T06:29:20Z', end: '2026-11-20T06:50:00Z' }],
    ]);
    expect(rows[0]?.device).toEqual({ mac: '10:30:47:3c:5a:01', name: 'Living room TV', hostname: 'Samsung-TV', ip: '192.168.1.20' });
    expect(rows.every((r) => r.bytes_today === null)).toBe(true); // no captures
  });

  it('--device and --since today filter the rows', () => {
    const at = ['--at', '2026-11-21T21:00:00Z'];
    expect(sb.json<ActivityJson[]>(['activity', ...at, '--device', 'Kids iPad']).map((r) => r.device.name)).toEqual(['Kids iPad']);
    // The Pixel last streamed on Friday morning.
    expect(sb.json<ActivityJson[]>(['activity', ...at, '--since', 'today']).map((r) => r.device.name)).toEqual([
      'Living room TV', 'Redmi-Note-12', 'Kids iPad', 'Bedroom Fire TV',
    ]);
  });

  it('on Sunday nothing is today, and the week still counts', () => {
    const rows = sb.json<ActivityJson[]>(['activity', '--at', '2026-11-22T12:00:00Z']);
    expect(rows.map((r) => [r.device.name, r.today_minutes, r.sessions_today, r.last_7d_minutes])).toEqual([
      ['Living room TV', 0, 0, 200], // the whole 20:56-22:30 session now: 94 + 105:40 = 199:40
      ['Redmi-Note-12', 0, 0, 41],
      ['Kids iPad', 0, 0, 86],
      ['Bedroom Fire TV', 0, 0, 76],
      ["Sam's Pixel", 0, 0, 21],
    ]);
  });

  it('prints a table, with the playing row, without colour when piped', () => {
    const r = sb.run(['activity', '--at', '2026-11-21T21:00:00Z']);
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^DEVICE\s+NOW\s+TODAY\s+7 DAYS\s+SESSIONS TODAY\s+LAST SESSION\s+BYTES TODAY$/);
    expect(lines[1]).toMatch(/^Living room TV\s+playing since 20:56\s+1h04m\s+2h50m\s+1\s+2026-11-21 20:56 - 22:00\s+-$/);
    expect(lines[4]).toMatch(/^Bedroom Fire TV\s+-\s+35m\s+1h16m\s+1\s+2026-11-20 23:39 - 2026-11-21 00:35\s+-$/);
    expect(r.stdout).not.toContain('\u001b[');
  });

  it('refuses a bad --since or --at with exit 2', () => {
    const bad = sb.run(['activity', '--since', 'yesterday']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe('nfmon: --since: expected "all", "today", a duration such as 90m, 24h or 7d, or an ISO time, got "yesterday"\n');
    expect(sb.run(['activity', '--at', 'all']).code).toBe(2);
  });
});

describe('nfmon activity on a hand-made night across local midnight', () => {
  let sb: CliSandbox;
  beforeAll(() => {
    sb = new CliSandbox();
    sb.write('config.yaml', 'timezone: Europe/Amsterdam\n');
    // A video lookup every 2 minutes from Fri 23:30 to Sat 00:30 local (22:30-23:30 UTC).
    const lines: string[] = [];
    for (let m = 0; m <= 60; m += 2) {
      const local = new Date(Date.UTC(2026, 10, 20, 23, 30 + m));
      const hh = String(local.getUTCHours()).padStart(2, '0');
      const mm = String(local.getUTCMinutes()).padStart(2, '0');
      lines.push(`Nov ${local.getUTCDate()} ${hh}:${mm}:00 dnsmasq[812]: query[A] ipv4-c001-ams001-ix.1.oca.nflxvideo.net from 192.168.1.77`);
    }
    const log = sb.write('pihole.log', `${lines.join('\n')}\n`, new Date('2026-11-21T12:00:00Z'));
    const r = sb.run(['--config', sb.path('config.yaml'), 'ingest', '--pihole-log', log]);
    expect(r.code, r.stderr).toBe(0);
  });
  afterAll(() => sb.dispose());

  const at = (iso: string): ActivityJson[] => sb.json<ActivityJson[]>(['--config', sb.path('config.yaml'), 'activity', '--at', iso]);

  it('counts 30 minutes on each side of midnight', () => {
    expect(at('2026-11-21T11:00:00Z')).toEqual([
      {
        device: { mac: null, name: 'ip:192.168.1.77', hostname: null, ip: '192.168.1.77' },
        streaming_now: false, streaming_since: null, today_minutes: 30, last_7d_minutes: 60, sessions_today: 1,
        last_session: { start: '2026-11-20T22:30:00Z', end: '2026-11-20T23:30:00Z' }, bytes_today: null,
      },
    ]);
  });

  it('is streaming until one session gap after the last lookup', () => {
    expect(at('2026-11-20T23:35:00Z')[0]).toMatchObject({ streaming_now: true, streaming_since: '2026-11-20T22:30:00Z', today_minutes: 30 });
    expect(at('2026-11-20T23:41:00Z')[0]).toMatchObject({ streaming_now: false, streaming_since: null });
    // Before local midnight it is Friday's viewing: 20 minutes so far.
    expect(at('2026-11-20T22:50:00Z')[0]).toMatchObject({ streaming_now: true, today_minutes: 20, last_7d_minutes: 20 });
  });
});
