// dns_bypass with real programs (issue 15): the LAN of test/e2e/real-lan.test.ts (a router
// namespace running dnsmasq as Pi-hole runs it, writing the query log, and tcpdump writing
// rotated captures; an "internet" namespace with a second dnsmasq and an HTTPS server standing in
// for Open Connect) and `nfmon run` from dist/ tailing the log and the capture directory.
//
// Two devices play at the same time. The TV asks Pi-hole, as DHCP told it. The stick asks the
// other dnsmasq directly (as a Chromecast with a hard-coded 8.8.8.8 does): Pi-hole's log never
// sees its lookups, but the capture sees its video. Expected: exactly one dns_bypass alert, for
// the stick, and none for the TV.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { quietWindowAround, tempDir, until } from '../helpers/daemon-harness.js';
import { runNfmon, spawnNfmon, writeConfig, type NfmonProcess } from '../helpers/daemon-process.js';
import { buildHome, curl, UPSTREAM_DNS, type Client, type Home } from '../helpers/home-lan.js';
import { Lab, labLifecycle, labSkipReason } from '../helpers/netns.js';

const skip = labSkipReason();

const TV = { role: 'tv', ip: '10.77.0.20', mac: '10:30:47:5e:0a:01' };
/** A Google OUI (IEEE f4:f5:d8), as a Chromecast has. */
const STICK = { role: 'stick', ip: '10.77.0.40', mac: 'f4:f5:d8:12:34:56' };
const BODY = 4_000_000;
const VIDEO_NAME = 'ipv4-c012-lhr005-ix.1.oca.nflxvideo.net';

interface SessionJson {
  readonly device: { readonly mac: string | null };
  readonly bytes_down: number | null;
  readonly evidence: readonly string[];
}

interface AlertJson {
  readonly rule: string;
  readonly at: string;
  readonly device: { readonly mac: string | null } | null;
  readonly session_id: number | null;
  readonly message: string;
}

const cleanups = labLifecycle('dns-bypass', skip);
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Opening the app, then the video: every name resolved by whatever resolver the device's resolv.conf names. */
async function watch(lab: Lab, home: Home, c: Client): Promise<void> {
  for (const url of ['https://www.netflix.com/browse', 'https://api-global.netflix.com/msl']) await curl(lab, home, c, url);
  const video = await curl(lab, home, c, `https://${VIDEO_NAME}/range/0-${BODY - 1}`, { limitRate: '500k', timeoutMs: 60_000 });
  if (video.bytes !== BODY) throw new Error(`${c.role}: ${video.bytes} of ${BODY} bytes`);
}

describe.skipIf(skip !== undefined)(`dns_bypass in a LAN of real programs${skip ? ` (skipped: ${skip})` : ''}`, () => {
  it('one alert for the device that resolves around Pi-hole, none for the one that asks it', async () => {
    const dir = tempDir('nfmon-bypass-');
    cleanups.push(() => dir.remove());
    const lab = new Lab();
    cleanups.push(async () => {
      await lab.teardown();
      const left = Lab.present(lab.id);
      if (left.length > 0) throw new Error(`namespaces left after teardown: ${left.join(', ')}`);
    });
    const home = await buildHome(lab, { dir: dir.dir, clients: [TV, STICK], logQueries: 'plain', rotateSeconds: 5 });
    const tv = home.clients.get('tv');
    const stick = home.clients.get('stick');
    if (!tv || !stick) throw new Error('clients missing');
    // The stick's resolver is hard-coded: the other dnsmasq, reached through the router like any internet host.
    lab.resolvConf(stick.ns, [UPSTREAM_DNS]);

    const config = writeConfig(dir.path('config.yaml'), {
      timezone: 'UTC',
      database: dir.path('nfmon.db'),
      pihole: { log: home.piholeLog },
      leases: { files: [] },
      captures: { dir: home.captureDir, idle: '10s', prefixes_file: home.prefixesFile },
      rules: { quiet_hours: quietWindowAround(Date.now() + 12 * 3_600_000), max_concurrent_streams: 5 },
      devices: [
        { mac: TV.mac, name: 'Living room TV', trust: 'known', ip: TV.ip },
        { mac: STICK.mac, name: 'Bedroom stick', trust: 'known', ip: STICK.ip },
      ],
    });
    const nfmon: NfmonProcess = spawnNfmon(['run', '--config', config], { TZ: 'UTC' });
    cleanups.push(async () => {
      nfmon.kill('SIGTERM');
      await Promise.race([nfmon.exited, sleep(5_000)]);
      nfmon.kill('SIGKILL');
    });
    await until(() => nfmon.stdout().includes('msg="nfmon running"'), 'nfmon running', 20_000, () => nfmon.stderr().slice(-300));
    const cli = async <T>(command: 'sessions' | 'alerts'): Promise<T[]> => {
      const r = await runNfmon(['--config', config, command, '--json', '--since', 'all'], { TZ: 'UTC' }, 20_000);
      if (r.code !== 0) throw new Error(`nfmon ${command} exited ${r.code}: ${r.stderr.trim()}`);
      return JSON.parse(r.stdout) as T[];
    };

    await Promise.all([watch(lab, home, tv), watch(lab, home, stick)]);
    // Until both plays are in the store from the captures (the last file is read once tcpdump
    // has left it idle for captures.idle), then a moment for a late rebuild.
    const why = (): string => `\nnfmon stderr: ${nfmon.stderr().slice(-1500)}`;
    const measured = (s: readonly SessionJson[], mac: string): boolean =>
      s.some((x) => x.device.mac === mac && x.evidence.includes('flows') && (x.bytes_down ?? 0) >= BODY);
    const deadline = Date.now() + 60_000;
    let sessions: SessionJson[] = [];
    while (Date.now() < deadline) {
      sessions = await cli<SessionJson>('sessions');
      if (measured(sessions, TV.mac) && measured(sessions, STICK.mac)) break;
      await sleep(1_000);
    }
    await sleep(2_000);

    // The harness did what it claims: the log holds the TV's lookups and nothing from the stick.
    const log = readFileSync(home.piholeLog, 'utf8');
    expect(log).toMatch(new RegExp(`query\\[A\\] ${VIDEO_NAME.replace(/\./g, '\\.')} from ${TV.ip.replace(/\./g, '\\.')}`));
    expect(log.includes(`from ${STICK.ip}`), 'Pi-hole never saw the stick').toBe(false);

    sessions = await cli<SessionJson>('sessions');
    expect(sessions.map((s) => `${s.device.mac} ${s.evidence.join('+')}`).sort(), `sessions${why()}`).toEqual(
      [`${STICK.mac} flows`, `${TV.mac} dns+flows`].sort(),
    );
    const alerts = await cli<AlertJson>('alerts');
    expect(alerts.map((a) => `${a.rule} ${a.device?.mac ?? '-'}`), `alerts${why()}`).toEqual([`dns_bypass ${STICK.mac}`]);
    expect(alerts[0]?.session_id).not.toBeNull();
    expect(alerts[0]?.message).toMatch(/^Bedroom stick streamed Netflix video at \d\d:\d\d without asking Pi-hole/);
    expect(alerts[0]?.message).toContain('port 853');
  }, 150_000);
});
