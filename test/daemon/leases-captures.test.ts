// The daemon's other sources: lease files re-read when they change (the device of an event is the
// lease holder at its time), and the capture directory (each finished file ingested once, then
// deleted; a file is finished when idle or when a newer one exists).
import { mkdirSync, readdirSync, renameSync, utimesSync, writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { RawConfig } from '../../src/config/schema.js';
import { classicPcap, ethernet, ipv4, tcp } from '../helpers/pcap-build.js';
import { appendQueries, DbProbe, startInProcess, tempDir, testConfig, until, videoName, type InProcess, type TempDir } from '../helpers/daemon-harness.js';

const MAC1 = 'aa:bb:cc:00:00:01';
const MAC2 = 'aa:bb:cc:00:00:02';
const MAC3 = 'aa:bb:cc:00:00:03';
const MAC4 = 'aa:bb:cc:00:00:04';
const HOUR = 3_600_000;

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(raw: RawConfig): Promise<{ t: TempDir; d: InProcess; probe: DbProbe; log: string }> {
  const t = tempDir();
  cleanups.push(() => t.remove());
  const config = testConfig(t, raw);
  writeFileSync(config.pihole.log, '');
  const d = await startInProcess(config);
  cleanups.push(() => d.stop());
  const probe = new DbProbe(config.database);
  cleanups.push(() => probe.close());
  return { t, d, probe, log: config.pihole.log };
}

/** dnsmasq's dhcp.leases: `expiry mac ip hostname clientid`, expiry in epoch seconds. */
function leaseLine(mac: string, ip: string, host: string, expiresInMs: number): string {
  return `${Math.floor((Date.now() + expiresInMs) / 1000)} ${mac} ${ip} ${host} 01:${mac}\n`;
}

const leaseMacs = (probe: DbProbe): string[] => probe.all<{ mac: string }>('SELECT DISTINCT mac FROM leases ORDER BY mac').map((r) => r.mac);
const deviceOf = (probe: DbProbe, i: number): string | null =>
  probe.all<{ device: string | null }>('SELECT device FROM dns_events WHERE name = ?', videoName(i))[0]?.device ?? null;

/** Until the wall clock is in a later second than `ts`: log stamps have whole seconds. */
const nextSecondAfter = (ts: number): Promise<void> => until(() => Date.now() >= Math.floor(ts / 1000) * 1000 + 1000, 'the next second', 2_000);

describe('nfmon run: lease files', () => {
  it('a lease file changing while running: later events belong to the new holder, earlier ones keep the old', async () => {
    const t0 = tempDir();
    cleanups.push(() => t0.remove());
    const leases = t0.path('dhcp.leases');
    writeFileSync(leases, leaseLine(MAC1, '192.168.1.50', 'phone', 12 * HOUR));
    const { d, probe, log } = await setup({ leases: { files: [leases] } });
    const firstAppend = Date.now();
    appendQueries(log, 0, 3);
    await until(() => [0, 1, 2].every((i) => deviceOf(probe, i) === MAC1), 'the first events on the phone', 5_000);

    // The phone left; the TV got .50 with a fresh 24 h lease (dnsmasq rewrites the whole file).
    // Log stamps have whole seconds: the change comes in a later second than those events.
    await nextSecondAfter(firstAppend);
    writeFileSync(leases, leaseLine(MAC2, '192.168.1.50', 'tv', 24 * HOUR));
    await until(() => leaseMacs(probe).includes(MAC2), 'the new lease read', 5_000);
    appendQueries(log, 3, 6);
    await until(() => [3, 4, 5].every((i) => deviceOf(probe, i) === MAC2), 'the later events on the TV', 5_000, () =>
      [0, 1, 2, 3, 4, 5].map((i) => deviceOf(probe, i)),
    );
    expect([0, 1, 2].map((i) => deviceOf(probe, i))).toEqual([MAC1, MAC1, MAC1]);
    const sessions = d.app.store.sessions.query({});
    expect(sessions.map((s) => s.device).sort()).toEqual([MAC1, MAC2]);
  });

  it('several lease files are all read at start', async () => {
    const t0 = tempDir();
    cleanups.push(() => t0.remove());
    const files = [MAC1, MAC2, MAC3, MAC4].map((mac, i) => {
      const f = t0.path(`dhcp-${i}.leases`);
      writeFileSync(f, leaseLine(mac, `192.168.1.${50 + i}`, `host${i}`, 12 * HOUR));
      return f;
    });
    const { probe } = await setup({ leases: { files } });
    expect(leaseMacs(probe)).toEqual([MAC1, MAC2, MAC3, MAC4]);
  });

  it('a lease file rewritten again right after a change (inside chokidar\'s 50 ms throttle): the last content is read', async () => {
    const t0 = tempDir();
    cleanups.push(() => t0.remove());
    const leases = t0.path('dhcp.leases');
    writeFileSync(leases, leaseLine(MAC1, '192.168.1.50', 'phone', 12 * HOUR));
    const { probe } = await setup({ leases: { files: [leases] } });
    expect(leaseMacs(probe)).toEqual([MAC1]);
    writeFileSync(leases, leaseLine(MAC1, '192.168.1.50', 'phone', 12 * HOUR) + leaseLine(MAC2, '192.168.1.51', 'tv', 12 * HOUR));
    await until(() => leaseMacs(probe).includes(MAC2), 'the first rewrite read', 5_000);
    writeFileSync(leases, leaseLine(MAC3, '192.168.1.52', 'tablet', 12 * HOUR));
    await until(() => leaseMacs(probe).includes(MAC3), 'the second rewrite read', 3_000, () => leaseMacs(probe));
  });
});

/** Bytes are counted as on the wire: a 1500-byte IP packet in a 14-byte Ethernet header. */
const FRAME = 1_514;

/** Open Connect (45.57.90.1:443) to 192.168.1.50: n full-size TCP segments (1500-byte IP packets). */
function netflixCapture(n: number, tsSec: number): Buffer {
  const packets = Array.from({ length: n }, (_, k) => ({
    tsSec: tsSec + k,
    data: ethernet('aa:bb:cc:ff:ff:fe', MAC1, 0x0800, ipv4('45.57.90.1', '192.168.1.50', 6, tcp(443, 50_000, 1 + k * 1460, 0x18, Buffer.alloc(1460, 0x61)), { id: k + 1 })),
  }));
  return classicPcap(packets);
}

interface FlowTotals {
  readonly packets: number | null;
  readonly bytes: number | null;
}

describe('nfmon run: the capture directory', () => {
  it('an idle newest capture is read but kept (tcpdump may still write it); a finished one is read once and deleted', async () => {
    const t0 = tempDir();
    cleanups.push(() => t0.remove());
    const dir = t0.path('captures');
    mkdirSync(dir);
    const { probe } = await setup({ captures: { dir, keep: false } });
    const flows = (): FlowTotals =>
      probe.all<FlowTotals>("SELECT sum(packets_down) AS packets, sum(bytes_down) AS bytes FROM flows WHERE remote_ip = '45.57.90.1'")[0]!;
    const captureSources = (): number => probe.all<{ n: number }>("SELECT count(*) AS n FROM sources WHERE kind = 'capture'")[0]!.n;
    const now = Date.now();
    /** Written under another name, dated, then renamed in, so the daemon sees it whole. */
    const drop = (name: string, bytes: Buffer, mtimeMs: number): void => {
      const part = `${dir}/.${name}.part`;
      writeFileSync(part, bytes);
      utimesSync(part, mtimeMs / 1000, mtimeMs / 1000);
      renameSync(part, `${dir}/${name}`);
    };

    // Nobody wrote this file for ten minutes (captures.idle is 2 minutes): read, but it is the
    // newest, and tcpdump rotates only when a packet comes, so it may still write to it.
    drop('nf-0001.pcap', netflixCapture(2, Math.floor(now / 1000) - 900), now - 10 * 60_000);
    await until(() => captureSources() === 1, 'the idle capture read', 5_000, () => readdirSync(dir));
    expect(flows()).toEqual({ packets: 2, bytes: 2 * FRAME });
    expect(readdirSync(dir)).toEqual(['nf-0001.pcap']);

    // tcpdump -G moved on to newer files: the older ones are finished, read once and deleted;
    // the newest, still written, stays.
    drop('nf-0002.pcap', netflixCapture(3, Math.floor(now / 1000) - 300), now - 1_000);
    drop('nf-0003.pcap', netflixCapture(4, Math.floor(now / 1000) - 200), now);
    await until(() => captureSources() === 2, 'the older of the two ingested', 5_000, () => readdirSync(dir));
    await until(() => readdirSync(dir).length === 1, 'the finished ones deleted', 5_000, () => readdirSync(dir));
    expect(readdirSync(dir)).toEqual(['nf-0003.pcap']);
    expect(flows()).toEqual({ packets: 5, bytes: 5 * FRAME });

    // The same content again (a copy left behind): recognised, deleted, not counted twice.
    drop('nf-0001-copy.pcap', netflixCapture(2, Math.floor(now / 1000) - 900), now - 10 * 60_000);
    await until(() => !readdirSync(dir).includes('nf-0001-copy.pcap'), 'the copy deleted', 5_000, () => readdirSync(dir));
    expect(captureSources()).toBe(2);
    expect(flows()).toEqual({ packets: 5, bytes: 5 * FRAME });
    expect(readdirSync(dir)).toEqual(['nf-0003.pcap']);
  });
});
