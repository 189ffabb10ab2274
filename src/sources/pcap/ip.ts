// IPv4 and IPv6 (extension headers, fragments) and the TCP/UDP headers above them, decoded into
// one reused Frame of plain numbers. IPv4 addresses are stored as IPv4-mapped IPv6 words
// (::ffff:a.b.c.d) so every later table has one key shape for both families.
import { u16be, u32be } from './bytes.js';

export const PROTO_TCP = 6;
export const PROTO_UDP = 17;

/** Mutable decode result; one instance lives for a whole file. */
export class Frame {
  /** Offset of the IP header, and 4/6/0 as the link layer announced it. */
  l3 = 0;
  ipHint = 0;
  /** Offset of the sender's MAC in the packet buffer, -1 when the link has none. */
  macOff = -1;
  v6 = false;
  s0 = 0;
  s1 = 0;
  s2 = 0;
  s3 = 0;
  d0 = 0;
  d1 = 0;
  d2 = 0;
  d3 = 0;
  proto = 0;
  /** Start of the transport header and the end of the IP payload that was captured. */
  l4 = 0;
  l4End = 0;
  /** The IP payload extends past what was captured (snaplen). */
  truncated = false;
  fragment = false;
  fragOffset = 0;
  moreFragments = false;
  fragId = 0;
  /** Offset where a fragment's share of the datagram starts, and the protocol it carries. */
  fragStart = 0;
  fragProto = 0;
  sport = 0;
  dport = 0;
  seq = 0;
  tcpFlags = 0;
  payload = 0;
  payloadEnd = 0;
}

const V6_EXT_HOP = 0;
const V6_EXT_ROUTING = 43;
const V6_EXT_FRAGMENT = 44;
const V6_EXT_AH = 51;
const V6_EXT_DSTOPTS = 60;
const V6_EXT_MOBILITY = 135;
const V6_EXT_HIP = 139;
const V6_EXT_SHIM6 = 140;
const MAX_EXT_HEADERS = 8;

/** Decodes the IP header at f.l3 up to `end` (captured end). Returns a skip reason or undefined. */
export function decodeIp(buf: Buffer, end: number, f: Frame): string | undefined {
  const l3 = f.l3;
  if (l3 >= end) return 'short_ip';
  const version = f.ipHint || (buf[l3] ?? 0) >> 4;
  f.fragment = false;
  f.fragOffset = 0;
  f.moreFragments = false;
  if (version === 4) return decodeIpv4(buf, l3, end, f);
  if (version === 6) return decodeIpv6(buf, l3, end, f);
  return 'non_ip';
}

function decodeIpv4(buf: Buffer, l3: number, end: number, f: Frame): string | undefined {
  if (end - l3 < 20) return 'short_ip';
  const vhl = buf[l3] ?? 0;
  const ihl = (vhl & 15) * 4;
  const total = u16be(buf, l3 + 2);
  if (vhl >> 4 !== 4 || ihl < 20 || total < ihl) return 'bad_ip';
  f.v6 = false;
  f.s0 = f.s1 = f.d0 = f.d1 = 0;
  f.s2 = f.d2 = 0xffff;
  f.s3 = u32be(buf, l3 + 12);
  f.d3 = u32be(buf, l3 + 16);
  f.proto = buf[l3 + 9] ?? 0;
  const frag = u16be(buf, l3 + 6);
  f.fragOffset = (frag & 0x1fff) * 8;
  f.moreFragments = (frag & 0x2000) !== 0;
  f.fragment = f.moreFragments || f.fragOffset > 0;
  f.fragId = u16be(buf, l3 + 4);
  f.l4 = l3 + ihl;
  f.fragStart = f.l4;
  f.fragProto = f.proto;
  // TSO/GRO captures write 0 for big segments: then the captured bytes are the packet.
  const ipEnd = total === 0 ? end : l3 + total;
  f.truncated = ipEnd > end;
  f.l4End = Math.min(ipEnd, end);
  return f.l4 > f.l4End ? 'short_ip' : undefined;
}

function decodeIpv6(buf: Buffer, l3: number, end: number, f: Frame): string | undefined {
  if (end - l3 < 40) return 'short_ip';
  if ((buf[l3] ?? 0) >> 4 !== 6) return 'bad_ip';
  f.v6 = true;
  f.s0 = u32be(buf, l3 + 8);
  f.s1 = u32be(buf, l3 + 12);
  f.s2 = u32be(buf, l3 + 16);
  f.s3 = u32be(buf, l3 + 20);
  f.d0 = u32be(buf, l3 + 24);
  f.d1 = u32be(buf, l3 + 28);
  f.d2 = u32be(buf, l3 + 32);
  f.d3 = u32be(buf, l3 + 36);
  const payloadLen = u16be(buf, l3 + 4);
  const ipEnd = payloadLen === 0 ? end : l3 + 40 + payloadLen;
  f.truncated = ipEnd > end;
  f.l4End = Math.min(ipEnd, end);
  let next = buf[l3 + 6] ?? 0;
  let o = l3 + 40;
  for (let i = 0; i < MAX_EXT_HEADERS; i++) {
    if (next === V6_EXT_FRAGMENT) {
      if (o + 8 > f.l4End) return 'short_ip';
      const w = u16be(buf, o + 2);
      f.fragment = true;
      f.fragOffset = w & 0xfff8;
      f.moreFragments = (w & 1) !== 0;
      f.fragId = u32be(buf, o + 4);
      next = buf[o] ?? 0;
      o += 8;
      f.fragStart = o;
      f.fragProto = next;
      // Past a non-first fragment's header comes the middle of a datagram, not more headers.
      if (f.fragOffset > 0) break;
    } else if (isSkippableExtension(next)) {
      if (o + 2 > f.l4End) return 'short_ip';
      const len = buf[o + 1] ?? 0;
      next = buf[o] ?? 0;
      o += next === V6_EXT_AH ? (len + 2) * 4 : (len + 1) * 8;
    } else {
      break;
    }
  }
  f.proto = next;
  f.l4 = o;
  return o > f.l4End ? 'short_ip' : undefined;
}

function isSkippableExtension(next: number): boolean {
  return (
    next === V6_EXT_HOP ||
    next === V6_EXT_ROUTING ||
    next === V6_EXT_DSTOPTS ||
    next === V6_EXT_AH ||
    next === V6_EXT_MOBILITY ||
    next === V6_EXT_HIP ||
    next === V6_EXT_SHIM6
  );
}

/**
 * Reads the TCP or UDP header at f.l4 (never for a non-first fragment). Sets ports and the
 * payload range. Returns a skip reason when the header itself was not captured.
 */
export function decodeTransport(buf: Buffer, f: Frame): string | undefined {
  const l4 = f.l4;
  const end = f.l4End;
  if (f.proto === PROTO_TCP) {
    if (end - l4 < 20) return 'short_tcp';
    f.sport = u16be(buf, l4);
    f.dport = u16be(buf, l4 + 2);
    f.seq = u32be(buf, l4 + 4);
    f.tcpFlags = buf[l4 + 13] ?? 0;
    f.payload = Math.min(l4 + ((buf[l4 + 12] ?? 0) >> 4) * 4, end);
    f.payloadEnd = end;
    return undefined;
  }
  if (end - l4 < 8) return 'short_udp';
  f.sport = u16be(buf, l4);
  f.dport = u16be(buf, l4 + 2);
  f.payload = l4 + 8;
  const udpLen = u16be(buf, l4 + 4);
  f.payloadEnd = udpLen >= 8 ? Math.min(l4 + udpLen, end) : end;
  return undefined;
}
