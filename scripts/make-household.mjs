#!/usr/bin/env node
// Writes the demo household in fixtures/household/: two days of a Pi-hole log (Europe/Amsterdam
// local time, as Pi-hole writes it) and the dnsmasq lease file. Deterministic: the committed
// fixtures are its output; rerun it only to change the story told below.
//
// The story (local time, 20-21 November 2026):
//   all day   the TV's Netflix app pings api-global.netflix.com in the background (no viewing)
//   Fri 07:30 Pixel phone (randomized MAC), 20 min
//   Fri 19:00 living-room TV, movie until 20:45
//   Fri 20:10 iPad joins (2 screens: allowed)
//   Fri 20:30 Fire TV joins: a third screen -> concurrent_streams
//   Fri 23:40 Fire TV until 00:35 -> quiet_hours when it enters 00:00
//   Sat 02:15 iPad at night -> quiet_hours
//   Sat 03:12 iPad app refreshes artwork (nflxso.net) in the background: no session, no alert
//   Sat 14:00 a guest's phone nobody registered -> unknown_device
//   Sat 21:00 TV again until 22:30
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const out = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'household');
mkdirSync(out, { recursive: true });

let seed = 20261120;
const rand = () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const pick = (list) => list[Math.floor(rand() * list.length)];

export const DEVICES = {
  tv: { ip: '192.168.1.20', mac: '10:30:47:3c:5a:01', host: 'Samsung-TV' },
  ipad: { ip: '192.168.1.21', mac: '10:29:59:7a:22:02', host: 'iPad' },
  firetv: { ip: '192.168.1.22', mac: '10:96:93:1e:33:03', host: 'amazon-fire-tv' },
  pixel: { ip: '192.168.1.23', mac: 'da:a1:19:4e:55:04', host: 'Pixel-7' },
  laptop: { ip: '192.168.1.30', mac: '10:51:07:aa:66:05', host: 'laptop' },
  guest: { ip: '192.168.1.40', mac: '18:59:36:bb:77:06', host: 'Redmi-Note-12' },
};

// Local wall time (Europe/Amsterdam is UTC+1 in November) -> seconds since epoch.
const local = (day, h, m, s = 0) => Date.UTC(2026, 10, day, h - 1, m, s) / 1000;

const lines = [];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
function stamp(t) {
  const d = new Date((t + 3600) * 1000); // shown in local time
  const p = (n) => String(n).padStart(2, '0');
  return `${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, ' ')} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`;
}
const emit = (t, msg, prog = 'dnsmasq[812]') => lines.push({ t, text: `${stamp(t)} ${prog}: ${msg}` });

function lookup(t, name, client, answers, type = 'A') {
  emit(t, `query[${type}] ${name} from ${client}`);
  if (answers === 'blocked') return emit(t, `gravity blocked ${name} is ${type === 'AAAA' ? '::' : '0.0.0.0'}`);
  const cached = rand() < 0.3;
  if (!cached) emit(t, `forwarded ${name} to 1.1.1.1`);
  const verb = cached ? 'cached' : 'reply';
  for (const [n, v] of answers) emit(t, `${verb} ${n} is ${v}`);
}

const NOISE = [
  ['www.google.com', [['www.google.com', '142.250.179.196']]],
  ['connectivitycheck.gstatic.com', [['connectivitycheck.gstatic.com', '142.250.179.163']]],
  ['time.apple.com', [['time.apple.com', '<CNAME>'], ['time.g.aaplimg.com', '17.253.52.253']]],
  ['api.spotify.com', [['api.spotify.com', '<CNAME>'], ['edge-web.dual-gslb.spotify.com', '35.186.224.25']]],
  ['weather.com', [['weather.com', '23.45.120.10']]],
  ['github.com', [['github.com', '140.82.121.4']]],
  ['device-metrics-us.amazon.com', [['device-metrics-us.amazon.com', '52.46.133.10']]],
  ['samsungcloudsolution.com', [['samsungcloudsolution.com', 'NXDOMAIN']]],
  ['www.youtube.com', [['www.youtube.com', '<CNAME>'], ['youtube-ui.l.google.com', '142.250.179.174']]],
  ['graph.facebook.com', [['graph.facebook.com', '<CNAME>'], ['star.c10r.facebook.com', '157.240.201.15']]],
];
const BLOCKED = ['pubads.g.doubleclick.net', 'app-measurement.com', 'samsungads.com', 'logs.netflix.com.ads.example'];

// Background noise: every device, every one to four minutes, around the clock.
for (const [key, dev] of Object.entries(DEVICES)) {
  if (key === 'guest') continue;
  for (let t = local(20, 0, 0) + Math.floor(rand() * 60); t < local(21, 23, 59); t += 60 + Math.floor(rand() * 180)) {
    if (rand() < 0.12) lookup(t, pick(BLOCKED), dev.ip, 'blocked');
    else {
      const [name, answers] = pick(NOISE);
      lookup(t, name, dev.ip, answers, rand() < 0.2 ? 'AAAA' : 'A');
    }
  }
}
// The Pi itself, and an IPv6 client.
for (let t = local(20, 0, 5); t < local(21, 23, 59); t += 900) {
  lookup(t, 'pi.hole', '127.0.0.1', [['pi.hole', '192.168.1.2']]);
  lookup(t + 7, 'www.google.com', 'fe80::1c2d:3eff:fe4f:5a6b', [['www.google.com', '2a00:1450:400e:811::2004']], 'AAAA');
}

// The TV's app in the background: API pings all day, which are not viewing.
for (let t = local(20, 0, 17); t < local(21, 23, 59); t += 47 * 60) {
  lookup(t, 'api-global.netflix.com', DEVICES.tv.ip, [
    ['api-global.netflix.com', '<CNAME>'],
    ['api-global.geo.netflix.com', '<CNAME>'],
    ['api-global.eu-west-1.internal.dradis.netflix.com', '54.155.178.5'],
  ]);
}
lookup(local(21, 3, 12), 'occ-0-2794-2219.1.nflxso.net', DEVICES.ipad.ip, [['occ-0-2794-2219.1.nflxso.net', '<CNAME>'], ['occ-0-2794-2219.nflxso.net', '45.57.91.1']]);

let oca = 0;
function watch(dev, from, to) {
  lookup(from - 40, 'www.netflix.com', dev.ip, [['www.netflix.com', '<CNAME>'], ['www.dradis.netflix.com', '<CNAME>'], ['www.eu-west-1.internal.dradis.netflix.com', '54.74.73.31']]);
  lookup(from - 35, 'occ-0-2794-2219.1.nflxso.net', dev.ip, [['occ-0-2794-2219.1.nflxso.net', '<CNAME>'], ['occ-0-2794-2219.nflxso.net', '45.57.91.1']]);
  lookup(from - 30, 'assets.nflxext.com', dev.ip, [['assets.nflxext.com', '<CNAME>'], ['assets.nflxext.com.edgesuite.net', '<CNAME>'], ['a1907.dscg.akamai.net', '2.16.186.11']]);
  for (let t = from; t <= to; t += 180 + Math.floor(rand() * 120)) {
    oca = (oca % 40) + 1;
    const name = `ipv4-c${String(oca).padStart(3, '0')}-ams00${1 + (oca % 3)}-ix.1.oca.nflxvideo.net`;
    lookup(t, name, dev.ip, [[name, `45.57.${90 + (oca % 4)}.${oca}`]]);
  }
  const last = `ipv4-c099-ams001-ix.1.oca.nflxvideo.net`;
  lookup(to, last, dev.ip, [[last, '45.57.90.99']]);
}

watch(DEVICES.pixel, local(20, 7, 30), local(20, 7, 50));
watch(DEVICES.tv, local(20, 19, 0), local(20, 20, 45));
watch(DEVICES.ipad, local(20, 20, 10), local(20, 21, 0));
watch(DEVICES.firetv, local(20, 20, 30), local(20, 20, 50));
watch(DEVICES.firetv, local(20, 23, 40), local(21, 0, 35));
watch(DEVICES.ipad, local(21, 2, 15), local(21, 2, 50));
watch(DEVICES.guest, local(21, 14, 0), local(21, 14, 40));
watch(DEVICES.tv, local(21, 21, 0), local(21, 22, 30));

// A Pi-hole restart and DHCP chatter, as real logs have.
const restart = local(21, 4, 30);
emit(restart, 'exiting on receipt of SIGTERM');
emit(restart + 2, 'started, version pi-hole-v2.90+1 cachesize 10000');
emit(restart + 2, 'compile time options: IPv6 GNU-getopt no-DBus no-UBus no-i18n IDN2 DHCP DHCPv6 Lua TFTP no-conntrack ipset no-nftset auth cryptohash DNSSEC loop-detect inotify dumpfile');
emit(restart + 2, 'using nameserver 1.1.1.1#53');
emit(restart + 2, 'read /etc/hosts - 8 names');
emit(local(21, 13, 58), `DHCPREQUEST(eth0) ${DEVICES.guest.ip} ${DEVICES.guest.mac}`, 'dnsmasq-dhcp[812]');
emit(local(21, 13, 58), `DHCPACK(eth0) ${DEVICES.guest.ip} ${DEVICES.guest.mac} ${DEVICES.guest.host}`, 'dnsmasq-dhcp[812]');

lines.sort((a, b) => a.t - b.t);
writeFileSync(join(out, 'pihole.log'), lines.map((l) => l.text).join('\n') + '\n');

// dhcp.leases as read on Saturday evening: 24 h leases, renewed at half time.
const expiry = local(22, 10, 0);
const leases = Object.values(DEVICES).map((d, i) => `${expiry + i * 97} ${d.mac} ${d.ip} ${d.host} 01:${d.mac}`);
writeFileSync(join(out, 'dhcp.leases'), leases.join('\n') + '\n');
console.log(`wrote ${lines.length} log lines and ${leases.length} leases to ${out}`);
