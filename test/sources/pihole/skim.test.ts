// The byte-level fast path (sources/pihole/skim.ts) must count every line exactly as the full scanner
// does. The reference here is the assembler fed one string per line (pushLine never skims); the
// subject is the reader's feeder, which skims what it can, fed the same bytes in chunks of all
// sizes (a line cut by a chunk end, a line at the very end of a buffer).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { buildCatalog, NETFLIX } from '../../../src/core/catalog.js';
import type { ServiceDef } from '../../../src/core/types.js';
import { PiholeAssembler, type AssembledBatch, type PiholeAssemblerOptions } from '../../../src/sources/pihole/assembler.js';
import { LineFeeder } from '../../../src/sources/pihole/feeder.js';
import { NameFilter } from '../../../src/sources/pihole/match.js';
import type { PiholeBatch } from '../../../src/sources/pihole/reader.js';
import { newLineScan } from '../../../src/sources/pihole/scan.js';
import { Skimmer } from '../../../src/sources/pihole/skim.js';

const fixtures = fileURLToPath(new URL('../../../fixtures/', import.meta.url));
const TUBE: ServiceDef = { name: 'tube', domains: ['Example.ORG', 'lan'], videoDomains: ['v.example.org'], videoPrefixes: [] };
const base: PiholeAssemblerOptions = {
  catalog: buildCatalog([NETFLIX]),
  timeZone: 'Europe/Amsterdam',
  referenceTs: Date.parse('2025-11-22T21:00:00Z'),
};

const H = 'Nov 22 20:15:01 dnsmasq[812]: ';
const NAMES = [
  'www.example.com', 'h1.example2.com', 'ab', 'abcdefgh', 'abcdefghi', 'a:b.example.com', '1.2.3.4', '01.2.3.4', '1.2.3',
  '::1', 'x.com.', 'www.netflix.com', 'WWW.NETFLIX.COM', 'wWw.NeTfLiX.cOm', 'X.NFLXVIDEO.NET', 'fast.com', 'FAST.COM',
  'breakfast.com', 'xnetflix.com', 'netflix.com.', 'netflix.com..', 'ÀNETFLIX.COM', 'x.NETFLIX.CÖM', 'a\tb.com', 'a\rb.com',
  'printer.lan', 'LAN', 'v.EXAMPLE.org', '', '-',
];
const VALUES = ['1.2.3.4', '0.0.0.0', '::', '2a05::7b1', '<CNAME>', 'NXDOMAIN', 'NODATA-IPv6', 'DS keytag 1', 'duplicate', 'D', 'host.example.net', '1.2.3.4 (note)', '1.2.3.4)', ''];

/** Every verb the fast path knows, and near misses, with every name and value above. */
function edgeLines(): string[] {
  const out: string[] = [];
  for (const n of NAMES) {
    out.push(`${H}query[A] ${n} from 192.168.1.10`, `${H}query[A] ${n} from `, `${H}query[] ${n} from 192.168.1.10\r`);
    out.push(`${H}forwarded ${n} to 1.1.1.1`, `${H}forwarX ${n} to 1.1.1.1`);
    for (const v of VALUES) out.push(`${H}reply ${n} is ${v}`, `${H}cached ${n} is ${v}`, `${H}gravity blocked ${n} is ${v}`);
    out.push(`${H}gravity blocked (CNAME) ${n} is 0.0.0.0`, `${H}cached-stale ${n} is 1.2.3.4`, `${H}reply ${n}`);
  }
  // A Netflix lookup, its answer chain through a name of no service, and noise in between.
  out.push(`${H}query[A] www.netflix.com from 192.168.1.42`, `${H}forwarded www.netflix.com to 1.1.1.1`, `${H}query[A] www.example.com from 192.168.1.10`);
  out.push(`${H}reply www.netflix.com is <CNAME>`, `${H}reply e1.akamaiedge.net is 1.2.3.4`, `${H}reply e1.akamaiedge.net is 1.2.3.5`, `${H}query[A] a.example.com from 192.168.1.10`);
  // Stamps and tags that change, and broken ones.
  out.push('Nov 22 20:15:02 dnsmasq[812]: query[A] a.example.com from 192.168.1.10', 'Nov 22 20:15:02 dnsmasq[9]: query[A] a.example.com from 192.168.1.10');
  out.push('Nov 22 20:15:02 dnsmasq[9]: reply a.example.com is 1.2.3.4', 'Nov 22\n20:15:03 dnsmasq[9]: query[A] x.com from 1.2.3.4', 'Nov 22 20:15:03 dnsmasq-dhcp[9]: DHCPACK(eth0) 1.2.3.4');
  out.push('Nov 22 25:15:03 dnsmasq[9]: query[A] x.com from 1.2.3.4', 'Nov 22 20:15:03 dnsmasq[9]: forwar', 'Nov 22 20:15:03 dnsmasq[9]:', 'Nov 22 20:15:03 d');
  return out;
}

function reference(text: string, opts: PiholeAssemblerOptions): AssembledBatch {
  const a = new PiholeAssembler(opts);
  const lines = text.split('\n');
  const last = lines.pop() ?? '';
  for (const line of lines) a.pushLine(line);
  if (last !== '') a.pushLine(last);
  a.finish();
  return a.takeBatch();
}

/** The feeder, given `bytes` in chunks of `size` (each a fresh buffer, as the reader reuses one). */
function skimmed(bytes: Buffer, opts: PiholeAssemblerOptions, size: number): Omit<AssembledBatch, 'linesRead'> & { linesRead: number } {
  const batches: PiholeBatch[] = [];
  // Every line read (no prefilter): the skip reasons are what this compares.
  const feeder = new LineFeeder(new PiholeAssembler(opts), 0, 1e9, (b) => batches.push(b), false);
  const chunk = Buffer.alloc(size);
  for (let at = 0; at < bytes.length; at += size) {
    const n = bytes.copy(chunk, 0, at, at + size);
    feeder.push(chunk.subarray(0, n));
    chunk.fill(0x20); // what was handed over must not be looked at again
  }
  feeder.end(true);
  const sum = (k: 'linesRead' | 'parsed'): number => batches.reduce((x, b) => x + b[k], 0);
  const skipped: Record<string, number> = {};
  for (const b of batches) for (const [k, v] of Object.entries(b.skipped)) skipped[k] = (skipped[k] ?? 0) + v;
  return {
    dns: batches.flatMap((b) => b.dns),
    served: batches.flatMap((b) => b.served),
    linesRead: sum('linesRead'),
    parsed: sum('parsed'),
    skipped,
    firstTs: batches.find((b) => b.firstTs !== undefined)?.firstTs,
    lastTs: batches.findLast((b) => b.lastTs !== undefined)?.lastTs,
  };
}

describe('the fast path counts as the full scanner does', () => {
  const inputs: [string, string][] = [
    ['edge cases', edgeLines().join('\n') + '\n'],
    ['plain fixture', readFileSync(`${fixtures}pihole/netflix-plain.log`, 'latin1')],
    ['extra fixture', readFileSync(`${fixtures}pihole/netflix-extra.log`, 'latin1')],
    ['household', readFileSync(`${fixtures}household/pihole.log`, 'latin1')],
  ];
  it.each(inputs)('%s, in chunks of every size', (_, text) => {
    for (const opts of [base, { ...base, catalog: buildCatalog([NETFLIX, TUBE]) }]) {
      const want = reference(text, opts);
      const bytes = Buffer.from(text, 'latin1');
      for (const size of [1 << 20, 4096, 97, 64, 13, 1]) {
        expect(skimmed(bytes, opts, size), `chunks of ${size}`).toEqual(want);
      }
    }
  });
});

describe('Skimmer', () => {
  const scan = newLineScan();
  const skimmer = new Skimmer(scan, new NameFilter(base.catalog));
  /** The skip code of `line` after `before` set the stamp and tag, or -1 when the full path must take it. */
  function skim(line: string, following = false): number {
    const before = `${H}forwarded a.example.com to 1.1.1.1\n`;
    const bytes = Buffer.from(`${before}${line}\n${' '.repeat(64)}`, 'latin1');
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
    skimmer.forget();
    scan.tagLength = 14;
    scan.stampK4 = -1;
    expect(skimmer.line(bytes, dv, 0, false)).toBe(before.length - 1);
    return skimmer.line(bytes, dv, before.length, following) < 0 ? -1 : skimmer.code;
  }

  it('counts the common lines of names of no service', () => {
    expect(skim(`${H}query[A] www.example.com from 192.168.1.10`)).toBe(13);
    expect(skim(`${H}reply www.example.com is 1.2.3.4`)).toBe(13);
    expect(skim(`${H}cached 1.2.3.4 is host.example.net`)).toBe(14);
    expect(skim(`${H}cached 2a02::1 is host.example.net`)).toBe(14);
    expect(skim(`${H}gravity blocked ads.example.com is 0.0.0.0`)).toBe(13);
    expect(skim(`${H}forwarded www.example.com to 1.1.1.1`)).toBe(8);
    expect(skim('Nov 22 20:15:02 dnsmasq[812]: query[A] www.example.com from 192.168.1.10')).toBe(13);
  });

  it('leaves monitored names, in any case, and anything unusual to the full path', () => {
    for (const line of [
      `${H}query[A] www.netflix.com from 192.168.1.10`,
      `${H}query[A] WWW.NetFlix.COM from 192.168.1.10`,
      `${H}reply x.NFLXVIDEO.NET is 45.57.1.1`,
      `${H}query[A] fast.com. from 192.168.1.10`,
      `${H}reply www.example.com is 1.2.3.4\r`,
      `${H}reply www.example.com is 1.2.3.4 (DNSSEC)`,
      `${H}reply www.example.com is DS keytag 1`,
      `${H}query[A] www.example.com from `,
      `${H}cached-stale www.example.com is 1.2.3.4`,
      `${H}gravity blocked (CNAME) ads.example.com is 0.0.0.0`,
      `Nov 22 20:15:01 dnsmasq[8121]: query[A] www.example.com from 192.168.1.10`,
      `Nov 22 20:15:01 dnsmasq-dhcp[812]: DHCPACK(eth0) 192.168.1.10`,
      `${H}1 192.168.1.10/53 query[A] www.example.com from 192.168.1.10`,
    ]) {
      expect(skim(line), line).toBe(-1);
    }
  });

  it('leaves answers to the full path while a chain is open (any owner may continue it)', () => {
    expect(skim(`${H}reply e1.akamaiedge.net is 1.2.3.4`, true)).toBe(-1);
    expect(skim(`${H}query[A] www.example.com from 192.168.1.10`, true)).toBe(13);
  });
});

describe('NameFilter', () => {
  it.each([buildCatalog([NETFLIX]), buildCatalog([NETFLIX, TUBE])])('never rules out a name the catalog classifies', (catalog) => {
    const filter = new NameFilter(catalog);
    for (const name of [...NAMES, 'a.b.c.netflix.com', 'NETFLIX.NET', 'x.nflximg.com', 'ÀB.lan']) {
      const bytes = Buffer.from(`${name}${' '.repeat(8)}`, 'latin1');
      const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
      if (catalog.classifyDomain(name)) expect(filter.mayMatch(bytes, dv, 0, name.length), name).toBe(true);
    }
  });

  it('rules out most other names', () => {
    const filter = new NameFilter(base.catalog);
    const others = Array.from({ length: 1000 }, (_, i) => `host${i}.example${i % 7}.com`);
    const kept = others.filter((name) => {
      const bytes = Buffer.from(name, 'latin1');
      return filter.mayMatch(bytes, new DataView(bytes.buffer, bytes.byteOffset, bytes.length), 0, name.length);
    });
    expect(kept.length).toBeLessThan(20);
  });
});
