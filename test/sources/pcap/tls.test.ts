import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { buildCatalog, NETFLIX } from '../../../src/core/catalog.js';
import { PrefixSet } from '../../../src/core/prefixes.js';
import { readCapture, type CaptureStats, type SniObservation } from '../../../src/sources/pcap/capture.js';
import { parseClientHello } from '../../../src/sources/pcap/tls.js';
import { classicPcap, clientHello, ethernet, ipv4, tcp, removeTempFiles, tempFile, type SynthPacket } from '../../helpers/pcap-build.js';

const corpus = fileURLToPath(new URL('../../../../shared/corpus/', import.meta.url));
afterAll(removeTempFiles);
const everything = buildCatalog([
  NETFLIX,
  { name: 'any', domains: ['com', 'net', 'org', 'de'], videoDomains: [], videoPrefixes: [] },
]);

async function snis(file: string): Promise<{ stats: CaptureStats; snis: SniObservation[] }> {
  const all: SniObservation[] = [];
  const stats = await readCapture(file, { catalog: everything, prefixes: PrefixSet.empty() }, (b) => all.push(...b.snis));
  return { stats, snis: all };
}

describe('parseClientHello', () => {
  it('finds the name in a whole hello and asks for more in every prefix before it', () => {
    const hello = clientHello('ipv4-c001-ams001-ix.1.oca.nflxvideo.net', 1500);
    expect(parseClientHello(hello, 0, hello.length)).toEqual({ kind: 'sni', name: 'ipv4-c001-ams001-ix.1.oca.nflxvideo.net' });
    const nameEnd = hello.indexOf('nflxvideo.net') + 'nflxvideo.net'.length;
    for (let cut = 6; cut < nameEnd; cut++) {
      expect(parseClientHello(hello, 0, cut), `cut at ${cut}`).toEqual({ kind: 'more', total: hello.length });
    }
  });

  it('reads at an offset, lower-cases, and ignores what is not a ClientHello', () => {
    const hello = Buffer.concat([Buffer.alloc(10), clientHello('WWW.Netflix.COM')]);
    expect(parseClientHello(hello, 10, hello.length)).toEqual({ kind: 'sni', name: 'www.netflix.com' });
    expect(parseClientHello(Buffer.from('GET / HTTP/1.1\r\n'), 0, 16)).toEqual({ kind: 'none' });
    const serverHello = Buffer.from(clientHello('x.com'));
    serverHello[5] = 2;
    expect(parseClientHello(serverHello, 0, serverHello.length)).toEqual({ kind: 'none' });
  });

  it('survives random corruption of every byte (never throws, never a bad name)', () => {
    const base = clientHello('api-global.netflix.com', 40);
    let seed = 42;
    const rand = (): number => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
    for (let i = 0; i < 3000; i++) {
      const b = Buffer.from(base);
      for (let k = 0; k < 4; k++) b[Math.floor(rand() * b.length)] = Math.floor(rand() * 256);
      const end = Math.floor(rand() * (b.length + 1));
      const r = parseClientHello(b, 0, end);
      if (r.kind === 'sni') expect(r.name).toMatch(/^[a-z0-9._-]+$/);
    }
  });
});

describe.skipIf(!existsSync(corpus))('SNI on the corpus (skipped: ../shared/corpus not found)', () => {
  it('zeek chrome-34-google: google.de from 192.168.4.149 to 74.125.239.152', async () => {
    const { snis: s } = await snis(`${corpus}zeek/chrome-34-google.pcap`);
    expect(s.map((x) => [x.name, x.clientIp, x.serverIp])).toEqual([['google.de', '192.168.4.149', '74.125.239.152']]);
  });

  it('ndpi tls_1.3_unidirectional_client: www.google.com', async () => {
    const { snis: s } = await snis(`${corpus}ndpi/tls_1.3_unidirectional_client.pcapng`);
    expect(s.map((x) => [x.name, x.clientIp, x.serverIp])).toEqual([['www.google.com', '192.168.12.156', '142.250.184.68']]);
  });

  it('ndpi tls_ech: the outer SNI over IPv6', async () => {
    const { snis: s } = await snis(`${corpus}ndpi/tls_ech.pcapng`);
    expect(s.map((x) => [x.name, x.serverIp])).toEqual([['performance.radar.cloudflare.com', '2606:4700::6812:1e4e']]);
  });

  it('ndpi viber (pcapng, 2 interfaces): the TLS names nDPI reports', async () => {
    const { snis: s } = await snis(`${corpus}ndpi/viber.pcap`);
    const names = new Set(s.map((x) => x.name));
    for (const want of ['dl-media.viber.com', 'media.cdn.viber.com', 'mapi.apptimize.com', 'brahe.apptimize.com', 'venetia.iad.appboy.com', 'app-measurement.com']) {
      expect(names, want).toContain(want);
    }
  });

  it('ndpi netflix: api-global x9, ios.nccp x6, ichnaea x4, art-s.nflximg.net x1', async () => {
    const { stats, snis: s } = await snis(`${corpus}ndpi/netflix.pcap`);
    const counts: Record<string, number> = {};
    for (const x of s) counts[x.name] = (counts[x.name] ?? 0) + 1;
    expect(counts).toEqual({
      'api-global.netflix.com': 9,
      'ios.nccp.netflix.com': 6,
      'ichnaea.netflix.com': 4,
      'art-s.nflximg.net': 1,
    });
    expect(stats.snis).toBe(20);
    // ichnaea is playback telemetry (src/core/services/netflix.md); the API, NCCP and artwork are ui.
    expect(new Set(s.map((x) => `${x.service}/${x.role}/${x.clientIp}`))).toEqual(new Set(['netflix/ui/192.168.1.7', 'netflix/playback/192.168.1.7']));
  });
});

describe('a ClientHello split over TCP segments', () => {
  const hello = clientHello('ipv4-c044-fra002-ix.1.oca.nflxvideo.net', 2000);
  const cut = 1400;
  const segment = (seq: number, payload: Buffer, ack = false): Buffer =>
    ethernet(ack ? '02:00:00:00:00:02' : '02:00:00:00:00:01', ack ? '02:00:00:00:00:01' : '02:00:00:00:00:02', 0x0800,
      ack ? ipv4('45.57.41.20', '192.168.1.20', 6, tcp(443, 40000, 9, 0x10)) : ipv4('192.168.1.20', '45.57.41.20', 6, tcp(40000, 443, seq, 0x18, payload)));
  const at = (i: number, data: Buffer, origLen?: number): SynthPacket => ({ tsSec: 1_795_291_200 + i, data, ...(origLen ? { origLen } : {}) });

  it('is reassembled, with the server ACK and a retransmission in between', async () => {
    const file = tempFile('split.pcap', classicPcap([
      at(0, segment(1000, hello.subarray(0, cut))),
      at(1, segment(0, Buffer.alloc(0), true)),
      at(2, segment(1000, hello.subarray(0, cut))),
      at(3, segment(1000 + cut, hello.subarray(cut))),
    ]));
    const { stats, snis: s } = await snis(file);
    expect(s.map((x) => [x.name, x.role, x.serverIp])).toEqual([['ipv4-c044-fra002-ix.1.oca.nflxvideo.net', 'video', '45.57.41.20']]);
    expect(stats.skipped).toEqual({});
  });

  it('cut by a snaplen is counted, not an error', async () => {
    const first = segment(1000, hello.subarray(0, cut));
    const file = tempFile('cut.pcap', classicPcap([at(0, first.subarray(0, 128), first.length)], { snaplen: 128 }));
    const { stats, snis: s } = await snis(file);
    expect(s).toEqual([]);
    expect(stats.skipped).toEqual({ truncated_tls: 1 });
    expect(stats.error).toBeUndefined();
  });

  it('with a hole in the sequence gives up on the hello', async () => {
    const file = tempFile('gap.pcap', classicPcap([
      at(0, segment(1000, hello.subarray(0, cut))),
      at(1, segment(1000 + cut + 10, hello.subarray(cut + 10))),
    ]));
    const { stats, snis: s } = await snis(file);
    expect(s).toEqual([]);
    expect(stats.skipped).toEqual({ tls_incomplete: 1 });
  });
});
