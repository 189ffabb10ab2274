#!/usr/bin/env node
// How truthful are nfmon's sessions and alerts? For several seeds: generate a household
// (bench/gen-household.mjs), ingest it with the built CLI twice (DNS only; DNS + captures), and
// score `sessions --json` and `alerts --json` against the household's truth.
//
//   node bench/accuracy.mjs [--seeds 1,2,3] [--days 2] [--keep] [--json FILE]
//   npm run bench -- --only accuracy
//
// Targets (issue 9): every play whose client resolved a video name becomes exactly one session,
// start within 3 min, end within 15 min with DNS alone and within 1 min with captures; idle apps
// and browsing make no session and no alert; quiet_hours once per play in the window, no alert
// twice; direct-IP plays: the share found.
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { generateHousehold } from './gen-household.mjs';
import { addAlerts, scoreAlerts, scorePlays, summarize } from './household/evaluate.mjs';

const MODES = [
  { key: 'dns', label: 'DNS only', pcap: false },
  { key: 'captures', label: 'DNS + captures', pcap: true },
];

function nfmon(bin, args, cwd) {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd, encoding: 'utf8', maxBuffer: 1 << 28, env: { ...process.env, TZ: 'UTC' } });
  if (r.status !== 0) throw new Error(`nfmon ${args.join(' ')} exited ${r.status}: ${r.stderr.slice(-2000)}`);
  return r.stdout;
}

/** Ingests one household in one mode and returns nfmon's sessions and alerts. */
function runMode(bin, dir, truth, mode) {
  const db = join(dir, `${mode.key}.db`);
  for (const f of [db, `${db}-wal`, `${db}-shm`]) rmSync(f, { force: true });
  const base = ['--config', truth.files.config, '--db', db];
  const inputs = ['--pihole-log', truth.files.pihole_log, '--leases', truth.files.leases];
  if (mode.pcap) for (const c of truth.files.captures) inputs.push('--pcap', c);
  nfmon(bin, [...base, 'ingest', ...inputs], dir);
  const sessions = JSON.parse(nfmon(bin, [...base, 'sessions', '--json', '--since', 'all'], dir));
  const alerts = JSON.parse(nfmon(bin, [...base, 'alerts', '--json', '--since', 'all'], dir));
  return { sessions, alerts };
}

const fmt = (x) => (x === null || x === undefined ? '-' : typeof x === 'number' ? (x > 0 ? `+${x}` : String(x)) : String(x));
const num = (x) => (x === null || x === undefined ? '-' : String(x));
const pad = (s, n) => String(s).padEnd(n);

function printPlays(seed, mode, rows, falseSessions, alerts) {
  console.log(`\nseed ${seed}, ${mode.label}`);
  console.log(`  ${pad('play', 5)}${pad('client', 22)}${pad('start (UTC)', 18)}${pad('min', 5)}${pad('found', 7)}${pad('sess', 6)}${pad('start err', 11)}${pad('end err', 9)}note`);
  for (const r of rows) {
    const note = [r.resolves_video_name ? '' : 'direct-IP', r.in_quiet_hours ? 'quiet hours' : '', r.shared_with_other_play ? 'merged with another play' : ''].filter(Boolean).join(', ');
    console.log(`  ${pad(r.id, 5)}${pad(r.client_kind, 22)}${pad(r.start.slice(0, 16).replace('T', ' '), 18)}${pad(r.duration_min, 5)}${pad(r.found ? 'yes' : 'NO', 7)}${pad(r.sessions, 6)}${pad(fmt(r.start_error_min), 11)}${pad(fmt(r.end_error_min), 9)}${note}`);
  }
  const causes = falseSessions.map((s) => `${s.cause} ${s.start.slice(5, 16)} ${s.minutes}m`);
  console.log(`  false sessions: ${falseSessions.length}${causes.length ? ` (${causes.join('; ')})` : ''}`);
  for (const [rule, a] of Object.entries(alerts)) {
    console.log(`  ${pad(rule, 19)} expected ${a.expected} (direct-IP ${a.expected_direct_ip}), raised ${a.raised}, matched ${a.matched}, missed ${a.missed}, duplicates ${a.duplicates}, false ${a.false}`);
  }
}

function printSummary(mode, s) {
  const t = (ok) => (ok ? 'met' : 'NOT met');
  const endLimit = mode.pcap ? 1 : 15;
  const endOk = mode.pcap ? s.end_within_1_min : s.end_within_15_min;
  const falseTotal = Object.values(s.false_sessions).reduce((a, b) => a + b, 0);
  const q = s.alerts.quiet_hours;
  const dupes = Object.values(s.alerts).reduce((a, x) => a + x.duplicates, 0);
  const falseAlerts = Object.values(s.alerts).reduce((a, x) => a + x.false, 0);
  console.log(`\n${mode.label}, all seeds:`);
  console.log(`  plays with a video name: ${s.plays_named}; found ${s.found}; exactly one session ${s.exactly_one_session} (target all: ${t(s.exactly_one_session === s.plays_named)}); most sessions for one play ${s.sessions_per_play_max}`);
  console.log(`  |start error| min: median ${num(s.abs_start_error_min.median)}, p90 ${num(s.abs_start_error_min.p90)}, max ${num(s.abs_start_error_min.max)}; within 3 min ${s.start_within_3_min}/${s.plays_named} (${t(s.start_within_3_min === s.plays_named)})`);
  console.log(`  |end error| min: median ${num(s.abs_end_error_min.median)}, p90 ${num(s.abs_end_error_min.p90)}, max ${num(s.abs_end_error_min.max)}; within ${endLimit} min ${endOk}/${s.plays_named} (${t(endOk === s.plays_named)})`);
  console.log(`  direct-IP plays found: ${s.direct_ip_found}/${s.plays_direct_ip}`);
  console.log(`  false sessions: idle apps ${s.false_sessions.idle_app}, browsing ${s.false_sessions.browsing}, phone background ${s.false_sessions.phone_background}, other ${s.false_sessions.other} (target 0: ${t(falseTotal === 0)})`);
  console.log(`  quiet_hours: expected ${q.expected} (${q.expected_direct_ip} direct-IP), matched ${q.matched}, duplicates ${q.duplicates}; all alerts: duplicates ${dupes}, false ${falseAlerts} (target 0/0: ${t(dupes === 0 && falseAlerts === 0)})`);
}

/** Runs the benchmark; returns {seeds, days, dns: summary, captures: summary}. */
export async function runAccuracyBench({ out, bin, seeds = [1, 2, 3], days = 2, keep = false }) {
  const base = join(out, 'accuracy');
  mkdirSync(base, { recursive: true });
  const result = { seeds, days };
  const perMode = Object.fromEntries(MODES.map((m) => [m.key, { rows: [], falseSessions: [], alerts: {} }]));
  for (const seed of seeds) {
    const dir = join(base, `seed-${seed}`);
    const truth = generateHousehold({ days, seed, out: dir, pcap: true });
    for (const mode of MODES) {
      const { sessions, alerts } = runMode(bin, dir, truth, mode);
      const { rows, falseSessions, sessions: parsed } = scorePlays(truth, sessions);
      const alertScore = scoreAlerts(truth, alerts, parsed);
      printPlays(seed, mode, rows, falseSessions, alertScore);
      const acc = perMode[mode.key];
      acc.rows.push(...rows.map((r) => ({ seed, ...r })));
      acc.falseSessions.push(...falseSessions);
      addAlerts(acc.alerts, alertScore);
    }
    if (!keep) rmSync(dir, { recursive: true, force: true });
  }
  for (const mode of MODES) {
    const acc = perMode[mode.key];
    result[mode.key] = summarize(acc.rows, acc.falseSessions, acc.alerts);
    printSummary(mode, result[mode.key]);
  }
  return result;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const args = process.argv.slice(2);
  const arg = (name) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
  const root = join(dirname(fileURLToPath(import.meta.url)), '..');
  const seeds = (arg('--seeds') ?? '1,2,3').split(',').map(Number);
  const result = await runAccuracyBench({
    out: join(root, 'bench', 'out'), bin: join(root, 'dist', 'cli', 'main.js'), seeds, days: Number(arg('--days') ?? 2), keep: args.includes('--keep'),
  });
  const json = `${JSON.stringify(result, null, 2)}\n`;
  if (arg('--json')) writeFileSync(arg('--json'), json);
  console.log(`\nsummary (JSON):\n${json}`);
}
