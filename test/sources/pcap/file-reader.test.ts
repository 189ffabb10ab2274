import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { SourceError } from '../../../src/sources/errors.js';
import { readPackets, type ReadResult } from '../../../src/sources/pcap/file-reader.js';
import { CaptureFormatError, type PacketRecord } from '../../../src/sources/pcap/record.js';
import { classicPcap, ethernet, ipv4, pcapngSection, removeTempFiles, tempFile, udp, type SynthPacket } from '../../helpers/pcap-build.js';

const corpus = fileURLToPath(new URL('../../../../shared/corpus/', import.meta.url));
afterAll(removeTempFiles);

interface Seen {
  tsSec: number;
  tsNsec: number;
  caplen: number;
  origLen: number;
  linkType: number;
  first: number;
}

async function collect(path: string, chunkSize?: number): Promise<{ result: ReadResult; packets: Seen[] }> {
  const packets: Seen[] = [];
  const sink = (p: PacketRecord): void => {
    packets.push({ tsSec: p.tsSec, tsNsec: p.tsNsec, caplen: p.caplen, origLen: p.origLen, linkType: p.linkType, first: p.buf[p.offset] ?? -1 });
  };
  const result = await readPackets(path, sink, chunkSize ? { chunkSize } : {});
  return { result, packets };
}

const frame = (n: number): Buffer =>
  ethernet('02:00:00:00:00:01', '02:00:00:00:00:02', 0x0800, ipv4('192.168.1.2', '8.8.8.8', 17, udp(1000 + n, 53, Buffer.alloc(n % 50))));

describe.skipIf(!existsSync(corpus))('pcap reader on the corpus (skipped: ../shared/corpus not found)', () => {
  it('tcp-handshake-nano: nanosecond magic, Linux SLL, exact timestamps', async () => {
    const { result, packets } = await collect(`${corpus}tcpdump/tcp-handshake-nano.pcap`);
    expect(result).toEqual({ format: 'pcap', bytes: 292 });
    expect(packets.map((p) => [p.tsSec, p.tsNsec, p.caplen, p.linkType])).toEqual([
      [1418145369, 924505488, 76, 113],
      [1418145370, 52027262, 76, 113],
      [1418145370, 52115157, 68, 113],
    ]);
  });

  it('empty.pcapng: a section without packets', async () => {
    const { result, packets } = await collect(`${corpus}tcpdump/empty.pcapng`);
    expect(result).toEqual({ format: 'pcapng', bytes: 48 });
    expect(packets).toEqual([]);
  });

  it('linux_dlt_sll2: six SLL2 packets', async () => {
    const { packets } = await collect(`${corpus}zeek/linux_dlt_sll2.pcap`);
    expect(packets.map((p) => p.linkType)).toEqual([276, 276, 276, 276, 276, 276]);
  });

  it('sctp.cap: big-endian header', async () => {
    const { result, packets } = await collect(`${corpus}ndpi/sctp.cap`);
    expect(result.error).toBeUndefined();
    expect(packets).toHaveLength(4);
    expect(packets[0]?.linkType).toBe(1);
  });

  it('pcapng-multi-interface: per-interface timestamp resolution (ns on eth0, us on NPF)', async () => {
    const { packets } = await collect(`${corpus}zeek/pcapng-multi-interface.pcapng`);
    expect(packets.map((p) => [p.tsSec, p.tsNsec])).toEqual([
      [1767663089, 500330493],
      [1767663089, 514291940],
      [1767663437, 111897000],
      [1767663437, 126460000],
      [1767663437, 128303000],
      [1767663437, 140942000],
    ]);
  });

  it('dns.pcap and viber.pcap are pcapng despite the name', async () => {
    expect((await collect(`${corpus}ndpi/dns.pcap`)).result.format).toBe('pcapng');
    const viber = await collect(`${corpus}ndpi/viber.pcap`);
    expect(viber.result.format).toBe('pcapng');
    expect(viber.packets).toHaveLength(466);
  });

  it('fuzz-2021-10-13: stops at the cut record, naming file and offset, keeping the packet before', async () => {
    const file = `${corpus}ndpi/fuzz-2021-10-13.pcap`;
    const { result, packets } = await collect(file);
    // Format 2.0 stores the lengths swapped: 197 captured of 524501, as tshark reads it.
    expect(packets.map((p) => [p.caplen, p.origLen, p.linkType])).toEqual([[197, 524501, 0]]);
    expect(result.error).toBeInstanceOf(SourceError);
    expect(result.error).toMatchObject({ file, offset: 237 });
    expect(result.error?.message).toContain(file);
    expect(result.error?.message).toMatch(/cut short.*at byte 237/);
  });

  it('reads the same records whatever the read size (carry-over across reads)', async () => {
    const big = `${corpus}ndpi/netflix.pcap`;
    const whole = await collect(big);
    expect(whole.packets).toHaveLength(1793);
    for (const chunk of [1000, 4093, 65536]) expect((await collect(big, chunk)).packets).toEqual(whole.packets);
    const small = `${corpus}tcpdump/dns_tcp.pcap`;
    const once = await collect(small);
    expect(once.packets).toHaveLength(11);
    for (const chunk of [1, 7]) expect((await collect(small, chunk)).packets).toEqual(once.packets);
  });
});

describe('pcap reader on synthetic files', () => {
  const packets: SynthPacket[] = Array.from({ length: 40 }, (_, i) => ({ tsSec: 1_700_000_000 + i, tsNsec: i * 1000, data: frame(i) }));

  it.each([
    ['little-endian micro', { le: true, nanos: false }],
    ['big-endian micro', { le: false, nanos: false }],
    ['big-endian nano', { le: false, nanos: true }],
  ])('classic pcap, %s', async (_name, opts) => {
    const { result, packets: seen } = await collect(tempFile('a.pcap', classicPcap(packets, opts)), 13);
    expect(result.error).toBeUndefined();
    expect(seen.map((p) => [p.tsSec, p.tsNsec, p.caplen])).toEqual(packets.map((p) => [p.tsSec, p.tsNsec, p.data.length]));
  });

  it('classic pcap: a record longer than the snaplen is corruption at its offset', async () => {
    const bytes = classicPcap(packets.slice(0, 3), { snaplen: 96 });
    const at = 24 + 16 + (packets[0]?.data.length ?? 0) + 16 + (packets[1]?.data.length ?? 0);
    bytes.writeUInt32LE(5000, at + 8);
    const { result, packets: seen } = await collect(tempFile('bad.pcap', bytes));
    expect(seen).toHaveLength(2);
    expect(result.error).toBeInstanceOf(CaptureFormatError);
    expect(result.error?.offset).toBe(at);
    expect(result.error?.message).toMatch(/captured length 5000 exceeds the snaplen 96/);
  });

  it('classic pcap: a 2 GB record length fails at once, without buffering', async () => {
    const bytes = classicPcap(packets.slice(0, 1), { snaplen: 0 });
    bytes.writeUInt32LE(0x7fffffff, 24 + 8);
    const { result } = await collect(tempFile('huge.pcap', bytes));
    expect(result.error?.offset).toBe(24);
  });

  it('pcapng in both byte orders, several sections, SPB, unknown and oversized blocks', async () => {
    const data = frame(3);
    const sectionLe = pcapngSection([
      { kind: 'other', type: 0x0bad, bodyLength: 40 },
      { kind: 'idb', linkType: 1, tsresol: 9 },
      { kind: 'idb', linkType: 101, tsresol: 0x80 | 10, snaplen: 64 },
      { kind: 'epb', iface: 0, units: 1_700_000_000_123_456_789n, data },
      { kind: 'epb', iface: 1, units: 1_700_000_000n * 1024n + 512n, data: data.subarray(14) },
      { kind: 'other', type: 0x0bad, bodyLength: 700 * 1024 },
      { kind: 'spb', data },
    ]);
    const sectionBe = pcapngSection([{ kind: 'idb', linkType: 1 }, { kind: 'epb', iface: 0, units: 1_700_000_001_000_001n, data }], false);
    const { result, packets: seen } = await collect(tempFile('multi.pcapng', Buffer.concat([sectionLe, sectionBe])), 4096);
    expect(result.error).toBeUndefined();
    expect(seen.map((p) => [p.linkType, p.tsSec, p.tsNsec, p.caplen, p.origLen])).toEqual([
      [1, 1_700_000_000, 123_456_789, data.length, data.length],
      [101, 1_700_000_000, 500_000_000, data.length - 14, data.length - 14],
      // A simple packet block has no time of its own; it keeps the previous one.
      [1, 1_700_000_000, 500_000_000, data.length, data.length],
      [1, 1_700_000_001, 1_000, data.length, data.length],
    ]);
  });

  it('pcapng: a packet for an undeclared interface is corruption', async () => {
    const bytes = pcapngSection([{ kind: 'idb', linkType: 1 }, { kind: 'epb', iface: 3, units: 0n, data: frame(1) }]);
    const { result } = await collect(tempFile('bad.pcapng', bytes));
    expect(result.error?.message).toMatch(/undeclared interface 3/);
    expect(result.error?.offset).toBe(28 + 20);
  });

  it('rejects a file that is no capture, and a missing one', async () => {
    const { result } = await collect(tempFile('x.pcap', Buffer.from([0x1f, 0x8b, 8, 0, 1, 2, 3, 4])));
    expect(result.error?.message).toMatch(/not a pcap or pcapng file \(gzip/);
    expect((await collect(tempFile('empty.pcap', Buffer.alloc(0)))).result.error?.message).toMatch(/too short/);
    // A file of another kind says what it looks like and which option reads it.
    const log = tempFile('pihole.pcap', Buffer.from('Nov 22 20:15:01 dnsmasq[812]: query[A] www.netflix.com from 192.168.1.42\n'.repeat(4)));
    expect((await collect(log)).result.error?.message).toBe(
      `${log}: not a pcap or pcapng file (this looks like a Pi-hole query log: give it with --pihole-log) at byte 0`,
    );
    await expect(readPackets('/nonexistent/x.pcap', () => undefined)).rejects.toThrow(SourceError);
  });
});
