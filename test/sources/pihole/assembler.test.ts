import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { buildCatalog, NETFLIX } from '../../../src/core/catalog.js';
import { PiholeAssembler, type AssembledBatch, type PiholeAssemblerOptions } from '../../../src/sources/pihole/assembler.js';
import { LineFeeder } from '../../../src/sources/pihole/feeder.js';

const fixtures = fileURLToPath(new URL('../../../fixtures/pihole/', import.meta.url));
const catalog = buildCatalog([NETFLIX]);
// The fixtures are from 22 Nov 2025, Amsterdam (UTC+1); the file was written that evening.
const base: PiholeAssemblerOptions = { catalog, timeZone: 'Europe/Amsterdam', referenceTs: Date.parse('2025-11-22T21:00:00Z') };
const t = (iso: string): number => Date.parse(iso);
const ui = { service: 'netflix', role: 'ui' } as const;
const video = { service: 'netflix', role: 'video' } as const;

function assemble(lines: readonly string[], opts: Partial<PiholeAssemblerOptions> = {}): AssembledBatch {
  const a = new PiholeAssembler({ ...base, ...opts });
  for (const line of lines) a.pushLine(line);
  a.finish();
  return a.takeBatch();
}

function fixture(name: string): string[] {
  return readFileSync(`${fixtures}${name}`, 'utf8').split('\n').filter((l) => l !== '');
}

function total(b: AssembledBatch): number {
  return b.parsed + Object.values(b.skipped).reduce((x, y) => x + y, 0);
}

describe('PiholeAssembler, plain log', () => {
  const b = assemble(fixture('netflix-plain.log'));

  it('reports every query of a Netflix name once, blocked ones flagged, nothing else', () => {
    expect([...b.dns].sort((x, y) => x.ts - y.ts)).toEqual([
      { ts: t('2025-11-22T19:15:01Z'), clientIp: '192.168.1.42', name: 'www.netflix.com', qtype: 'A', ...ui, blocked: false },
      { ts: t('2025-11-22T19:15:05Z'), clientIp: '192.168.1.42', name: 'occ-0-2705-2706.1.nflxso.net', qtype: 'A', ...ui, blocked: false },
      { ts: t('2025-11-22T19:15:09Z'), clientIp: '192.168.1.42', name: 'ipv4-c001-ams001-ix.1.oca.nflxvideo.net', qtype: 'A', ...video, blocked: false },
      { ts: t('2025-11-22T19:15:09Z'), clientIp: '192.168.1.42', name: 'ipv4-c001-ams001-ix.1.oca.nflxvideo.net', qtype: 'AAAA', ...video, blocked: false },
      { ts: t('2025-11-22T19:15:30Z'), clientIp: '192.168.1.42', name: 'ipv4-c001-ams001-ix.1.oca.nflxvideo.net', qtype: 'A', ...video, blocked: false },
      { ts: t('2025-11-22T19:16:00Z'), clientIp: '192.168.1.57', name: 'customerevents.netflix.com', qtype: 'A', ...ui, blocked: true },
      { ts: t('2025-11-22T19:16:01Z'), clientIp: '2a02:a44b:1e2f:0:8d2c:51ff:fe3a:77b1', name: 'www.netflix.com', qtype: 'HTTPS', ...ui, blocked: false },
    ]);
  });

  it('follows CNAME chains to the addresses, also through names of no service, and leaks nothing', () => {
    expect(b.served).toEqual([
      { ts: t('2025-11-22T19:15:02Z'), ip: '54.155.178.5', name: 'www.netflix.com', ...ui },
      { ts: t('2025-11-22T19:15:02Z'), ip: '52.17.43.128', name: 'www.netflix.com', ...ui },
      { ts: t('2025-11-22T19:15:05Z'), ip: '23.44.5.198', name: 'occ-0-2705-2706.1.nflxso.net', ...ui },
      { ts: t('2025-11-22T19:15:05Z'), ip: '23.44.5.202', name: 'occ-0-2705-2706.1.nflxso.net', ...ui },
      { ts: t('2025-11-22T19:15:09Z'), ip: '45.57.90.1', name: 'ipv4-c001-ams001-ix.1.oca.nflxvideo.net', ...video },
      { ts: t('2025-11-22T19:15:30Z'), ip: '45.57.90.1', name: 'ipv4-c001-ams001-ix.1.oca.nflxvideo.net', ...video },
    ]);
  });

  it('counts every line once: Netflix records as parsed, the rest per reason', () => {
    expect(b.linesRead).toBe(33);
    expect(b.parsed).toBe(21);
    expect(b.skipped).toEqual({ other_service: 5, forwarded: 5, dhcp: 1, ptr: 1 });
    expect(total(b)).toBe(b.linesRead);
    expect(b.firstTs).toBe(t('2025-11-22T19:15:01Z'));
    expect(b.lastTs).toBe(t('2025-11-22T19:16:02Z'));
  });
});

describe('PiholeAssembler, log-queries=extra', () => {
  const b = assemble(fixture('netflix-extra.log'));

  it('ties lines by serial even when other queries come in between', () => {
    expect(b.dns).toEqual([
      { ts: t('2025-11-22T19:15:01Z'), clientIp: '192.168.1.42', name: 'www.netflix.com', qtype: 'A', ...ui, blocked: false },
      { ts: t('2025-11-22T19:15:02Z'), clientIp: '192.168.1.42', name: 'api-global.netflix.com', qtype: 'A', ...ui, blocked: false },
      { ts: t('2025-11-22T19:15:04Z'), clientIp: '192.168.1.57', name: 'customerevents.netflix.com', qtype: 'A', ...ui, blocked: true },
      { ts: t('2025-11-22T19:15:05Z'), clientIp: '192.168.1.42', name: 'ipv4-c002-ams001-ix.1.oca.nflxvideo.net', qtype: 'A', ...video, blocked: false },
      { ts: t('2025-11-22T19:15:10Z'), clientIp: '192.168.1.42', name: 'www.netflix.com', qtype: 'A', ...ui, blocked: false },
    ]);
    expect(b.served).toEqual([
      { ts: t('2025-11-22T19:15:02Z'), ip: '23.44.5.198', name: 'www.netflix.com', ...ui },
      { ts: t('2025-11-22T19:15:02Z'), ip: '23.44.5.199', name: 'www.netflix.com', ...ui },
      { ts: t('2025-11-22T19:15:02Z'), ip: '3.251.50.149', name: 'api-global.netflix.com', ...ui },
      { ts: t('2025-11-22T19:15:05Z'), ip: '45.57.91.1', name: 'ipv4-c002-ams001-ix.1.oca.nflxvideo.net', ...video },
      { ts: t('2025-11-22T19:15:10Z'), ip: '23.44.5.198', name: 'www.netflix.com', ...ui },
    ]);
    expect(total(b)).toBe(27);
    expect(b.skipped).toEqual({ other_service: 9, forwarded: 3 });
    expect(b.parsed).toBe(15);
  });
});

describe('PiholeAssembler chains and their ends', () => {
  const ts = 'Nov 22 20:15:01 dnsmasq[812]: ';

  it('a query line ends a plain chain: the next answer is not its target', () => {
    const b = assemble([
      `${ts}reply www.netflix.com is <CNAME>`,
      `${ts}query[A] example.org from 192.168.1.10`,
      `${ts}reply example.org is 93.184.215.14`,
    ]);
    expect(b.served).toEqual([]);
  });

  it('a non-Netflix chain right after a Netflix answer does not leak into it', () => {
    const b = assemble([
      `${ts}reply api-global.netflix.com is 3.251.50.149`,
      `${ts}reply www.google.com is <CNAME>`,
      `${ts}reply www3.l.google.com is 142.250.179.196`,
    ]);
    expect(b.served.map((s) => s.ip)).toEqual(['3.251.50.149']);
  });

  it('a UI name whose chain reaches a video name serves video', () => {
    const b = assemble([`${ts}reply media.netflix.com is <CNAME>`, `${ts}reply ipv4-c003-ams001-ix.1.oca.nflxvideo.net is 45.57.92.1`]);
    expect(b.served).toEqual([{ ts: t('2025-11-22T19:15:01Z'), ip: '45.57.92.1', name: 'media.netflix.com', ...video }]);
  });

  it('an extra-mode chain keeps its serial across other lines and upgrades to video', () => {
    const b = assemble([
      `${ts}7 192.168.1.42/5353 reply media.netflix.com is <CNAME>`,
      `${ts}8 192.168.1.10/5354 query[A] example.org from 192.168.1.10`,
      `${ts}7 192.168.1.42/5353 reply ipv4-c003-ams001-ix.1.oca.nflxvideo.net is 45.57.92.1`,
    ]);
    expect(b.served).toEqual([{ ts: t('2025-11-22T19:15:01Z'), ip: '45.57.92.1', name: 'media.netflix.com', ...video }]);
  });

  it('names in any case are matched and reported lower-case', () => {
    const b = assemble([`${ts}query[A] WWW.Netflix.COM from 192.168.1.42`, `${ts}reply WWW.Netflix.COM is 54.155.178.5`]);
    expect(b.dns.map((d) => [d.name, d.blocked])).toEqual([['www.netflix.com', false]]);
    expect(b.served.map((s) => [s.name, s.ip])).toEqual([['www.netflix.com', '54.155.178.5']]);
  });

  it('blocked and null answers serve no address', () => {
    const b = assemble([
      `${ts}query[A] www.netflix.com from 192.168.1.42`,
      `${ts}blocked upstream with NULL address www.netflix.com is 0.0.0.0`,
      `${ts}reply nflxext.com is 0.0.0.0`,
    ]);
    expect(b.dns.map((d) => d.blocked)).toEqual([true]);
    expect(b.served).toEqual([]);
  });
});

describe('PiholeAssembler memory and time', () => {
  it('caps the queries waiting for an answer, settling the oldest as not blocked', () => {
    const a = new PiholeAssembler({ ...base, maxPending: 4 });
    for (let i = 0; i < 6; i++) a.pushLine(`Nov 22 20:15:01 dnsmasq[812]: query[A] s${i}.netflix.com from 192.168.1.42`);
    expect(a.quiescent).toBe(false);
    expect(a.takeBatch().dns.map((d) => d.name)).toEqual(['s0.netflix.com', 's1.netflix.com']);
  });

  it('settles a query that never gets an answer after pendingTtlMs of log time', () => {
    const a = new PiholeAssembler({ ...base, pendingTtlMs: 5000 });
    a.pushLine('Nov 22 20:15:01 dnsmasq[812]: query[A] www.netflix.com from 192.168.1.42');
    a.pushLine('Nov 22 20:15:05 dnsmasq[812]: query[A] example.org from 192.168.1.10');
    expect(a.quiescent).toBe(false);
    a.pushLine('Nov 22 20:15:07 dnsmasq[812]: query[A] example.org from 192.168.1.10');
    expect(a.quiescent).toBe(true);
    expect(a.takeBatch().dns).toEqual([
      { ts: t('2025-11-22T19:15:01Z'), clientIp: '192.168.1.42', name: 'www.netflix.com', qtype: 'A', ...ui, blocked: false },
    ]);
  });

  it('dates a log that runs from Dec 31 into Jan 1 by its January reference', () => {
    const b = assemble(
      [
        'Dec 31 23:59:58 dnsmasq[812]: query[A] www.netflix.com from 192.168.1.42',
        'Dec 31 23:59:58 dnsmasq[812]: cached www.netflix.com is 54.155.178.5',
        'Jan  1 00:00:03 dnsmasq[812]: query[A] www.netflix.com from 192.168.1.42',
        'Jan  1 00:00:03 dnsmasq[812]: cached www.netflix.com is 54.155.178.5',
      ],
      { referenceTs: Date.parse('2026-01-01T08:00:00Z') },
    );
    expect(b.dns.map((d) => new Date(d.ts).toISOString())).toEqual(['2025-12-31T22:59:58.000Z', '2025-12-31T23:00:03.000Z']);
    expect(b.served.map((d) => new Date(d.ts).toISOString())).toEqual(['2025-12-31T22:59:58.000Z', '2025-12-31T23:00:03.000Z']);
  });
});

describe('LineFeeder time bounds (found by npm run fuzz)', () => {
  it('a 512 kB line fed a byte at a time is linear work, and is dropped past the line limit', () => {
    const feeder = new LineFeeder(new PiholeAssembler(base), 0, 5000, () => undefined);
    const q = Buffer.from('Nov 22 20:15:01 dnsmasq[812]: query[A] www.netflix.com from 192.168.1.42\n');
    const input = Buffer.concat([q, Buffer.alloc(512 * 1024, 0x78), Buffer.from('\n'), q]);
    const started = performance.now();
    for (let i = 0; i < input.length; i++) feeder.push(input.subarray(i, i + 1));
    const stats = feeder.end(true);
    expect(performance.now() - started).toBeLessThan(5000);
    expect(stats).toMatchObject({ linesRead: 3, dnsEvents: 2, endOffset: input.length });
  });
});
