// Recognising a file already read, whatever its name now: logrotate renames pihole.log to
// pihole.log.1 and later compresses it to pihole.log.2.gz, copytruncate copies it away. All keep
// the first bytes, so a hash of the (decompressed) head identifies the content. Every reader of a
// log's beginning (the tail, the ingest, the Pi-hole reader) goes through readHead here.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';
import { describeFsError } from '../core/errno.js';
import { SourceError } from './errors.js';
import { SNIFF_BYTES } from './sniff.js';

export const FINGERPRINT_BYTES = 1024;
const HEAD_BYTES = Math.max(FINGERPRINT_BYTES, SNIFF_BYTES);

export interface Head {
  /** The first FINGERPRINT_BYTES of the content (decompressed if the file is gzip). */
  readonly bytes: Buffer;
  /** The first SNIFF_BYTES of the file as stored, for recognising what kind of file it is. */
  readonly raw: Buffer;
  readonly gzip: boolean;
  readonly size: number;
  readonly mtimeMs: number;
}

/**
 * The one read of a file's beginning per pass: identity (fingerprint), kind (sniff.ts), size and
 * mtime. A path that cannot be opened or is no regular file is a SourceError naming it.
 */
export async function readHead(path: string): Promise<Head> {
  let fh;
  try {
    fh = await open(path, 'r');
  } catch (err) {
    throw new SourceError(`${path}: cannot open: ${describeFsError(err, { ENOENT: 'no such file', EACCES: 'permission denied' })}`, { file: path, cause: err });
  }
  let raw: Buffer;
  let info;
  try {
    info = await fh.stat();
    if (!info.isFile()) throw new SourceError(`${path}: not a regular file`, { file: path });
    const buf = Buffer.alloc(HEAD_BYTES);
    const { bytesRead } = await fh.read(buf, 0, HEAD_BYTES, 0);
    raw = buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
  const gzip = raw.length >= 2 && raw[0] === 0x1f && raw[1] === 0x8b;
  const bytes = gzip ? await gunzipHead(path) : raw.subarray(0, FINGERPRINT_BYTES);
  return { bytes, raw, gzip, size: info.size, mtimeMs: info.mtimeMs };
}

async function gunzipHead(path: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  const stream = createReadStream(path).pipe(createGunzip());
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      chunks.push(chunk);
      total += chunk.length;
      if (total >= FINGERPRINT_BYTES) break;
    }
  } catch {
    // A corrupt or cut-off gzip still has a usable head; the reader reports the damage itself.
  }
  stream.destroy();
  return Buffer.concat(chunks).subarray(0, FINGERPRINT_BYTES);
}

export function hashHead(head: Buffer, length: number): string {
  return createHash('sha1').update(head.subarray(0, length)).digest('hex');
}

export interface Fingerprinted {
  readonly fingerprint: string;
  readonly fpLen: number;
}

/** Does `head` start with the content that `fp` fingerprints? */
export function matches(head: Buffer, fp: Fingerprinted): boolean {
  return fp.fpLen > 0 && head.length >= fp.fpLen && hashHead(head, fp.fpLen) === fp.fingerprint;
}
