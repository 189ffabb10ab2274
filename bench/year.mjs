// A year of a 10-device home (bench/gen-history.mjs): import it, then time the three everyday
// queries against a bare `node -e 0` in the same run (medians of 7 runs each), and report the
// database's size for the year and the time of the nightly retention job.
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { generateHistory } from './gen-history.mjs';

const RUNS = 7;

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Median wall time (s) of `runs` runs of a command, its output thrown away. */
function wall(cmd, args, opts = {}) {
  const times = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    const r = spawnSync(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'], ...opts });
    times.push((performance.now() - t0) / 1000);
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${String(r.stderr).slice(-500)}`);
  }
  return median(times);
}

export async function runYearBench({ root, out, bin, keep, timed }) {
  const dir = join(out, 'year');
  const days = Number(process.env.BENCH_YEAR_DAYS ?? 360);
  if (!existsSync(join(dir, 'pihole.log'))) {
    console.log(`generating ${days} days of a 10-device home ...`);
    generateHistory({ days, out: dir, end: Date.now() - 3_600_000, tz: 'Europe/Amsterdam' });
  }
  const log = join(dir, 'pihole.log');
  const config = join(dir, 'config.yaml');
  const db = join(dir, 'year.db');
  for (const f of [db, `${db}-wal`, `${db}-shm`, `${db}.lock`]) rmSync(f, { force: true });
  spawnSync('cat', [log], { stdio: ['ignore', 'ignore', 'inherit'] });
  const lines = Number(spawnSync('wc', ['-l', log], { encoding: 'utf8' }).stdout.trim().split(' ')[0]);
  const grep = timed('grep -c netflix', 'grep', ['-c', 'netflix', log]);
  const ingest = timed('nfmon ingest (a year)', process.execPath, [bin, '--config', config, '--db', db, 'ingest', '--pihole-log', log, '--leases', join(dir, 'dhcp.leases')]);
  const dbBytes = statSync(db).size + (existsSync(`${db}-wal`) ? statSync(`${db}-wal`).size : 0);

  const node = wall(process.execPath, ['-e', '0']);
  const q = (args) => wall(process.execPath, [bin, '--config', config, '--db', db, ...args]);
  const queries = {
    sessions_30d: q(['sessions', '--since', '30d', '--json']),
    devices: q(['devices', '--json']),
    alerts_7d: q(['alerts', '--since', '7d', '--json']),
  };
  // The nightly job, as the daemon runs it: events and flows older than 90 days.
  const { openIngestDeps } = await import(pathToFileURL(join(root, 'dist', 'ingest', 'deps.js')).href);
  const { runRetention } = await import(pathToFileURL(join(root, 'dist', 'daemon', 'jobs.js')).href);
  const { loadConfig } = await import(pathToFileURL(join(root, 'dist', 'config', 'load.js')).href);
  const app = openIngestDeps({ ...loadConfig(config).config, database: db }, db);
  const t0 = performance.now();
  const removed = runRetention(app, Date.now(), 90 * 86_400_000, { info() {}, warn() {}, error() {}, debug() {} });
  const retentionS = (performance.now() - t0) / 1000;
  app.close();

  const r = {
    days, lines, mb: statSync(log).size / 1e6,
    grep_s: grep.wall, ingest_s: ingest.wall, ingest_ratio: ingest.wall / grep.wall, ingest_peak_rss_mb: ingest.rssMb,
    node_start_s: node,
    queries_s: queries,
    query_ratios: Object.fromEntries(Object.entries(queries).map(([k, v]) => [k, v / node])),
    db_mb_per_year: (dbBytes / 1e6) * (365 / days),
    retention_s: retentionS, retention_removed: removed,
    targets: { ingest_ratio_max: 10, query_ratio_max: 3, db_mb_per_year_max: 50, rss_max_mb: 150 },
  };
  const f = (n, d = 2) => Number(n).toFixed(d);
  console.log(`\na year of history: ${days} days, ${lines.toLocaleString()} lines, ${f(r.mb, 0)} MB`);
  console.log(`  grep -c netflix ${f(grep.wall)} s; nfmon ingest ${f(ingest.wall)} s = ${f(r.ingest_ratio, 1)}x grep (target <= 10x: ${r.ingest_ratio <= 10 ? 'met' : 'NOT met'}), peak RSS ${f(ingest.rssMb, 0)} MB`);
  console.log(`  node -e 0: ${f(node * 1000, 0)} ms (median of ${RUNS})`);
  for (const [k, v] of Object.entries(queries)) {
    console.log(`  ${k.padEnd(13)} ${f(v * 1000, 0)} ms = ${f(v / node, 1)}x node start (target <= 3x: ${v / node <= 3 ? 'met' : 'NOT met'})`);
  }
  console.log(`  database: ${f(r.db_mb_per_year, 1)} MB per year (target <= 50 MB); retention job ${f(retentionS * 1000, 0)} ms (${removed.events} events, ${removed.flows} flows removed)`);
  if (!keep) rmSync(dir, { recursive: true, force: true });
  return r;
}
