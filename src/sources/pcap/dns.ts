// DNS responses -> name -> address mappings, decoded with dns-packet. dns-packet throws on
// anything short or malformed, and a snaplen cuts most responses, so every decode is guarded:
// a truncated response yields the answers that were captured whole, a broken one a skip reason.
import { decode as decodePacket, type DecodedPacket } from 'dns-packet';
import { normalizeName, type Catalog } from '../../core/catalog.js';
import type { Role, ServedAddress } from '../../core/types.js';
import { parseIpv4, parseIpv6 } from '../../core/prefixes.js';

export interface DnsRecord {
  /** Owner name, lower case, no trailing dot. */
  readonly name: string;
  readonly type: 'A' | 'AAAA' | 'CNAME';
  /** Address text for A/AAAA, target name for CNAME. */
  readonly data: string;
  readonly ttl: number;
}

export interface DnsMessage {
  readonly id: number;
  readonly response: boolean;
  readonly rcode: string;
  readonly questions: readonly { readonly name: string; readonly type: string }[];
  /** A, AAAA and CNAME records of the answer section (authority/additional are ignored). */
  readonly answers: readonly DnsRecord[];
  /** The message was cut short (snaplen) and holds only the answers captured whole. */
  readonly partial: boolean;
}

export type DnsDecode = { readonly ok: true; readonly message: DnsMessage } | { readonly ok: false; readonly reason: string };

const HEADER = 12;

/**
 * Decodes one DNS message. `cut` says the bytes end early (captured length < wire length):
 * then the answers that fit are salvaged by re-decoding with fewer records announced.
 */
export function decodeDns(bytes: Buffer, cut = false): DnsDecode {
  if (bytes.length < HEADER) return { ok: false, reason: cut ? 'truncated_dns' : 'malformed_dns' };
  const whole = tryDecode(bytes);
  if (whole) return { ok: true, message: toMessage(whole, false) };
  if (!cut) return { ok: false, reason: 'malformed_dns' };
  const copy = Buffer.from(bytes);
  copy.writeUInt16BE(0, 8);
  copy.writeUInt16BE(0, 10);
  // The most answers that decode: if n do, n - 1 do, so a binary search finds it in a few
  // decodes. (Trying n = ancount, ancount - 1, ... took seconds for a cut packet announcing
  // 65,535 answers: found by npm run fuzz.) An answer takes at least 11 bytes.
  let lo = -1;
  let hi = Math.min(bytes.readUInt16BE(6), Math.floor((bytes.length - HEADER) / 11));
  let best: DecodedPacket | undefined;
  while (lo < hi) {
    const n = (lo + hi + 1) >> 1;
    copy.writeUInt16BE(n, 6);
    const partial = tryDecode(copy);
    if (partial) {
      best = partial;
      lo = n;
    } else hi = n - 1;
  }
  return best ? { ok: true, message: toMessage(best, true) } : { ok: false, reason: 'truncated_dns' };
}

function tryDecode(bytes: Buffer): DecodedPacket | undefined {
  try {
    const packet = decodePacket(bytes);
    // dns-packet reads an A/AAAA address past the end without throwing: check it stayed inside.
    return decodePacket.bytes <= bytes.length ? packet : undefined;
  } catch {
    // Malformed or cut messages are expected input here: the caller counts the reason.
    return undefined;
  }
}

function toMessage(p: DecodedPacket, partial: boolean): DnsMessage {
  const answers: DnsRecord[] = [];
  for (const a of p.answers ?? []) {
    if (a.type !== 'A' && a.type !== 'AAAA' && a.type !== 'CNAME') continue;
    if (typeof a.data !== 'string') continue;
    if (a.type === 'A' && parseIpv4(a.data) === undefined) continue;
    if (a.type === 'AAAA' && parseIpv6(a.data) === undefined) continue;
    const data = a.type === 'CNAME' ? normalizeName(a.data) : a.data;
    answers.push({ name: normalizeName(a.name), type: a.type, data, ttl: a.ttl ?? 0 });
  }
  return {
    id: p.id ?? 0,
    response: p.type === 'response',
    rcode: (p as { rcode?: string }).rcode ?? 'NOERROR',
    questions: (p.questions ?? []).map((q) => ({ name: normalizeName(q.name), type: q.type })),
    answers,
    partial,
  };
}

export interface ResolvedAddress {
  /** The name the chain starts at (the question, or an owner no CNAME points to). */
  readonly qname: string;
  readonly ip: string;
  /** The names from qname to the address record's owner, CNAME by CNAME. */
  readonly chain: readonly string[];
  /** TTL of the address record, and the smallest TTL along the chain. */
  readonly ttl: number;
  readonly chainTtl: number;
}

/** Every address the message gives for its question(s), following CNAME chains. */
export function resolveAddresses(m: DnsMessage): ResolvedAddress[] {
  const parent = new Map<string, DnsRecord>();
  for (const r of m.answers) if (r.type === 'CNAME' && !parent.has(r.data)) parent.set(r.data, r);
  const roots = new Set(m.questions.map((q) => q.name));
  const out: ResolvedAddress[] = [];
  for (const r of m.answers) {
    if (r.type === 'CNAME') continue;
    const chain = [r.name];
    let ttl = r.ttl;
    for (let up = parent.get(r.name); up && chain.length < 16 && !chain.includes(up.name); up = parent.get(up.name)) {
      chain.unshift(up.name);
      ttl = Math.min(ttl, up.ttl);
    }
    const qname = chain[0] ?? r.name;
    // Records not reachable from the question (glue, unrelated data) are not its answer.
    if (roots.size > 0 && !roots.has(qname)) continue;
    out.push({ qname, ip: r.data, chain, ttl: r.ttl, chainTtl: ttl });
  }
  return out;
}

export interface ServedResult {
  readonly served: ServedAddress[];
  /** Addresses answered for names no monitored service claims. */
  readonly unmonitored: number;
}

/**
 * The answers whose chain starts at or passes through a monitored name. The role is video when
 * any name on the chain is a video name; `name` is the first monitored name of the chain.
 */
export function servedAddresses(m: DnsMessage, catalog: Catalog, ts: number): ServedResult {
  const served: ServedAddress[] = [];
  let unmonitored = 0;
  for (const r of resolveAddresses(m)) {
    let service: string | undefined;
    let name = '';
    let role: Role = 'ui';
    for (const n of r.chain) {
      const c = catalog.classifyDomain(n);
      if (!c || (service !== undefined && c.service !== service)) continue;
      if (service === undefined) [service, name] = [c.service, n];
      if (c.role === 'video') role = 'video';
    }
    if (service === undefined) unmonitored++;
    else served.push({ ts, ip: r.ip, name, service, role, ttl: r.chainTtl });
  }
  return { served, unmonitored };
}
