// Vendor names from the IEEE registries via the oui-data package: a 5.4 MB JSON object keyed by
// 6 (MA-L), 7 (MA-M) or 9 (MA-S) upper-case hex digits, valued by a multi-line string whose
// first line is the organisation. The daemon must idle small on a Pi, so the file is never
// JSON.parse'd (that builds ~21 MB of heap); it is scanned as bytes and only first lines are kept.
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { isLocallyAdministered, isMulticast, macHex, normalizeMac } from '../../core/mac.js';
import { SourceError } from '../errors.js';

/** Where the installed oui-data keeps its JSON. */
export function ouiDataPath(): string {
  return createRequire(import.meta.url).resolve('oui-data');
}

/**
 * Registry keys to try for `mac`, longest (most specific) first: MA-S and MA-M blocks are carved
 * out of MA-L blocks registered to the IEEE itself. undefined when no vendor can exist: not a
 * 6-octet MAC, multicast, or locally administered (randomized "private" addresses).
 */
export function vendorKeys(mac: string): string[] | undefined {
  const m = normalizeMac(mac);
  if (!m || isMulticast(m) || isLocallyAdministered(m)) return undefined;
  const hex = macHex(m);
  return [hex.slice(0, 9), hex.slice(0, 7), hex.slice(0, 6)];
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const TEXT = new TextDecoder();

/** End (index of the closing quote) of the JSON string whose body starts at `from`. */
function stringEnd(buf: Uint8Array, from: number): number {
  for (let i = from; i < buf.length; i++) {
    if (buf[i] === BACKSLASH) i++;
    else if (buf[i] === QUOTE) return i;
  }
  return -1;
}

/** End of the first line of a JSON string body: its first `\n` escape, or the closing quote. */
function firstLineEnd(buf: Uint8Array, from: number, end: number): number {
  for (let i = from; i < end; i++) {
    if (buf[i] !== BACKSLASH) continue;
    if (buf[i + 1] === 0x6e) return i;
    i++;
  }
  return end;
}

/** True if bytes [from, to) are one `:` amid JSON whitespace: the gap between a key and its value. */
function onlyColon(buf: Uint8Array, from: number, to: number): boolean {
  let colons = 0;
  for (let i = from; i < to; i++) {
    const c = buf[i]!;
    if (c === 0x3a) colons++;
    else if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) return false;
  }
  return colons === 1;
}

function decodeBody(buf: Uint8Array, from: number, to: number): string {
  const raw = TEXT.decode(buf.subarray(from, to));
  return raw.includes('\\') ? (JSON.parse(`"${raw}"`) as string) : raw;
}

/**
 * Calls `onEntry(key, organisation)` for every entry of the flat `{"KEY": "value", ...}` object
 * whose key `want` accepts. Strings made by decoding are fresh copies, so nothing retains `buf`.
 */
function scanOui(buf: Uint8Array, file: string, want: (key: string) => boolean, onEntry: (key: string, org: string) => void): void {
  let pos = buf.indexOf(0x7b);
  if (pos < 0) throw new SourceError(`${file}: not a JSON object`, { file, offset: 0 });
  for (;;) {
    const k = buf.indexOf(QUOTE, pos + 1);
    if (k < 0) return;
    const kEnd = buf.indexOf(QUOTE, k + 1);
    const v = kEnd < 0 ? -1 : buf.indexOf(QUOTE, kEnd + 1);
    const vEnd = v < 0 ? -1 : stringEnd(buf, v + 1);
    if (vEnd < 0 || !onlyColon(buf, kEnd + 1, v)) {
      throw new SourceError(`${file}: unexpected oui-data layout at offset ${k}`, { file, offset: k });
    }
    const key = TEXT.decode(buf.subarray(k + 1, kEnd));
    if (want(key)) onEntry(key, decodeBody(buf, v + 1, firstLineEnd(buf, v + 1, vEnd)));
    pos = vEnd;
  }
}

function readOui(file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    throw new SourceError(`${file}: cannot read the IEEE OUI list (oui-data)`, { file, cause: err });
  }
}

/**
 * A lazily loaded vendor index. The first lookup reads and scans the list (tens of ms; call
 * `load()` ahead to do the reading off the event loop) and keeps ~4.5 MB of organisation names
 * (interned: 53 k keys share 31 k names). `release()` drops them again.
 */
export class OuiDatabase {
  private index: Map<string, string> | undefined;

  constructor(private readonly file: string = ouiDataPath()) {}

  get loaded(): boolean {
    return this.index !== undefined;
  }

  async load(): Promise<void> {
    if (this.index) return;
    let buf: Buffer;
    try {
      buf = await readFile(this.file);
    } catch (err) {
      throw new SourceError(`${this.file}: cannot read the IEEE OUI list (oui-data)`, { file: this.file, cause: err });
    }
    this.index ??= this.build(buf);
  }

  private build(buf: Uint8Array): Map<string, string> {
    const index = new Map<string, string>();
    const names = new Map<string, string>();
    scanOui(buf, this.file, () => true, (key, org) => {
      let name = names.get(org);
      if (name === undefined) names.set(org, (name = org));
      index.set(key, name);
    });
    return index;
  }

  /** The organisation that registered `mac`'s prefix; undefined for randomized and unknown ones. */
  lookup(mac: string): string | undefined {
    const keys = vendorKeys(mac);
    if (!keys) return undefined;
    this.index ??= this.build(readOui(this.file));
    for (const k of keys) {
      const org = this.index.get(k);
      if (org) return org;
    }
    return undefined;
  }

  release(): void {
    this.index = undefined;
  }
}

let shared: OuiDatabase | undefined;

/** lookup() on a process-wide OuiDatabase over the installed oui-data. */
export function lookupVendor(mac: string): string | undefined {
  shared ??= new OuiDatabase();
  return shared.lookup(mac);
}

/**
 * Vendors of many MACs in one pass over the list, keeping nothing afterwards: for a daemon that
 * names new devices now and then, cheaper in resident memory than holding the index. The map is
 * keyed by the MACs as given; randomized, multicast and unknown ones map to undefined.
 */
export function lookupVendors(macs: Iterable<string>, file: string = ouiDataPath()): Map<string, string | undefined> {
  const keysOf = new Map<string, string[] | undefined>();
  for (const mac of macs) keysOf.set(mac, vendorKeys(mac));
  const wanted = new Set([...keysOf.values()].flatMap((k) => k ?? []));
  const found = new Map<string, string>();
  if (wanted.size > 0) scanOui(readOui(file), file, (key) => wanted.has(key), (key, org) => found.set(key, org));
  const out = new Map<string, string | undefined>();
  for (const [mac, keys] of keysOf) out.set(mac, keys?.map((k) => found.get(k)).find((org) => org !== undefined));
  return out;
}
