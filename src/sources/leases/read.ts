// DHCP lease sources: recognises which server wrote a lease file, parses it with the matching
// pure parser, and reads files (small by nature) with clear errors for what is not a lease file.
import { readFile, stat } from 'node:fs/promises';
import { errnoOf } from '../../core/errno.js';
import { SourceError } from '../errors.js';
import { parseDnsmasqLeases } from './dnsmasq.js';
import { parseIscLeases } from './isc.js';
import { parseKeaLeases } from './kea.js';
import { parsePiholeApiLeases } from './pihole-api.js';
import { detectLeaseFormat, MAX_LINE_ERRORS, type LeaseFormat, type LeaseParseResult } from './common.js';
import { refusal, SNIFF_BYTES, type ContentKind } from '../sniff.js';

export { detectLeaseFormat } from './common.js';
export type { LeaseFormat, LeaseLineError, LeaseParseOptions, LeaseParseResult } from './common.js';
export type { Lease } from '../../core/leases.js';

/**
 * A lease file beyond this is not a lease file: a home network's is a few kB, and ISC dhcpd
 * rewrites its append-only journal every hour. The file is read whole, so this bounds memory.
 */
export const MAX_LEASE_FILE_BYTES = 8 * 1024 * 1024;

export interface ParseLeasesOptions {
  /** Skip detection (e.g. the config says which server it is). */
  readonly format?: LeaseFormat;
  /** Epoch ms that relative expiries count from (see expiryToEnd). */
  readonly referenceTs: number;
  readonly file: string;
}

export interface ParsedLeases extends LeaseParseResult {
  /** undefined only for an input with nothing in it. */
  readonly format: LeaseFormat | undefined;
}

const PARSERS = {
  dnsmasq: parseDnsmasqLeases,
  isc: parseIscLeases,
  kea: parseKeaLeases,
  'pihole-api': parsePiholeApiLeases,
} as const;

/**
 * Detects (unless told) and parses. An empty or comment-only input is an empty lease list (a
 * server with no clients yet); anything else that fits no format is a SourceError.
 */
export function parseLeases(text: string, opts: ParseLeasesOptions): ParsedLeases {
  const format = opts.format ?? detectLeaseFormat(text);
  if (format === undefined) {
    // Only blank and comment lines? (A line-start test, not a split: the file may be 8 MB of newlines.)
    if (!/^[ \t\r\f\v]*[^\s#]/m.test(text)) {
      return { format, leases: [], skipped: {}, errors: [] };
    }
    throw new SourceError(`${opts.file}: not a lease file this program knows (dnsmasq, ISC dhcpd, Kea CSV, Pi-hole API JSON)`, {
      file: opts.file,
      offset: 0,
      line: 1,
    });
  }
  return { format, ...PARSERS[format](text, { referenceTs: opts.referenceTs, file: opts.file }) };
}

export interface ReadLeaseFileOptions {
  /**
   * Epoch ms that relative expiries count from. Default: the file's mtime, the last time the
   * server wrote it, which is what a dnsmasq without RTC counts its lease lengths from.
   */
  readonly referenceTs?: number;
  readonly format?: LeaseFormat;
}

export interface LeaseFile extends ParsedLeases {
  readonly file: string;
  readonly mtimeMs: number;
  readonly size: number;
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** A lease file as text, decoded line by line, with the lines that had to be dropped. */
export interface DecodedLeases {
  readonly text: string;
  /** 1-based lines blanked because they hold a NUL byte (not text at all). */
  readonly binaryLines: number[];
}

/**
 * Each line as UTF-8, or as Latin-1 when it is not valid UTF-8: routers write host names in
 * their own encoding ("caf\xe9"), and one such name must not cost the other leases. A line with
 * a NUL byte is blanked (its line number kept) and reported.
 */
export function decodeLeaseText(buf: Uint8Array): DecodedLeases {
  // The usual file: valid UTF-8 without NUL bytes, decoded whole.
  if (!buf.includes(0)) {
    try {
      return { text: UTF8.decode(buf), binaryLines: [] };
    } catch {
      // Some line is not UTF-8: decode line by line below.
    }
  }
  // Runs of good lines are decoded together; only a Latin-1 or a NUL line is taken alone.
  const parts: string[] = [];
  const binaryLines: number[] = [];
  let run = 0;
  let start = 0;
  for (let n = 1; start <= buf.length; n++) {
    let nl = buf.indexOf(10, start);
    if (nl < 0) nl = buf.length;
    const line = buf.subarray(start, nl);
    const odd = line.includes(0) ? '' : isUtf8(line) ? undefined : latin1(line);
    if (odd !== undefined) {
      if (line.includes(0)) binaryLines.push(n);
      parts.push(UTF8.decode(buf.subarray(run, start)), odd);
      run = nl;
    }
    start = nl + 1;
  }
  parts.push(UTF8.decode(buf.subarray(run)));
  return { text: parts.join(''), binaryLines };
}

const latin1 = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.length).toString('latin1');

function isUtf8(line: Uint8Array): boolean {
  if (line.every((c) => c < 0x80)) return true;
  try {
    UTF8.decode(line);
    return true;
  } catch {
    return false;
  }
}

const LEASE_KINDS: readonly ContentKind[] = ['dnsmasq-leases', 'isc-leases', 'kea-leases', 'pihole-api-leases'];

/**
 * A lease file's bytes, parsed: decoded line by line, refused (SourceError) only when it clearly
 * is another kind of file, with the lines holding NUL bytes counted as `binary`.
 */
export function parseLeaseBytes(buf: Uint8Array, opts: ParseLeasesOptions): ParsedLeases {
  return parseDecoded(decodeLeaseText(buf), opts, buf.subarray(0, SNIFF_BYTES));
}

/** Parse decoded text, counting the blanked binary lines as broken ones. */
function parseDecoded(decoded: DecodedLeases, opts: ParseLeasesOptions, head: Uint8Array): ParsedLeases {
  // Clearly another kind of file (a log, a capture, binary data): say what it looks like.
  const why = refusal(opts.file, head, LEASE_KINDS, 'a lease file');
  if (why !== undefined) throw new SourceError(why, { file: opts.file, offset: 0 });
  const parsed = parseLeases(decoded.text, opts);
  if (decoded.binaryLines.length === 0) return parsed;
  const skipped = { ...parsed.skipped, binary: decoded.binaryLines.length };
  const binary = decoded.binaryLines.map((line) => ({ line, reason: 'binary', detail: 'NUL byte in the line' }));
  const errors = [...parsed.errors, ...binary].sort((a, b) => a.line - b.line).slice(0, MAX_LINE_ERRORS);
  return { ...parsed, skipped, errors };
}

/**
 * Reads and parses one lease file. Missing, oversized or non-lease files are SourceErrors (a
 * file of another known kind is named: "this looks like a Pi-hole query log"); bad bytes cost
 * only their line.
 */
export async function readLeaseFile(path: string, opts: ReadLeaseFileOptions = {}): Promise<LeaseFile> {
  let info;
  try {
    info = await stat(path);
  } catch (err) {
    const code = errnoOf(err);
    const why = code === 'ENOENT' ? 'lease file not found' : `cannot read lease file (${code ?? 'error'})`;
    throw new SourceError(`${path}: ${why}`, { file: path, cause: err });
  }
  if (!info.isFile()) throw new SourceError(`${path}: not a regular file`, { file: path });
  if (info.size > MAX_LEASE_FILE_BYTES) {
    throw new SourceError(`${path}: ${info.size} bytes is too big for a lease file (limit ${MAX_LEASE_FILE_BYTES})`, { file: path });
  }
  let buf: Buffer;
  try {
    buf = await readFile(path);
  } catch (err) {
    throw new SourceError(`${path}: cannot read lease file`, { file: path, cause: err });
  }
  // The file may have grown between stat and read.
  if (buf.length > MAX_LEASE_FILE_BYTES) throw new SourceError(`${path}: too big for a lease file (limit ${MAX_LEASE_FILE_BYTES})`, { file: path });
  const parsed = parseLeaseBytes(buf, { ...opts, referenceTs: opts.referenceTs ?? info.mtimeMs, file: path });
  return { ...parsed, file: path, mtimeMs: info.mtimeMs, size: buf.length };
}
