// Five years of a 10-device home (issue 17: memory that does not grow with history): five logs of
// 360 days from bench/gen-history.mjs, ending a year apart (a dnsmasq log has no year in its
// stamps, so one file cannot hold more than a year; logrotate leaves a file per period anyway),
// imported in one `nfmon ingest`, then every session and alert derived again from the first
// day (the rebuild mark moved back to 0, as a migration or a late lease can). Peak RSS of both
// against the 150 MB target, and a year's import beside it for scale.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { generateHistory } from './gen-history.mjs';

const DAY = 86_400_000;

export async function runYearsBench({ root, out, bin, keep, timed }) {
  const years = Number(process.env.BENCH_YEARS ?? 5);
  const dir = join(out, 'years');
  mkdirSync(dir, { recursive: true });
  const end = Date.now() - 3_600_000;
  const logs = [], leases = [];
  let lines = 0, mb = 0;
  for (let k = 0; k < years; k++) {
    const y = join(dir, `y${k}`);
    if (!existsSync(join(y, 'pihole.log'))) {
      console.log(`generating year ${k + 1} of ${years} ...`);
      generateHistory({ days: 360, out: y, end: end - k * 360 * DAY, seed: k + 1, tz: 'Europe/Amsterdam' });
    }
    logs.push(join(y, 'pihole.log'));
    leases.push(join(y, 'dhcp.leases'));
    lines += Number(spawnSync('wc', ['-l', logs.at(-1)], { encoding: 'utf8' }).stdout.trim().split(' ')[0]);
    mb += statSync(logs.at(-1)).size / 1e6;
  }
  const config = join(dir, 'y0', 'config.yaml');
  const db = join(dir, 'years.db');
  for (const f of [db, `${db}-wal`, `${db}-shm`, `${db}.lock`]) rmSync(f, { force: true });
  for (const f of logs) spawnSync('cat', [f], { stdio: ['ignore', 'ignore', 'inherit'] });
  const args = ['--config', config, '--db', db, 'ingest', ...logs.flatMap((f) => ['--pihole-log', f]), ...leases.flatMap((f) => ['--leases', f])];
  const ingest = timed(`nfmon ingest (${years} years)`, process.execPath, [bin, ...args]);

  // Everything derived again from the first day, in a process of its own for its peak RSS.
  const script = join(dir, 'rebuild-all.mjs');
  const dist = (p) => pathToFileURL(join(root, 'dist', p)).href;
  writeFileSync(
    script,
    `import { openIngestDeps } from ${JSON.stringify(dist('ingest/deps.js'))};
import { rebuildPending } from ${JSON.stringify(dist('ingest/rebuild.js'))};
import { loadConfig } from ${JSON.stringify(dist('config/load.js'))};
const [config, db] = process.argv.slice(2);
const deps = openIngestDeps({ ...loadConfig(config).config, database: db }, db);
deps.store.tx(() => deps.store.mark.changed(0));
const r = rebuildPending(deps.rebuildContext(), Date.now());
deps.close();
console.log(JSON.stringify({ sessions: r.sessions }));
`,
  );
  const rebuild = timed(`rebuild of ${years} years`, process.execPath, [script, config, db]);
  const sessions = JSON.parse(rebuild.stdout).sessions;
  const dbMb = (statSync(db).size + (existsSync(`${db}-wal`) ? statSync(`${db}-wal`).size : 0)) / 1e6;

  if (!keep) rmSync(dir, { recursive: true, force: true });
  const f = (n, d = 2) => Number(n).toFixed(d);
  const ok = (mbs) => (mbs <= 150 ? 'met' : 'NOT met');
  console.log(`\n${years} years of history: ${lines.toLocaleString()} lines, ${f(mb, 0)} MB of logs, database ${f(dbMb, 1)} MB`);
  console.log(`  nfmon ingest (all ${years} logs and leases) ${f(ingest.wall)} s (cpu ${f(ingest.cpu)} s), peak RSS ${f(ingest.rssMb, 0)} MB (target <= 150 MB: ${ok(ingest.rssMb)})`);
  console.log(`  rebuild of all ${years} years (${sessions} sessions) ${f(rebuild.wall)} s, peak RSS ${f(rebuild.rssMb, 0)} MB (target <= 150 MB: ${ok(rebuild.rssMb)})`);
  return {
    years, lines, log_mb: mb, db_mb: dbMb,
    ingest_s: ingest.wall, ingest_cpu_s: ingest.cpu, ingest_peak_rss_mb: ingest.rssMb,
    rebuild_s: rebuild.wall, rebuild_peak_rss_mb: rebuild.rssMb, sessions,
    targets: { rss_max_mb: 150 },
  };
}
