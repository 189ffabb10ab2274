// Issue 16, terminal injection: host names from leases reach the devices, sessions and alerts
// tables and the ingest report. Tables show them escaped and cut; --json keeps them exact.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CliSandbox, HOUSEHOLD, HOUSEHOLD_WRITTEN, type CliResult } from '../helpers/cli.js';

// The household's devices renamed by a hostile DHCP server (Pi-hole's API JSON carries any name).
const NAMES: Record<string, string> = {
  '10:30:47:3c:5a:01': '\u001b]0;pwned\u0007Samsung-TV', // sets the terminal title
  '10:29:59:7a:22:02': '\u001b[2JiPad', // clears the screen
  '10:96:93:1e:33:03': 'fire\r\nFORGED ROW 99 netflix 00:00', // forges a table row
  'da:a1:19:4e:55:04': '\u202eexe.lexip', // shows reversed: "pixel.exe"
  '10:51:07:aa:66:05': `laptop-${'x'.repeat(5000)}`, // widens every row
};
const IPS: Record<string, string> = {
  '10:30:47:3c:5a:01': '192.168.1.20',
  '10:29:59:7a:22:02': '192.168.1.21',
  '10:96:93:1e:33:03': '192.168.1.22',
  'da:a1:19:4e:55:04': '192.168.1.23',
  '10:51:07:aa:66:05': '192.168.1.30',
};
/** Anything a terminal would act on, or that reorders or hides text. */
// eslint-disable-next-line no-control-regex -- looking for control characters is the point
const RAW = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069]/;

let sb: CliSandbox;
let ingest: CliResult;
beforeAll(() => {
  sb = new CliSandbox();
  const leases = Object.entries(NAMES).map(([mac, name]) => ({ expires: 1795338000, hwaddr: mac, ip: IPS[mac], name, clientid: '*' }));
  const api = sb.write('leases.json', JSON.stringify({ leases }), HOUSEHOLD_WRITTEN);
  const log = sb.copy(join(HOUSEHOLD, 'pihole.log'), 'pihole.log', HOUSEHOLD_WRITTEN);
  ingest = sb.run(['ingest', '--leases', api, '--pihole-log', log]);
});
afterAll(() => sb.dispose());

function checkTable(r: CliResult): void {
  expect(r.code).toBe(0);
  expect(r.stdout).not.toMatch(RAW);
  const lines = r.stdout.split('\n');
  // One line per row: nothing forged a row, nothing widened one past the cut.
  expect(lines.filter((l) => l.startsWith('FORGED'))).toEqual([]);
  for (const l of lines) expect([...l].length, l.slice(0, 80)).toBeLessThan(500);
}

describe('tables escape and cut what came from the network', () => {
  it('the ingest worked and its report is clean', () => {
    expect([ingest.code, ingest.stderr]).toEqual([0, '']);
    expect(ingest.stdout).not.toMatch(RAW);
  });

  it('devices', () => {
    const r = sb.run(['devices']);
    checkTable(r);
    expect(r.stdout).toContain('\\x1b]0;pwned\\x07Samsung-TV');
    expect(r.stdout).toContain('\\x1b[2JiPad');
    expect(r.stdout).toContain('fire\\r\\nFORGED ROW');
    expect(r.stdout).toContain('\\u202eexe.lexip');
    expect(r.stdout).toContain(`laptop-${'x'.repeat(40)}`);
    expect(r.stdout).toContain('…');
    expect(r.stdout.split('\n').filter(Boolean)).toHaveLength(7); // header + 6 devices
  });

  it('sessions and alerts', () => {
    checkTable(sb.run(['sessions', '--since', 'all']));
    const alerts = sb.run(['alerts']);
    checkTable(alerts);
    expect(alerts.stdout).toContain('\\x1b');
  });

  it('--json keeps every name exactly', () => {
    const devices = sb.json<{ mac: string; hostname: string | null }[]>(['devices']);
    for (const [mac, name] of Object.entries(NAMES)) expect(devices.find((d) => d.mac === mac)?.hostname).toBe(name);
    const alerts = sb.json<{ message: string }[]>(['alerts']);
    expect(alerts.some((a) => a.message.includes('\u001b'))).toBe(true);
  });
});

describe('errors quote input escaped', () => {
  it('a file name with control characters', () => {
    const r = sb.run(['ingest', '--pihole-log', 'no\u001b[2Jsuch\r\n.log']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('nfmon: no\\x1b[2Jsuch\\r\\n.log: no such file\n');
  });

  it('a CSV header with escape codes is shown escaped, not echoed', () => {
    const csv = sb.write('evil.csv', '\u001b]0;pwned\u0007Profile,Start\nx,y\n');
    const r = sb.run(['ingest', '--viewing-activity', csv]);
    expect(r.code).toBe(1);
    expect(r.stderr).not.toMatch(RAW);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('binary garbage given as --viewing-activity names what it looks like and echoes nothing', () => {
    const bytes = Buffer.from(Array.from({ length: 4000 }, (_, i) => (i * 7919 + 13) % 256));
    const bin = sb.write('garbage.csv', bytes);
    const r = sb.run(['ingest', '--viewing-activity', bin]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`nfmon: ${bin}: this looks like binary data, not a Netflix export (ViewingActivity.csv)\n`);
  });
});
