#!/usr/bin/env node
// npm run bench [-- --only log,busy,pcap,daemon,year,years,accuracy,mqtt] : nfmon's benchmarks, each timed against a peer in
// the same run on the same file. Inputs are generated into bench/out/ (git-ignored) and deleted
// afterwards unless --keep. Figures go to stdout and bench/out/results.json.
//
//   log     5,000,000-line pihole.log: `nfmon ingest --pihole-log` vs `grep -c netflix`
//           targets: <= 10x grep's time, peak RSS <= 150 MB
//   busy    the same for a busy home: 31 clients, every third a screen, three months (many sessions)
//   year    a year of a 10-device home: ingest vs grep; `sessions --since 30d`, `devices`,
//           `alerts --since 7d` (all --json) vs `node -e 0` (target <= 3x); database size per
//           year (target <= 50 MB); the retention job's time
//   years   five years of the same home (BENCH_YEARS): peak RSS of importing them in one call and
//           of deriving everything again from the first day (target <= 150 MB whatever the history)
//   pcap    1 GB capture and its snaplen-128 copy: `nfmon ingest --pcap` vs `tcpdump -nn -r` vs `cat`
//           targets (issue 17: stay where they are): <= 0.3x tcpdump (full), <= 0.25x (snaplen 128), peak RSS <= 100 MB
//   daemon  alert latency (log line appended -> Home Assistant notification) and, with mosquitto,
//           log line -> MQTT; p50/p95 over 100 plays (target p95 <= 2 s); the daemon's idle RSS
//           with Home Assistant and MQTT on (target <= 80 MB)
//   accuracy  sessions and alerts against the truth of generated household days (three seeds,
//           DNS only and with captures): bench/accuracy.mjs states the targets
//   mqtt    snapshot change -> MQTT state message (real mosquitto), p50/p95 over 100 changes, and
//           the RSS MQTT adds on top of the daemon's modules (skipped without mosquitto)
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runAccuracyBench } from './accuracy.mjs';
import { runDaemonBench } from './daemon-latency.mjs';
import { runYearBench } from './year.mjs';
import { runYearsBench } from './years.mjs';
import { runMqttBench } from './mqtt-latency.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'bench', 'out');
const bin = join(root, 'dist', 'cli', 'main.js');
const args = process.argv.slice(2);
const only = (args.find((a) => a.startsWith('--only='))?.slice(7) ?? (args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined) ?? 'log,busy,pcap,daemon,accuracy,mqtt,year,years').split(',');
const keep = args.includes('--keep');
const LOG_LINES = Number(process.env.BENCH_LOG_LINES ?? 5_000_000);
const PCAP_MB = Number(process.env.BENCH_PCAP_MB ?? 1024);
mkdirSync(out, { recursive: true });

const hasGnuTime = existsSync('/usr/bin/time');
if (!hasGnuTime) {
  console.error('bench: needs GNU time for peak RSS (apt-get install time)');
  process.exit(2);
}

/** Runs a command under GNU time: wall seconds, CPU seconds, peak RSS in MB. */
function timed(label, cmd, cmdArgs, opts = {}) {
  const r = spawnSync('/usr/bin/time', ['-f', '%e %U %S %M', cmd, ...cmdArgs], { encoding: 'utf8', maxBuffer: 1 << 26, ...opts });
  const last = r.stderr.trim().split('\n').at(-1) ?? '';
  const [wall, user, sys, rssKb] = last.split(' ').map(Number);
  if (r.status !== 0) {
    console.error(`bench: ${label} exited ${r.status}: ${r.stderr.slice(-2000)}`);
    process.exit(1);
  }
  return { label, wall, cpu: user + sys, rssMb: rssKb / 1024, stdout: r.stdout };
}

const fmt = (n, d = 2) => Number(n).toFixed(d);
// A run of some parts (--only) keeps the figures of the other parts from earlier runs.
const resultsFile = join(out, 'results.json');
const results = {
  ...(existsSync(resultsFile) ? JSON.parse(readFileSync(resultsFile, 'utf8')) : {}),
  machine: { cpus: (await import('node:os')).cpus().length, node: process.version },
  at: new Date().toISOString(),
};

/**
 * `log`: the README's kinder log (one TV streams, 26 hours). `busy`: issue 17's log of a busy home
 * (31 clients, every third a screen with its own plays, three months): many more sessions.
 */
function benchLog(kind = 'log') {
  const busy = kind === 'busy';
  const file = join(out, busy ? 'pihole-5m-busy.log' : 'pihole-5m.log');
  if (!existsSync(file)) {
    console.log(`generating ${LOG_LINES} log lines${busy ? ' (31 clients, 90 days)' : ''} ...`);
    const extra = busy ? ['--clients', '31', '--days', '90'] : [];
    spawnSync(process.execPath, [join(root, 'bench', 'gen-pihole-log.mjs'), file, String(LOG_LINES), '7', ...extra], { stdio: 'inherit' });
  }
  const size = statSync(file).size;
  spawnSync('cat', [file], { stdio: ['ignore', 'ignore', 'inherit'] }); // warm the page cache for both
  const db = join(out, 'bench-log.db');
  rmSync(db, { force: true });
  rmSync(`${db}-wal`, { force: true });
  const grep = timed('grep -c netflix', 'grep', ['-c', 'netflix', file]);
  const ingest = timed('nfmon ingest --pihole-log', process.execPath, [bin, '--db', db, 'ingest', '--pihole-log', file], {
    env: { ...process.env, TZ: 'Europe/Amsterdam' },
  });
  const r = {
    lines: LOG_LINES,
    mb: size / 1e6,
    grep_s: grep.wall,
    ingest_s: ingest.wall,
    ingest_cpu_s: ingest.cpu,
    ratio: ingest.wall / grep.wall,
    lines_per_s: LOG_LINES / ingest.wall,
    peak_rss_mb: ingest.rssMb,
    targets: { ratio_max: 10, rss_max_mb: 150 },
  };
  console.log(`\nlog ingest${busy ? ' (busy home: 31 clients, 90 days)' : ''}: ${LOG_LINES.toLocaleString()} lines, ${fmt(r.mb, 0)} MB`);
  console.log(`  grep -c netflix      ${fmt(grep.wall)} s`);
  console.log(`  nfmon ingest         ${fmt(ingest.wall)} s (cpu ${fmt(ingest.cpu)} s), ${Math.round(r.lines_per_s).toLocaleString()} lines/s, peak RSS ${fmt(r.peak_rss_mb, 0)} MB`);
  console.log(`  ratio ${fmt(r.ratio, 1)}x grep (target <= 10x: ${r.ratio <= 10 ? 'met' : 'NOT met'}); peak RSS target <= 150 MB: ${r.peak_rss_mb <= 150 ? 'met' : 'NOT met'}`);
  console.log(`  ${ingest.stdout.trim().split('\n').join('\n  ')}`);
  results[busy ? 'log_busy' : 'log'] = r;
  if (!keep) rmSync(file, { force: true });
  rmSync(db, { force: true });
  rmSync(`${db}-wal`, { force: true });
}

function benchPcapFile(file, label) {
  const size = statSync(file).size;
  spawnSync('cat', [file], { stdio: ['ignore', 'ignore', 'inherit'] });
  const db = join(out, 'bench-pcap.db');
  rmSync(db, { force: true });
  const cat = timed('cat', 'sh', ['-c', `cat "${file}" > /dev/null`]);
  const tcpdump = timed('tcpdump -nn -r', 'sh', ['-c', `tcpdump -nn -r "${file}" > /dev/null 2>&1`]);
  const ingest = timed('nfmon ingest --pcap', process.execPath, [bin, '--db', db, 'ingest', '--pcap', file]);
  const pcapParser = timed('pcap-parser (count)', process.execPath, [join(root, 'bench', 'pcap-parser-count.mjs'), file]);
  const packets = Number(/(\d+) packets/.exec(ingest.stdout)?.[1] ?? 0);
  const r = {
    mb: size / 1e6,
    packets,
    cat_s: cat.wall,
    tcpdump_s: tcpdump.wall,
    ingest_s: ingest.wall,
    mb_per_s: size / 1e6 / ingest.wall,
    packets_per_s: packets / ingest.wall,
    ratio_tcpdump: ingest.wall / tcpdump.wall,
    ratio_cat: ingest.wall / cat.wall,
    peak_rss_mb: ingest.rssMb,
    pcap_parser_count_s: pcapParser.wall,
    pcap_parser_ratio_tcpdump: pcapParser.wall / tcpdump.wall,
  };
  console.log(`\ncapture ingest (${label}): ${fmt(r.mb, 0)} MB, ${packets.toLocaleString()} packets`);
  console.log(`  cat > /dev/null      ${fmt(cat.wall)} s`);
  console.log(`  tcpdump -nn -r       ${fmt(tcpdump.wall)} s`);
  console.log(`  nfmon ingest --pcap  ${fmt(ingest.wall)} s, ${fmt(r.mb_per_s, 0)} MB/s, ${Math.round(r.packets_per_s).toLocaleString()} packets/s, peak RSS ${fmt(r.peak_rss_mb, 0)} MB`);
  console.log(`  pcap-parser counting ${fmt(pcapParser.wall)} s (${fmt(r.pcap_parser_ratio_tcpdump)}x tcpdump), peak RSS ${fmt(pcapParser.rssMb, 0)} MB`);
  console.log(`  ratio ${fmt(r.ratio_tcpdump)}x tcpdump, ${fmt(r.ratio_cat, 1)}x cat`);
  rmSync(db, { force: true });
  rmSync(`${db}-wal`, { force: true });
  return r;
}

function benchPcap() {
  const full = join(out, 'capture-full.pcap');
  const snap = join(out, 'capture-snap128.pcap');
  const gen = join(root, 'bench', 'gen-pcap.mjs');
  if (!existsSync(full)) spawnSync(process.execPath, [gen, full, String(PCAP_MB)], { stdio: 'inherit' });
  if (!existsSync(snap)) spawnSync(process.execPath, [gen, snap, String(PCAP_MB), '--snaplen', '128'], { stdio: 'inherit' });
  const a = benchPcapFile(full, 'full packets');
  const b = benchPcapFile(snap, 'snaplen 128');
  results.pcap = { full: a, snap128: b, targets: { full_ratio_max: 0.3, snap_ratio_max: 0.25, rss_max_mb: 100 } };
  const met = a.ratio_tcpdump <= 0.3 && b.ratio_tcpdump <= 0.25 && Math.max(a.peak_rss_mb, b.peak_rss_mb) <= 100;
  console.log(`  targets (<= 0.3x / 0.25x tcpdump, RSS <= 100 MB): ${met ? 'met' : 'NOT met'}`);
  if (!keep) {
    rmSync(full, { force: true });
    rmSync(snap, { force: true });
  }
}

if (only.includes('log')) benchLog('log');
if (only.includes('busy')) benchLog('busy');
if (only.includes('pcap')) benchPcap();
if (only.includes('daemon')) results.daemon = await runDaemonBench({ root, out, bin });
if (only.includes('year')) results.year = await runYearBench({ root, out, bin, keep, timed });
if (only.includes('years')) results.years = await runYearsBench({ root, out, bin, keep, timed });
if (only.includes('accuracy')) results.accuracy = await runAccuracyBench({ root, out, bin, keep });
if (only.includes('mqtt')) results.mqtt = await runMqttBench({ root });
writeFileSync(resultsFile, `${JSON.stringify(results, null, 2)}\n`);
console.log(`\nresults: ${resultsFile}`);
