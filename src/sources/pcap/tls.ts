// The server name of a TLS ClientHello, by hand: every length is checked against both the
// record and the bytes actually captured, so a cut or hostile hello gives "need more" or
// "not a hello", never an exception. With ECH this is the outer (public) name.

export type HelloParse =
  | { readonly kind: 'sni'; readonly name: string }
  /** A ClientHello without a server name, or not a ClientHello at all. */
  | { readonly kind: 'none' }
  /** The bytes end inside the hello's record: `total` bytes of record are needed. */
  | { readonly kind: 'more'; readonly total: number };

const NONE: HelloParse = { kind: 'none' };
const CONTENT_HANDSHAKE = 0x16;
const HANDSHAKE_CLIENT_HELLO = 1;
const EXT_SERVER_NAME = 0;
/** A record may hold 2^14 bytes of plaintext; anything much longer is not TLS. */
export const MAX_RECORD = 16_384 + 2_048;
const HOSTNAME = /^[a-z0-9_-]+(\.[a-z0-9_-]+)*\.?$/;

/** Quick test on a segment's first bytes: a TLS handshake record of TLS 1.0-1.3. */
export function looksLikeHandshake(buf: Buffer, start: number, end: number): boolean {
  return end - start >= 6 && buf[start] === CONTENT_HANDSHAKE && buf[start + 1] === 3 && buf[start + 5] === HANDSHAKE_CLIENT_HELLO;
}

export function parseClientHello(buf: Buffer, start: number, end: number): HelloParse {
  if (!looksLikeHandshake(buf, start, end)) return NONE;
  const recLen = buf.readUInt16BE(start + 3);
  if (recLen > MAX_RECORD) return NONE;
  const recEnd = start + 5 + recLen;
  const more: HelloParse = { kind: 'more', total: 5 + recLen };
  if (end - start < 9) return more;
  const hsEnd = Math.min(start + 9 + readU24(buf, start + 6), recEnd);
  const limit = Math.min(end, hsEnd);
  // Within the hello, running past `limit` means "need more" if the data ran out first.
  const short = (): HelloParse => (end < hsEnd ? more : NONE);
  let p = start + 9 + 2 + 32;
  if (p + 1 > limit) return short();
  p += 1 + (buf[p] ?? 0);
  if (p + 2 > limit) return short();
  p += 2 + buf.readUInt16BE(p);
  if (p + 1 > limit) return short();
  p += 1 + (buf[p] ?? 0);
  if (p + 2 > limit) return short();
  const extEnd = Math.min(p + 2 + buf.readUInt16BE(p), hsEnd);
  p += 2;
  while (p + 4 <= Math.min(extEnd, limit)) {
    const type = buf.readUInt16BE(p);
    const len = buf.readUInt16BE(p + 2);
    p += 4;
    if (type === EXT_SERVER_NAME) {
      if (p + len > limit) return short();
      return serverName(buf, p, p + len);
    }
    p += len;
  }
  return p < extEnd ? short() : NONE;
}

/** The host_name entry of a server_name extension body. */
function serverName(buf: Buffer, start: number, end: number): HelloParse {
  let q = start + 2;
  while (q + 3 <= end) {
    const nameType = buf[q] ?? 255;
    const len = buf.readUInt16BE(q + 1);
    if (q + 3 + len > end) return NONE;
    if (nameType === 0) {
      const name = buf.toString('latin1', q + 3, q + 3 + len).toLowerCase();
      return len > 0 && len <= 253 && HOSTNAME.test(name) ? { kind: 'sni', name: name.replace(/\.$/, '') } : NONE;
    }
    q += 3 + len;
  }
  return NONE;
}

function readU24(buf: Buffer, o: number): number {
  return ((buf[o] ?? 0) << 16) | buf.readUInt16BE(o + 1);
}
