#!/usr/bin/env node
// Derived state of two nfmon builds on the same input: ingests the input with each into a
// database of its own and compares `sessions`, `alerts` and `devices` (--json, --since all).
// Used to check that a performance change keeps behaviour (issue 17).
//
//   node bench/compare-derived.mjs OTHER_ROOT [--log FILE --leases FILE --config FILE]
//
// OTHER_ROOT is another checkout with dist/ built (e.g. the main worktree); without --log the
// demo household (fixtures/household) is compared. Exit 0 when identical, 1 with the first
// differences otherwise.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const opt = (name, fallback) => (args.includes(name) ? resolve(args[args.indexOf(name) + 1]) : fallback);
const other = args[0] && !args[0].startsWith('--') ? resolve(args[0]) : undefined;
if (!other) {
  console.error('usage: node bench/compare-derived.mjs OTHER_ROOT [--log FILE --leases FILE --config FILE]');
  process.exit(2);
}
const household = join(root, 'fixtures', 'household');
const log = opt('--log', join(household, 'pihole.log'));
const leases = opt('--leases', join(household, 'dhcp.leases'));
const config = opt('--config', join(household, 'config.yaml'));
// The demo's log has no year: both builds read it as written on the same day (its mtime is the checkout's).
const env = { ...process.env, TZ: 'Europe/Amsterdam' };
const dir = mkdtempSync(join(tmpdir(), 'nfmon-compare-'));

function derived(checkout, name) {
  const bin = join(checkout, 'dist', 'cli', 'main.js');
  const db = join(dir, `${name}.db`);
  const run = (...a) => {
    const r = spawnSync(process.execPath, [bin, '--config', config, '--db', db, ...a], { encoding: 'utf8', env, maxBuffer: 1 << 28 });
    if (r.status !== 0) throw new Error(`${name}: nfmon ${a.join(' ')} exited ${r.status}: ${r.stderr.slice(-1000)}`);
    return r.stdout;
  };
  run('ingest', '--leases', leases, '--pihole-log', log);
  return {
    sessions: JSON.parse(run('sessions', '--since', 'all', '--json')),
    alerts: JSON.parse(run('alerts', '--since', 'all', '--json')),
    devices: JSON.parse(run('devices', '--json')),
  };
}

try {
  const a = derived(root, 'this');
  const b = derived(other, 'other');
  let same = true;
  for (const k of ['sessions', 'alerts', 'devices']) {
    const eq = isDeepStrictEqual(a[k], b[k]);
    console.log(`${k.padEnd(9)} ${String(a[k].length).padStart(6)} here, ${String(b[k].length).padStart(6)} there: ${eq ? 'identical' : 'DIFFERENT'}`);
    if (!eq) {
      same = false;
      const i = a[k].findIndex((x, j) => !isDeepStrictEqual(x, b[k][j]));
      console.log(`  first difference at ${i}:\n  here  ${JSON.stringify(a[k][i])}\n  there ${JSON.stringify(b[k][i])}`);
    }
  }
  process.exitCode = same ? 0 : 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
