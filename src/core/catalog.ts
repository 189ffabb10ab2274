// The service catalog: which names belong to a monitored service, and the role of each name.
import { NETFLIX_NAMES } from './services/netflix.js';
import type { Classification, ServiceDef } from './types.js';

/** Netflix as shipped. Open Connect prefixes come from data/netflix-prefixes.txt at start. */
export const NETFLIX: ServiceDef = {
  name: 'netflix',
  domains: [
    'netflix.com',
    'netflix.net',
    'nflxvideo.net',
    'nflxso.net',
    'nflximg.net',
    'nflximg.com',
    'nflxext.com',
    'fast.com',
  ],
  videoDomains: ['nflxvideo.net'],
  names: NETFLIX_NAMES.map((n) => ({ suffix: n.suffix, role: n.role })),
  videoPrefixes: [],
};

export interface Catalog {
  readonly services: readonly ServiceDef[];
  /** Classify a DNS name (any case, optional trailing dot). undefined: not monitored. */
  classifyDomain(name: string): Classification | undefined;
}

/** Build a catalog; later services win on a domain that two services name. */
export function buildCatalog(services: readonly ServiceDef[]): Catalog {
  const byDomain = new Map<string, Classification>();
  for (const s of services) {
    for (const d of s.domains) byDomain.set(normalizeName(d), { service: s.name, role: 'ui' });
    for (const d of s.videoDomains) byDomain.set(normalizeName(d), { service: s.name, role: 'video' });
    for (const n of s.names ?? []) byDomain.set(normalizeName(n.suffix), { service: s.name, role: n.role });
  }
  // The longest matching suffix decides, so a video sub-domain listed under a UI parent wins.
  const classifyDomain = (raw: string): Classification | undefined => {
    let name = normalizeName(raw);
    for (;;) {
      const hit = byDomain.get(name);
      if (hit) return hit;
      const dot = name.indexOf('.');
      if (dot < 0) return undefined;
      name = name.slice(dot + 1);
    }
  };
  return { services, classifyDomain };
}

export function normalizeName(name: string): string {
  const lower = name.toLowerCase();
  return lower.endsWith('.') ? lower.slice(0, -1) : lower;
}
