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

/** A few lines that say how to read the table above. */
function say(...lines) {
  process.stdout.write(`${lines.map((l) => `  ${l}`).join('\n')}\n`);
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
  say('"(random)": a private Wi-Fi address the phone made up; the Laptop had a Netflix tab open but never played.');
  nfmon('Who watched Netflix, when and for how long?', 'sessions', '--since', 'all');
  say(
    'EVIDENCE dns: the device looked up Netflix video servers. inferred: the Fire TV never looks one up (its app',
    'gets addresses), so its plays are inferred from the telemetry a playing app sends. The TV left on the',
    'Netflix home screen all Friday night, the phones\' apps in the background and the catalogue browsing made',
    'no session. With packet captures (nfmon ingest --pcap) sessions also get bytes, bitrate and quality.',
  );
  nfmon('Which alerts were raised?', 'alerts');
  say(
    'SENT history: the event is older than rules.notify_max_age (1h), so the alert is kept but never pushed to',
    'Home Assistant; the account-sharing alert comes from the import itself and waits to be sent.',
  );
  if (files['ViewingActivity.csv']) nfmon('Is someone else using the account?', 'reconcile', '--since', 'all');
  process.stdout.write(`\n(Database kept only for this run: ${db}; JSON with --json on any command.)\n`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
