#!/usr/bin/env node
// Writes the demo household in fixtures/household/ (pihole.log, dhcp.leases) from the story below,
// with the household generator's model of real Netflix clients (bench/household/clients.mjs, whose
// evidence is src/core/services/netflix.md): a play resolves one to three video names when it
// starts and then rarely; its telemetry (ichnaea, logs, customerevents) keeps the playing cadence;
// an app left open phones home a few times an hour; browsing loads artwork. The play times below
// are fixed; the seconds of each lookup come from a seeded generator, so every run writes the same
// bytes. Rerun it only to change the story (and then the tests that tell it: test/cli/household.test.ts).
//
//   node scripts/make-household.mjs [DIR]     (DIR defaults to fixtures/household)
//
// The story (Europe/Amsterdam, UTC+1; Friday 20 and Saturday 21 November 2026). A play runs from
// its first video byte to its last; fixtures/viewing/ViewingActivity.csv is the same account's
// Netflix export, with plays at home and away.
//   Fri 07:30-07:50  Sam's Pixel (randomized MAC), Mum's episode before work
//   Fri 19:00-20:45  Living room TV (Samsung app), Dad's film; afterwards the TV stays on the
//                    Netflix home screen all night (phone-home bursts until Sat 07:10, no viewing)
//   Fri 20:10-21:00  Kids iPad
//   Fri 20:30-21:25  Bedroom Fire TV, Mum: a third screen (the plan allows 2) -> concurrent_streams.
//                    The Fire TV runs Netflix's Android TV app (com.netflix.ninja: PRProd/HA-Firemote#391
//                    on a Fire TV, xdanik/android-fake-netflix#1 on Android TV), the client netflix.md
//                    finds taking video addresses from the manifest (S4, S5, S23; an estimate for
//                    today's app): it never resolves a video name, so nfmon can only infer its plays
//   Fri 23:40-00:35  Bedroom Fire TV, Dad, past midnight -> quiet_hours (00:00-06:00)
//   Sat 02:15-02:50  Kids iPad at night -> quiet_hours
//   Sat 12:10-12:20  Sam's Pixel browses the catalogue and plays nothing
//   Sat 14:00-14:40  a guest's phone nobody registered (Redmi, joins the Wi-Fi at 13:50) -> unknown_device
//   Sat 15:00-17:00  the Laptop has a Netflix tab open and never plays: it never streams
//   Sat 21:00-22:30  Living room TV, Dad
//   all the time     both phones' apps phone home in the background; the Pixel is away Fri 08:15-18:00
//                    and Sat 16:00-18:30, the iPad Sat 10:30-12:30 (their away plays are in the export)
//   Sat 04:30        Pi-hole restarts (its cache is lost, a new dnsmasq pid)
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { lookupsOfPlay } from '../bench/gen-household.mjs';
import { browse, appStart, idleApp, idleTab, phoneBackground } from '../bench/household/clients.mjs';
import { PiholeLog } from '../bench/household/pihole.mjs';
import { makeRng, makeZone } from '../bench/household/time.mjs';

const out = process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'household');

/** The six devices of the lease file; `kind` is the Netflix client (bench/household/clients.mjs). */
export const DEVICES = {
  tv: { ip: '192.168.1.20', mac: '10:30:47:3c:5a:01', hostname: 'Samsung-TV', kind: 'tv_app' },
  ipad: { ip: '192.168.1.21', mac: '10:29:59:7a:22:02', hostname: 'iPad', kind: 'phone_app_ios' },
  firetv: { ip: '192.168.1.22', mac: '10:96:93:1e:33:03', hostname: 'amazon-fire-tv', kind: 'android_tv_direct_ip' },
  pixel: { ip: '192.168.1.23', mac: 'da:a1:19:4e:55:04', hostname: 'Pixel-7', kind: 'phone_app_android' },
  laptop: { ip: '192.168.1.30', mac: '10:51:07:aa:66:05', hostname: 'laptop', kind: 'browser' },
  guest: { ip: '192.168.1.40', mac: '18:59:36:bb:77:06', hostname: 'Redmi-Note-12', kind: 'phone_app_android' },
};

const zone = makeZone('Europe/Amsterdam');
/** Local wall time on 20 or 21 November -> epoch ms. */
const at = (day, h, m, s = 0) => zone.fromLocal(2026, 11, day, h, m, s);
const FROM = at(20, 0, 0);
// The last line must stay before the time the demo gives the file (Sun 00:00 local), or its year
// would be inferred as 2025.
const TO = at(21, 23, 59);

/** The story's activities, in the generator's shape: {type, device, start, end}. */
export const STORY = [
  { type: 'play', device: 'pixel', start: at(20, 7, 30), end: at(20, 7, 50) },
  { type: 'play', device: 'tv', start: at(20, 19, 0), end: at(20, 20, 45) },
  { type: 'idle', device: 'tv', start: at(20, 20, 48), end: at(21, 7, 10) },
  { type: 'play', device: 'ipad', start: at(20, 20, 10), end: at(20, 21, 0) },
  { type: 'play', device: 'firetv', start: at(20, 20, 30), end: at(20, 21, 25) },
  { type: 'play', device: 'firetv', start: at(20, 23, 40), end: at(21, 0, 35) },
  { type: 'play', device: 'ipad', start: at(21, 2, 15), end: at(21, 2, 50) },
  { type: 'browse', device: 'pixel', start: at(21, 12, 10), end: at(21, 12, 20) },
  { type: 'play', device: 'guest', start: at(21, 14, 0), end: at(21, 14, 40) },
  { type: 'tab', device: 'laptop', start: at(21, 15, 0), end: at(21, 17, 0) },
  { type: 'play', device: 'tv', start: at(21, 21, 0), end: at(21, 22, 30) },
];

/** When each device is at home (the guest only for its visit); absent devices ask nothing. */
const PRESENT = {
  pixel: [[FROM, at(20, 8, 15)], [at(20, 18, 0), at(21, 16, 0)], [at(21, 18, 30), TO]],
  ipad: [[FROM, at(21, 10, 30)], [at(21, 12, 30), TO]],
  guest: [[at(21, 13, 50), at(21, 15, 20)]],
};
const present = (key, ts) => (PRESENT[key] ?? [[FROM, TO]]).some(([a, b]) => ts >= a && ts < b);

const rng = makeRng(20261120);
const lookups = [];
for (const a of STORY) {
  const dev = DEVICES[a.device];
  if (a.type === 'play') lookupsOfPlay(a, dev, STORY, rng, lookups);
  else if (a.type === 'idle') idleApp(dev.kind, dev.ip, a.start, a.end, rng, lookups);
  else if (a.type === 'tab') idleTab(dev.ip, a.start, a.end, rng, lookups);
  else if (a.type === 'browse') {
    appStart(dev.kind, dev.ip, a.start, rng, lookups);
    browse(dev.kind, dev.ip, a.start, a.end, rng, lookups);
  }
}
// The phones keep the app in the background whenever they are home.
for (const key of ['pixel', 'ipad']) {
  for (const [a, b] of PRESENT[key]) phoneBackground(DEVICES[key].kind, DEVICES[key].ip, a, b, rng, lookups);
}

const log = new PiholeLog(zone, rng);
const byIp = new Map(Object.entries(DEVICES).map(([key, d]) => [d.ip, key]));
// Household noise from every device (and the Pi itself), thinned to every 2-8 minutes on average
// so that two days stay a readable fixture.
const noise = log.noise(Object.values(DEVICES), FROM, TO).filter((l) => {
  const key = byIp.get(l.ip);
  return (key === undefined || present(key, l.ts)) && rng.chance(0.5);
});
log.renderAll([...lookups, ...noise].filter((l) => l.ts >= FROM && l.ts < TO), at(21, 4, 30));
log.dhcp(Object.entries(DEVICES).filter(([key]) => key !== 'guest').map(([, d]) => d), FROM, TO);
// The guest's phone joins the Wi-Fi: dnsmasq's DHCP lines (log_packet() in dnsmasq's src/rfc2131.c:
// a line without a host name ends in a space).
const { guest } = DEVICES;
const join0 = at(21, 13, 50, 12);
log.emit(join0, `DHCPDISCOVER(eth0) ${guest.mac} `, 'dnsmasq-dhcp[20931]');
log.emit(join0, `DHCPOFFER(eth0) ${guest.ip} ${guest.mac} `, 'dnsmasq-dhcp[20931]');
log.emit(join0 + 40, `DHCPREQUEST(eth0) ${guest.ip} ${guest.mac} `, 'dnsmasq-dhcp[20931]');
log.emit(join0 + 40, `DHCPACK(eth0) ${guest.ip} ${guest.mac} ${guest.hostname}`, 'dnsmasq-dhcp[20931]');

mkdirSync(out, { recursive: true });
const text = log.text();
writeFileSync(join(out, 'pihole.log'), text);

// dhcp.leases as read on Saturday evening: 24 h leases, renewed at half time.
const expiry = Date.UTC(2026, 10, 22, 9, 0) / 1000;
const leases = Object.values(DEVICES).map((d, i) => `${expiry + i * 97} ${d.mac} ${d.ip} ${d.hostname} 01:${d.mac}`);
writeFileSync(join(out, 'dhcp.leases'), `${leases.join('\n')}\n`);
console.log(`wrote ${text.split('\n').length - 1} log lines and ${leases.length} leases to ${out}`);
