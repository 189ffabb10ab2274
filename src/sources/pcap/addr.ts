// Address words -> kind (which side of the home router) and text. Addresses are four uint32
// words; IPv4 travels IPv4-mapped (0, 0, 0xffff, v4).
import { u16be, u32be } from './bytes.js';

/** A public address: the remote side of a flow. */
export const KIND_PUBLIC = 0;
/** RFC 1918, CGNAT 100.64/10, link-local, loopback, ULA fc00::/7, fe80::/10: a home device. */
export const KIND_LOCAL = 1;
/** Multicast, broadcast, unspecified: neither a device nor a service. */
export const KIND_OTHER = 2;

export function isV4Mapped(w0: number, w1: number, w2: number): boolean {
  return w0 === 0 && w1 === 0 && w2 === 0xffff;
}

export function kindOfV4(a: number): number {
  const top = a >>> 24;
  if (top === 10 || top === 127) return KIND_LOCAL;
  if (top === 172 && (a >>> 20) === 0xac1) return KIND_LOCAL;
  if (top === 192 && (a >>> 16) === 0xc0a8) return KIND_LOCAL;
  if (top === 169 && (a >>> 16) === 0xa9fe) return KIND_LOCAL;
  if (top === 100 && (a >>> 22) === 0x191) return KIND_LOCAL;
  if (top >= 224 || top === 0) return KIND_OTHER;
  return KIND_PUBLIC;
}

export function kindOf(w0: number, w1: number, w2: number, w3: number): number {
  if (isV4Mapped(w0, w1, w2)) return kindOfV4(w3);
  const top16 = w0 >>> 16;
  if (top16 >= 0xff00) return KIND_OTHER;
  if ((top16 & 0xfe00) === 0xfc00 || (top16 & 0xffc0) === 0xfe80) return KIND_LOCAL;
  if (w0 === 0 && w1 === 0 && w2 === 0) return w3 === 1 ? KIND_LOCAL : KIND_OTHER;
  return KIND_PUBLIC;
}

export function formatV4(a: number): string {
  return `${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}`;
}

/** RFC 5952 text: lower case, longest run of two or more zero groups as `::`. */
export function formatAddr(w0: number, w1: number, w2: number, w3: number): string {
  if (isV4Mapped(w0, w1, w2)) return formatV4(w3);
  const g = [w0 >>> 16, w0 & 0xffff, w1 >>> 16, w1 & 0xffff, w2 >>> 16, w2 & 0xffff, w3 >>> 16, w3 & 0xffff];
  let bestAt = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) [bestAt, bestLen] = [i, j - i];
    i = j;
  }
  const hex = (part: number[]): string => part.map((x) => x.toString(16)).join(':');
  if (bestAt < 0) return hex(g);
  return `${hex(g.slice(0, bestAt))}::${hex(g.slice(bestAt + bestLen))}`;
}

/** `aa:bb:cc:dd:ee:ff` from a 48-bit number. */
export function formatMac(mac: number): string {
  return mac.toString(16).padStart(12, '0').replace(/(..)(?!$)/g, '$1:');
}

/** The 48-bit MAC at `off` as a number (exact: below 2^53). */
export function readMac(buf: Buffer, off: number): number {
  return u16be(buf, off) * 4_294_967_296 + u32be(buf, off + 2);
}
