// Issue 16, files: queries never create anything, work on a database they may not write, and
// what nfmon creates is not readable by every user. Runs as another user (setpriv) and in a
// private mount namespace (unshare) when root; skipped with the reason otherwise.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, CliSandbox, copyHousehold, HOUSEHOLD_CONFIG, ingestHousehold } from '../helpers/cli.js';

const isRoot = process.getuid?.() === 0;
const has = (tool: string): boolean => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;
const canSetpriv = isRoot && has('setpriv');
const canUnshare = isRoot && has('unshare') && spawnSync('unshare', ['-m', 'true']).status === 0;

const QUERIES = [['devices'], ['sessions', '--since', 'all'], ['alerts'], ['status'], ['reconcile']];

/** The CLI as user nobody (65534), with no groups. */
function asNobody(args: readonly string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, BIN, ...args], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', TZ: 'UTC' },
    timeout: 30_000,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

describe('queries without a database', () => {
  let sb: CliSandbox;
  beforeAll(() => {
    sb = new CliSandbox();
  });
  afterAll(() => sb.dispose());

  it.each(QUERIES)('%s: exit 2, says how to make one, creates nothing', (...args) => {
    const db = join(sb.dir, 'not', 'there', 'x.db');
    const r = sb.run(['--db', db, ...args], { noDb: true });
    expect([r.code, r.stdout, r.stderr]).toEqual([2, '', `nfmon: no database at ${db} (run nfmon ingest or nfmon run first)\n`]);
    expect(existsSync(join(sb.dir, 'not'))).toBe(false);
    expect(readdirSync(sb.dir)).toEqual([]);
  });
});

describe('what nfmon creates', () => {
  it('the database is 0640 in a 0750 directory, and so are its -wal and -shm', () => {
    const sb = new CliSandbox(HOUSEHOLD_CONFIG);
    try {
      const db = join(sb.dir, 'state', 'nfmon.db');
      const empty = sb.write('empty.log', '');
      const r = spawnSync('sh', ['-c', `umask 000 && exec "${process.execPath}" "${BIN}" --db "${db}" ingest --pihole-log "${empty}"`], { encoding: 'utf8' });
      expect([r.status, r.stderr]).toEqual([0, '']);
      expect(statSync(db).mode & 0o777).toBe(0o640);
      expect(statSync(join(sb.dir, 'state')).mode & 0o777).toBe(0o750);
      // The -wal and -shm take the database's mode (SQLite's unix VFS): look while a reader holds them.
      const reader = spawnSync(process.execPath, ['-e', `
        const D = require(${JSON.stringify(join(process.cwd(), 'node_modules', 'better-sqlite3'))});
        const d = new D(${JSON.stringify(db)}); d.prepare('SELECT count(*) FROM plays').get();
        const fs = require('fs'); console.log(['-wal', '-shm'].map((s) => (fs.statSync(${JSON.stringify(db)} + s).mode & 0o777).toString(8)).join(' '));`], { encoding: 'utf8' });
      expect(reader.stdout.trim()).toBe('640 640');
    } finally {
      sb.dispose();
    }
  });
});

describe.skipIf(!canSetpriv)('a database this user may not write (skipped: needs root and setpriv)', () => {
  let sb: CliSandbox;
  beforeAll(() => {
    sb = new CliSandbox(HOUSEHOLD_CONFIG);
    ingestHousehold(sb, copyHousehold(sb));
    chmodSync(sb.dir, 0o755);
    chmodSync(sb.db, 0o444);
  });
  afterAll(() => sb.dispose());

  it.each(QUERIES)('%s works as another user on a 0444 database in a directory it cannot write', (...args) => {
    const r = asNobody(['--config', HOUSEHOLD_CONFIG, '--db', sb.db, ...args, '--json']);
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(() => JSON.parse(r.stdout) as unknown).not.toThrow();
  });

  it('gives the same answers as the owner gets', () => {
    const mine = sb.run(['sessions', '--since', 'all', '--json']).stdout;
    expect(asNobody(['--config', HOUSEHOLD_CONFIG, '--db', sb.db, 'sessions', '--since', 'all', '--json']).stdout).toBe(mine);
  });

  it('status shows a Pi-hole log this user cannot read as "permission denied", with the fix', () => {
    const log = sb.write('private.log', 'Nov 22 20:15:01 dnsmasq[812]: query[A] www.netflix.com from 192.168.1.42\n');
    chmodSync(log, 0o600);
    const config = sb.write('config.yaml', `pihole:\n  log: ${log}\nleases:\n  files: [${join(sb.dir, 'dhcp.leases')}]\n`);
    chmodSync(config, 0o644);
    const r = asNobody(['--config', config, '--db', sb.db, 'status', '--json']);
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout) as { configured: { kind: string; state: string; advice: string | null }[] };
    expect(s.configured[0]).toMatchObject({ kind: 'pihole', state: 'permission denied' });
    expect(s.configured[0]?.advice).toContain('pihole group');
    expect(s.configured[1]).toMatchObject({ kind: 'leases', state: 'ok', advice: null });
  });
});

describe.skipIf(!canUnshare)('a database on a read-only mount (skipped: needs root and unshare)', () => {
  it('every query works, and nothing is written next to it', () => {
    const sb = new CliSandbox(HOUSEHOLD_CONFIG);
    try {
      ingestHousehold(sb, copyHousehold(sb));
      const ro = join(sb.dir, 'ro');
      mkdirSync(ro);
      const script = [
        'set -e',
        'mount --make-rprivate /',
        `mount --bind "${sb.dir}" "${ro}"`,
        `mount -o remount,bind,ro "${ro}"`,
        ...QUERIES.map((q) => `"${process.execPath}" "${BIN}" --config "${HOUSEHOLD_CONFIG}" --db "${ro}/nfmon.db" ${q.join(' ')} --json > /dev/null`),
        'echo ok',
      ].join('\n');
      const before = readdirSync(sb.dir).sort();
      const r = spawnSync('unshare', ['-m', 'sh', '-c', script], { encoding: 'utf8', env: { ...process.env, TZ: 'UTC' } });
      expect([r.status, r.stderr, r.stdout.trim()]).toEqual([0, '', 'ok']);
      expect(readdirSync(sb.dir).sort()).toEqual(before);
    } finally {
      sb.dispose();
    }
  });
});
