#!/usr/bin/env node
// Writes household days from the public evidence of how Netflix clients behave
// (src/core/services/netflix.md), with the truth a correct monitor should find:
//
//   node bench/gen-household.mjs --days 2 --seed 7 --out DIR [--pcap]
//   import { generateHousehold } from './gen-household.mjs'
//
// DIR/pihole.log    the query log as Pi-hole's dnsmasq writes it (local time, no year), with the
//                   household's ordinary DNS around the Netflix lookups
// DIR/dhcp.leases   dnsmasq's lease file as read at the end
// DIR/config.yaml   nfmon's config: time zone, known devices and their trust, quiet hours
// DIR/captures/     (--pcap) a headers-only capture of each play's video flows
// DIR/pihole-FTL.db  (--ftl-db) the same queries as Pi-hole's database holds them, with the
//                   network table (MACs, vendors, host names); --ftl-mock KEY lists a device
//                   under FTL's mock hardware address ip-<address> instead of its MAC
// DIR/truth.json    each play (device, client kind, start = first video byte, end = last, whether
//                   it resolved a video name, in quiet hours), idle apps, browsing, expected alerts
//
// Deterministic: the same seed writes the same files. Dates start on Monday 9 November 2026
// (Europe/Amsterdam), and file times are set to the end of the last day so the year inference
// (no event after the file's mtime) places every line.
import { mkdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { appStart, browse, homeScreen, idleApp, idleTab, KINDS, phoneBackground, playLookups, truthKind } from './household/clients.mjs';
import { writeFtlDatabase } from './household/ftl.mjs';
import { writePlayCapture } from './household/pcap.mjs';
import { PiholeLog } from './household/pihole.mjs';
import { DEVICES, expectedAlerts, MAX_STREAMS, OTHER_DEVICES, planDays, QUIET_HOURS, spanEnd } from './household/plan.mjs';
import { firstInWindow, iso, makeRng, makeZone, MINUTE, parseWindow, SECOND } from './household/time.mjs';

const TZ = 'Europe/Amsterdam';
const START = [2026, 11, 9];

/** Generates the household into `out` and returns its truth (also written to truth.json). */
export function generateHousehold({ days = 2, seed = 1, out, pcap = false, ftlDb = false, ftlMock = [] } = {}) {
  if (!out) throw new Error('generateHousehold: out (a directory) is required');
  if (!(days >= 1 && days <= 20)) throw new Error('generateHousehold: days must be 1..20');
  const rng = makeRng(seed);
  const zone = makeZone(TZ);
  const [y, mo, d] = START;
  const from = zone.fromLocal(y, mo, d, 0, 0);
  const to = spanEnd(zone, y, mo, d, days);
  const acts = planDays(zone, y, mo, d, days, rng);
  const byKey = Object.fromEntries(DEVICES.map((dev) => [dev.key, dev]));

  const lookups = [];
  const plays = [];
  for (const a of acts) {
    const dev = byKey[a.device];
    if (a.type === 'play') plays.push({ act: a, dev, ...lookupsOfPlay(a, dev, acts, rng, lookups) });
    else if (a.type === 'browse') {
      appStart(dev.kind, dev.ip, a.start, rng, lookups);
      browse(dev.kind, dev.ip, a.start, a.end, rng, lookups);
    } else if (a.type === 'idle') idleApp(dev.kind, dev.ip, a.start, a.end, rng, lookups);
    else if (a.type === 'tab') idleTab(dev.ip, a.start, a.end, rng, lookups);
    else if (a.type === 'background') phoneBackground(dev.kind, dev.ip, a.start, a.end, rng, lookups);
  }

  const log = new PiholeLog(zone, rng);
  const guestPlay = plays.find((p) => p.dev.key === 'guest');
  const present = [...DEVICES.filter((dev) => dev.key !== 'guest'), ...OTHER_DEVICES];
  const noise = log.noise(present, from, to);
  if (guestPlay) noise.push(...log.noise([byKey.guest], guestPlay.act.start - 60 * MINUTE, guestPlay.act.end + 90 * MINUTE));
  const restartAt = zone.fromLocal(y, mo, d + Math.min(1, days - 1), 4, 30);
  log.renderAll([...lookups, ...noise].filter((l) => l.ts >= from && l.ts < to), restartAt);
  log.dhcp(present, from, to);

  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const files = { pihole_log: join(out, 'pihole.log'), leases: join(out, 'dhcp.leases'), config: join(out, 'config.yaml'), captures: [] };
  writeFileSync(files.pihole_log, log.text());
  writeFileSync(files.leases, leasesText(to, rng));
  writeFileSync(files.config, configText());
  if (ftlDb) {
    files.pihole_db = join(out, 'pihole-FTL.db');
    writeFtlDatabase(files.pihole_db, { queries: log.queries, devices: present.concat(byKey.guest), mock: ftlMock, from, to, seed });
  }

  const truthPlays = plays.map((p, i) => truthPlay(p, i, zone));
  if (pcap) {
    mkdirSync(join(out, 'captures'), { recursive: true });
    truthPlays.forEach((tp, i) => {
      const p = plays[i];
      const file = join(out, 'captures', `play-${tp.id}.pcap`);
      const mbps = rng.between(...KINDS[p.dev.kind].mbps);
      tp.bytes_down = writePlayCapture(file, p.dev, p.act, p.ocaIps, mbps, rng);
      tp.capture = file;
      files.captures.push(file);
    });
  }
  const truth = {
    generator: { seed, days, time_zone: TZ, from: iso(from), to: iso(to), quiet_hours: QUIET_HOURS, max_concurrent_streams: MAX_STREAMS },
    files,
    devices: DEVICES.map((dev) => ({ mac: dev.mac, ip: dev.ip, name: dev.name, hostname: dev.hostname, client_kind: truthKind(dev.kind), trust: dev.trust, in_config: dev.config !== false, quiet_hours: dev.quietHours ?? null })),
    plays: truthPlays.map(({ startMs: _s, endMs: _e, ...rest }) => rest),
    idle_periods: acts.filter((a) => ['idle', 'tab', 'background'].includes(a.type)).map((a) => ({
      device_mac: byKey[a.device].mac, kind: { idle: 'app_home_screen', tab: 'browser_tab', background: 'phone_background' }[a.type], start: iso(a.start), end: iso(Math.min(a.end, to)),
    })),
    browsing: acts.filter((a) => a.type === 'browse').map((a) => ({ device_mac: byKey[a.device].mac, start: iso(a.start), end: iso(a.end) })),
    expected_alerts: expectedAlerts(zone, truthPlays, DEVICES).map((e) => ({ ...e, at: iso(e.at) })),
  };
  writeFileSync(join(out, 'truth.json'), `${JSON.stringify(truth, null, 2)}\n`);
  // mtime = end of the span: the log reader infers the year so that no line lies after it.
  for (const f of [files.pihole_log, files.leases]) utimesSync(f, to / 1000, to / 1000);
  return truth;
}

/** App start (unless the app sat open on the home screen), browsing, the play, the home screen. */
export function lookupsOfPlay(a, dev, acts, rng, out) {
  const wasOpen = acts.some((o) => o.device === a.device && o.type === 'idle' && o.start <= a.start && o.end >= a.start - 5 * MINUTE);
  const lead = rng.between(0.5, 5) * MINUTE;
  if (!wasOpen) appStart(dev.kind, dev.ip, a.start - lead, rng, out);
  browse(dev.kind, dev.ip, a.start - lead + 20 * SECOND, a.start - 30 * SECOND, rng, out);
  const { ocaIps } = playLookups(dev.kind, dev.ip, a, rng, out);
  const idleAfter = acts.some((o) => o.device === a.device && (o.type === 'idle' || o.type === 'tab') && Math.abs(o.start - a.end) < 10 * MINUTE);
  if (idleAfter || rng.chance(0.4)) homeScreen(dev.kind, dev.ip, a.end + 30 * SECOND, rng, out);
  return { ocaIps };
}

function truthPlay(p, i, zone) {
  const window = p.dev.quietHours ?? QUIET_HOURS;
  const inQuiet = firstInWindow(zone, p.act.start, p.act.end, parseWindow(window)) !== undefined;
  return {
    id: `p${i + 1}`,
    device_mac: p.dev.mac,
    ip: p.dev.ip,
    client_kind: truthKind(p.dev.kind),
    start: iso(p.act.start),
    end: iso(p.act.end),
    duration_min: Math.round((p.act.end - p.act.start) / MINUTE),
    resolves_video_name: KINDS[p.dev.kind].resolvesVideo,
    in_quiet_hours: inQuiet,
    quiet_hours: window,
    startMs: p.act.start,
    endMs: p.act.end,
  };
}

/** dnsmasq's lease file at the end of the span: 24 h leases renewed at half time. */
function leasesText(to, rng) {
  return [...DEVICES, ...OTHER_DEVICES]
    .map((dev) => `${Math.round(to / 1000 + rng.between(6, 12) * 3600)} ${dev.mac} ${dev.ip} ${dev.hostname} 01:${dev.mac}`)
    .join('\n')
    .concat('\n');
}

function configText() {
  const lines = [
    '# Generated by bench/gen-household.mjs: the household the accuracy benchmark runs on.',
    `timezone: ${TZ}`,
    'rules:',
    `  quiet_hours: "${QUIET_HOURS}"`,
    `  max_concurrent_streams: ${MAX_STREAMS}`,
    'devices:',
  ];
  for (const dev of DEVICES.filter((x) => x.config !== false)) {
    lines.push(`  - mac: "${dev.mac}"`, `    name: "${dev.name}"`, `    trust: ${dev.trust}`);
    if (dev.quietHours) lines.push(`    quiet_hours: "${dev.quietHours}"`);
  }
  return `${lines.join('\n')}\n`;
}

function parseArgs(argv) {
  const opts = { days: 2, seed: 1, out: undefined, pcap: false, ftlDb: false, ftlMock: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => argv[++i];
    if (a === '--days') opts.days = Number(val());
    else if (a === '--seed') opts.seed = Number(val());
    else if (a === '--out') opts.out = val();
    else if (a === '--pcap') opts.pcap = true;
    else if (a === '--ftl-db') opts.ftlDb = true;
    else if (a === '--ftl-mock') opts.ftlMock.push(val());
    else throw new Error(`unknown argument ${a}`);
  }
  if (!opts.out || !Number.isInteger(opts.seed) || !Number.isInteger(opts.days)) throw new Error('usage: node bench/gen-household.mjs --out DIR [--days N] [--seed N] [--pcap] [--ftl-db [--ftl-mock KEY]...]');
  return opts;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  let opts;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (err) {
    console.error(`gen-household: ${err.message}`);
    process.exit(2);
  }
  const t = generateHousehold(opts);
  const direct = t.plays.filter((p) => !p.resolves_video_name).length;
  console.log(`${opts.out}: ${t.plays.length} plays (${direct} direct-IP), ${t.browsing.length} browsing, ${t.idle_periods.length} idle periods, ${t.expected_alerts.length} expected alerts`);
}
