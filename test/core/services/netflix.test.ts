import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { NETFLIX_NAMES, netflixRole } from '../../../src/core/services/netflix.js';

const doc = readFileSync(fileURLToPath(new URL('../../../src/core/services/netflix.md', import.meta.url)), 'utf8');
// Source ids the doc defines: its "## Sources" list items start with **S<n>**.
const sourcesSection = doc.slice(doc.indexOf('## Sources'));
const defined = new Set([...sourcesSection.matchAll(/^- \*\*(S\d+)\*\*/gm)].map((m) => m[1]));

const DOMAINS = ['netflix.com', 'netflix.net', 'nflxvideo.net', 'nflxso.net', 'nflximg.net', 'nflximg.com', 'nflxext.com', 'fast.com'];

describe('NETFLIX_NAMES', () => {
  it('has no duplicate suffix', () => {
    const suffixes = NETFLIX_NAMES.map((e) => e.suffix);
    expect(suffixes.filter((s, i) => suffixes.indexOf(s) !== i)).toEqual([]);
  });

  it('writes suffixes lower-case, without leading or trailing dot', () => {
    for (const e of NETFLIX_NAMES) expect(e.suffix).toMatch(/^[a-z0-9-]+(\.[a-z0-9-]+)+$/);
  });

  it('names at least one source per entry, each defined in netflix.md', () => {
    expect(defined.size).toBeGreaterThan(10);
    for (const e of NETFLIX_NAMES) {
      expect(e.sources.length, e.suffix).toBeGreaterThan(0);
      for (const s of e.sources) expect(defined.has(s), `${e.suffix}: ${s}`).toBe(true);
    }
  });

  it('cites in netflix.md only sources it defines', () => {
    const cited = new Set([...doc.matchAll(/\bS(\d+)\b/g)].map((m) => `S${m[1]}`));
    expect([...cited].filter((s) => !defined.has(s))).toEqual([]);
  });

  it.each(DOMAINS)('gives the registrable domain %s a default role', (domain) => {
    expect(NETFLIX_NAMES.some((e) => e.suffix === domain)).toBe(true);
  });

  it('keeps every entry under one of the registrable domains', () => {
    for (const e of NETFLIX_NAMES) expect(DOMAINS.some((d) => e.suffix === d || e.suffix.endsWith(`.${d}`)), e.suffix).toBe(true);
  });
});

describe('netflixRole (longest suffix wins)', () => {
  it.each([
    ['ipv4-c012-ams001-ix.1.oca.nflxvideo.net', 'video'],
    ['IPV6-C135-AMS001-IX.1.OCA.NFLXVIDEO.NET.', 'video'],
    ['ipv6_1.lagg0.c072.sjc002.ix.nflxvideo.net', 'video'],
    ['www.netflix.com', 'ui'],
    ['netflix.com', 'ui'],
    ['ios.nccp.netflix.com', 'ui'],
    ['nrdp.nccp.netflix.com', 'ui'],
    ['api-global.netflix.com', 'ui'],
    ['api-global.latency.prodaa.netflix.com', 'background'],
    ['ichnaea.netflix.com', 'playback'],
    ['ichnaea.us-west-2.prodaa.netflix.com', 'playback'],
    ['customerevents.netflix.com', 'playback'],
    ['logs.dradis.netflix.com', 'playback'],
    ['appboot.netflix.com', 'background'],
    ['nrdp51-appboot.netflix.com', 'background'],
    ['x.android-appboot.netflix.com', 'background'],
    ['push.prod.netflix.com', 'background'],
    ['nflx-android-tv.prod.partner.netflix.net', 'background'],
    ['occ-0-2794-2219.1.nflxso.net', 'ui'],
    ['art-s.nflximg.net', 'ui'],
    ['assets.nflxext.com', 'ui'],
    ['api.fast.com', 'background'],
    ['notnetflix.com', undefined],
    ['netflix.com.evil.example', undefined],
  ])('%s -> %s', (name, role) => {
    expect(netflixRole(name)).toBe(role);
  });
});
