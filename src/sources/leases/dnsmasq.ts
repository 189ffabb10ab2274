// dnsmasq lease files: Pi-hole's /etc/pihole/dhcp.leases and OpenWrt's /tmp/dhcp.leases.
// One lease a line: `<expiry> <hwaddr> <ip> <hostname|*> <client-id|*>`; after a `duid <server-duid>`
// line come DHCPv6 leases, whose second field is the IAID rather than a hardware address.
import type { Lease } from '../../core/leases.js';
import {
  LeaseResultBuilder,
  canonicalIp,
  hwIdentity,
  parseUint,
  type LeaseParseOptions,
  type LeaseParseResult,
} from './common.js';

/** The raw fields of one dnsmasq lease, as the file or Pi-hole's API gives them. */
export interface DnsmasqFields {
  readonly expiry: string | number;
  readonly hwaddr: string;
  readonly ip: string;
  readonly hostname?: string;
  readonly clientId?: string;
}

export type LeaseOrSkip = { readonly lease: Lease } | { readonly skip: string; readonly broken: boolean };

/** Below this an expiry cannot be an epoch (2001-09-09): it is a lease length (see expiryToEnd). */
const PLAUSIBLE_EPOCH_S = 1_000_000_000;
/** dnsmasq's "infinite" lease length (0xffffffff) as written by builds without an RTC. */
const INFINITE_LENGTH_S = 0xffff_ffff;

/**
 * End of a lease in epoch ms. `0` is dnsmasq's infinite lease. dnsmasq built with HAVE_BROKEN_RTC
 * (OpenWrt boards without a clock) writes the lease length instead of an absolute expiry; such a
 * value counts from `referenceTs`, best taken as the file's mtime (the last time dnsmasq wrote it),
 * which makes it exact for the newest lease and an upper bound for the others.
 */
export function expiryToEnd(expirySeconds: number, referenceTs: number): number {
  if (expirySeconds === 0 || expirySeconds === INFINITE_LENGTH_S) return Infinity;
  if (expirySeconds < PLAUSIBLE_EPOCH_S) return referenceTs + expirySeconds * 1000;
  return expirySeconds * 1000;
}

function optional(field: string | undefined): string | undefined {
  return field === undefined || field === '' || field === '*' ? undefined : field;
}

/**
 * dnsmasq prefixes the hardware type (`<type>-`) to any address that is not plain Ethernet; such
 * an address, like one of other than 6 octets, stays an identity but not an Ethernet MAC.
 */
function dnsmasqHwaddr(field: string): { mac: string; nonEthernet?: true } | undefined {
  const typed = /^([0-9a-fA-F]{2})-(.*:.*)$/.exec(field);
  if (!typed) return hwIdentity(field);
  const hw = hwIdentity(typed[2]!);
  return hw ? { mac: hw.mac, nonEthernet: true } : undefined;
}

/** One lease from dnsmasq's fields, or why it was skipped. Shared with the Pi-hole API parser. */
export function leaseFromDnsmasqFields(f: DnsmasqFields, referenceTs: number): LeaseOrSkip {
  const addr = canonicalIp(f.ip);
  if (!addr) return { skip: 'bad_ip', broken: true };
  // The second field of a DHCPv6 lease is the IAID: nothing ties the address to a MAC.
  if (addr.family === 6) return { skip: 'ipv6_no_mac', broken: false };
  const expiry = typeof f.expiry === 'number' ? f.expiry : parseUint(f.expiry);
  if (expiry === undefined || !Number.isSafeInteger(expiry) || expiry < 0) return { skip: 'bad_expiry', broken: true };
  const hw = dnsmasqHwaddr(f.hwaddr);
  if (!hw) return { skip: 'bad_mac', broken: true };
  const hostname = optional(f.hostname);
  const clientId = optional(f.clientId);
  return {
    lease: {
      ip: addr.ip,
      mac: hw.mac,
      ...(hostname ? { hostname } : {}),
      ...(clientId ? { clientId } : {}),
      end: expiryToEnd(expiry, referenceTs),
      family: 4,
      ...(hw.nonEthernet ? { nonEthernet: true } : {}),
    },
  };
}

export function parseDnsmasqLeases(text: string, opts: LeaseParseOptions): LeaseParseResult {
  const out = new LeaseResultBuilder();
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '' || line.startsWith('#')) continue;
    const f = line.split(/\s+/);
    if (f[0] === 'duid') {
      out.skip('duid');
      continue;
    }
    // Very old dnsmasq wrote no client-id column; anything else is not a lease line.
    if (f.length !== 4 && f.length !== 5) {
      out.bad(i + 1, 'field_count', line);
      continue;
    }
    const r = leaseFromDnsmasqFields({ expiry: f[0]!, hwaddr: f[1]!, ip: f[2]!, hostname: f[3], clientId: f[4] }, opts.referenceTs);
    if ('lease' in r) out.leases.push(r.lease);
    else if (r.broken) out.bad(i + 1, r.skip, line);
    else out.skip(r.skip);
  }
  return out.result();
}
