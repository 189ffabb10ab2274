// Reading a capture file into the store exactly once. A capture is read whole and its results
// (a few thousand flow-minutes, whatever the packet count) are written in one transaction together
// with the record that the file is done: a crash mid-file stores nothing, a repeat adds nothing.
import { createHash } from 'node:crypto';
import { readFileSync, type Stats } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describeFsError } from '../core/errno.js';
import { parsePrefixList, PrefixSet } from '../core/prefixes.js';
import type { FlowMinute, LeaseInterval, ServedAddress, SkipCounts } from '../core/types.js';
import { SourceError } from '../sources/errors.js';
import { readCapture, type CaptureStats } from '../sources/pcap/capture.js';
import type { Store } from '../store/index.js';
import type { SourceRow } from '../store/sources.js';
import type { IngestDeps } from './deps.js';
import { storeLeases } from './identity.js';
import { matches } from '../sources/fingerprint.js';
import type { ProgressSink } from './progress.js';

export interface CaptureIngestResult {
  readonly path: string;
  readonly format: string | undefined;
  readonly packets: number;
  readonly bytes: number;
  readonly skipped: SkipCounts;
  readonly alreadyIngested: boolean;
  /** Bytes (down + up) to and from monitored services, per device (MAC if seen, else IP). */
  readonly serviceBytesByDevice: Record<string, number>;
  readonly firstTs: number | undefined;
  readonly lastTs: number | undefined;
  /** The file was damaged: what was read before the damage is kept. */
  readonly error: string | undefined;
}

export interface CaptureIngestOptions {
  readonly now: number;
  readonly progress?: ProgressSink | undefined;
}

const BUNDLED_PREFIXES = fileURLToPath(new URL('../../data/netflix-prefixes.txt', import.meta.url));
const prefixCache = new Map<string, PrefixSet>();

/** The Open Connect prefix list: the bundled one, or captures.prefixes_file. */
export function loadPrefixes(file: string | undefined): PrefixSet {
  const path = file ?? BUNDLED_PREFIXES;
  let set = prefixCache.get(path);
  if (!set) {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (err) {
      throw new SourceError(`captures.prefixes_file ${path}: ${describeFsError(err)}`, { file: path, cause: err });
    }
    const parsed = parsePrefixList(text);
    const bad = parsed.errors[0];
    if (bad) throw new SourceError(`${path}: line ${bad.line}: not a CIDR prefix: ${bad.text.trim()}`, { file: path, line: bad.line });
    set = PrefixSet.fromCidrs(parsed.cidrs);
    prefixCache.set(path, set);
  }
  return set;
}

/** Identity of a capture's content: a hash of its first 64 KiB (the same file grown keeps it). */
async function captureFingerprint(path: string, size: number): Promise<{ hash: string; length: number; head: Buffer }> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(Math.min(size, 65_536));
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    const head = buf.subarray(0, bytesRead);
    return { hash: createHash('sha1').update(head).digest('hex'), length: bytesRead, head };
  } finally {
    await fh.close();
  }
}

type Fingerprint = Awaited<ReturnType<typeof captureFingerprint>>;

/**
 * The same content read before: done, unless this copy is longer (the earlier read was of a
 * file cut short, or of one still being written): then it is read again and replaces it.
 * A copy read when shorter than 64 KiB is known by the hash of all it had: compare that prefix.
 */
function knownCapture(store: Store, fp: Fingerprint): SourceRow | undefined {
  return store.sources
    .byKind('capture')
    .filter((s) => s.complete && matches(fp.head, s))
    .sort((a, b) => b.fpLen - a.fpLen)[0];
}

/** What one read of a capture gathers before anything is stored. */
interface CaptureRead {
  readonly stats: CaptureStats;
  readonly flows: Map<string, FlowMinute>;
  readonly served: ServedAddress[];
  /** The addresses seen with their MACs, as lease intervals. */
  readonly intervals: LeaseInterval[];
}

async function readCaptureFile(deps: IngestDeps, path: string, size: number, progress: ProgressSink | undefined): Promise<CaptureRead> {
  const flows = new Map<string, FlowMinute>();
  const served: ServedAddress[] = [];
  const macs = new Map<string, { ip: string; mac: string; first: number; last: number }>();
  const knownCache = new Map<string, ReturnType<typeof deps.store.events.servedAddress>>();
  const stats = await readCapture(
    path,
    {
      catalog: deps.catalog,
      prefixes: loadPrefixes(deps.config.captures.prefixes_file),
      knownAddress: (ip) => {
        if (!knownCache.has(ip)) knownCache.set(ip, deps.store.events.servedAddress(ip));
        return knownCache.get(ip);
      },
      onProgress: (bytes, packets) => progress?.({ path, unit: 'packets', bytes, totalBytes: size, items: packets, done: false }),
    },
    (b) => {
      served.push(...b.served);
      for (const f of b.flows) addFlow(flows, f);
      for (const m of b.macs) {
        const key = `${m.ip} ${m.mac}`;
        const seen = macs.get(key);
        if (seen) seen.last = Math.max(seen.last, m.ts);
        else macs.set(key, { ip: m.ip, mac: m.mac, first: m.ts, last: m.ts });
      }
    },
  );
  progress?.({ path, unit: 'packets', bytes: size, totalBytes: size, items: stats.packets, done: true });
  const intervals: LeaseInterval[] = [...macs.values()].map((m) => ({ ip: m.ip, mac: m.mac, start: m.first, end: m.last + 60_000, source: 'capture' }));
  return { stats, flows, served, intervals };
}

/** Everything a capture read, with the record that the file is done, in one transaction. */
function storeCapture(store: Store, file: { path: string; info: Stats; fp: Fingerprint; known: SourceRow | undefined; now: number }, read: CaptureRead): void {
  const { path, info, fp, known, now } = file;
  const { stats, flows, served, intervals } = read;
  const minutes = [...flows.values()].map((f) => f.minute);
  const replaced = known ? store.flows.earliestOfSource(known.id) : undefined;
  store.tx(() => {
    store.events.addServed(served);
    const id = known?.id ?? store.sources.create('capture', path, fp.hash, fp.length, info.ino, now);
    if (known) store.sources.reset(id);
    if (known && known.fpLen < fp.length) store.sources.updateFingerprint(id, fp.hash, fp.length);
    store.flows.replaceSource(id, [...flows.values()]);
    const changed = minutes.reduce((a, b) => Math.min(a, b), replaced ?? Infinity);
    if (Number.isFinite(changed)) store.mark.changed(changed);
    store.sources.progress(id, {
      path, inode: info.ino, offset: info.size, size: info.size, complete: true, addLines: stats.packets,
      addParsed: stats.packets - Object.values(stats.skipped).reduce((a, b) => a + b, 0), addSkipped: stats.skipped,
      firstEvent: stats.firstTs, lastEvent: stats.lastTs, now,
    });
    if (stats.error) store.sources.setError(id, stats.error.message, now);
    // The addresses the capture saw with their MACs, in the same transaction as the file's
    // "complete": stored after it, a full disk or a kill in between lost them for good.
    storeLeases(store, intervals);
  });
}

export async function ingestCapture(deps: IngestDeps, path: string, opts: CaptureIngestOptions): Promise<CaptureIngestResult> {
  const info = await stat(path).catch((err: unknown) => {
    throw new SourceError(`${path}: ${describeFsError(err)}`, { file: path, cause: err });
  });
  if (info.size === 0) return { path, format: undefined, skipped: {}, serviceBytesByDevice: {}, firstTs: undefined, lastTs: undefined, error: undefined, packets: 0, bytes: 0, alreadyIngested: false };
  const fp = await captureFingerprint(path, info.size);
  const known = knownCapture(deps.store, fp);
  const base = { path, format: undefined, skipped: {}, serviceBytesByDevice: {}, firstTs: undefined, lastTs: undefined, error: undefined };
  if (known && info.size <= known.size) return { ...base, packets: 0, bytes: 0, alreadyIngested: true };

  // Answers a log read appended and had no chance to fold (it was killed) classify this capture's addresses too.
  deps.store.tx(() => deps.store.events.mergeServed());
  const read = await readCaptureFile(deps, path, info.size, opts.progress);
  storeCapture(deps.store, { path, info, fp, known, now: opts.now }, read);
  const { stats, flows, served, intervals } = read;
  return {
    ...base,
    format: stats.format,
    packets: stats.packets,
    bytes: stats.bytes,
    skipped: stats.skipped,
    alreadyIngested: false,
    serviceBytesByDevice: bytesByDevice(flows.values(), intervals),
    firstTs: flows.size > 0 || served.length > 0 ? stats.firstTs : undefined,
    lastTs: stats.lastTs,
    error: stats.error?.message,
  };
}

function addFlow(flows: Map<string, FlowMinute>, f: FlowMinute): void {
  const key = `${f.minute} ${f.localIp} ${f.remoteIp} ${f.service}`;
  const prev = flows.get(key);
  if (!prev) return void flows.set(key, f);
  flows.set(key, {
    ...prev,
    role: prev.role === 'video' || f.role === 'video' ? 'video' : 'ui',
    bytesDown: prev.bytesDown + f.bytesDown,
    bytesUp: prev.bytesUp + f.bytesUp,
    packetsDown: prev.packetsDown + f.packetsDown,
    packetsUp: prev.packetsUp + f.packetsUp,
  });
}

function bytesByDevice(flows: Iterable<FlowMinute>, intervals: readonly LeaseInterval[]): Record<string, number> {
  const macOf = new Map(intervals.map((i) => [i.ip, i.mac]));
  const out: Record<string, number> = {};
  for (const f of flows) {
    const who = f.localMac ?? macOf.get(f.localIp) ?? f.localIp;
    out[who] = (out[who] ?? 0) + f.bytesDown + f.bytesUp;
  }
  return out;
}
