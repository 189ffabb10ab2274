// Which service a remote address belongs to, strongest evidence first: a name seen in this
// capture (TLS SNI, then DNS answers), a name recorded elsewhere (Pi-hole, through the caller's
// lookup), then the service's video prefixes (Open Connect). Prefix hits are video by nature.
// Lookups take the address as words, so a minute of traffic is classified without a string.
import type { Catalog } from '../../core/catalog.js';
import { NETFLIX } from '../../core/catalog.js';
import { parseIpv4, parseIpv6, PrefixSet } from '../../core/prefixes.js';
import type { Classification } from '../../core/types.js';
import { isV4Mapped } from './addr.js';
import { KeyTable } from './key-table.js';

export type KnownAddress = (ip: string, ts: number) => Classification | undefined;

export interface AttributionSources {
  readonly catalog: Catalog;
  /** Open Connect prefixes (video role) of `prefixService`. */
  readonly prefixes: PrefixSet;
  readonly prefixService?: string;
  readonly knownAddress?: KnownAddress;
}

interface Named {
  c: Classification;
  fromSni: boolean;
}

export class Attributor {
  private readonly named = new KeyTable(256);
  private readonly namedInfo: Named[] = [];
  private readonly prefixSets: { readonly set: PrefixSet; readonly c: Classification }[];
  private readonly known: KnownAddress | undefined;

  constructor(src: AttributionSources) {
    this.known = src.knownAddress;
    const video = (service: string): Classification => ({ service, role: 'video' });
    this.prefixSets = [{ set: src.prefixes, c: video(src.prefixService ?? NETFLIX.name) }];
    for (const s of src.catalog.services) {
      if (s.videoPrefixes.length > 0) this.prefixSets.push({ set: PrefixSet.fromCidrs(s.videoPrefixes), c: video(s.name) });
    }
  }

  /** A monitored name was sent to `ip` in a ClientHello (fromSni) or answered for it in DNS. */
  note(ip: string, c: Classification, fromSni: boolean): void {
    const w = words(ip);
    if (!w) return;
    const before = this.named.size;
    const i = this.named.intern(w[0], w[1], w[2], w[3]);
    const had = this.namedInfo[i];
    if (i === before || !had) {
      this.namedInfo[i] = { c: { service: c.service, role: c.role }, fromSni };
    } else if (had.c.service !== c.service) {
      // The name the client itself asked the server for beats a DNS answer for the address.
      if (fromSni && !had.fromSni) this.namedInfo[i] = { c: { service: c.service, role: c.role }, fromSni };
    } else if (c.role === 'video' && had.c.role !== 'video') {
      had.c = { service: had.c.service, role: 'video' };
    }
  }

  /** The service of an address given as words at time ts; `text` is asked only if needed. */
  classifyWords(w0: number, w1: number, w2: number, w3: number, ts: number, text: () => string): Classification | undefined {
    const i = this.named.find(w0, w1, w2, w3);
    if (i >= 0) return this.namedInfo[i]?.c;
    const known = this.known?.(text(), ts);
    if (known) return known;
    const v4 = isV4Mapped(w0, w1, w2);
    for (const p of this.prefixSets) if (v4 ? p.set.has(w3) : p.set.hasV6(w0, w1, w2, w3)) return p.c;
    return undefined;
  }

  /** The service of remote address `ip` (text) at time ts, or undefined. */
  classify(ip: string, ts: number): Classification | undefined {
    const w = words(ip);
    return w ? this.classifyWords(w[0], w[1], w[2], w[3], ts, () => ip) : undefined;
  }
}

/** Address text -> the four words the flow table keys on (IPv4 mapped into IPv6). */
function words(ip: string): [number, number, number, number] | undefined {
  if (!ip.includes(':')) {
    const v4 = parseIpv4(ip);
    return v4 === undefined ? undefined : [0, 0, 0xffff, v4];
  }
  const w = parseIpv6(ip);
  return w ? [w[0] ?? 0, w[1] ?? 0, w[2] ?? 0, w[3] ?? 0] : undefined;
}
