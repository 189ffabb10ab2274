import { describe, expect, it } from 'vitest';
import { buildCatalog, NETFLIX } from '../../../src/core/catalog.js';
import type { ServiceDef } from '../../../src/core/types.js';
import { NameMatcher } from '../../../src/sources/pihole/match.js';
import { newLineScan, scanPiholeLine } from '../../../src/sources/pihole/scan.js';

// A catalog with the awkward shapes: a video domain under another service's domain (the longest
// suffix decides), and a single-label domain.
const TUBE: ServiceDef = { name: 'tube', domains: ['example.com', 'lan'], videoDomains: ['v.cdn.example.com'], videoPrefixes: [] };
const catalogs = [buildCatalog([NETFLIX]), buildCatalog([NETFLIX, TUBE])];

const names = [
  'www.netflix.com',
  'WWW.NetFlix.Com',
  'netflix.com',
  'ipv4-c001-ams001-ix.1.oca.nflxvideo.net',
  'occ-0-2705-2706.1.nflxso.net',
  'fast.com',
  'notfast.com',
  'news12.net',
  'nflxvideo.net.evil.org',
  'example.com',
  'a.v.cdn.example.com',
  'v.cdn.example.com',
  'cdn.example.com',
  'printer.lan',
  'lan',
  'com',
  'a..netflix.com',
  'www.netflix.com.',
];

describe('NameMatcher', () => {
  it.each(catalogs.map((c, i) => [i, c] as const))('agrees with Catalog.classifyDomain (catalog %i)', (_, catalog) => {
    const m = new NameMatcher(catalog);
    const s = newLineScan();
    for (const name of names) {
      const want = catalog.classifyDomain(name);
      expect(m.classify(name, 0, name.length), name).toEqual(want);
      const line = `Nov 22 20:15:01 dnsmasq[812]: query[A] ${name} from 192.168.1.42`;
      expect(scanPiholeLine(line, 0, line.length, s)).toBe(0);
      expect(m.classifyScanned(line, s), name).toEqual(want);
    }
  });

  it('classifies a name inside a longer text by its offsets only', () => {
    const m = new NameMatcher(catalogs[0]!);
    const text = 'x.nflxvideo.net www.netflix.com.example.org';
    expect(m.classify(text, 0, 15)).toEqual({ service: 'netflix', role: 'video' });
    expect(m.classify(text, 16, 31)).toEqual({ service: 'netflix', role: 'ui' });
    expect(m.classify(text, 16, text.length)).toBeUndefined();
  });
});
