// A stand-in for pihole-FTL writing its database, run as a separate process by the FTL database
// tests (the real binary is not in Debian). It writes the way FTL does: link rows with INSERT OR
// IGNORE and the query row by sub-select, a whole export in one transaction, a busy timeout of
// 1000 ms (FTL's DATABASE_BUSY_TIMEOUT, pi-hole/FTL src/FTL.h + src/database/common.c
// sqliteBusyCallback(), v6.4.1 8d1add8d).
//
//   node ftl-writer.mjs FILE MODE N
//   hold   : BEGIN IMMEDIATE, insert N rows, print "holding", COMMIT on stdin "commit", print
//            {"commitMs":..} and exit
//   stream : N transactions of 200 rows, 10 ms apart; print {"rows","maxCommitMs","errors"}
//   lock   : take an exclusive lock (rollback journal: BEGIN EXCLUSIVE; WAL: locking_mode
//            EXCLUSIVE + a write), print "locked", release on stdin "release"
import { createRequire } from 'node:module';
import { createInterface } from 'node:readline';
import { performance } from 'node:perf_hooks';

const require = createRequire(import.meta.url);
const Database = require('better-sqlite3');
const [file, mode, nArg] = process.argv.slice(2);
const n = Number(nArg ?? 0);
const db = new Database(file, { timeout: 1000 });
const domains = ['www.netflix.com', 'example.com', 'ipv4-c001-ams001-ix.1.oca.nflxvideo.net', 'clients3.google.com'];
const addDomain = db.prepare('INSERT OR IGNORE INTO domain_by_id (domain) VALUES (?)');
const addClient = db.prepare("INSERT OR IGNORE INTO client_by_id (ip, name) VALUES (?, '')");
const addQuery = db.prepare(
  "INSERT INTO query_storage VALUES (NULL, ?, 1, 2, (SELECT id FROM domain_by_id WHERE domain = ?), (SELECT id FROM client_by_id WHERE ip = ? AND name = ''), NULL, NULL, 4, 0.01, 0, NULL, NULL)",
);
let seq = 0;

function insertRows(count) {
  for (let i = 0; i < count; i++, seq++) {
    const domain = domains[seq % domains.length];
    addDomain.run(domain);
    addClient.run('192.168.1.20');
    addQuery.run(Date.now() / 1000, domain, '192.168.1.20');
  }
}

function onLine(want, fn) {
  const rl = createInterface({ input: process.stdin });
  rl.on('line', (line) => {
    if (line.trim() !== want) return;
    rl.close();
    process.stdin.destroy(); // nothing else keeps the process alive: it exits after fn
    fn();
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

if (mode === 'hold') {
  db.exec('BEGIN IMMEDIATE');
  insertRows(n);
  console.log('holding');
  onLine('commit', () => {
    const t0 = performance.now();
    db.exec('COMMIT');
    console.log(JSON.stringify({ commitMs: performance.now() - t0 }));
    db.close();
  });
} else if (mode === 'stream') {
  let maxCommitMs = 0;
  const errors = [];
  for (let b = 0; b < n; b++) {
    try {
      const t0 = performance.now();
      db.exec('BEGIN IMMEDIATE');
      insertRows(200);
      db.exec('COMMIT');
      maxCommitMs = Math.max(maxCommitMs, performance.now() - t0);
    } catch (err) {
      errors.push(String(err));
      if (db.inTransaction) db.exec('ROLLBACK');
    }
    await sleep(10);
  }
  db.close();
  console.log(JSON.stringify({ rows: seq, maxCommitMs, errors }));
} else if (mode === 'lock') {
  if (db.pragma('journal_mode', { simple: true }) === 'wal') {
    db.pragma('locking_mode = EXCLUSIVE');
    db.exec('BEGIN EXCLUSIVE');
    insertRows(1);
    db.exec('COMMIT');
  } else {
    db.exec('BEGIN EXCLUSIVE');
  }
  console.log('locked');
  onLine('release', () => db.close());
} else {
  console.error(`unknown mode ${mode}`);
  process.exit(2);
}
