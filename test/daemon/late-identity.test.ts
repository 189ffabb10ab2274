// Issue 10, "Identity that converges", with the daemon: an unknown phone known only by its address
// plays, and its unknown_device alert reaches Home Assistant; a lease naming its MAC arrives
// later. The ip: device merges into the MAC (sessions, devices), the delivered alert moves with
// it, and the phone's next play raises no second unknown_device alert.
import { appendFileSync, writeFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FakeHaServer } from '../helpers/fake-ha-server.js';
import { assertBuilt, MAIN, spawnNfmon, writeConfig, type NfmonProcess } from '../helpers/daemon-process.js';
import { otherLine, quietWindowAround, stamp, tempDir, until, type TempDir } from '../helpers/daemon-harness.js';
import { peek, snapshot } from '../helpers/derived-state.js';
import { spawnSync } from 'node:child_process';

const IP = '192.168.1.60';
const MAC = '2c:54:91:aa:bb:60';
const MINUTE = 60_000;

let t: TempDir;
let ha: FakeHaServer;
const procs: NfmonProcess[] = [];
beforeAll(async () => {
  assertBuilt();
  t = tempDir('nfmon-late-id-');
  ha = await FakeHaServer.start();
});
afterEach(async () => {
  for (const p of procs.splice(0)) {
    p.kill('SIGKILL');
    await p.exited;
  }
});
afterAll(async () => {
  await ha?.stop();
  t?.remove();
});

function play(from: number, minutes: number): string {
  const parts: string[] = [];
  for (let i = 0; i <= minutes; i += 2) {
    const ts = from + i * MINUTE;
    const name = `ipv4-c${String(60 + (i % 5)).padStart(3, '0')}-ams001-ix.1.oca.nflxvideo.net`;
    parts.push(`${stamp(ts)} dnsmasq[1]: query[A] ${name} from ${IP}\n${stamp(ts)} dnsmasq[1]: reply ${name} is 45.57.90.60\n`);
  }
  return parts.join('') + otherLine(from + minutes * MINUTE);
}

const unknownCalls = (): string[] =>
  ha.calls.filter((c) => (c.service_data.data as Record<string, unknown>).rule === 'unknown_device').map((c) => String(c.service_data.message));

describe('a lease that arrives after the alert', () => {
  it('merges the ip: device into the MAC and raises no second unknown_device for it', async () => {
    const db = t.path('nfmon.db');
    const log = t.path('pihole.log');
    const leases = t.path('dhcp.leases');
    writeFileSync(log, '');
    const config = writeConfig(t.path('config.json'), {
      timezone: 'UTC',
      database: db,
      pihole: { log },
      leases: { files: [leases] },
      rules: { quiet_hours: quietWindowAround(Date.now() + 12 * 3_600_000), unknown_device: true, max_concurrent_streams: 10 },
      homeassistant: { url: ha.url, token: 'test-token', notify: 'notify.mobile_app_pixel' },
    });
    const p = spawnNfmon(['run', '--config', config]);
    procs.push(p);
    await until(() => p.stdout().includes('msg="nfmon running"'), 'nfmon running', 30_000, () => p.stderr());

    // A play 50 to 40 minutes ago (within notify_max_age), from an address no lease names yet.
    appendFileSync(log, play(Date.now() - 50 * MINUTE, 10));
    await ha.until(() => unknownCalls().length === 1, 'the unknown_device alert of the ip: device', 10_000);
    expect(unknownCalls()[0]).toContain(IP);

    // The lease arrives; once it is read and derived, the phone plays again (a new session).
    writeFileSync(leases, `${Math.floor(Date.now() / 1000) + 12 * 3600} ${MAC} ${IP} Galaxy-Tab 01:${MAC}\n`);
    await until(() => peek(db, `SELECT 1 FROM leases WHERE mac = '${MAC}'`) !== undefined && peek(db, "SELECT 1 FROM meta WHERE key = 'rebuild_from'") === undefined, 'the lease read and derived', 15_000);
    appendFileSync(log, play(Date.now() - 2 * MINUTE, 2));
    await until(() => Number(peek(db, `SELECT count(*) FROM sessions WHERE device = '${MAC}'`)) === 2 && peek(db, "SELECT 1 FROM meta WHERE key = 'rebuild_from'") === undefined, 'both plays sessions of the MAC', 15_000);
    await new Promise((resolve) => setTimeout(resolve, 1500)); // time for a wrong second alert to be sent
    p.kill('SIGTERM');
    expect(await p.exit(15_000)).toEqual({ code: 0, signal: null });

    const s = snapshot(db);
    expect(s.devices.map((d) => d.device), 'no ip: device left').toEqual([MAC]);
    expect(s.sessions.map((x) => x.device)).toEqual([MAC, MAC]);
    const alerts = s.alerts.filter((a) => a.rule === 'unknown_device');
    expect(alerts.map((a) => ({ device: a.device, delivered: a.delivered })), 'one unknown_device alert, moved to the MAC, still delivered').toEqual([{ device: MAC, delivered: 1 }]);
    expect(unknownCalls(), 'Home Assistant was told once').toHaveLength(1);
    const cli = spawnSync(process.execPath, [MAIN, '--config', config, 'devices', '--json'], { encoding: 'utf8' });
    const devices = JSON.parse(cli.stdout) as { mac: string | null; ips: string[]; hostname: string | null }[];
    expect(devices.map((d) => ({ mac: d.mac, ips: d.ips, hostname: d.hostname }))).toEqual([{ mac: MAC, ips: [IP], hostname: 'Galaxy-Tab' }]);
  }, 90_000);
});
