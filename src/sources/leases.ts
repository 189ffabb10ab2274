// DHCP lease sources: recognises which server wrote a lease file, parses it with the matching
// pure parser, and reads files (small by nature) with clear errors for what is not a lease file.
import { readFile, stat } from 'node:fs/promises';
import { SourceError } from './errors.js';
import { parseDnsmasqLeases } from './leases-dnsmasq.js';
import { parseIscLeases } from './leases-isc.js';
import { parseKeaLeases } from './leases-kea.js';
import { parsePiholeApiLeases } from './leases-pihole-api.js';
import type { LeaseFormat, LeaseParseResult } from './leases-common.js';

export type { LeaseFormat, LeaseLineError, LeaseParseOptions, LeaseParseResult } from './leases-common.js';
export type { Lease } from '../core/leases.js';

/** A lease file beyond this is not a lease file (a home network's is a few kB). */
export const MAX_LEASE_FILE_BYTES = 32 * 1024 * 1024;

const ISC_MARKERS = /^\s*(?:lease\s+[0-9a-fA-F.:]+\s*\{|ia-(?:na|ta|pd)\s|server-duid\s|failover\s+peer\s|authoring-byte-order\s)|dhcpd\.leases\(5\)/m;
const DNSMASQ_LINE = /^(?:\d+\s+\S+\s+\S+\s+\S+(?:\s+\S+)?|duid\s+\S+)\s*$/;

/** Which lease format `text` is in, from its content alone; undefined if none fits. */
export function detectLeaseFormat(text: string): LeaseFormat | undefined {
  const head = text.slice(0, 64 * 1024);
  if (/"leases"\s*:/.test(head) && head.includes('{')) return 'pihole-api';
  const first = head.split('\n').find((l) => l.trim() !== '' && !l.trimStart().startsWith('#'));
  if (first?.trim().startsWith('address,')) return 'kea';
  if (ISC_MARKERS.test(head)) return 'isc';
  if (first !== undefined && DNSMASQ_LINE.test(first.trim())) return 'dnsmasq';
  return undefined;
}

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
    if (text.split('\n').every((l) => l.trim() === '' || l.trimStart().startsWith('#'))) {
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

function decodeText(buf: Buffer, file: string): string {
  const nul = buf.indexOf(0);
  if (nul >= 0) throw new SourceError(`${file}: binary data (NUL byte at offset ${nul}), not a lease file`, { file, offset: nul });
  try {
    return UTF8.decode(buf);
  } catch (err) {
    throw new SourceError(`${file}: not UTF-8 text, not a lease file`, { file, cause: err });
  }
}

/** Reads and parses one lease file. Missing, oversized or binary files are SourceErrors. */
export async function readLeaseFile(path: string, opts: ReadLeaseFileOptions = {}): Promise<LeaseFile> {
  let info;
  try {
    info = await stat(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
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
  const text = decodeText(buf, path);
  const parsed = parseLeases(text, { ...opts, referenceTs: opts.referenceTs ?? info.mtimeMs, file: path });
  return { ...parsed, file: path, mtimeMs: info.mtimeMs, size: buf.length };
}
