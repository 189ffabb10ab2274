// Headers-only capture of one play's video flows, as `tcpdump -s 96 -w` on the Pi would keep them
// behind a router with GRO: Ethernet + IPv4 + TCP headers of large (up to 64 KB) segments from
// Open Connect addresses, and the ACKs going up. Bytes per minute follow the play's bitrate with
// a faster buffer fill in the first minute. Classic pcap, microseconds, little-endian.
import { closeSync, openSync, writeSync } from 'node:fs';
import { MINUTE, SECOND } from './time.mjs';

const SNAPLEN = 96;
const HDR = 54; // Ethernet 14 + IPv4 20 + TCP 20
const SEGMENT = 64_000;
const ROUTER_MAC = Buffer.from([0x80, 0x2a, 0xa8, 0x4c, 0x61, 0xcc]);

const mac = (text) => Buffer.from(text.split(':').map((h) => parseInt(h, 16)));
const v4 = (text) => Buffer.from(text.split('.').map(Number));

/**
 * Writes `file` with the video of play [start, end) of a device ({mac, ip}) from the OCA
 * addresses `ocaIps`: a new connection every 5-15 min, 1-2 in parallel. Returns bytes down.
 */
export function writePlayCapture(file, device, play, ocaIps, mbps, rng) {
  const fd = openSync(file, 'w');
  const buf = Buffer.alloc(1 << 20);
  let len = 0;
  const flush = () => {
    writeSync(fd, buf, 0, len);
    len = 0;
  };
  const header = Buffer.alloc(24);
  header.writeUInt32LE(0xa1b2c3d4, 0);
  header.writeUInt16LE(2, 4);
  header.writeUInt16LE(4, 6);
  header.writeUInt32LE(SNAPLEN, 16);
  header.writeUInt32LE(1, 20);
  header.copy(buf, 0);
  len = 24;

  const devMac = mac(device.mac);
  const local = v4(device.ip);
  let ipId = 1;
  const packet = (ts, conn, down, payload) => {
    if (len + 16 + HDR > buf.length) flush();
    const o = len;
    const us = Math.round(ts * 1000);
    buf.writeUInt32LE(Math.floor(us / 1e6), o);
    buf.writeUInt32LE(us % 1e6, o + 4);
    buf.writeUInt32LE(HDR, o + 8);
    buf.writeUInt32LE(HDR + payload, o + 12);
    const p = o + 16;
    (down ? devMac : ROUTER_MAC).copy(buf, p);
    (down ? ROUTER_MAC : devMac).copy(buf, p + 6);
    buf.writeUInt16BE(0x0800, p + 12);
    buf.writeUInt16BE(0x4500, p + 14);
    buf.writeUInt16BE(40 + payload, p + 16);
    buf.writeUInt16BE(ipId++ & 0xffff, p + 18);
    buf.writeUInt16BE(0x4000, p + 20);
    buf[p + 22] = down ? 57 : 64;
    buf[p + 23] = 6;
    buf.writeUInt16BE(0, p + 24);
    (down ? conn.remote : local).copy(buf, p + 26);
    (down ? local : conn.remote).copy(buf, p + 30);
    buf.writeUInt16BE(down ? 443 : conn.port, p + 34);
    buf.writeUInt16BE(down ? conn.port : 443, p + 36);
    buf.writeUInt32BE(down ? conn.seqDown : conn.seqUp, p + 38);
    buf.writeUInt32BE(down ? conn.seqUp : conn.seqDown, p + 42);
    buf.writeUInt16BE(0x5010, p + 46);
    buf.writeUInt16BE(0xffff, p + 48);
    buf.writeUInt32BE(0, p + 50);
    if (down) conn.seqDown = (conn.seqDown + payload) >>> 0;
    len += 16 + HDR;
  };

  let port = rng.int(40000, 60000);
  const openConn = (i) => ({ remote: v4(ocaIps[i % ocaIps.length]), port: port++, seqDown: rng.int(1, 2 ** 31), seqUp: rng.int(1, 2 ** 31) });
  let conns = [openConn(0), ...(ocaIps.length > 1 && rng.chance(0.5) ? [openConn(1)] : [])];
  let nextSwitch = play.start + rng.between(5, 15) * MINUTE;
  let down = 0;
  for (let m = play.start; m < play.end; m += MINUTE) {
    if (m >= nextSwitch) {
      conns = conns.map((_, i) => openConn(rng.int(0, ocaIps.length - 1) + i));
      nextSwitch = m + rng.between(5, 15) * MINUTE;
    }
    const span = Math.min(MINUTE, play.end - m);
    const fill = m === play.start ? 3 : 1;
    const bytes = Math.round(((mbps * rng.between(0.8, 1.2) * 1e6) / 8) * (span / SECOND) * fill);
    const n = Math.max(1, Math.ceil(bytes / SEGMENT));
    for (let i = 0; i < n; i++) {
      const ts = m + (span * (i + rng.next() * 0.5)) / n;
      const conn = conns[i % conns.length];
      const payload = Math.min(SEGMENT, bytes - i * SEGMENT);
      if (payload <= 0) break;
      packet(ts, conn, true, payload);
      down += payload + HDR;
      if (i % 2 === 1) packet(ts + 0.2, conn, false, 0);
    }
  }
  flush();
  closeSync(fd);
  return down;
}
