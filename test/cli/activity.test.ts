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

  // The story's plays (local) and nfmon's sessions (UTC; Amsterdam is UTC+1), which start up to
  // 3 min before the play (choosing the title) and end up to 1 min after (the stop event), as
  // test/cli/household.test.ts checks. Saturday begins at Fri 23:00 UTC.
  //   Pixel    Fri 07:30-07:50   06:28:04-06:50:27  22:23
  //   TV       Fri 19:00-20:45   17:58:28-19:45:06  1:46:38
  //   iPad     Fri 20:10-21:00   19:08:00-20:00:44  52:44
  //   Fire TV  Fri 20:30-21:25   19:29:46-20:25:39  55:53
  //   Fire TV  Fri 23:40-00:35   22:39:21-23:35:10  55:49, of which 35:10 on Saturday
  //   iPad     Sat 02:15-02:50   01:13:04-01:50:17  37:13
  //   guest    Sat 14:00-14:40   12:58:06-13:40:37  42:31
  //   TV       Sat 21:00-22:30   19:58:37-21:30:16  1:31:39
  it('as of Saturday 22:00 local: one row per device that streamed, exact minutes, the TV playing', () => {
    const rows = sb.json<ActivityJson[]>(['activity', '--at', '2026-11-21T21:00:00Z']);
    for (const r of rows) expect(Object.keys(r).sort()).toEqual(KEYS);
    expect(rows.map((r) => [r.device.name, r.streaming_now, r.streaming_since, r.today_minutes, r.last_7d_minutes, r.sessions_today, r.last_session])).toEqual([
      // 20:58:37-22:00 local so far: 61:23 (the story: 60); with Friday's 1:46:38, 168:01 in 7 days.
      ['Living room TV', true, '2026-11-21T19:58:37Z', 61, 168, 1, { start: '2026-11-21T19:58:37Z', end: '2026-11-21T21:00:00Z' }],
      // 42:31 (the story: 40).
      ['Redmi-Note-12', false, null, 43, 43, 1, { start: '2026-11-21T12:58:06Z', end: '2026-11-21T13:40:37Z' }],
      // 37:13 on Saturday (the story: 35); with Friday's 52:44, 89:57.
      ['Kids iPad', false, null, 37, 90, 1, { start: '2026-11-21T01:13:04Z', end: '2026-11-21T01:50:17Z' }],
      // Its 23:39:21-00:35:10 session gives Saturday the 35:10 after midnight; 55:53 + 55:49 in 7 days.
      ['Bedroom Fire TV', false, null, 35, 112, 1, { start: '2026-11-20T22:39:21Z', end: '2026-11-20T23:35:10Z' }],
      // 22:23 on Friday morning (the story: 20).
      ["Sam's Pixel", false, null, 0, 22, 0, { start: '2026-11-20T06:28:04Z', end: '2026-11-20T06:50:27Z' }],
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
      ['Living room TV', 0, 0, 198], // the whole Saturday session now: 1:31:39 + 1:46:38 = 198:17
      ['Redmi-Note-12', 0, 0, 43],
      ['Kids iPad', 0, 0, 90],
      ['Bedroom Fire TV', 0, 0, 112],
      ["Sam's Pixel", 0, 0, 22],
    ]);
  });

  it('prints a table, with the playing row, without colour when piped', () => {
    const r = sb.run(['activity', '--at', '2026-11-21T21:00:00Z']);
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^DEVICE\s+NOW\s+TODAY\s+7 DAYS\s+SESSIONS TODAY\s+LAST SESSION\s+BYTES TODAY$/);
    expect(lines[1]).toMatch(/^Living room TV\s+playing since 20:58\s+1h01m\s+2h48m\s+1\s+2026-11-21 20:58 - 22:00\s+-$/);
    expect(lines[4]).toMatch(/^Bedroom Fire TV\s+-\s+35m\s+1h52m\s+1\s+2026-11-20 23:39 - 2026-11-21 00:35\s+-$/);
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

  it('is streaming until one session gap (20 min by default) after the last lookup', () => {
    expect(at('2026-11-20T23:35:00Z')[0]).toMatchObject({ streaming_now: true, streaming_since: '2026-11-20T22:30:00Z', today_minutes: 30 });
    expect(at('2026-11-20T23:49:00Z')[0]).toMatchObject({ streaming_now: true, streaming_since: '2026-11-20T22:30:00Z' });
    expect(at('2026-11-20T23:51:00Z')[0]).toMatchObject({ streaming_now: false, streaming_since: null });
    // Before local midnight it is Friday's viewing: 20 minutes so far.
    expect(at('2026-11-20T22:50:00Z')[0]).toMatchObject({ streaming_now: true, today_minutes: 20, last_7d_minutes: 20 });
  });
});
