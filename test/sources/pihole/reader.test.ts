import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { buildCatalog, NETFLIX } from '../../../src/core/catalog.js';
import type { DnsActivity, ServedAddress } from '../../../src/core/types.js';
import { SourceError } from '../../../src/sources/errors.js';
import { readPiholeLog, type PiholeBatch, type PiholeReadOptions, type PiholeReadStats } from '../../../src/sources/pihole/reader.js';

const fixtures = fileURLToPath(new URL('../../../fixtures/pihole/', import.meta.url));
const plain = readFileSync(`${fixtures}netflix-plain.log`);
const extra = readFileSync(`${fixtures}netflix-extra.log`);
const dir = mkdtempSync(join(tmpdir(), 'nfmon-pihole-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const opts: PiholeReadOptions = {
  catalog: buildCatalog([NETFLIX]),
  timeZone: 'Europe/Amsterdam',
  referenceTs: Date.parse('2025-11-22T21:00:00Z'),
};

interface Read {
  readonly batches: PiholeBatch[];
  readonly stats: PiholeReadStats;
  readonly dns: DnsActivity[];
  readonly served: ServedAddress[];
}

async function read(path: string, extraOpts: Partial<PiholeReadOptions> = {}): Promise<Read> {
  const batches: PiholeBatch[] = [];
  const stats = await readPiholeLog(path, { ...opts, ...extraOpts }, (b) => batches.push(b));
  return { batches, stats, dns: batches.flatMap((b) => b.dns), served: batches.flatMap((b) => b.served) };
}

function file(name: string, content: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

describe('readPiholeLog', () => {
  it('reads a plain log: events, counts, offsets', async () => {
    const r = await read(file('pihole.log', plain), { final: true });
    expect(r.stats).toEqual({
      linesRead: 33,
      parsed: 21,
      skipped: { other_service: 5, forwarded: 5, dhcp: 1, ptr: 1 },
      dnsEvents: 7,
      servedEvents: 6,
      firstTs: Date.parse('2025-11-22T19:15:01Z'),
      lastTs: Date.parse('2025-11-22T19:16:02Z'),
      endOffset: plain.length,
    });
    expect(r.dns.filter((d) => d.blocked).map((d) => d.name)).toEqual(['customerevents.netflix.com']);
    expect(r.served.map((s) => s.ip)).toEqual(['54.155.178.5', '52.17.43.128', '23.44.5.198', '23.44.5.202', '45.57.90.1', '45.57.90.1']);
    expect(r.batches.map((b) => b.last)).toEqual([true]);
  });

  it('reads gzip by its magic bytes, whatever the name, with offsets of the decompressed stream', async () => {
    const want = await read(file('plain-again.log', plain), { final: true });
    for (const name of ['pihole.log.2.gz', 'pihole.log.1']) {
      const r = await read(file(name, gzipSync(plain)), { final: true });
      expect(r.dns).toEqual(want.dns);
      expect(r.served).toEqual(want.served);
      expect(r.stats.endOffset).toBe(plain.length);
    }
    const cut = plain.indexOf('Nov 22 20:15:30');
    const rest = await read(join(dir, 'pihole.log.2.gz'), { final: true, startOffset: cut });
    expect(rest.dns.map((d) => new Date(d.ts).toISOString())).toEqual([
      '2025-11-22T19:15:30.000Z',
      '2025-11-22T19:16:00.000Z',
      '2025-11-22T19:16:01.000Z',
    ]);
  });

  it.each([
    ['plain', plain],
    ['extra', extra],
  ])('resuming at any batch end gives exactly the remaining events (%s)', async (name, content) => {
    const path = file(`resume-${name}.log`, content);
    const whole = await read(path, { final: true });
    const small = await read(path, { final: true, batchLines: 1 });
    expect(small.dns).toEqual(whole.dns);
    expect(small.served).toEqual(whole.served);
    // Every batch knows the stamps of its own first and last line.
    expect(small.batches.every((b) => b.linesRead === 0 || (b.firstTs !== undefined && b.lastTs! >= b.firstTs))).toBe(true);
    expect(small.batches[0]!.firstTs).toBe(whole.stats.firstTs);
    expect(small.batches.filter((b) => b.linesRead > 0).at(-1)!.lastTs).toBe(whole.stats.lastTs);
    // Batches end only where no query waits and no chain is open.
    expect(small.batches.length).toBeGreaterThanOrEqual(3);
    for (let k = 0; k < small.batches.length; k++) {
      const before = small.batches.slice(0, k + 1);
      const rest = await read(path, { final: true, startOffset: before.at(-1)!.endOffset });
      expect([...before.flatMap((b) => b.dns), ...rest.dns]).toEqual(whole.dns);
      expect([...before.flatMap((b) => b.served), ...rest.served]).toEqual(whole.served);
      expect(before.reduce((n, b) => n + b.linesRead, 0) + rest.stats.linesRead).toBe(whole.stats.linesRead);
    }
  });

  it('leaves a last line without newline, and a chain still open at the end, for the next read', async () => {
    const head = 'Nov 22 20:15:01 dnsmasq[812]: query[A] www.netflix.com from 192.168.1.42\n';
    const cname = 'Nov 22 20:15:02 dnsmasq[812]: reply www.netflix.com is <CNAME>\n';
    const path = file('tail.log', head + cname + 'Nov 22 20:15:02 dnsmasq[812]: reply www.geo.net');
    const first = await read(path);
    // The query waits for its answer and the chain is open: nothing is handed over yet.
    expect(first.stats).toMatchObject({ endOffset: 0, linesRead: 0, dnsEvents: 0, servedEvents: 0 });
    expect(first.batches).toHaveLength(1);
    appendFileSync(path, 'flix.com is 3.251.50.149\nNov 22 20:15:03 dnsmasq[812]: query[A] example.org from 192.168.1.10\n');
    const second = await read(path, { startOffset: first.stats.endOffset });
    expect(second.dns.map((d) => d.name)).toEqual(['www.netflix.com']);
    expect(second.served).toEqual([{ ts: Date.parse('2025-11-22T19:15:02Z'), ip: '3.251.50.149', name: 'www.netflix.com', service: 'netflix', role: 'ui' }]);
    expect(second.stats.endOffset).toBe(readFileSync(path).length);
  });

  it('settle (live tail): an answer chain complete at the end is stored now, a waiting query is not', async () => {
    const q = 'Nov 22 20:15:01 dnsmasq[812]: query[A] ipv4-c001-ams001-ix.1.oca.nflxvideo.net from 192.168.1.42\n';
    const a = 'Nov 22 20:15:01 dnsmasq[812]: reply ipv4-c001-ams001-ix.1.oca.nflxvideo.net is 45.57.90.1\n';
    const path = file('settle.log', q + a);
    // Without settle the reply could still be followed by more of its chain: held back.
    expect((await read(path)).stats).toMatchObject({ dnsEvents: 0, endOffset: 0 });
    const settled = await read(path, { settle: true });
    expect(settled.stats).toMatchObject({ dnsEvents: 1, servedEvents: 1, endOffset: (q + a).length });
    expect(settled.dns.map((d) => d.role)).toEqual(['video']);
    // A query whose answer has not been written yet keeps waiting, settle or not.
    const waiting = file('waiting.log', q);
    expect((await read(waiting, { settle: true })).stats).toMatchObject({ dnsEvents: 0, endOffset: 0 });
    // A half-written last line is never settled.
    const partial = file('partial.log', q + a.slice(0, 40));
    expect((await read(partial, { settle: true })).stats).toMatchObject({ dnsEvents: 0, endOffset: 0 });
  });

  it('consumes a last line without newline when the file is final', async () => {
    const path = file('final.log', 'Nov 22 20:15:01 dnsmasq[812]: query[A] www.netflix.com from 192.168.1.42');
    const notFinal = await read(path);
    expect(notFinal.stats).toMatchObject({ linesRead: 0, endOffset: 0 });
    const r = await read(path, { final: true });
    expect(r.stats).toMatchObject({ linesRead: 1, parsed: 1, dnsEvents: 1, endOffset: readFileSync(path).length });
  });

  it('an empty file gives zero stats and one empty last batch', async () => {
    const r = await read(file('empty.log', ''), { final: true });
    expect(r.stats).toEqual({ linesRead: 0, parsed: 0, skipped: {}, dnsEvents: 0, servedEvents: 0, firstTs: undefined, lastTs: undefined, endOffset: 0 });
    expect(r.batches).toEqual([{ dns: [], served: [], linesRead: 0, parsed: 0, skipped: {}, firstTs: undefined, lastTs: undefined, endOffset: 0, last: true }]);
  });

  it('drops a line longer than it buffers as malformed and reads on', async () => {
    const q = 'Nov 22 20:15:01 dnsmasq[812]: query[A] www.netflix.com from 192.168.1.42\n';
    const long = `Nov 22 20:15:01 dnsmasq[812]: ${'x'.repeat(3 << 20)}\n`;
    const path = file('long.log', q + long + q);
    const r = await read(path, { final: true });
    expect(r.stats).toMatchObject({ linesRead: 3, parsed: 2, skipped: { malformed: 1 }, dnsEvents: 2, endOffset: readFileSync(path).length });
  });

  it('refuses a file that clearly is something else, saying what it looks like', async () => {
    const bin = file('capture.log', Buffer.from([0xd4, 0xc3, 0xb2, 0xa1, 0x02, 0x00, 0x04, 0x00, 0x00, 0x00]));
    await expect(read(bin)).rejects.toThrow(SourceError);
    await expect(read(bin)).rejects.toThrow(`${bin}: this looks like a packet capture (pcap), not a Pi-hole query log (give it with --pcap)`);
    const leases = file('dhcp.log', '1732312800 aa:bb:cc:dd:ee:01 192.168.1.42 tv 01:aa:bb:cc:dd:ee:01\n'.repeat(5));
    await expect(read(leases)).rejects.toThrow(`${leases}: this looks like a dnsmasq lease file, not a Pi-hole query log (give it with --leases)`);
    await expect(read(join(dir, 'gzipped-binary.gz'))).rejects.toThrow(/no such file/);
    const random = Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 7919 + 13) % 251));
    const gzBin = file('gzipped-binary.gz', gzipSync(random));
    await expect(read(gzBin)).rejects.toThrow(`${gzBin}: this looks like binary data, not a Pi-hole query log`);
    mkdirSync(join(dir, 'a-directory'));
    await expect(read(join(dir, 'a-directory'))).rejects.toThrow('not a regular file');
    await expect(read(join(dir, 'pihole.log'), { startOffset: plain.length + 1 })).rejects.toThrow(/beyond the end/);
  });

  it('reads a log with bad bytes line by line: a NUL or a Latin-1 byte costs only its line', async () => {
    const good = await read(file('good.log', plain), { final: true });
    // A NUL run at the start (a power cut), a NUL and a Latin-1 byte in the names of two Netflix queries.
    const lines = plain.toString('latin1').split('\n');
    const queries = lines.flatMap((l, i) => (/query\[A\] \S*(netflix|nflx)/.test(l) ? [i] : []));
    const [q1 = 0, q2 = 0] = [queries[0], queries.at(-1)];
    lines[q1] = lines[q1]!.replace('query[A] ', 'query[A] x\0');
    lines[q2] = lines[q2]!.replace('query[A] ', 'query[A] caf\u00e9.');
    lines[0] = '\0'.repeat(3000) + lines[0]!;
    const bad = lines.join('\n');
    const r = await read(file('bad-bytes.log', Buffer.from(bad, 'latin1')), { final: true });
    expect(r.stats.linesRead).toBe(good.stats.linesRead);
    expect(r.stats.skipped.binary).toBe(2);
    expect(r.stats.dnsEvents).toBe(good.stats.dnsEvents - 2);
    const gz = await read(file('bad-bytes.log.gz', gzipSync(Buffer.from(bad, 'latin1'))), { final: true });
    expect(gz.stats).toEqual(r.stats);
  });

  it('reports a truncated gzip as a SourceError after handing over what came before', async () => {
    const gz = gzipSync(plain);
    const path = file('cut.gz', gz.subarray(0, gz.length - 12));
    const batches: PiholeBatch[] = [];
    const err = await readPiholeLog(path, opts, (b) => batches.push(b)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SourceError);
    expect((err as SourceError).message).toContain(`${path}: read failed at decompressed offset`);
    expect((err as SourceError).cause).toBeInstanceOf(Error);
    expect(batches.at(-1)?.last).toBe(false);
  });
});
