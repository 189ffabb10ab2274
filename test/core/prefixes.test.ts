import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseCidr, parseIpv4, parseIpv6, parsePrefixList, PrefixSet } from '../../src/core/prefixes.js';

const corpus = fileURLToPath(new URL('../../../shared/corpus/', import.meta.url));
const ours = fileURLToPath(new URL('../../data/netflix-prefixes.txt', import.meta.url));

describe('parseIpv4 / parseIpv6', () => {
  it.each([
    ['0.0.0.0', 0],
    ['192.168.1.7', 0xc0a80107],
    ['255.255.255.255', 0xffffffff],
    ['256.1.1.1', undefined],
    ['1.2.3', undefined],
    ['01.2.3.4', undefined],
    ['1.2.3.4 ', undefined],
  ])('%s', (text, want) => {
    expect(parseIpv4(text)).toBe(want);
  });

  it.each([
    ['::', [0, 0, 0, 0]],
    ['::1', [0, 0, 0, 1]],
    ['2a00:86c0::', [0x2a0086c0, 0, 0, 0]],
    ['2620:10c:7000::', [0x2620010c, 0x70000000, 0, 0]],
    ['fe80::1%eth0', [0xfe800000, 0, 0, 1]],
    ['::ffff:192.168.1.7', [0, 0, 0xffff, 0xc0a80107]],
    ['2001:b07:a3d:c112:ce16:b409:3d0a:9177', [0x20010b07, 0x0a3dc112, 0xce16b409, 0x3d0a9177]],
    ['1::2::3', undefined],
    ['1:2:3:4:5:6:7', undefined],
    ['1:2:3:4:5:6:7:8:9', undefined],
    ['12345::', undefined],
  ])('%s', (text, want) => {
    expect(parseIpv6(text)).toEqual(want);
  });
});

describe('parseCidr', () => {
  it('clears host bits and defaults to a single address', () => {
    expect(parseCidr('23.246.11.141/18')).toEqual({ v6: false, words: [parseIpv4('23.246.0.0')], len: 18 });
    expect(parseCidr('10.1.2.3')).toEqual({ v6: false, words: [parseIpv4('10.1.2.3')], len: 32 });
    expect(parseCidr('2620:10c:7abc::1/44')?.words).toEqual([0x2620010c, 0x7ab00000, 0, 0]);
  });

  it.each(['10.0.0.0/33', '::/129', '10.0.0.0/8/1', 'x/8', '10.0.0.0/-1', ''])('rejects %j', (text) => {
    expect(parseCidr(text)).toBeUndefined();
  });
});

describe('PrefixSet', () => {
  const set = PrefixSet.fromCidrs(['23.246.0.0/18', '45.57.0.0/17', '45.57.128.0/17', '2a00:86c0::/32', '2620:0:ef0::/48']);

  it.each([
    ['23.246.0.0', true],
    ['23.246.63.255', true],
    ['23.246.64.0', false],
    ['23.245.255.255', false],
    ['45.57.200.1', true],
    ['52.89.39.139', false],
    ['2a00:86c0:2041::133', true],
    ['2a00:86c1::1', false],
    ['2620:0:ef0:ffff::1', true],
    ['2620:0:ef1::1', false],
    ['not an address', false],
  ])('hasIp(%s) = %s', (ip, want) => {
    expect(set.hasIp(ip)).toBe(want);
  });

  it('answers numeric lookups the packet path uses', () => {
    expect(set.has(parseIpv4('23.246.11.141') ?? 0)).toBe(true);
    expect(set.has(parseIpv4('8.8.8.8') ?? 0)).toBe(false);
    expect(set.hasV6(0x2a0086c0, 0x20410000, 0, 0x133)).toBe(true);
  });

  it('merges adjacent ranges, so a prefix spanning two listed halves is covered', () => {
    expect(set.covers('45.57.0.0/16')).toBe(true);
    expect(set.covers('23.246.0.0/17')).toBe(false);
    expect(set.covers('2a00:86c0:2000::/36')).toBe(true);
    expect(set.covers('2a00::/16')).toBe(false);
    expect(set.size).toBe(4);
  });

  it('names the bad entry', () => {
    expect(() => PrefixSet.fromCidrs(['10.0.0.0/8', 'bogus'])).toThrow(/"bogus"/);
    expect(PrefixSet.empty().hasIp('1.1.1.1')).toBe(false);
  });
});

describe('parsePrefixList', () => {
  it('skips comments and blank lines and reports bad lines by number', () => {
    const r = parsePrefixList('# header\n\n23.246.0.0/18  # Open Connect\n2a00:86c0::/32\r\nnope\n');
    expect(r.cidrs).toEqual(['23.246.0.0/18', '2a00:86c0::/32']);
    expect(r.errors).toEqual([{ line: 5, text: 'nope' }]);
  });
});

describe('data/netflix-prefixes.txt', () => {
  const text = readFileSync(ours, 'utf8');
  const parsed = parsePrefixList(text);
  const set = PrefixSet.fromCidrs(parsed.cidrs);

  it('parses cleanly and states its source and date', () => {
    expect(parsed.errors).toEqual([]);
    expect(parsed.cidrs.length).toBeGreaterThanOrEqual(19);
    expect(text).toMatch(/AS2906/);
    expect(text).toMatch(/Compiled \d{4}-\d{2}-\d{2}/);
  });

  it('covers the Open Connect servers of nDPI netflix.pcap', () => {
    for (const ip of ['23.246.3.140', '23.246.10.139', '23.246.11.133', '23.246.11.141', '23.246.11.145']) {
      expect(set.hasIp(ip), ip).toBe(true);
    }
    // Netflix's API runs on AWS; those addresses are attributed by name, never by prefix.
    expect(set.hasIp('52.89.39.139')).toBe(false);
  });

  describe.skipIf(!existsSync(`${corpus}ndpi/netflix-prefixes.txt`))(
    'against nDPI list (skipped: ../shared/corpus not found)',
    () => {
      it('covers every prefix nDPI lists', () => {
        const ndpi = parsePrefixList(readFileSync(`${corpus}ndpi/netflix-prefixes.txt`, 'utf8'));
        expect(ndpi.errors).toEqual([]);
        expect(ndpi.cidrs.length).toBe(19);
        expect(ndpi.cidrs.filter((c) => !set.covers(c))).toEqual([]);
      });
    },
  );
});
