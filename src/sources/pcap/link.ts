// Link layers: where the IP header starts and where the sender's MAC sits. Ethernet (with
// 802.1Q/802.1ad/QinQ tags and PPPoE sessions), Linux cooked v1 and v2 (`tcpdump -i any`),
// raw IP and BSD loopback.
import type { Frame } from './ip.js';
import { u16be, u32be, u32le } from './bytes.js';

const ETH_IPV4 = 0x0800;
const ETH_IPV6 = 0x86dd;
const ETH_PPPOE = 0x8864;
const PPP_IPV4 = 0x0021;
const PPP_IPV6 = 0x0057;
const MAX_TAGS = 4;

export const LINKTYPE = {
  NULL: 0,
  ETHERNET: 1,
  RAW_OPENBSD: 12,
  RAW_BSDOS: 14,
  RAW: 101,
  LOOP: 108,
  LINUX_SLL: 113,
  IPV4: 228,
  IPV6: 229,
  LINUX_SLL2: 276,
} as const;

function isVlanTag(type: number): boolean {
  return type === 0x8100 || type === 0x88a8 || type === 0x9100;
}

/**
 * Sets `f.l3`, `f.ipHint` (4, 6, or 0 = read the version nibble) and `f.macOff` (-1 if the
 * link layer has no sender MAC). Returns a skip reason, or undefined when an IP packet follows.
 */
export function decodeLink(buf: Buffer, off: number, end: number, linkType: number, f: Frame): string | undefined {
  f.macOff = -1;
  f.ipHint = 0;
  switch (linkType) {
    case LINKTYPE.ETHERNET:
      if (end - off < 14) return 'short_frame';
      f.macOff = off + 6;
      return etherPayload(buf, off + 12, end, f);
    case LINKTYPE.LINUX_SLL:
      if (end - off < 16) return 'short_frame';
      if (u16be(buf, off + 4) === 6 && u16be(buf, off + 2) === 1) f.macOff = off + 6;
      return etherPayload(buf, off + 14, end, f);
    case LINKTYPE.LINUX_SLL2:
      if (end - off < 20) return 'short_frame';
      if (buf[off + 11] === 6 && u16be(buf, off + 8) === 1) f.macOff = off + 12;
      // SLL2 puts the protocol first; it is followed by 18 bytes, not directly by the payload.
      return etherPayload(buf, off, end, f, off + 20);
    case LINKTYPE.RAW:
    case LINKTYPE.RAW_OPENBSD:
    case LINKTYPE.RAW_BSDOS:
      f.l3 = off;
      return undefined;
    case LINKTYPE.IPV4:
    case LINKTYPE.IPV6:
      f.l3 = off;
      f.ipHint = linkType === LINKTYPE.IPV4 ? 4 : 6;
      return undefined;
    case LINKTYPE.NULL:
    case LINKTYPE.LOOP:
      if (end - off < 4) return 'short_frame';
      f.l3 = off + 4;
      f.ipHint = loopbackFamily(buf, off);
      return undefined;
    default:
      return 'unsupported_link';
  }
}

/** Follows the EtherType at `typeAt` through VLAN tags and PPPoE to an IP header. */
function etherPayload(buf: Buffer, typeAt: number, end: number, f: Frame, payloadAt = typeAt + 2): string | undefined {
  let at = typeAt;
  let l3 = payloadAt;
  let type = u16be(buf, at);
  for (let tags = 0; isVlanTag(type); tags++) {
    if (tags === MAX_TAGS || l3 + 4 > end) return 'short_frame';
    at = l3 + 2;
    l3 += 4;
    type = u16be(buf, at);
  }
  if (type === ETH_PPPOE) {
    if (l3 + 8 > end) return 'short_frame';
    const ppp = u16be(buf, l3 + 6);
    type = ppp === PPP_IPV4 ? ETH_IPV4 : ppp === PPP_IPV6 ? ETH_IPV6 : 0;
    l3 += 8;
  }
  if (type !== ETH_IPV4 && type !== ETH_IPV6) return 'non_ip';
  f.l3 = l3;
  f.ipHint = type === ETH_IPV4 ? 4 : 6;
  return undefined;
}

/**
 * The address family of a BSD loopback header: host byte order of the writer for NULL, network
 * order for LOOP, and the AF_INET6 value differs by OS (10, 24, 28, 30). Unknown: 0.
 */
function loopbackFamily(buf: Buffer, off: number): number {
  const le = u32le(buf, off);
  const be = u32be(buf, off);
  if (le === 2 || be === 2) return 4;
  return isInet6(le) || isInet6(be) ? 6 : 0;
}

function isInet6(family: number): boolean {
  return family === 10 || family === 24 || family === 28 || family === 30;
}
