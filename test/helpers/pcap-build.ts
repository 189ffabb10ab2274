// Builders for small synthetic captures: the edge cases the corpus lacks (big-endian pcapng,
// unknown blocks, split ClientHellos, corrupt lengths) written to a temp directory per test.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseIpv4, parseIpv6 } from '../../src/core/prefixes.js';

export interface SynthPacket {
  readonly tsSec: number;
  readonly tsNsec?: number;
  readonly data: Buffer;
  /** Wire length when the record is cut (snaplen). */
  readonly origLen?: number;
}

let dir: string | undefined;
let count = 0;

/** Writes `bytes` to a fresh file in this test file's temp directory. */
export function tempFile(name: string, bytes: Buffer): string {
  dir ??= mkdtempSync(join(tmpdir(), 'nfmon-pcap-'));
  const path = join(dir, `${++count}-${name}`);
  writeFileSync(path, bytes);
  return path;
}

/** The directory tempFile writes to (created on first use). */
export function tempDir(): string {
  dir ??= mkdtempSync(join(tmpdir(), 'nfmon-pcap-'));
  return dir;
}

export function removeTempFiles(): void {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
}

function u16(n: number, le = false): Buffer {
  const b = Buffer.alloc(2);
  if (le) b.writeUInt16LE(n);
  else b.writeUInt16BE(n);
  return b;
}

function u32(n: number, le = false): Buffer {
  const b = Buffer.alloc(4);
  if (le) b.writeUInt32LE(n >>> 0);
  else b.writeUInt32BE(n >>> 0);
  return b;
}

export interface ClassicOptions {
  readonly le?: boolean;
  readonly nanos?: boolean;
  readonly linkType?: number;
  readonly snaplen?: number;
}

export function classicPcap(packets: readonly SynthPacket[], o: ClassicOptions = {}): Buffer {
  const le = o.le ?? true;
  const parts = [
    u32(o.nanos ? 0xa1b23c4d : 0xa1b2c3d4, le),
    u16(2, le),
    u16(4, le),
    u32(0, le),
    u32(0, le),
    u32(o.snaplen ?? 262144, le),
    u32(o.linkType ?? 1, le),
  ];
  for (const p of packets) {
    const frac = o.nanos ? (p.tsNsec ?? 0) : Math.floor((p.tsNsec ?? 0) / 1000);
    parts.push(u32(p.tsSec, le), u32(frac, le), u32(p.data.length, le), u32(p.origLen ?? p.data.length, le), p.data);
  }
  return Buffer.concat(parts);
}

export type NgBlock =
  | { readonly kind: 'idb'; readonly linkType: number; readonly tsresol?: number; readonly snaplen?: number }
  | { readonly kind: 'epb'; readonly iface: number; readonly units: bigint; readonly data: Buffer; readonly origLen?: number }
  | { readonly kind: 'spb'; readonly data: Buffer; readonly origLen?: number }
  | { readonly kind: 'other'; readonly type: number; readonly bodyLength: number };

/** One pcapng section (section header first) in the given byte order. */
export function pcapngSection(blocks: readonly NgBlock[], le = true): Buffer {
  const block = (type: number, body: Buffer): Buffer => {
    const padded = Buffer.concat([body, Buffer.alloc((4 - (body.length % 4)) % 4)]);
    const len = padded.length + 12;
    return Buffer.concat([u32(type, le), u32(len, le), padded, u32(len, le)]);
  };
  const out = [block(0x0a0d0d0a, Buffer.concat([u32(0x1a2b3c4d, le), u16(1, le), u16(0, le), Buffer.alloc(8, 0xff)]))];
  for (const b of blocks) {
    if (b.kind === 'idb') {
      const opts = b.tsresol === undefined ? Buffer.alloc(0) : Buffer.concat([u16(9, le), u16(1, le), Buffer.from([b.tsresol, 0, 0, 0]), u32(0)]);
      out.push(block(1, Buffer.concat([u16(b.linkType, le), u16(0, le), u32(b.snaplen ?? 0, le), opts])));
    } else if (b.kind === 'epb') {
      const hi = Number(b.units >> 32n);
      const lo = Number(b.units & 0xffffffffn);
      const head = [u32(b.iface, le), u32(hi, le), u32(lo, le), u32(b.data.length, le), u32(b.origLen ?? b.data.length, le)];
      out.push(block(6, Buffer.concat([...head, b.data])));
    } else if (b.kind === 'spb') {
      out.push(block(3, Buffer.concat([u32(b.origLen ?? b.data.length, le), b.data])));
    } else {
      out.push(block(b.type, Buffer.alloc(b.bodyLength, 0x5a)));
    }
  }
  return Buffer.concat(out);
}

export function mac(text: string): Buffer {
  return Buffer.from(text.split(':').map((h) => parseInt(h, 16)));
}

export function ethernet(src: string, dst: string, type: number, payload: Buffer, vlans: readonly number[] = []): Buffer {
  const tags = vlans.map((tpid, i) => Buffer.concat([u16(tpid), u16(100 + i)]));
  return Buffer.concat([mac(dst), mac(src), ...tags, u16(type), payload]);
}

function addrBytes(ip: string): Buffer {
  if (ip.includes(':')) return Buffer.concat((parseIpv6(ip) ?? []).map((w) => u32(w)));
  return u32(parseIpv4(ip) ?? 0);
}

export interface Ipv4Options {
  readonly id?: number;
  readonly fragOffset?: number;
  readonly more?: boolean;
  /** Total length to announce (defaults to the real one). */
  readonly totalLength?: number;
}

export function ipv4(src: string, dst: string, proto: number, payload: Buffer, o: Ipv4Options = {}): Buffer {
  const h = Buffer.alloc(20);
  h[0] = 0x45;
  h.writeUInt16BE(o.totalLength ?? 20 + payload.length, 2);
  h.writeUInt16BE(o.id ?? 1, 4);
  h.writeUInt16BE(((o.more ? 1 : 0) << 13) | ((o.fragOffset ?? 0) / 8), 6);
  h[8] = 64;
  h[9] = proto;
  addrBytes(src).copy(h, 12);
  addrBytes(dst).copy(h, 16);
  return Buffer.concat([h, payload]);
}

export function ipv6(src: string, dst: string, next: number, payload: Buffer): Buffer {
  const h = Buffer.alloc(40);
  h.writeUInt32BE(0x60000000, 0);
  h.writeUInt16BE(payload.length, 4);
  h[6] = next;
  h[7] = 64;
  addrBytes(src).copy(h, 8);
  addrBytes(dst).copy(h, 24);
  return Buffer.concat([h, payload]);
}

export function tcp(sport: number, dport: number, seq: number, flags: number, payload: Buffer = Buffer.alloc(0)): Buffer {
  const h = Buffer.alloc(20);
  h.writeUInt16BE(sport, 0);
  h.writeUInt16BE(dport, 2);
  h.writeUInt32BE(seq >>> 0, 4);
  h[12] = 5 << 4;
  h[13] = flags;
  h.writeUInt16BE(65535, 14);
  return Buffer.concat([h, payload]);
}

export function udp(sport: number, dport: number, payload: Buffer): Buffer {
  const h = Buffer.alloc(8);
  h.writeUInt16BE(sport, 0);
  h.writeUInt16BE(dport, 2);
  h.writeUInt16BE(8 + payload.length, 4);
  return Buffer.concat([h, payload]);
}

/** A TLS 1.2-style ClientHello record with an SNI extension after `padding` bytes of another. */
export function clientHello(sni: string, padding = 0): Buffer {
  const ext = (type: number, body: Buffer): Buffer => Buffer.concat([u16(type), u16(body.length), body]);
  const name = Buffer.from(sni);
  const exts = Buffer.concat([
    ...(padding > 0 ? [ext(0x0015, Buffer.alloc(padding))] : []),
    ext(0x0000, Buffer.concat([u16(name.length + 3), Buffer.from([0]), u16(name.length), name])),
    ext(0x002b, Buffer.from([2, 3, 4])),
  ]);
  const body = Buffer.concat([u16(0x0303), Buffer.alloc(32, 7), Buffer.from([0]), u16(2), u16(0x1301), Buffer.from([1, 0]), u16(exts.length), exts]);
  const hs = Buffer.concat([Buffer.from([1, 0]), u16(body.length), body]);
  return Buffer.concat([Buffer.from([0x16, 3, 1]), u16(hs.length), hs]);
}
