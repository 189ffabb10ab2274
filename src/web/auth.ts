// HTTP basic auth for the dashboard against a stored scrypt hash. The file http.password_file
// holds one line in the PHC string format that passlib also writes for scrypt
// (https://passlib.readthedocs.io/en/stable/lib/passlib.hash.scrypt.html):
//   $scrypt$ln=14,r=8,p=1$<salt, base64>$<key, base64>
// made by `nfmon passwd FILE`. Any user name is accepted; only the password is checked.
import { createHash, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ConfigError } from '../config/file.js';

export interface PasswordHash {
  /** log2 of scrypt's cost N. */
  readonly ln: number;
  readonly r: number;
  readonly p: number;
  readonly salt: Buffer;
  readonly key: Buffer;
}

/**
 * N = 2^14, r = 8, p = 1: the scrypt paper's interactive-login parameters. 16 MiB and 116 ms per
 * check on the development machine (x86-64, shared cores), a few times that on a Pi; BasicAuth
 * pays it once per browser, not per request.
 */
export const DEFAULT_LN = 14;
const KEY_BYTES = 32;

const b64 = (s: string): Buffer => Buffer.from(s.replace(/\./g, '+'), 'base64');
const unpadded = (b: Buffer): string => b.toString('base64').replace(/=+$/, '');

export function parsePasswordHash(line: string): PasswordHash | undefined {
  const m = /^\$scrypt\$ln=(\d{1,2}),r=(\d{1,2}),p=(\d{1,2})\$([A-Za-z0-9+/.]{16,})\$([A-Za-z0-9+/.]{32,})$/.exec(line.trim());
  if (!m) return undefined;
  const [ln, r, p] = [Number(m[1]), Number(m[2]), Number(m[3])];
  // Bounds keep a hostile file from asking for gigabytes: 2^20 x 8 x 128 bytes = 1 GiB is too much for a Pi.
  if (ln < 10 || ln > 18 || r < 1 || r > 16 || p < 1 || p > 4) return undefined;
  const key = b64(m[5] ?? '');
  return key.length >= 16 ? { ln, r, p, salt: b64(m[4] ?? ''), key } : undefined;
}

function derive(password: string, h: Pick<PasswordHash, 'ln' | 'r' | 'p' | 'salt'>, length: number): Promise<Buffer> {
  const N = 2 ** h.ln;
  return new Promise((resolve, reject) => {
    scrypt(password, h.salt, length, { N, r: h.r, p: h.p, maxmem: 256 * N * h.r + (1 << 20) }, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

/** A new hash line for `password` (random salt). */
export async function hashPassword(password: string, ln = DEFAULT_LN): Promise<string> {
  const params = { ln, r: 8, p: 1, salt: randomBytes(16) };
  const key = await derive(password, params, KEY_BYTES);
  return `$scrypt$ln=${ln},r=8,p=1$${unpadded(params.salt)}$${unpadded(key)}`;
}

export async function verifyPassword(password: string, h: PasswordHash): Promise<boolean> {
  const key = await derive(password, h, h.key.length);
  return timingSafeEqual(key, h.key);
}

/** Read http.password_file; a missing or malformed file is a config error (exit 2 at start). */
export function loadPasswordFile(path: string): PasswordHash {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError('config', [`http.password_file: cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`], { cause: err });
  }
  const line = text.split('\n').find((l) => l.trim() !== '' && !l.trim().startsWith('#')) ?? '';
  const hash = parsePasswordHash(line);
  if (!hash) throw new ConfigError('config', [`http.password_file: ${path} does not hold a scrypt hash line; make one with: nfmon passwd ${path}`]);
  return hash;
}

/** How many accepted headers (browsers, user names) are remembered. */
const REMEMBERED = 8;

/**
 * Checks Authorization headers. Browsers send the header with every request, and scrypt is slow
 * and memory-hungry on purpose, so the digests of the last few headers that passed are kept and
 * compared in constant time; only a new header costs a scrypt run, one at a time.
 */
export class BasicAuth {
  private accepted: Buffer[] = [];
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly hash: PasswordHash) {}

  async check(header: string | undefined): Promise<boolean> {
    const m = /^Basic ([A-Za-z0-9+/=]{1,1024})$/i.exec(header?.trim() ?? '');
    if (!m) return false;
    const digest = createHash('sha256').update(m[1] ?? '').digest();
    if (this.accepted.some((known) => timingSafeEqual(digest, known))) return true;
    const decoded = Buffer.from(m[1] ?? '', 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return false;
    const password = decoded.slice(colon + 1);
    const run = this.queue.then(() => verifyPassword(password, this.hash));
    this.queue = run.catch(() => false);
    const ok = await run;
    if (ok) this.accepted = [digest, ...this.accepted].slice(0, REMEMBERED);
    return ok;
  }
}
