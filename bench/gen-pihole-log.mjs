#!/usr/bin/env node
// Writes a synthetic but realistic pihole.log for the log-ingest benchmark:
//   node bench/gen-pihole-log.mjs OUT_FILE LINES [seed]
// Deterministic for a given LINES and seed. About 3% of lines concern Netflix (UI names with CNAME
// chains, nflxso.net art through Akamai, nflxvideo.net video lookups); the rest is household noise
// from a few thousand domains: cached and forwarded answers (replies arrive a few queries later,
// as under load), CNAME chains, NODATA/NXDOMAIN, gravity blocks, PTR lookups, and now and then
// DHCP chatter. Eight IPv4 clients and one IPv6 client; the stamps span about 26 hours.
import { closeSync, openSync, writeSync } from 'node:fs';

const argv = process.argv.slice(2);
const option = (name, fallback) => {
  const i = argv.indexOf(name);
  if (i < 0) return fallback;
  const v = Number(argv.splice(i, 2)[1]);
  return Number.isFinite(v) && v > 0 ? v : fallback;
};
// --clients N --days D: a busier home (issue 17's "many clients"): N clients over D days, every
// third one a Netflix screen with its own plays, so a log holds many sessions, not one TV's.
const MANY = { clients: option('--clients', 0), days: option('--days', 0) };
const [out, linesArg, seedArg] = argv;
if (!out || !linesArg || !/^\d+$/.test(linesArg)) {
  console.error('usage: node bench/gen-pihole-log.mjs OUT_FILE LINES [seed] [--clients N --days D]');
  process.exit(2);
}
const TARGET = Number(linesArg);
let seed = Number(seedArg ?? 1) >>> 0;

// mulberry32: small, fast, deterministic.
function rand() {
  seed = (seed + 0x6d2b79f5) >>> 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const pick = (xs) => xs[Math.floor(rand() * xs.length)];
const int = (n) => Math.floor(rand() * n);
const ipv4 = (a, b) => `${a}.${b}.${int(256)}.${1 + int(254)}`;

const DEFAULT_CLIENTS = ['192.168.1.10', '192.168.1.11', '192.168.1.23', '192.168.1.42', '192.168.1.57', '192.168.1.64', '192.168.1.101', '192.168.1.150', '2a02:a44b:1e2f:0:8d2c:51ff:fe3a:77b1'];
const CLIENTS = MANY.clients > 0 ? Array.from({ length: MANY.clients }, (_, i) => `192.168.1.${10 + i}`) : DEFAULT_CLIENTS;
const SCREENS = MANY.clients > 0 ? CLIENTS.filter((_, i) => i % 3 === 0) : ['192.168.1.42'];
const TV = SCREENS[0];
/** The screen playing now: in a busy home each screen plays for a while, then another. */
let screen = TV;
let screenUntil = 0;
function playingScreen() {
  if (SCREENS.length === 1) return TV;
  if (now >= screenUntil) {
    screen = pick(SCREENS);
    screenUntil = now + (20 + int(120)) * 60_000;
  }
  return screen;
}
const WORDS = ['cloud', 'api', 'cdn', 'static', 'img', 'mail', 'login', 'app', 'video', 'news', 'shop', 'data', 'edge', 'sync', 'push', 'update', 'media', 'ads', 'track', 'metrics', 'web', 'time', 'auth', 'files', 'chat'];
const TLDS = ['com', 'net', 'org', 'io', 'de', 'nl', 'co.uk', 'fr', 'tv'];
const DOMAINS = Array.from({ length: 3000 }, (_, i) => `${pick(WORDS)}${i % 7 === 0 ? '' : int(100)}.${pick(WORDS)}${i}.${pick(TLDS)}`);
const CDN_TARGETS = ['edgekey.net', 'akamaiedge.net', 'cloudfront.net', 'fastly.net', 'azureedge.net', 'l.google.com'];
const UPSTREAMS = ['1.1.1.1', '9.9.9.9'];
const NETFLIX_UI = ['www.netflix.com', 'api-global.netflix.com', 'ichnaea-web.netflix.com', 'android.prod.cloud.netflix.com', 'push.prod.netflix.com', 'assets.nflxext.com', 'codex.nflxext.com', 'customerevents.netflix.com'];
const OCA = Array.from({ length: 24 }, (_, i) => `ipv4-c${String(i + 1).padStart(3, '0')}-ams00${1 + (i % 3)}-ix.1.oca.nflxvideo.net`);

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
// Wall clock, written as-is. A long span starts in July so that it never crosses a new year.
let now = MANY.days > 0 ? Date.UTC(2025, 6, 1, 0, 0, 0) : Date.UTC(2025, 10, 21, 0, 0, 0);
const SPAN_MS = (MANY.days > 0 ? MANY.days * 24 : 26) * 3600 * 1000;
const stepMs = SPAN_MS / (TARGET / 3.3);
let stampCache = '';
let stampSec = -1;
function stamp() {
  const sec = Math.floor(now / 1000);
  if (sec !== stampSec) {
    const d = new Date(sec * 1000);
    const p2 = (n) => String(n).padStart(2, '0');
    stampCache = `${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, ' ')} ${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())} dnsmasq[812]: `;
    stampSec = sec;
  }
  return stampCache;
}

const fd = openSync(out, 'w');
let buf = [];
let bufLen = 0;
let written = 0;
function line(msg) {
  const l = stamp() + msg + '\n';
  buf.push(l);
  bufLen += l.length;
  written++;
  if (bufLen > 1 << 20) flush();
}
function flush() {
  writeSync(fd, buf.join(''));
  buf = [];
  bufLen = 0;
}

// Replies that arrive later (after a few other queries), each group written contiguously.
let delayed = [];
function later(lines) {
  delayed.push({ due: 1 + int(4), lines });
}
function tickDelayed() {
  const keep = [];
  for (const d of delayed) {
    if (--d.due <= 0) for (const l of d.lines) line(l);
    else keep.push(d);
  }
  delayed = keep;
}

function answer(verb, name, chain, ips) {
  const lines = [];
  let owner = name;
  for (const next of chain) {
    lines.push(`${verb} ${owner} is <CNAME>`);
    owner = next;
  }
  for (const ip of ips) lines.push(`${verb} ${owner} is ${ip}`);
  return lines;
}

function noise() {
  const client = pick(CLIENTS);
  const name = pick(DOMAINS);
  const r = rand();
  if (r < 0.03) {
    const ip = ipv4(34 + int(150), int(256));
    line(`query[PTR] ${ip.split('.').reverse().join('.')}.in-addr.arpa from 127.0.0.1`);
    return line(`cached ${ip} is host-${ip.replaceAll('.', '-')}.example.net`);
  }
  const type = rand() < 0.6 ? 'A' : rand() < 0.8 ? 'AAAA' : 'HTTPS';
  line(`query[${type}] ${name} from ${client}`);
  if (r < 0.15) return line(`gravity blocked ${name} is ${type === 'AAAA' ? '::' : '0.0.0.0'}`);
  const chain = rand() < 0.3 ? [`${name.split('.')[0]}.${pick(CDN_TARGETS)}`] : [];
  const ips = type === 'A' ? Array.from({ length: 1 + int(3) }, () => ipv4(34 + int(150), int(256))) : [];
  const verb = r < 0.5 ? 'cached' : 'reply';
  const lines = answer(verb, name, chain, ips);
  if (ips.length === 0) lines.push(`${verb} ${chain.at(-1) ?? name} is ${type === 'AAAA' ? 'NODATA-IPv6' : 'NODATA'}`);
  if (verb === 'cached') return lines.forEach(line);
  line(`forwarded ${name} to ${pick(UPSTREAMS)}`);
  later(lines);
}

// What a correct reader must find: Netflix queries (blocked ones among them) and served addresses.
const truth = { queries: 0, blocked: 0, served: 0 };

function netflix() {
  truth.queries++;
  const r = rand();
  if (r < 0.45) {
    const name = pick(OCA);
    line(`query[A] ${name} from ${playingScreen()}`);
    truth.served++;
    if (rand() < 0.5) return line(`cached ${name} is 45.57.${int(256)}.${1 + int(254)}`);
    line(`forwarded ${name} to ${pick(UPSTREAMS)}`);
    return later([`reply ${name} is 45.57.${int(256)}.${1 + int(254)}`]);
  }
  const client = rand() < 0.7 ? playingScreen() : pick(CLIENTS);
  if (r < 0.75) {
    const name = pick(NETFLIX_UI);
    const first = name.split('.')[0];
    const v6 = rand() < 0.3;
    const ips = v6 ? [`2a05:d018:76c:b6${int(10)}:${int(65536).toString(16)}:${int(65536).toString(16)}:7b1:${int(65536).toString(16)}`] : [ipv4(54, 155), ipv4(52, 17), ipv4(3, 251)];
    truth.served += ips.length;
    line(`query[${v6 ? 'AAAA' : 'A'}] ${name} from ${client}`);
    line(`forwarded ${name} to ${pick(UPSTREAMS)}`);
    return later(answer('reply', name, [`${first}.geo.netflix.com`, `${first}.eu-west-1.internal.dataplane.netflix.com`], ips));
  }
  if (r < 0.9) {
    const name = `occ-0-${1000 + int(9000)}-${100 + int(900)}.1.nflxso.net`;
    truth.served += 2;
    line(`query[A] ${name} from ${client}`);
    line(`forwarded ${name} to ${pick(UPSTREAMS)}`);
    return later(answer('reply', name, [`e${int(99999)}.dscb.akamaiedge.net`], [ipv4(23, 32 + int(20)), ipv4(23, 32 + int(20))]));
  }
  const blocked = pick(['customerevents.netflix.com', 'ichnaea-web.netflix.com']);
  truth.blocked++;
  line(`query[A] ${blocked} from ${client}`);
  line(`gravity blocked ${blocked} is 0.0.0.0`);
}

function dhcp() {
  const mac = Array.from({ length: 6 }, () => int(256).toString(16).padStart(2, '0')).join(':');
  const ip = pick(CLIENTS.slice(0, 8));
  const pre = stamp().replace('dnsmasq[812]', 'dnsmasq-dhcp[812]');
  for (const m of [`DHCPREQUEST(eth0) ${ip} ${mac}`, `DHCPACK(eth0) ${ip} ${mac} host-${ip.split('.')[3]}`]) {
    buf.push(pre + m + '\n');
    written++;
  }
}

while (written < TARGET) {
  now += stepMs * (0.2 + rand() * 1.6);
  const r = rand();
  if (r < 0.027) netflix();
  else if (r < 0.0275) dhcp();
  else noise();
  tickDelayed();
}
// Answers still in flight: write them, so that every query in the file has its reply.
for (const d of delayed) for (const l of d.lines) line(l);
flush();
closeSync(fd);
console.log(`${out}: ${written} lines; Netflix: ${truth.queries} queries (${truth.blocked} blocked), ${truth.served} served addresses`);
