import { encode } from 'dns-packet';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { buildCatalog, NETFLIX } from '../../../src/core/catalog.js';
import { PrefixSet } from '../../../src/core/prefixes.js';
import type { ServedAddress } from '../../../src/core/types.js';
import { readCapture, type CaptureStats } from '../../../src/sources/pcap/capture.js';
import { decodeDns, resolveAddresses, servedAddresses, type DnsMessage } from '../../../src/sources/pcap/dns.js';
import { readPackets } from '../../../src/sources/pcap/file-reader.js';
import { decodeIp, decodeTransport, Frame, PROTO_UDP } from '../../../src/sources/pcap/ip.js';
import { decodeLink } from '../../../src/sources/pcap/link.js';

const corpus = fileURLToPath(new URL('../../../../shared/corpus/', import.meta.url));
/** Claims every name under these top-level domains, so tests see all answers. */
const everything = buildCatalog([
  { name: 'any', domains: ['com', 'net', 'org', 'de', 'edu'], videoDomains: [], videoPrefixes: [] },
]);

/** DNS responses (UDP from port 53) of a capture, each with its cut flag. */
async function udpResponses(file: string): Promise<{ bytes: Buffer; cut: boolean }[]> {
  const out: { bytes: Buffer; cut: boolean }[] = [];
  const f = new Frame();
  await readPackets(file, (p) => {
    const end = p.offset + p.caplen;
    if (decodeLink(p.buf, p.offset, end, p.linkType, f) ?? decodeIp(p.buf, end, f)) return;
    if (f.proto !== PROTO_UDP || f.fragment || decodeTransport(p.buf, f) || f.sport !== 53) return;
    out.push({ bytes: Buffer.from(p.buf.subarray(f.payload, f.payloadEnd)), cut: f.truncated });
  });
  return out;
}

async function served(file: string): Promise<{ stats: CaptureStats; served: ServedAddress[] }> {
  const all: ServedAddress[] = [];
  const stats = await readCapture(file, { catalog: everything, prefixes: PrefixSet.empty() }, (b) => all.push(...b.served));
  return { stats, served: all };
}

function message(bytes: Buffer | undefined, cut = false): DnsMessage {
  const d = decodeDns(bytes ?? Buffer.alloc(0), cut);
  if (!d.ok) throw new Error(`decode failed: ${d.reason}`);
  return d.message;
}

const pairs = (list: readonly ServedAddress[]): string[] => list.map((s) => `${s.name} ${s.ip}`);

describe.skipIf(!existsSync(corpus))('DNS decoding on the corpus (skipped: ../shared/corpus not found)', () => {
  it('tcpdump dns_udp: www.tcpdump.org A 192.139.46.66, 198.199.88.104 (any name, low level)', async () => {
    const [response] = await udpResponses(`${corpus}tcpdump/dns_udp.pcap`);
    const m = message(response?.bytes);
    expect(m).toMatchObject({ id: 22836, response: true, partial: false, questions: [{ name: 'www.tcpdump.org', type: 'A' }] });
    expect(resolveAddresses(m).map((r) => [r.qname, r.ip])).toEqual([
      ['www.tcpdump.org', '192.139.46.66'],
      ['www.tcpdump.org', '198.199.88.104'],
    ]);
    // Not a monitored name: counted, not kept.
    expect(servedAddresses(m, buildCatalog([NETFLIX]), 0)).toEqual({ served: [], unmonitored: 2 });
  });

  it('tcpdump dns_tcp: the same answer over TCP/53 with its length prefix', async () => {
    const { stats, served: s } = await served(`${corpus}tcpdump/dns_tcp.pcap`);
    expect(pairs(s)).toEqual(['www.tcpdump.org 192.139.46.66', 'www.tcpdump.org 198.199.88.104']);
    expect(stats.dnsResponses).toBe(1);
    expect(stats.error).toBeUndefined();
  });

  it('tcpdump dns_udp_2: cut by the snaplen is partial data, not an error', async () => {
    const [response] = await udpResponses(`${corpus}tcpdump/dns_udp_2.pcap`);
    expect(response?.cut).toBe(true);
    expect(decodeDns(response?.bytes ?? Buffer.alloc(0), false)).toEqual({ ok: false, reason: 'malformed_dns' });
    const { stats, served: s } = await served(`${corpus}tcpdump/dns_udp_2.pcap`);
    // tcpdump prints "A 192.139.46.66, www.tcpdump.org. [|domain]": the first answer survived.
    expect(pairs(s)).toEqual(['www.tcpdump.org 192.139.46.66']);
    expect(stats.skipped).toEqual({ truncated_dns: 1 });
    expect(stats.error).toBeUndefined();
  });

  it('zeek dns53: the 8 answer-section A records with TTL 900, not authority/additional', async () => {
    const [response] = await udpResponses(`${corpus}zeek/dns53.pcap`);
    const r = resolveAddresses(message(response?.bytes));
    expect(r.map((a) => a.ip)).toEqual([
      '206.109.64.186', '216.1.205.81', '205.149.163.211', '134.53.131.135',
      '134.53.131.192', '128.104.18.148', '204.152.186.139', '63.77.33.226',
    ]);
    expect(new Set(r.map((a) => `${a.qname} ${a.ttl}`))).toEqual(new Set(['us.v27.distributed.net 900']));
  });

  it('zeek pcapng-multi-interface: www.apple.com A 23.194.101.24; google.com 6 A + 4 AAAA', async () => {
    const { stats, served: s } = await served(`${corpus}zeek/pcapng-multi-interface.pcapng`);
    expect(stats.dnsResponses).toBe(3);
    expect(pairs(s.filter((a) => a.name === 'www.apple.com'))).toEqual(['www.apple.com 23.194.101.24']);
    const google = s.filter((a) => a.name === 'google.com').map((a) => a.ip);
    expect(google.filter((ip) => !ip.includes(':'))).toHaveLength(6);
    expect(google.filter((ip) => ip.includes(':'))).toHaveLength(4);
  });

  it('ndpi dns.pcap (pcapng, QinQ): e7.whatsapp.net answers include 169.45.219.235', async () => {
    const { served: s } = await served(`${corpus}ndpi/dns.pcap`);
    const whatsapp = s.filter((a) => a.name === 'e7.whatsapp.net').map((a) => a.ip);
    expect(whatsapp).toHaveLength(8);
    expect(whatsapp).toContain('169.45.219.235');
  });

  it('ndpi KakaoTalk_chat (SLL): CNAME chain katalk.kakao.com -> katalk.gl.kakao.com -> 4 A', async () => {
    const responses = await udpResponses(`${corpus}ndpi/KakaoTalk_chat.pcap`);
    const chains = responses
      .map((r) => resolveAddresses(message(r.bytes)))
      .flat()
      .filter((a) => a.qname === 'katalk.kakao.com');
    expect(chains.map((a) => a.ip)).toHaveLength(4);
    expect(chains[0]?.chain).toEqual(['katalk.kakao.com', 'katalk.gl.kakao.com']);
  });

  it('ndpi dns_fragmented: answers that exist only after IPv4/IPv6 reassembly', async () => {
    const { stats, served: s } = await served(`${corpus}ndpi/dns_fragmented.pcap`);
    // nDPI counts 21 DNS flows, each with its response.
    expect(stats.dnsResponses).toBe(21);
    const got = new Set(pairs(s));
    for (const want of [
      'fg2.weberlab.de 194.247.4.10',
      'pa.weberlab.de 2001:470:1f0b:1024::2',
      'fg2-mgmt.weberlab.de 2001:470:1f0b:16b0::1',
      'sigok.verteiltesysteme.net 134.91.78.139',
      'formel1.de 85.25.234.253',
      'ns2.weberdns.de 194.247.5.14',
    ]) {
      expect(got, want).toContain(want);
    }
  });

  it('zeek ipv6-fragmented-dns: one response reassembled from 3 fragments, the orphan counted', async () => {
    const { stats } = await served(`${corpus}zeek/ipv6-fragmented-dns.pcap`);
    expect(stats.dnsResponses).toBe(2);
    expect(stats.skipped).toEqual({ fragment_incomplete: 1 });
  });

  it('ndpi malformed_dns: over-long names are counted skips', async () => {
    const { stats } = await served(`${corpus}ndpi/malformed_dns.pcap`);
    expect(stats.skipped.malformed_dns).toBe(4);
    expect(stats.error).toBeUndefined();
  });
});

describe('served addresses from chains', () => {
  const catalog = buildCatalog([NETFLIX]);
  const response = (answers: object[]): DnsMessage =>
    message(encode({ type: 'response', id: 1, questions: [{ type: 'A', name: 'movies.example.com' }], answers } as never));

  it('a chain passing through a video name gives video addresses with the smallest TTL', () => {
    const m = response([
      { type: 'CNAME', name: 'movies.example.com', ttl: 300, data: 'IPV4-C001-AMS001-IX.1.oca.nflxvideo.net' },
      { type: 'A', name: 'ipv4-c001-ams001-ix.1.oca.nflxvideo.net', ttl: 60, data: '45.57.90.1' },
      { type: 'A', name: 'unrelated.example.org', ttl: 60, data: '10.0.0.1' },
    ]);
    expect(servedAddresses(m, catalog, 1000)).toEqual({
      served: [{ ts: 1000, ip: '45.57.90.1', name: 'ipv4-c001-ams001-ix.1.oca.nflxvideo.net', service: 'netflix', role: 'video', ttl: 60 }],
      unmonitored: 0,
    });
  });

  it('garbage and truncation never throw', () => {
    expect(decodeDns(Buffer.from([1, 2, 3]))).toEqual({ ok: false, reason: 'malformed_dns' });
    expect(decodeDns(Buffer.from([1, 2, 3]), true)).toEqual({ ok: false, reason: 'truncated_dns' });
    const answers = [
      { type: 'A', name: 'www.netflix.com', ttl: 5, data: '52.89.39.139' },
      { type: 'A', name: 'www.netflix.com', ttl: 5, data: '52.41.30.5' },
    ];
    const build = (n: number): Buffer =>
      encode({ type: 'response', id: 7, questions: [{ type: 'A', name: 'www.netflix.com' }], answers: answers.slice(0, n) } as never);
    const [oneAnswer, whole] = [build(1).length, build(2)];
    for (let cut = 0; cut <= whole.length; cut++) {
      const d = decodeDns(whole.subarray(0, cut), cut < whole.length);
      const ips = d.ok ? resolveAddresses(d.message).map((r) => r.ip) : [];
      const complete = cut === whole.length ? 2 : cut >= oneAnswer ? 1 : 0;
      expect(ips, `cut at ${cut}`).toEqual(['52.89.39.139', '52.41.30.5'].slice(0, complete));
    }
  });

  it('a cut response announcing 65,535 answers salvages what fits in a few decodes (found by npm run fuzz)', () => {
    const answers = Array.from({ length: 40 }, (_, i) => ({ type: 'A', name: 'www.netflix.com', ttl: 5, data: `52.89.39.${i}` }));
    const whole = encode({ type: 'response', id: 7, questions: [{ type: 'A', name: 'www.netflix.com' }], answers } as never);
    const cut = Buffer.from(whole.subarray(0, whole.length - 20));
    const honest = decodeDns(cut, true);
    cut.writeUInt16BE(0xffff, 6);
    const started = performance.now();
    const d = decodeDns(cut, true);
    expect(performance.now() - started).toBeLessThan(200);
    expect(d).toEqual(honest);
    const ips = d.ok ? resolveAddresses(d.message).map((r) => r.ip) : [];
    expect(ips.slice(0, 38)).toEqual(answers.slice(0, 38).map((a) => a.data));
  });
});
