// The dashboard password: the hash line format (interchangeable with passlib's scrypt), checking
// Authorization headers, and `nfmon passwd` writing the file.
import { readFileSync, statSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BasicAuth, hashPassword, loadPasswordFile, parsePasswordHash, verifyPassword } from '../../src/web/auth.js';
import { BIN, CliSandbox } from '../helpers/cli.js';

// Made by Debian 12's python3-passlib 1.7.4:
//   scrypt.using(rounds=10, salt_size=16).hash('correct horse battery')
const PASSLIB = '$scrypt$ln=10,r=8,p=1$a+29lzIGACCkVEqJUUpJKQ$UreOq1U7h/i6C6PwBa6nIyBgbYNiB5Fuymp1oZjxNJQ';
const basic = (user: string, pw: string): string => `Basic ${Buffer.from(`${user}:${pw}`).toString('base64')}`;

describe('password hashes', () => {
  it('verifies a hash made by passlib', async () => {
    const h = parsePasswordHash(PASSLIB);
    expect(h).toMatchObject({ ln: 10, r: 8, p: 1 });
    expect(await verifyPassword('correct horse battery', h!)).toBe(true);
    expect(await verifyPassword('correct horse batter', h!)).toBe(false);
  });

  it('makes a line in the same format with a fresh salt each time', async () => {
    const a = await hashPassword('hunter2hunter2', 10);
    const b = await hashPassword('hunter2hunter2', 10);
    expect(a).toMatch(/^\$scrypt\$ln=10,r=8,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
    expect(a).not.toBe(b);
    expect(await verifyPassword('hunter2hunter2', parsePasswordHash(a)!)).toBe(true);
  });

  it.each([
    ['empty', ''],
    ['a bcrypt hash', '$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW'],
    ['a cost that would take a gigabyte', '$scrypt$ln=20,r=8,p=1$a+29lzIGACCkVEqJUUpJKQ$UreOq1U7h/i6C6PwBa6nIyBgbYNiB5Fuymp1oZjxNJQ'],
    ['a truncated key', '$scrypt$ln=10,r=8,p=1$a+29lzIGACCkVEqJUUpJKQ$UreOq1U7h'],
  ])('rejects %s', (_what, line) => {
    expect(parsePasswordHash(line)).toBeUndefined();
  });
});

describe('BasicAuth', () => {
  const auth = new BasicAuth(parsePasswordHash(PASSLIB)!);

  it.each([
    ['no header', undefined, false],
    ['another scheme', 'Bearer abc', false],
    ['no colon', `Basic ${Buffer.from('correct horse battery').toString('base64')}`, false],
    ['a wrong password', basic('nfmon', 'wrong'), false],
    ['the password under any user name', basic('grandma', 'correct horse battery'), true],
    ['a colon inside the password is part of it', basic('u', 'correct horse battery:'), false],
    ['again, from the cache', basic('grandma', 'correct horse battery'), true],
  ])('%s', async (_case, header, ok) => {
    expect(await auth.check(header)).toBe(ok);
  });

  it('checks concurrent attempts one after the other, each on its own merit', async () => {
    const results = await Promise.all([basic('a', 'x'), basic('b', 'correct horse battery'), basic('c', 'y')].map((h) => auth.check(h)));
    expect(results).toEqual([false, true, false]);
  });
});

describe('nfmon passwd', () => {
  let sb: CliSandbox;
  beforeAll(() => {
    sb = new CliSandbox();
  });
  afterAll(() => sb.dispose());

  const passwd = (args: string[], input: string): ReturnType<typeof spawnSync> =>
    spawnSync(process.execPath, [BIN, 'passwd', ...args], { input, encoding: 'utf8', env: { ...process.env, NFMON_CONFIG: '' } });

  it('writes one hash line, mode 0640, that the dashboard accepts', async () => {
    const file = sb.path('http-password');
    const r = passwd([file], 'a long enough secret\nignored second line\n');
    expect(r.status, String(r.stderr)).toBe(0);
    expect(r.stderr).toBe(`nfmon: password hash written to ${file}; set http.password_file: ${file}\n`);
    expect(statSync(file).mode & 0o777).toBe(0o640);
    expect(readFileSync(file, 'utf8')).toMatch(/^\$scrypt\$ln=14,r=8,p=1\$\S+\n$/);
    expect(await verifyPassword('a long enough secret', loadPasswordFile(file))).toBe(true);
  });

  it('prints the line without a file, and refuses a short password with exit 2', () => {
    const out = passwd([], 'a long enough secret\n');
    expect(out.status).toBe(0);
    expect(out.stdout).toMatch(/^\$scrypt\$ln=14,r=8,p=1\$\S+\n$/);
    const short = passwd([], 'short\n');
    expect(short.status).toBe(2);
    expect(short.stderr).toBe('nfmon: passwd: the password needs at least 8 characters\n');
  });

  it('a missing or garbled password file is a config error naming http.password_file', () => {
    expect(() => loadPasswordFile(sb.path('nope'))).toThrow(/http\.password_file: cannot read .*nope: ENOENT/);
    const garbled = sb.write('garbled', 'hunter2\n');
    expect(() => loadPasswordFile(garbled)).toThrow(/http\.password_file: .*garbled does not hold a scrypt hash line; make one with: nfmon passwd/);
  });
});
