// Issue 16: a bug must not pass for a bad file. Exit 2 for usage and config, 1 for what the
// input or the system did, 70 (EX_SOFTWARE) with "internal error, please report" for a bug, the
// stack only with NFMON_DEBUG=1.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { CommanderError } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/cli/args.js';
import { EXIT_SOFTWARE, exitCodeFor, isInternal, reportError } from '../../src/cli/exit.js';
import { ConfigError } from '../../src/config/load.js';
import { SourceError } from '../../src/sources/errors.js';
import { NoDatabaseError, StoreError } from '../../src/store/db.js';
import { BIN, CliSandbox } from '../helpers/cli.js';

function sqliteError(): unknown {
  const db = new Database(':memory:');
  try {
    db.exec('SELECT * FROM no_such_table');
  } catch (err) {
    return err;
  } finally {
    db.close();
  }
  return undefined;
}

describe('exitCodeFor', () => {
  const enoent = Object.assign(new Error('ENOENT: no such file'), { code: 'ENOENT' });
  it.each([
    ['a usage error', new UsageError('x'), 2],
    ['a bad config', new ConfigError('c.yaml', ['x']), 2],
    ['no database', new NoDatabaseError('/x.db'), 2],
    ['commander', new CommanderError(1, 'commander.unknownOption', 'x'), 2],
    ['a bad file', new SourceError('x', { file: 'f' }), 1],
    ['the database', new StoreError('x', 'f'), 1],
    ['a system call', enoent, 1],
    ['SQLite', sqliteError(), 1],
    ['a TypeError', new TypeError("Cannot read properties of undefined (reading 'ts')"), 70],
    ['a plain Error', new Error('unexpected'), 70],
    ['a thrown string', 'boom', 70],
  ])('%s', (_name, err, code) => {
    expect(exitCodeFor(err)).toBe(code);
    expect(isInternal(err)).toBe(code === 70);
  });

  it('reports a bug in one line asking for a report, the stack only with NFMON_DEBUG=1', () => {
    const err = new TypeError('x is not a function');
    const out: string[] = [];
    reportError(err, {}, (s) => out.push(s));
    expect(out).toEqual(['nfmon: internal error, please report (with NFMON_DEBUG=1 for the details): TypeError: x is not a function\n']);
    out.length = 0;
    reportError(err, { NFMON_DEBUG: '1' }, (s) => out.push(s));
    expect(out).toHaveLength(2);
    expect(out[1]).toContain('at ');
    out.length = 0;
    reportError(new SourceError('f: bad \u001b[2J', { file: 'f' }), {}, (s) => out.push(s));
    expect(out).toEqual(['nfmon: f: bad \\x1b[2J\n']);
  });
});

describe('through the binary', () => {
  let sb: CliSandbox;
  let preload: string;
  beforeAll(() => {
    sb = new CliSandbox();
    expect(sb.run(['ingest', '--pihole-log', sb.write('empty.log', '')]).code).toBe(0);
    // A bug planted in the process: sessions computes "now" first, and gets a TypeError.
    preload = sb.write('bug.mjs', 'Date.now = () => { throw new TypeError("planted bug"); };\n');
  });
  afterAll(() => sb.dispose());

  const withBug = (env: Record<string, string> = {}): ReturnType<typeof spawnSync> =>
    spawnSync(process.execPath, ['--import', preload, BIN, '--db', sb.db, 'sessions'], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '', ...env } });

  it('a bug exits 70 with one line and no stack', () => {
    const r = withBug();
    expect(r.status).toBe(EXIT_SOFTWARE);
    expect(r.stderr).toBe('nfmon: internal error, please report (with NFMON_DEBUG=1 for the details): TypeError: planted bug\n');
  });

  it('NFMON_DEBUG=1 adds the stack', () => {
    const r = withBug({ NFMON_DEBUG: '1' });
    expect(r.status).toBe(EXIT_SOFTWARE);
    expect(String(r.stderr)).toMatch(/TypeError: planted bug\n\s+at /);
  });

  it('a bad file stays exit 1, bad usage exit 2', () => {
    const bin = sb.write('x.log', Buffer.from([0x7f, 0x45, 0x4c, 0x46, 1, 2, 3, 0, 0, 9]));
    expect(sb.run(['ingest', '--pihole-log', bin]).code).toBe(1);
    expect(sb.run(['sessions', '--since', 'yesterday']).code).toBe(2);
    expect(sb.run(['sessions', '--db', join(sb.dir, 'none.db')]).code).toBe(2);
  });
});
