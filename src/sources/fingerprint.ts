// Recognising a file already read, whatever its name now: logrotate renames pihole.log to
// pihole.log.1 and later compresses it to pihole.log.2.gz, copytruncate copies it away. All keep
// the first bytes, so a hash of the (decompressed) head identifies the content.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';

export const FINGERPRINT_BYTES = 1024;

export interface Head {
  readonly bytes: Buffer;
  readonly gzip: boolean;
}

/** The first FINGERPRINT_BYTES of the file's content (decompressed if it is gzip). */
export async function readHead(path: string): Promise<Head> {
  const fh = await open(path, 'r');
  let raw: Buffer;
  try {
    const buf = Buffer.alloc(FINGERPRINT_BYTES);
    const { bytesRead } = await fh.read(buf, 0, FINGERPRINT_BYTES, 0);
    raw = buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
  const gzip = raw.length >= 2 && raw[0] === 0x1f && raw[1] === 0x8b;
  if (!gzip) return { bytes: raw, gzip };
  return { bytes: await gunzipHead(path), gzip };
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
