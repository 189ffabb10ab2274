#!/usr/bin/env node
// Writes a long history of a 10-device home, ending at a given time (default now), for the
// first-start tests of issue 10 ("history is recorded, not pushed"):
//
//   node bench/gen-history.mjs --days 360 --out DIR [--end ISO] [--seed N] [--tz ZONE]
//
// The households' days come from bench/household (the same plan, clients and Pi-hole rendering as
// gen-household.mjs, whose evidence is in src/core/services/netflix.md): six Netflix devices and
// four that never use it. The household's ordinary DNS is thinned to one lookup per device every
// 15-45 minutes, so that a year stays around a million lines; it only has to be there, not dense.
// DIR/pihole.log (mtime = end), DIR/dhcp.leases, DIR/config.yaml, DIR/truth.json (plays and the
// alerts a correct monitor raises, with their times). The log is rendered a month at a time so a
// year does not need its lines in memory at once. At most 360 days: the log has no year, and a
// line a full year before the file's mtime would be read as this year's.
import { closeSync, mkdirSync, openSync, rmSync, utimesSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { appStart, browse, homeScreen, idleApp, idleTab, phoneBackground, playLookups } from './household/clients.mjs';
import { NOISE_NAMES } from './household/names.mjs';
import { PiholeLog } from './household/pihole.mjs';
import { DEVICES, expectedAlerts, MAX_STREAMS, OTHER_DEVICES, planDays, QUIET_HOURS } from './household/plan.mjs';
import { firstInWindow, iso, makeRng, makeZone, MINUTE, parseWindow, SECOND } from './household/time.mjs';

const DAY = 24 * 60 * MINUTE;
/** Four devices that never use Netflix (with the plan's two, and its six that do: ten). */
const QUIET_DEVICES = [
  ...OTHER_DEVICES,
  { hostname: 'Nest-Thermostat', mac: '18:b4:30:12:34:0a', ip: '192.168.1.52' },
  { hostname: 'Desktop-PC', mac: '70:85:c2:56:78:0b', ip: '192.168.1.53' },
];

export function generateHistory({ days = 360, end = Date.now(), seed = 1, out, tz = 'UTC' } = {}) {
  if (!out) throw new Error('generateHistory: out (a directory) is required');
  if (!(days >= 1 && days <= 360)) throw new Error('generateHistory: days must be 1..360');
  const rng = makeRng(seed);
  const zone = makeZone(tz);
  const to = Math.floor(end / SECOND) * SECOND;
  const w0 = zone.wall(to - days * DAY);
  const [y, mo, d] = [w0.getUTCFullYear(), w0.getUTCMonth() + 1, w0.getUTCDate()];
  const from = zone.fromLocal(y, mo, d, 0, 0);
  const acts = planDays(zone, y, mo, d, days, rng).filter((a) => a.start < to);
  const byKey = Object.fromEntries(DEVICES.map((dev) => [dev.key, dev]));

  const lookups = [];
  const plays = [];
  for (const a of acts) {
    const dev = byKey[a.device];
    if (a.type === 'play') {
      const lead = rng.between(0.5, 5) * MINUTE;
      appStart(dev.kind, dev.ip, a.start - lead, rng, lookups);
      browse(dev.kind, dev.ip, a.start - lead + 20 * SECOND, a.start - 30 * SECOND, rng, lookups);
      playLookups(dev.kind, dev.ip, a, rng, lookups);
      if (rng.chance(0.4)) homeScreen(dev.kind, dev.ip, a.end + 30 * SECOND, rng, lookups);
      plays.push({ id: `p${plays.length + 1}`, device_mac: dev.mac, startMs: a.start, endMs: Math.min(a.end, to) });
    } else if (a.type === 'browse') {
      appStart(dev.kind, dev.ip, a.start, rng, lookups);
      browse(dev.kind, dev.ip, a.start, a.end, rng, lookups);
    } else if (a.type === 'idle') idleApp(dev.kind, dev.ip, a.start, a.end, rng, lookups);
    else if (a.type === 'tab') idleTab(dev.ip, a.start, a.end, rng, lookups);
    else if (a.type === 'background') phoneBackground(dev.kind, dev.ip, a.start, a.end, rng, lookups);
  }
  const everyone = [...DEVICES, ...QUIET_DEVICES];
  for (const dev of everyone) {
    for (let t = from + rng.between(0, 30) * MINUTE; t < to; t += rng.between(15, 45) * MINUTE) {
      lookups.push({ ts: t, ip: dev.ip, name: rng.pick(NOISE_NAMES), qtype: 'A' });
    }
  }
  const inSpan = lookups.filter((l) => l.ts >= from && l.ts < to).sort((a, b) => a.ts - b.ts);

  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const files = { pihole_log: join(out, 'pihole.log'), leases: join(out, 'dhcp.leases'), config: join(out, 'config.yaml') };
  const fd = openSync(files.pihole_log, 'w');
  let lines = 0;
  let i = 0;
  for (let chunk = from; chunk < to; chunk += 30 * DAY) {
    const log = new PiholeLog(zone, rng);
    const part = [];
    while (i < inSpan.length && inSpan[i].ts < chunk + 30 * DAY) part.push(inSpan[i++]);
    log.renderAll(part, Infinity);
    log.dhcp(everyone, chunk, Math.min(chunk + 30 * DAY, to));
    const text = log.text();
    lines += log.lines.length;
    writeSync(fd, text);
  }
  closeSync(fd);
  writeFileSync(files.leases, everyone.map((dev) => `${Math.round(to / 1000 + rng.between(6, 12) * 3600)} ${dev.mac} ${dev.ip} ${dev.hostname} 01:${dev.mac}`).join('\n').concat('\n'));
  writeFileSync(files.config, configText(tz));
  const truthPlays = plays.map((p) => {
    const dev = DEVICES.find((x) => x.mac === p.device_mac);
    const window = dev.quietHours ?? QUIET_HOURS;
    return { ...p, in_quiet_hours: firstInWindow(zone, p.startMs, p.endMs, parseWindow(window)) !== undefined };
  });
  const expected = expectedAlerts(zone, truthPlays, DEVICES);
  const truth = {
    generator: { seed, days, time_zone: tz, from: iso(from), to: iso(to), lines, devices: everyone.length, quiet_hours: QUIET_HOURS, max_concurrent_streams: MAX_STREAMS },
    files,
    plays: truthPlays.map(({ startMs, endMs, ...rest }) => ({ ...rest, start: iso(startMs), end: iso(endMs) })),
    expected_alerts: expected.map((e) => ({ rule: e.rule, device_mac: e.device_mac, play_id: e.play_id, at: iso(e.at) })),
  };
  writeFileSync(join(out, 'truth.json'), `${JSON.stringify(truth, null, 2)}\n`);
  for (const f of [files.pihole_log, files.leases]) utimesSync(f, to / 1000, to / 1000);
  return truth;
}

function configText(tz) {
  const lines = ['# Generated by bench/gen-history.mjs.', `timezone: ${tz}`, 'rules:', `  quiet_hours: "${QUIET_HOURS}"`, `  max_concurrent_streams: ${MAX_STREAMS}`, 'devices:'];
  for (const dev of DEVICES.filter((x) => x.config !== false)) {
    lines.push(`  - mac: "${dev.mac}"`, `    name: "${dev.name}"`, `    trust: ${dev.trust}`);
    if (dev.quietHours) lines.push(`    quiet_hours: "${dev.quietHours}"`);
  }
  return `${lines.join('\n')}\n`;
}

function parseArgs(argv) {
  const opts = { days: 360, seed: 1, out: undefined, end: Date.now(), tz: 'UTC' };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => argv[++i];
    if (a === '--days') opts.days = Number(val());
    else if (a === '--seed') opts.seed = Number(val());
    else if (a === '--out') opts.out = val();
    else if (a === '--end') opts.end = Date.parse(val());
    else if (a === '--tz') opts.tz = val();
    else throw new Error(`unknown argument ${a}`);
  }
  if (!opts.out || !Number.isInteger(opts.seed) || !Number.isInteger(opts.days) || Number.isNaN(opts.end)) {
    throw new Error('usage: node bench/gen-history.mjs --out DIR [--days N] [--seed N] [--end ISO] [--tz ZONE]');
  }
  return opts;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  let opts;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (err) {
    console.error(`gen-history: ${err.message}`);
    process.exit(2);
  }
  const t = generateHistory(opts);
  console.log(`${opts.out}: ${t.generator.days} days, ${t.generator.lines} lines, ${t.plays.length} plays, ${t.expected_alerts.length} expected alerts`);
}
