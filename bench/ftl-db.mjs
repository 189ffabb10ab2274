#!/usr/bin/env node
// Reading Pi-hole's query database: N query rows (default 1,000,000, 3% Netflix) in a
// pihole-FTL.db built from the CREATE statements FTL's own test suite asserts
// (fixtures/pihole-ftl/schema-v21.sql), read through readQueries in pages until caught up, in a
// child process under GNU time for peak RSS. Peer in the same run: the sqlite3 CLI counting the
// same Netflix rows through FTL's own `queries` VIEW (what a user would type).
//
//   npm run build && node bench/ftl-db.mjs [--rows N] [--limit ROWS_PER_CALL] [--keep]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const opt = (name, dflt) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : dflt);

if (args[0] === '--read') {
  await readAll(args[1], Number(args[2]));
} else {
  await main();
}

async function main() {
  if (!existsSync('/usr/bin/time')) {
    console.error('bench: needs GNU time for peak RSS (apt-get install time)');
    process.exit(2);
  }
  const rows = opt('--rows', 1_000_000);
  const limit = opt('--limit', 50_000);
  const out = join(root, 'bench', 'out');
  mkdirSync(out, { recursive: true });
  const file = join(out, `ftl-${rows}.db`);
  if (!existsSync(file)) generate(file, rows);
  const r = spawnSync('/usr/bin/time', ['-f', '%e %U %S %M', process.execPath, fileURLToPath(import.meta.url), '--read', file, String(limit)], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`reader failed: ${r.stderr}`);
  const [wall, user, sys, rssKb] = r.stderr.trim().split('\n').at(-1).split(' ').map(Number);
  const res = JSON.parse(r.stdout.trim().split('\n').at(-1));
  const like = ['netflix.com', 'netflix.net', 'nflxvideo.net', 'nflxso.net', 'nflximg.net', 'nflximg.com', 'nflxext.com', 'fast.com']
    .map((d) => `domain = '${d}' OR domain LIKE '%.${d}'`)
    .join(' OR ');
  const t0 = performance.now();
  const peer = spawnSync('sqlite3', ['-readonly', file, `SELECT count(*) FROM queries WHERE ${like}`], { encoding: 'utf8' });
  const peerS = (performance.now() - t0) / 1000;
  console.log(`rows ${res.scanned} (${rows} generated), netflix events ${res.events}, hidden ${res.hidden}; ${res.calls} calls of <= ${limit} rows`);
  console.log(`readQueries: ${res.readS.toFixed(2)} s in the reader (${Math.round(res.scanned / res.readS).toLocaleString('en')} rows/s), longest call ${res.maxCallMs.toFixed(0)} ms`);
  console.log(`process:     wall ${wall.toFixed(2)} s, cpu ${(user + sys).toFixed(2)} s, peak RSS ${(rssKb / 1024).toFixed(0)} MB (node + better-sqlite3 alone: ${res.baseRssMb} MB)`);
  if (peer.status === 0) console.log(`peer:        sqlite3 CLI count over the queries VIEW: ${peer.stdout.trim()} rows in ${peerS.toFixed(2)} s`);
  else console.log(`peer:        sqlite3 CLI not run (${peer.error?.message ?? peer.stderr.trim()})`);
  if (!args.includes('--keep')) rmSync(file, { force: true });
}

/** Rows the way FTL writes them: link tables + query_storage ids, REAL timestamps, WAL. */
function generate(file, n) {
  const Database = createRequire(import.meta.url)('better-sqlite3');
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.exec(readFileSync(join(root, 'fixtures', 'pihole-ftl', 'schema-v21.sql'), 'utf8'));
  const netflix = [
    'www.netflix.com', 'api-global.netflix.com', 'ichnaea-web.netflix.com', 'customerevents.netflix.com', 'assets.nflxext.com',
    'occ-0-768-769.1.nflxso.net', 'occ-0-2794-2219.1.nflxso.net', 'push.prod.netflix.com', 'secure.netflix.com',
    ...Array.from({ length: 30 }, (_, i) => `ipv4-c${String(i + 1).padStart(3, '0')}-ams00${(i % 3) + 1}-ix.1.oca.nflxvideo.net`),
  ];
  // mulberry32: a fixed seed, so every run reads the same database.
  let seed = 12345;
  const rand = (k) => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) % k;
  };
  const addDomain = db.prepare('INSERT OR IGNORE INTO domain_by_id (domain) VALUES (?)');
  const addClient = db.prepare("INSERT OR IGNORE INTO client_by_id (ip, name) VALUES (?, '')");
  for (const d of netflix) addDomain.run(d);
  for (let i = 0; i < 40_000; i++) addDomain.run(`d${i}.site-${i % 997}.example`);
  addDomain.run('hidden');
  for (let c = 1; c <= 30; c++) addClient.run(`192.168.1.${c}`);
  const ids = db.prepare('SELECT id, domain FROM domain_by_id').all();
  const nfIds = ids.filter((r) => r.domain.includes('nflx') || r.domain.includes('netflix')).map((r) => r.id);
  const otherIds = ids.filter((r) => !nfIds.includes(r.id) && r.domain !== 'hidden').map((r) => r.id);
  const hiddenId = ids.find((r) => r.domain === 'hidden').id;
  const ins = db.prepare('INSERT INTO query_storage VALUES (NULL, ?, ?, ?, ?, ?, NULL, NULL, 4, 0.01, 0, NULL, NULL)');
  const t0 = Date.UTC(2026, 7, 22) / 1000;
  const tg = performance.now();
  const batch = 50_000;
  for (let start = 0; start < n; start += batch) {
    db.transaction(() => {
      for (let i = start; i < Math.min(n, start + batch); i++) {
        const r = rand(1000);
        // 3% Netflix, 0.2% hidden by privacy level 1, the rest spread over 40,000 other names.
        const domain = r < 30 ? nfIds[rand(nfIds.length)] : r < 32 ? hiddenId : otherIds[rand(otherIds.length)];
        ins.run(t0 + i * 7.86 + rand(1000) / 1000, rand(10) < 7 ? 1 : 2, [2, 2, 3, 3, 1][rand(5)], domain, 1 + rand(30));
      }
    })();
  }
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  console.log(`generated ${n} rows in ${((performance.now() - tg) / 1000).toFixed(1)} s -> ${file}`);
}

async function readAll(file, limit) {
  const dist = join(root, 'dist');
  const { openFtlDatabase, readQueries, catalogFilter } = await import(pathToFileURL(`${dist}/sources/pihole/ftl-db.js`).href);
  const { buildCatalog, NETFLIX } = await import(pathToFileURL(`${dist}/core/catalog.js`).href);
  const baseRssMb = Math.round(process.memoryUsage().rss / 2 ** 20);
  const filter = catalogFilter(buildCatalog([NETFLIX]));
  const t0 = performance.now();
  const db = openFtlDatabase(file);
  let afterId = 0, afterTs, events = 0, scanned = 0, hidden = 0, calls = 0, maxCallMs = 0;
  for (;;) {
    const c0 = performance.now();
    const b = readQueries(db, { ...filter, afterId, afterTs, limit });
    maxCallMs = Math.max(maxCallMs, performance.now() - c0);
    ({ lastId: afterId, lastTs: afterTs } = b);
    events += b.events.length;
    scanned += b.counts.scanned;
    hidden += b.counts.hidden;
    calls++;
    if (b.caughtUp) break;
  }
  db.close();
  console.log(JSON.stringify({ events, scanned, hidden, calls, maxCallMs, readS: (performance.now() - t0) / 1000, baseRssMb }));
}
