import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encode } from 'dns-packet';
import { afterAll, describe, expect, it } from 'vitest';
import { buildCatalog, NETFLIX } from '../../../src/core/catalog.js';
import { parsePrefixList, PrefixSet } from '../../../src/core/prefixes.js';
import type { FlowMinute } from '../../../src/core/types.js';
import { SourceError } from '../../../src/sources/errors.js';
import { readCapture, type CaptureBatch, type CaptureOptions, type CaptureStats } from '../../../src/sources/pcap/capture.js';
import { classicPcap, ethernet, ipv4, ipv6, tcp, removeTempFiles, tempDir, tempFile, udp } from '../../helpers/pcap-build.js';

const corpus = fileURLToPath(new URL('../../../../shared/corpus/', import.meta.url));
afterAll(removeTempFiles);
const root = fileURLToPath(new URL('../../../', import.meta.url));
const prefixes = PrefixSet.fromCidrs(parsePrefixList(readFileSync(`${root}data/netflix-prefixes.txt`, 'utf8')).cidrs);
const netflixOnly: CaptureOptions = { catalog: buildCatalog([NETFLIX]), prefixes };
const hasTshark = spawnSync('tshark', ['--version']).status === 0;

async function ingest(file: string, opts: CaptureOptions = netflixOnly): Promise<{ stats: CaptureStats; all: CaptureBatch; batches: number }> {
  const all: CaptureBatch = { served: [], flows: [], macs: [], snis: [] };
  let batches = 0;
  const stats = await readCapture(file, opts, (b) => {
    batches++;
    all.served.push(...b.served);
    all.flows.push(...b.flows);
    all.macs.push(...b.macs);
    all.snis.push(...b.snis);
  });
  return { stats, all, batches };
}

const total = (flows: readonly FlowMinute[], key: 'bytes' | 'packets'): number =>
  flows.reduce((s, f) => s + (key === 'bytes' ? f.bytesDown + f.bytesUp : f.packetsDown + f.packetsUp), 0);

describe.skipIf(!existsSync(corpus))('capture ingest on the corpus (skipped: ../shared/corpus not found)', () => {
  const netflix = `${corpus}ndpi/netflix.pcap`;

  it('netflix.pcap: one device, by MAC, and its Open Connect video found by prefix alone', async () => {
    const { stats, all } = await ingest(netflix);
    expect(stats).toMatchObject({ packets: 1793, snis: 20, skipped: { not_tcp_udp: 1 } });
    expect(all.macs.find((m) => m.ip === '192.168.1.7')?.mac).toBe('e4:98:d6:1f:bd:14');
    expect(new Set(all.flows.map((f) => `${f.localIp} ${f.localMac}`))).toEqual(new Set(['192.168.1.7 e4:98:d6:1f:bd:14']));
    const video = all.flows.filter((f) => f.role === 'video');
    expect(new Set(video.map((f) => f.remoteIp))).toEqual(
      new Set(['23.246.3.140', '23.246.10.139', '23.246.11.133', '23.246.11.141', '23.246.11.145']),
    );
    // nDPI's own output: the 18 plain-HTTP flows, all to those servers: 814 packets, 494949 bytes.
    expect([total(video, 'packets'), total(video, 'bytes')]).toEqual([814, 494949]);
    expect(video.every((f) => f.bytesDown > f.bytesUp && f.service === 'netflix')).toBe(true);
    expect(all.served.find((s) => s.name === 'appboot.netflix.com')?.ip).toBe('54.201.191.132');
  });

  it.skipIf(!hasTshark)('netflix.pcap: Netflix bytes of 192.168.1.7 equal what tshark counts for the same remotes (skipped without tshark)', async () => {
    const { all } = await ingest(netflix);
    const remotes = [...new Set(all.flows.map((f) => f.remoteIp))];
    expect(remotes.length).toBeGreaterThan(10);
    const filter = `ip.addr==192.168.1.7 && (${remotes.map((r) => `ip.addr==${r}`).join(' || ')})`;
    const out = execFileSync('tshark', ['-r', netflix, '-Y', filter, '-T', 'fields', '-e', 'frame.len'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const tsharkBytes = out.trim().split('\n').reduce((s, l) => s + Number(l), 0);
    expect(total(all.flows, 'bytes')).toBe(tsharkBytes);
  });

  it('batches: many small ones add up to the same as one', async () => {
    const one = await ingest(netflix);
    const many = await ingest(netflix, { ...netflixOnly, batchPackets: 100 });
    expect(many.batches).toBeGreaterThan(5);
    expect(total(many.all.flows, 'bytes')).toBe(total(one.all.flows, 'bytes'));
    expect(many.all.served).toEqual(one.all.served);
  });

  it('knownAddress attributes traffic the capture never named', async () => {
    const file = `${corpus}ndpi/tls_1.3_unidirectional_client.pcapng`;
    const alone = await ingest(file);
    expect(alone.all.flows).toEqual([]);
    expect(alone.stats.unattributedBytes).toBe(1488);
    const asked: string[] = [];
    const known = await ingest(file, {
      ...netflixOnly,
      knownAddress: (ip) => (asked.push(ip), ip === '142.250.184.68' ? { service: 'netflix', role: 'ui' } : undefined),
    });
    expect(asked).toContain('142.250.184.68');
    expect(known.all.flows).toMatchObject([{ localIp: '192.168.12.156', remoteIp: '142.250.184.68', bytesUp: 1488, packetsUp: 9, bytesDown: 0 }]);
  });

  it('fuzz-2021-10-13: keeps the packet before the damage and reports file and offset', async () => {
    const file = `${corpus}ndpi/fuzz-2021-10-13.pcap`;
    const { stats } = await ingest(file);
    expect(stats.packets).toBe(1);
    expect(stats.error).toBeInstanceOf(SourceError);
    expect(stats.error).toMatchObject({ file, offset: 237 });
  });

  it('randomly corrupted corpus files end in a result or a format error, never a crash', async () => {
    let seed = 2026;
    const rand = (): number => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
    const names = ['ndpi/KakaoTalk_chat.pcap', 'ndpi/dns_fragmented.pcap', 'ndpi/tls_ech.pcapng', 'zeek/chrome-34-google.pcap'];
    for (let i = 0; i < 40; i++) {
      const bytes = Buffer.from(readFileSync(`${corpus}${names[i % names.length] ?? ''}`));
      for (let k = 0; k < 20; k++) bytes[24 + Math.floor(rand() * (bytes.length - 24))] = Math.floor(rand() * 256);
      const { stats } = await ingest(tempFile('fuzzed.pcap', bytes.subarray(0, i % 5 === 0 ? Math.floor(rand() * bytes.length) : bytes.length)));
      if (stats.error) expect(stats.error).toBeInstanceOf(SourceError);
    }
  });

  it('every corpus capture is read without an uncaught exception', async () => {
    const files = readdirSync(corpus, { recursive: true, encoding: 'utf8' })
      .filter((f) => /\.(pcap|pcapng|cap)$/.test(f))
      .map((f) => join(corpus, f));
    expect(files.length).toBeGreaterThanOrEqual(19);
    for (const file of files) {
      const { stats } = await ingest(file);
      if (!file.endsWith('empty.pcapng')) expect(stats.packets, file).toBeGreaterThan(0);
      if (stats.error) expect(file).toMatch(/fuzz/);
    }
  });
});

describe('capture ingest on synthetic traffic', () => {
  const device = '02:11:22:33:44:55';
  const router = '02:aa:aa:aa:aa:aa';
  const down = (seq: number, n: number): Buffer =>
    ethernet(router, device, 0x0800, ipv4('52.1.2.3', '192.168.1.30', 6, tcp(443, 50000, seq, 0x10, Buffer.alloc(n))));
  const up = (): Buffer => ethernet(device, router, 0x0800, ipv4('192.168.1.30', '52.1.2.3', 6, tcp(50000, 443, 1, 0x10)));
  const answer = (): Buffer => {
    const dns = encode({ type: 'response', id: 9, questions: [{ type: 'A', name: 'www.netflix.com' }], answers: [{ type: 'A', name: 'www.netflix.com', ttl: 60, data: '52.1.2.3' }] } as never);
    return ethernet(router, device, 0x0800, ipv4('192.168.1.1', '192.168.1.30', 17, udp(53, 33333, dns)));
  };
  const t0 = 1_795_291_200;

  it('a flow seen before the DNS answer that names its remote still counts, minute by minute', async () => {
    const file = tempFile('late-dns.pcap', classicPcap([
      { tsSec: t0 + 1, data: down(1, 1000) },
      { tsSec: t0 + 2, data: up() },
      { tsSec: t0 + 65, data: down(1001, 500) },
      { tsSec: t0 + 200, data: answer() },
      { tsSec: t0 + 201, data: down(1501, 100) },
    ]));
    const { stats, all } = await ingest(file);
    const rows = all.flows.map((f) => [f.minute / 1000 - t0, f.localIp, f.localMac, f.remoteIp, f.role, f.bytesDown, f.packetsDown, f.packetsUp]);
    expect(rows.sort((a, b) => Number(a[0]) - Number(b[0]))).toEqual([
      [0, '192.168.1.30', device, '52.1.2.3', 'ui', 1054, 1, 1],
      [60, '192.168.1.30', device, '52.1.2.3', 'ui', 554, 1, 0],
      [180, '192.168.1.30', device, '52.1.2.3', 'ui', 154, 1, 0],
    ]);
    expect(all.served).toMatchObject([{ ip: '52.1.2.3', name: 'www.netflix.com', service: 'netflix', role: 'ui', ttl: 60 }]);
    expect(stats.unattributedBytes).toBe(0);
    expect(all.macs).toContainEqual({ ip: '192.168.1.30', mac: device, ts: (t0 + 2) * 1000 });
  });

  it('past 100k addresses the tables restart, and the split minutes still add up', async () => {
    const video = ethernet(router, device, 0x0800, ipv4('45.57.90.1', '192.168.1.30', 6, tcp(443, 50000, 1, 0x10, Buffer.alloc(100))));
    const scanFrame = ethernet(device, router, 0x0800, ipv4('192.168.1.30', '11.0.0.0', 6, tcp(40000, 80, 1, 0x02)));
    const n = 240_000;
    const file = classicPcap([]);
    const records = Buffer.alloc(n * 16 + (n / 2) * (video.length + scanFrame.length));
    for (let i = 0, o = 0; i < n; i++) {
      const data = i % 2 ? scanFrame : video;
      records.writeUInt32LE(t0 + Math.floor(i / 2000), o);
      records.writeUInt32LE(data.length, o + 8);
      records.writeUInt32LE(data.length, o + 12);
      data.copy(records, o + 16);
      // A distinct remote address per scan packet: the IPv4 destination's low three bytes.
      if (i % 2) records.writeUIntBE(i, o + 16 + 14 + 17, 3);
      o += 16 + data.length;
    }
    const progress: number[] = [];
    const path = tempFile('scan.pcap', Buffer.concat([file, records]));
    const { stats, all } = await ingest(path, { ...netflixOnly, onProgress: (bytes) => progress.push(bytes) });
    expect(stats.packets).toBe(n);
    expect(new Set(all.flows.map((f) => f.remoteIp))).toEqual(new Set(['45.57.90.1']));
    expect(total(all.flows, 'packets')).toBe(120_000);
    expect(total(all.flows, 'bytes')).toBe(120_000 * video.length);
    // The restart split a minute into two records for the same (device, remote, minute).
    expect(all.flows.length).toBeGreaterThan(new Set(all.flows.map((f) => f.minute)).size);
    expect(stats.unattributedBytes).toBe(120_000 * scanFrame.length);
    expect(progress.at(-1)).toBe(stats.bytes + 24 + 16 * n);
    expect(progress.every((b, i) => i === 0 || b > (progress[i - 1] ?? 0))).toBe(true);
  });

  it('a missing file rejects with a SourceError naming it', async () => {
    await expect(readCapture('/nonexistent/capture.pcap', netflixOnly, () => undefined)).rejects.toMatchObject({
      name: 'SourceError',
      file: '/nonexistent/capture.pcap',
    });
  });
});

describe('link layers, IPv6 extension headers and fragments', () => {
  const netflixDns = encode({ type: 'response', id: 3, questions: [{ type: 'A', name: 'www.netflix.com' }], answers: [{ type: 'A', name: 'www.netflix.com', ttl: 30, data: '52.41.30.5' }] } as never);
  const v4 = ipv4('192.168.1.1', '192.168.1.30', 17, udp(53, 40000, netflixDns));
  const sllHeader = (type: number): Buffer => Buffer.concat([Buffer.from([0, 0, 0, 1, 0, 6]), Buffer.from('02aabbccddee0000', 'hex'), Buffer.from([type >> 8, type & 255])]);
  const sll2Header = (type: number): Buffer => Buffer.concat([Buffer.from([type >> 8, type & 255, 0, 0, 0, 0, 0, 3, 0, 1, 0, 6]), Buffer.from('02aabbccddee0000', 'hex')]);
  const pppoe = Buffer.concat([Buffer.from([0x11, 0, 0, 1, (v4.length + 2) >> 8, (v4.length + 2) & 255, 0, 0x21]), v4]);
  // Hop-by-hop options (8 bytes) in front of UDP.
  const v6 = (() => {
    const inner = udp(53, 40000, netflixDns);
    const hop = Buffer.from([17, 0, 1, 4, 0, 0, 0, 0]);
    return ipv6('fd00::1', 'fd00::30', 0, Buffer.concat([hop, inner]));
  })();
  const cases: [string, number, Buffer][] = [
    ['Ethernet', 1, ethernet('02:aa:aa:aa:aa:aa', '02:11:22:33:44:55', 0x0800, v4)],
    ['802.1Q', 1, ethernet('02:aa:aa:aa:aa:aa', '02:11:22:33:44:55', 0x0800, v4, [0x8100])],
    ['QinQ 802.1ad', 1, ethernet('02:aa:aa:aa:aa:aa', '02:11:22:33:44:55', 0x0800, v4, [0x88a8, 0x8100])],
    ['QinQ 0x9100', 1, ethernet('02:aa:aa:aa:aa:aa', '02:11:22:33:44:55', 0x0800, v4, [0x9100, 0x8100])],
    ['PPPoE', 1, ethernet('02:aa:aa:aa:aa:aa', '02:11:22:33:44:55', 0x8864, pppoe)],
    ['Linux SLL', 113, Buffer.concat([sllHeader(0x0800), v4])],
    ['Linux SLL2', 276, Buffer.concat([sll2Header(0x0800), v4])],
    ['raw IP (101)', 101, v4],
    ['raw IP (12)', 12, v4],
    ['IPv4 (228)', 228, v4],
    ['IPv6 (229) with hop-by-hop options', 229, v6],
    ['Ethernet IPv6', 1, ethernet('02:aa:aa:aa:aa:aa', '02:11:22:33:44:55', 0x86dd, v6)],
    ['BSD null, little-endian family', 0, Buffer.concat([Buffer.from([2, 0, 0, 0]), v4])],
    ['BSD loop, AF_INET6 = 30', 108, Buffer.concat([Buffer.from([0, 0, 0, 30]), v6])],
  ];

  it.each(cases)('%s', async (_name, linkType, data) => {
    const { stats, all } = await ingest(tempFile('link.pcap', classicPcap([{ tsSec: 1_795_291_200, data }], { linkType })));
    expect(stats.skipped).toEqual({});
    expect(all.served.map((x) => x.ip)).toEqual(['52.41.30.5']);
  });

  it('reassembles a DNS response split in IPv4 fragments arriving out of order', async () => {
    const datagram = udp(53, 40000, netflixDns);
    const half = 24;
    const frag = (off: number, more: boolean, part: Buffer): Buffer =>
      ethernet('02:aa:aa:aa:aa:aa', '02:11:22:33:44:55', 0x0800, ipv4('8.8.8.8', '192.168.1.30', 17, part, { id: 77, fragOffset: off, more }));
    const file = tempFile('frag.pcap', classicPcap([
      { tsSec: 1_795_291_200, data: frag(half, false, datagram.subarray(half)) },
      { tsSec: 1_795_291_200, data: frag(0, true, datagram.subarray(0, half)) },
    ]));
    const { stats, all } = await ingest(file);
    expect(all.served.map((x) => x.ip)).toEqual(['52.41.30.5']);
    expect(stats.skipped).toEqual({});
    expect(stats.unattributedBytes).toBe(stats.bytes);
  });
});

describe('the benchmark capture, full and cut to 128 bytes a packet', () => {
  const gen = (name: string, ...args: string[]): string => {
    const out = join(tempDir(), name);
    execFileSync(process.execPath, [`${root}bench/gen-pcap.mjs`, out, '3', ...args], { stdio: 'ignore' });
    return out;
  };

  it('keeps every byte count at snaplen 128, losing only the SNIs', async () => {
    const full = await ingest(gen('full.pcap'));
    const cut = await ingest(gen('cut.pcap', '--snaplen', '128'));
    expect(cut.stats.packets).toBe(full.stats.packets);
    expect(cut.stats.bytes).toBe(full.stats.bytes);
    expect(total(cut.all.flows, 'bytes')).toBe(total(full.all.flows, 'bytes'));
    expect(cut.all.served).toEqual(full.all.served);
    expect(full.stats.snis).toBeGreaterThan(0);
    expect(cut.stats.snis).toBe(0);
    expect(cut.stats.skipped.truncated_tls).toBe(full.stats.snis);
    // The IPv6 viewer has a global address: it is the local side because the other is Open Connect.
    expect(full.all.flows).toContainEqual(
      expect.objectContaining({ localIp: '2a02:8108:1240:2f00::21', localMac: 'e4:98:d6:1f:bd:14', role: 'video' }),
    );
    expect(full.stats.attributedBytes / full.stats.bytes).toBeGreaterThan(0.8);
  });
});
