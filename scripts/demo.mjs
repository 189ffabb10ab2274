#!/usr/bin/env node
// npm run demo: ingest the bundled household into a temporary database and show what nfmon
// makes of it. No Pi-hole, no Home Assistant, nothing written outside a temp directory.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, rmSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const fixtures = join(root, 'fixtures', 'household');
const bin = join(root, 'dist', 'cli', 'main.js');
const dir = mkdtempSync(join(tmpdir(), 'nfmon-demo-'));
const db = join(dir, 'nfmon.db');

// A checkout's file times are the checkout's: give the log the time it was "written" (Saturday
// night), so the year of its year-less timestamps comes out as 2026.
const written = new Date('2026-11-21T23:00:00Z');
const files = {};
const sources = {
  'pihole.log': join(fixtures, 'pihole.log'),
  'dhcp.leases': join(fixtures, 'dhcp.leases'),
  'ViewingActivity.csv': join(root, 'fixtures', 'viewing', 'ViewingActivity.csv'),
};
for (const [name, from] of Object.entries(sources)) {
  if (!existsSync(from)) continue;
  files[name] = join(dir, name);
  copyFileSync(from, files[name]);
  utimesSync(files[name], written, written);
}

function nfmon(title, ...args) {
  if (title) process.stdout.write(`\n== ${title} ==\n$ nfmon ${args.join(' ')}\n`);
  const r = spawnSync(process.execPath, [bin, '--config', join(fixtures, 'config.yaml'), '--db', db, ...args], { stdio: 'inherit' });
  if (r.status !== 0) {
    process.stderr.write(`demo: nfmon ${args[0]} exited with ${r.status}\n`);
    process.exit(r.status ?? 1);
  }
}

try {
  const ingest = ['ingest', '--leases', files['dhcp.leases'], '--pihole-log', files['pihole.log']];
  if (files['ViewingActivity.csv']) ingest.push('--viewing-activity', files['ViewingActivity.csv']);
  nfmon('Import the household: a DHCP lease file, two days of Pi-hole log, the Netflix export', ...ingest);
  nfmon('Which devices are there?', 'devices');
  nfmon('Who watched Netflix, when and for how long?', 'sessions', '--since', 'all');
  nfmon('What would Home Assistant have been told?', 'alerts');
  if (files['ViewingActivity.csv']) nfmon('Is someone else using the account?', 'reconcile', '--since', 'all');
  process.stdout.write(`\n(Database kept only for this run: ${db}; JSON with --json on any command.)\n`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
