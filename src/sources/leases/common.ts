// What every lease parser shares: the result shape, skip/error bookkeeping, and the one spelling
// of IPs and hardware addresses that the lease index and the other sources agree on.
import type { Lease } from '../../core/leases.js';
import { normalizeHwAddr, normalizeMac } from '../../core/mac.js';
import { countSkip, type SkipCounts } from '../../core/types.js';

export type LeaseFormat = 'dnsmasq' | 'isc' | 'kea' | 'pihole-api';

/** A line (or JSON array position) that was skipped because it is broken. */
export interface LeaseLineError {
  /** 1-based line; for the Pi-hole API JSON, the 1-based position in the `leases` array. */
  readonly line: number;
  readonly reason: string;
  readonly detail?: string;
}

export interface LeaseParseResult {
  readonly leases: Lease[];
  /** Every skipped line or record by reason, deliberate (`duid`, `ipv6_no_mac`) or broken. */
  readonly skipped: SkipCounts;
  /** The broken ones with their position (capped at MAX_LINE_ERRORS; `skipped` keeps counting). */
  readonly errors: LeaseLineError[];
}

export interface LeaseParseOptions {
  /** Epoch ms that relative expiries (OpenWrt dnsmasq without RTC) count from. */
  readonly referenceTs: number;
  /** Named in errors. */
  readonly file: string;
}

export const MAX_LINE_ERRORS = 100;
/** Characters of a broken line kept in its error. */
const MAX_DETAIL = 200;

// `[ \t]*`, not `\s*`: in multiline mode `^\s*` runs over every following blank line from each
// line start, and a file of 60,000 empty lines took 15 s to fail (found by npm run fuzz).
const ISC_MARKERS = /^[ \t]*(?:lease\s+[0-9a-fA-F.:]+\s*\{|ia-(?:na|ta|pd)\s|server-duid\s|failover\s+peer\s|authoring-byte-order\s)|dhcpd\.leases\(5\)/m;
const DNSMASQ_LINE = /^(?:\d+\s+\S+\s+\S+\s+\S+(?:\s+\S+)?|duid\s+\S+)\s*$/;

/** Which lease format `text` is in, from its content alone; undefined if none fits. */
export function detectLeaseFormat(text: string): LeaseFormat | undefined {
  const head = text.slice(0, 64 * 1024);
  if (/"leases"\s*:/.test(head) && head.includes('{')) return 'pihole-api';
  const first = head.split('\n').find((l) => l.trim() !== '' && !l.trimStart().startsWith('#'));
  if (first?.trim().startsWith('address,')) return 'kea';
  if (ISC_MARKERS.test(head)) return 'isc';
  if (first !== undefined && DNSMASQ_LINE.test(first.trim())) return 'dnsmasq';
  return undefined;
}

export class LeaseResultBuilder {
  readonly leases: Lease[] = [];
  readonly skipped: SkipCounts = {};
  readonly errors: LeaseLineError[] = [];

  /** A deliberate skip: nothing wrong with the input, it just maps no IP to a MAC. */
  skip(reason: string): void {
    countSkip(this.skipped, reason);
  }

  /** Broken input: counted and remembered with its position. */
  bad(line: number, reason: string, detail?: string): void {
    countSkip(this.skipped, reason);
    if (this.errors.length >= MAX_LINE_ERRORS) return;
    // The detail quotes the line: a hostile line may be megabytes long.
    this.errors.push(detail === undefined ? { line, reason } : { line, reason, detail: detail.length > MAX_DETAIL ? `${detail.slice(0, MAX_DETAIL)}…` : detail });
  }

  result(leases: Lease[] = this.leases): LeaseParseResult {
    return { leases, skipped: this.skipped, errors: this.errors };
  }
}

const IPV4 = /^(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const IPV6_CHARS = /^[0-9a-fA-F:.]+$/;

/**
 * The IP in the form the rest of nfmon uses as a key: IPv4 as is (no leading zeros allowed),
 * IPv6 compressed and lower-case (RFC 5952, as dnsmasq logs it). undefined if not an address.
 */
export function canonicalIp(s: string): { ip: string; family: 4 | 6 } | undefined {
  if (IPV4.test(s)) return { ip: s, family: 4 };
  if (!s.includes(':') || !IPV6_CHARS.test(s)) return undefined;
  try {
    // The WHATWG URL host serializer is exactly RFC 5952 compression; no hand-rolled parser needed.
    return { ip: new URL(`http://[${s}]/`).hostname.slice(1, -1), family: 6 };
  } catch {
    return undefined;
  }
}

/**
 * A lease's hardware address as identity: a canonical MAC when it has 6 octets, otherwise any
 * 1-16 octet address flagged `nonEthernet` (see Lease). undefined when malformed or redacted.
 */
export function hwIdentity(s: string): { mac: string; nonEthernet?: true } | undefined {
  const hw = normalizeHwAddr(s);
  if (hw?.length === 17) return { mac: hw };
  const mac = normalizeMac(s);
  if (mac) return { mac };
  return hw ? { mac: hw, nonEthernet: true } : undefined;
}

/** An unsigned decimal integer field, or undefined. */
export function parseUint(s: string | undefined): number | undefined {
  return s !== undefined && /^\d{1,15}$/.test(s) ? Number(s) : undefined;
}
