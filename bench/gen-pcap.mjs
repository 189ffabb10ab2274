#!/usr/bin/env node
// Writes a deterministic, realistic home-network capture for the ingest benchmark:
//   node bench/gen-pcap.mjs OUT SIZE_MB [--snaplen 128]
// Several devices (192.168.1.x, one also on IPv6), Netflix video in full-size 1514-byte frames
// from Open Connect addresses (45.57.x.x, 23.246.x.x, 2a00:86c0::/32) with ACKs upstream,
// DNS queries and answers for nflxvideo.net names, TLS ClientHellos with SNI at each new
// connection, and background traffic to other hosts. SIZE_MB is the size of the full capture;
// with --snaplen the same packet sequence is written cut to that many bytes per record (what
// `tcpdump -s 128` keeps), so the two files describe identical traffic.
import { closeSync, openSync, writeSync } from 'node:fs';

const [out, sizeArg, ...rest] = process.argv.slice(2);
const snapAt = rest.indexOf('--snaplen');
const snaplen = snapAt >= 0 ? Number(rest[snapAt + 1]) : 262144;
if (!out || !(Number(sizeArg) > 0) || !(snaplen >= 64)) {
  console.error('usage: node bench/gen-pcap.mjs OUT SIZE_MB [--snaplen 128]');
  process.exit(2);
}
const targetBytes = Number(sizeArg) * 1024 * 1024;

// --- deterministic randomness (mulberry32) ---
let seed = 0x6e666d6f;
function rand() {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const pick = (list) => list[Math.floor(rand() * list.length)];
const randInt = (lo, hi) => lo + Math.floor(rand() * (hi - lo + 1));

// --- the home ---
const ROUTER = { mac: mac('80:2a:a8:4c:61:cc'), ip: v4('192.168.1.1') };
const devices = [
  { name: 'tv', mac: mac('a4:5e:60:11:22:01'), ip: v4('192.168.1.20') },
  { name: 'iphone', mac: mac('e4:98:d6:1f:bd:14'), ip: v4('192.168.1.21'), ip6: v6('2a02:8108:1240:2f00::21') },
  { name: 'laptop', mac: mac('3c:22:fb:aa:bb:02'), ip: v4('192.168.1.22') },
  { name: 'tablet', mac: mac('f0:18:98:33:44:03'), ip: v4('192.168.1.23') },
  { name: 'console', mac: mac('7c:bb:8a:55:66:04'), ip: v4('192.168.1.24') },
  { name: 'printer', mac: mac('00:1b:a9:77:88:05'), ip: v4('192.168.1.25') },
];
const VIDEO4 = ['45.57.18.132', '45.57.90.1', '23.246.11.141', '23.246.50.7', '45.57.41.20'].map(v4);
const VIDEO6 = ['2a00:86c0:2041::133', '2a00:86c0:2053::145'].map(v6);
const BACKGROUND4 = ['142.250.184.68', '151.101.1.140', '104.16.123.96', '52.84.150.11', '13.107.42.14', '17.253.144.10', '185.199.108.153', '93.184.216.34'].map(v4);
const BACKGROUND6 = ['2606:4700::6812:1e4e', '2a00:1450:4001:82b::200e'].map(v6);
const VIDEO_NAMES = ['ipv4-c012-ams001-ix.1.oca.nflxvideo.net', 'ipv4-c044-fra002-ix.1.oca.nflxvideo.net', 'ipv6-c003-ams001-ix.1.oca.nflxvideo.net'];
const OTHER_NAMES = ['www.google.com', 'github.com', 'www.wikipedia.org', 'api.spotify.com', 'www.bbc.co.uk', 'cdn.jsdelivr.net'];
const NETFLIX_UI = { names: ['www.netflix.com', 'assets.nflxext.com', 'occ-0-1234-2567.1.nflxso.net'], ip: v4('54.69.204.241') };
const FILLER = Buffer.alloc(65536);
for (let i = 0; i < FILLER.length; i++) FILLER[i] = Math.floor(rand() * 256);

// --- output ---
const fd = openSync(out, 'w');
const OUT = Buffer.alloc(4 * 1024 * 1024);
let outLen = 0;
let fullBytes = 24;
let packets = 0;
let tsUs = Date.UTC(2026, 10, 21, 20, 0, 0) * 1000;
const RATE_BPS = 25e6;
const global = Buffer.alloc(24);
global.writeUInt32LE(0xa1b2c3d4, 0);
global.writeUInt16LE(2, 4);
global.writeUInt16LE(4, 6);
global.writeUInt32LE(snaplen, 16);
global.writeUInt32LE(1, 20);
emitRaw(global);

const pkt = Buffer.alloc(1600);
function emitPacket(len) {
  const caplen = Math.min(len, snaplen);
  if (outLen + 16 + caplen > OUT.length) flush();
  OUT.writeUInt32LE(Math.floor(tsUs / 1e6), outLen);
  OUT.writeUInt32LE(tsUs % 1e6, outLen + 4);
  OUT.writeUInt32LE(caplen, outLen + 8);
  OUT.writeUInt32LE(len, outLen + 12);
  pkt.copy(OUT, outLen + 16, 0, caplen);
  outLen += 16 + caplen;
  fullBytes += 16 + len;
  packets++;
  tsUs += Math.max(1, Math.round((len * 8 * 1e6) / RATE_BPS * (0.5 + rand())));
}
function emitRaw(buf) {
  buf.copy(OUT, outLen);
  outLen += buf.length;
}
function flush() {
  writeSync(fd, OUT, 0, outLen);
  outLen = 0;
}

// --- packet builders (write into `pkt`, return the frame length) ---
function eth(dst, src, type) {
  dst.copy(pkt, 0);
  src.copy(pkt, 6);
  pkt.writeUInt16BE(type, 12);
  return 14;
}
function ipHeader(o, src, dst, proto, l4len) {
  if (src.length === 4) {
    pkt.writeUInt16BE(0x4500, o);
    pkt.writeUInt16BE(20 + l4len, o + 2);
    pkt.writeUInt16BE(packets & 0xffff, o + 4);
    pkt.writeUInt16BE(0x4000, o + 6);
    pkt[o + 8] = 64;
    pkt[o + 9] = proto;
    pkt.writeUInt16BE(0, o + 10);
    src.copy(pkt, o + 12);
    dst.copy(pkt, o + 16);
    let sum = 0;
    for (let i = 0; i < 20; i += 2) sum += pkt.readUInt16BE(o + i);
    while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
    pkt.writeUInt16BE(~sum & 0xffff, o + 10);
    return o + 20;
  }
  pkt.writeUInt32BE(0x60000000, o);
  pkt.writeUInt16BE(l4len, o + 4);
  pkt[o + 6] = proto;
  pkt[o + 7] = 64;
  src.copy(pkt, o + 8);
  dst.copy(pkt, o + 24);
  return o + 40;
}
function tcp(f, fromClient, flags, payload, data) {
  const [srcMac, dstMac] = fromClient ? [f.dev.mac, ROUTER.mac] : [ROUTER.mac, f.dev.mac];
  const [src, dst] = fromClient ? [f.local, f.remote] : [f.remote, f.local];
  let o = eth(dstMac, srcMac, src.length === 4 ? 0x0800 : 0x86dd);
  o = ipHeader(o, src, dst, 6, 32 + payload);
  pkt.writeUInt16BE(fromClient ? f.cport : f.sport, o);
  pkt.writeUInt16BE(fromClient ? f.sport : f.cport, o + 2);
  pkt.writeUInt32BE(fromClient ? f.cseq : f.sseq, o + 4);
  pkt.writeUInt32BE(flags === 0x02 ? 0 : fromClient ? f.sseq : f.cseq, o + 8);
  pkt.writeUInt16BE(0x8000 | flags, o + 12);
  pkt.writeUInt16BE(0xffff, o + 14);
  pkt.writeUInt32BE(0, o + 16);
  pkt.writeUInt32BE(0x0101080a, o + 20);
  pkt.writeUInt32BE(packets, o + 24);
  pkt.writeUInt32BE(packets - 1, o + 28);
  o += 32;
  if (data) data.copy(pkt, o, 0, payload);
  else FILLER.copy(pkt, o, packets % 60000, (packets % 60000) + payload);
  if (fromClient) f.cseq = (f.cseq + payload + (flags & 0x03 ? 1 : 0)) >>> 0;
  else f.sseq = (f.sseq + payload + (flags & 0x03 ? 1 : 0)) >>> 0;
  emitPacket(o + payload);
}
function udp(dev, local, remote, lport, rport, fromLocal, data) {
  const [srcMac, dstMac] = fromLocal ? [dev.mac, ROUTER.mac] : [ROUTER.mac, dev.mac];
  const [src, dst] = fromLocal ? [local, remote] : [remote, local];
  let o = eth(dstMac, srcMac, src.length === 4 ? 0x0800 : 0x86dd);
  o = ipHeader(o, src, dst, 17, 8 + data.length);
  pkt.writeUInt16BE(fromLocal ? lport : rport, o);
  pkt.writeUInt16BE(fromLocal ? rport : lport, o + 2);
  pkt.writeUInt16BE(8 + data.length, o + 4);
  pkt.writeUInt16BE(0, o + 6);
  data.copy(pkt, o + 8);
  emitPacket(o + 8 + data.length);
}

// --- application payloads ---
function dnsName(name) {
  const parts = name.split('.').map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l)]));
  return Buffer.concat([...parts, Buffer.from([0])]);
}
function dnsMessage(id, name, answers, response) {
  const h = Buffer.alloc(12);
  h.writeUInt16BE(id, 0);
  h.writeUInt16BE(response ? 0x8180 : 0x0100, 2);
  h.writeUInt16BE(1, 4);
  h.writeUInt16BE(response ? answers.length : 0, 6);
  const q = Buffer.concat([dnsName(name), Buffer.from([0, answers[0]?.length === 16 ? 28 : 1, 0, 1])]);
  const rrs = response
    ? answers.map((a) => {
        const rr = Buffer.alloc(12 + a.length);
        rr.writeUInt16BE(0xc00c, 0);
        rr.writeUInt16BE(a.length === 16 ? 28 : 1, 2);
        rr.writeUInt16BE(1, 4);
        rr.writeUInt32BE(randInt(30, 300), 6);
        rr.writeUInt16BE(a.length, 10);
        a.copy(rr, 12);
        return rr;
      })
    : [];
  return Buffer.concat([h, q, ...rrs]);
}
function clientHello(sni) {
  const ext = (type, body) => Buffer.concat([u16(type), u16(body.length), body]);
  const name = Buffer.from(sni);
  const exts = Buffer.concat([
    ext(0x000a, Buffer.from([0, 8, 0, 0x1d, 0, 0x17, 0, 0x18, 0, 0x19])),
    ext(0x000b, Buffer.from([1, 0])),
    ext(0x0010, Buffer.from([0, 12, 2, 0x68, 0x32, 8, ...Buffer.from('http/1.1')])),
    ext(0x0033, Buffer.concat([u16(36), u16(0x1d), u16(32), FILLER.subarray(100, 132)])),
    ext(0x0000, Buffer.concat([u16(name.length + 3), Buffer.from([0]), u16(name.length), name])),
    ext(0x002b, Buffer.from([4, 3, 4, 3, 3])),
  ]);
  const pad = Math.max(0, 512 - (4 + 2 + 32 + 33 + 2 + 32 + 2 + 2 + exts.length) - 4);
  const allExts = Buffer.concat([exts, ext(0x0015, Buffer.alloc(pad))]);
  const body = Buffer.concat([
    u16(0x0303), FILLER.subarray(0, 32), Buffer.from([32]), FILLER.subarray(32, 64),
    u16(32), FILLER.subarray(200, 232), Buffer.from([1, 0]), u16(allExts.length), allExts,
  ]);
  const hs = Buffer.concat([Buffer.from([1, 0, body.length >> 8, body.length & 255]), body]);
  return Buffer.concat([Buffer.from([0x16, 3, 1]), u16(hs.length), hs]);
}
function u16(n) {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n);
  return b;
}

// --- flows ---
let nextPort = 40000;
function openFlow(dev, remote, sport, sni, v6) {
  const f = { dev, local: v6 ? dev.ip6 : dev.ip, remote, cport: nextPort++, sport, cseq: randInt(1, 2 ** 31), sseq: randInt(1, 2 ** 31), sent: 0 };
  if (nextPort > 60000) nextPort = 40000;
  tcp(f, true, 0x02, 0);
  tcp(f, false, 0x12, 0);
  tcp(f, true, 0x10, 0);
  if (sni) {
    const hello = clientHello(sni);
    tcp(f, true, 0x18, hello.length, hello);
    tcp(f, false, 0x10, 1448);
    tcp(f, false, 0x18, 1200);
    tcp(f, true, 0x10, 0);
  }
  return f;
}
function resolve(dev, name, addrs) {
  const id = randInt(0, 65535);
  const port = randInt(30000, 60000);
  udp(dev, dev.ip, ROUTER.ip, port, 53, true, dnsMessage(id, name, addrs, false));
  udp(dev, dev.ip, ROUTER.ip, port, 53, false, dnsMessage(id, name, addrs, true));
}
function newVideoFlow(dev) {
  if (rand() < 0.2) {
    const name = pick(NETFLIX_UI.names);
    resolve(dev, name, [NETFLIX_UI.ip]);
    openFlow(dev, NETFLIX_UI.ip, 443, name, false);
  }
  const v6 = Boolean(dev.ip6) && rand() < 0.5;
  const remote = v6 ? pick(VIDEO6) : pick(VIDEO4);
  const name = pick(VIDEO_NAMES);
  resolve(dev, name, [remote]);
  return openFlow(dev, remote, 443, name, v6);
}
function newBackgroundFlow(dev) {
  const v6 = Boolean(dev.ip6) && rand() < 0.3;
  const remote = v6 ? pick(BACKGROUND6) : pick(BACKGROUND4);
  const name = pick(OTHER_NAMES);
  if (!v6) resolve(dev, name, [remote]);
  return openFlow(dev, remote, 443, rand() < 0.7 ? name : undefined, v6);
}

const viewers = [devices[0], devices[1], devices[3]];
const video = viewers.map((d) => newVideoFlow(d));
const background = devices.map((d) => newBackgroundFlow(d));
while (fullBytes < targetBytes) {
  const r = rand();
  if (r < 0.7) {
    const i = Math.floor(rand() * video.length);
    const f = video[i];
    // Full 1514-byte frames: the MSS left by IPv4 or IPv6 plus TCP timestamps.
    const mss = f.local.length === 4 ? 1448 : 1428;
    tcp(f, false, 0x10, mss);
    tcp(f, false, 0x18, mss);
    tcp(f, true, 0x10, 0);
    f.sent += 2 * mss;
    // Netflix fetches video in ranges over fresh connections: a new hello every few MB.
    if (f.sent > 4e6 + rand() * 8e6) video[i] = newVideoFlow(f.dev);
  } else if (r < 0.995) {
    const i = Math.floor(rand() * background.length);
    const f = background[i];
    const down = rand() < 0.75;
    tcp(f, !down, 0x18, down ? randInt(200, 1448) : randInt(0, 600));
    if (rand() < 0.5) tcp(f, down, 0x10, 0);
    f.sent += 1000;
    if (f.sent > 2e5 + rand() * 2e6) background[i] = newBackgroundFlow(f.dev);
  } else {
    const dev = pick(devices);
    resolve(dev, pick(OTHER_NAMES), [pick(BACKGROUND4)]);
  }
}
flush();
closeSync(fd);
console.error(`${out}: ${packets} packets, ${(fullBytes / 1048576).toFixed(1)} MiB of traffic, snaplen ${snaplen}`);

function mac(text) {
  return Buffer.from(text.split(':').map((h) => parseInt(h, 16)));
}
function v4(text) {
  return Buffer.from(text.split('.').map(Number));
}
function v6(text) {
  const [head, tail = ''] = text.split('::');
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  const b = Buffer.alloc(16);
  groups.forEach((g, i) => b.writeUInt16BE(parseInt(g, 16), i * 2));
  return b;
}
