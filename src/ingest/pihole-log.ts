// Reading a Pi-hole log into the store: resumes where an earlier read of the same content
// stopped, and writes each batch of events with the file's new offset in one transaction, so a
// crash at any point neither loses nor repeats an event.
import type { Stats } from 'node:fs';
import { stat } from 'node:fs/promises';
import { describeFsError } from '../core/errno.js';
import type { SkipCounts } from '../core/types.js';
import { SourceError } from '../sources/errors.js';
import { readPiholeLog, type PiholeBatch, type PiholeReadOptions } from '../sources/pihole/reader.js';
import type { AddDnsOptions } from '../store/events.js';
import type { Store } from '../store/index.js';
import type { Progress, SourceRow } from '../store/sources.js';
import type { IngestDeps } from './deps.js';
import type { ProgressSink } from './progress.js';
import { FINGERPRINT_BYTES, hashHead, matches, readHead, type Head as FileHead } from '../sources/fingerprint.js';
import { sameQueryOf } from './same-query.js';
import { attribution } from './identity.js';
import { ServedFold } from '../core/served.js';

export interface LogIngestResult {
  readonly path: string;
  readonly linesRead: number;
  readonly parsed: number;
  readonly skipped: SkipCounts;
  readonly dnsEvents: number;
  readonly servedEvents: number;
  /** Earliest event stored by this read (rebuild sessions from here). */
  readonly firstEventTs: number | undefined;
  readonly endOffset: number;
  readonly resumedFrom: number;
}

export interface LogIngestOptions {
  /** The file is finished (one-off import, rotated file): consume a last line without newline. */
  readonly final: boolean;
  /** Latest possible event time: the file's mtime for a finished file, else now. */
  readonly referenceTs?: number;
  readonly now: number;
  readonly batchLines?: number;
  readonly progress?: ProgressSink | undefined;
}

/** A group of batches is stored once it holds this many events or lines (or the read ends). */
const GROUP_EVENTS = 5000;
const GROUP_LINES = 1_000_000;
/**
 * Folded answers held before they are upserted mid-read (about 150 bytes each): a busy log's
 * 56k addresses held at once took the import over 150 MB; 10k cost no measurable time.
 */
const SERVED_ROWS = 10_000;

/**
 * The counters of consecutive batches as one progress step: sums, and the earliest first and
 * latest last stamp, which is what storing them one by one leaves in the row (min and max of
 * the stored value and each batch's). Skip reasons keep the order they first appear in.
 */
function sumProgress(batches: readonly PiholeBatch[]): Pick<Progress, 'addLines' | 'addParsed' | 'addSkipped' | 'firstEvent' | 'lastEvent'> {
  let addLines = 0, addParsed = 0;
  let firstEvent: number | undefined, lastEvent: number | undefined;
  const addSkipped: SkipCounts = {};
  for (const b of batches) {
    addLines += b.linesRead;
    addParsed += b.parsed;
    for (const [k, v] of Object.entries(b.skipped)) addSkipped[k] = (addSkipped[k] ?? 0) + v;
    if (b.firstTs !== undefined && (firstEvent === undefined || b.firstTs < firstEvent)) firstEvent = b.firstTs;
    if (b.lastTs !== undefined && (lastEvent === undefined || b.lastTs > lastEvent)) lastEvent = b.lastTs;
  }
  return { addLines, addParsed, addSkipped, firstEvent, lastEvent };
}

/** The stored source whose content this file continues, if any. */
export function findSource(rows: readonly SourceRow[], head: Buffer): SourceRow | undefined {
  return rows.filter((r) => matches(head, r)).sort((a, b) => b.fpLen - a.fpLen || b.offset - a.offset)[0];
}

/** What a read resumes from: the stored source, created if this content is new. */
interface LogSource {
  readonly id: number;
  readonly startOffset: number;
  /** A compressed (rotated) file already read to its end: nothing to do. */
  readonly done: boolean;
}

/** The file's stat, or a SourceError naming it. */
async function statLog(path: string): Promise<Stats> {
  let info;
  try {
    info = await stat(path);
  } catch (err) {
    throw new SourceError(`${path}: ${describeFsError(err)}`, { file: path, cause: err });
  }
  if (!info.isFile()) throw new SourceError(`${path}: not a regular file`, { file: path });
  return info;
}

/** The source this content continues (its fingerprint widened if the file grew), or a new one. */
function resolveLogSource(store: Store, path: string, info: Stats, head: FileHead, now: number): LogSource {
  let source = findSource(store.sources.byKind('pihole'), head.bytes);
  // Same beginning but shorter than what was read: the file was rewritten; read it anew.
  if (source && !head.gzip && info.size < source.offset) source = undefined;
  const fpLen = Math.min(head.bytes.length, FINGERPRINT_BYTES);
  const id = source?.id ?? store.sources.create('pihole', path, hashHead(head.bytes, fpLen), fpLen, info.ino, now);
  if (source && source.fpLen < fpLen) store.sources.updateFingerprint(id, hashHead(head.bytes, fpLen), fpLen);
  const startOffset = source?.offset ?? 0;
  return { id, startOffset, done: source?.complete === true && head.gzip };
}

/**
 * Batches are stored a group at a time: one commit per batch (a few hundred events) cost more
 * than storing them. The group's events and its last offset still go in one transaction.
 */
class GroupWriter {
  private group: PiholeBatch[] = [];
  private groupEvents = 0;
  private groupLines = 0;
  /** Earliest event stored so far. */
  firstEventTs: number | undefined;
  // With Pi-hole's database also read, its copy of a query may be stamped one second later.
  private readonly near: AddDnsOptions;
  /** The answers of this read, folded (core/served.ts) as batches arrive, not yet in served_addresses. */
  private readonly served = new ServedFold();

  constructor(
    private readonly store: Store,
    private readonly sourceId: number,
    private readonly file: { readonly path: string; readonly info: Stats; readonly final: boolean; readonly now: number },
    deviceOf: (ip: string, ts: number) => string,
  ) {
    this.near = { ...sameQueryOf(store, 'pihole'), deviceOf };
  }

  add(b: PiholeBatch): void {
    // Answers are folded at once: a group holds its lookups, not every answer. They still count
    // towards its size: groups of 5000 lookups alone held long enough to reach V8's old space
    // (a year's import peaked 15 MB higher) and were no faster.
    this.served.add(b.served);
    this.group.push(b.served.length > 0 ? { ...b, served: [] } : b);
    this.groupEvents += b.dns.length + b.served.length;
    this.groupLines += b.linesRead;
    if (b.last || this.groupEvents >= GROUP_EVENTS || this.groupLines >= GROUP_LINES) this.flush();
  }

  /**
   * The read is complete: the answers it appended to served_log go into served_addresses, once,
   * in key order, and the log is emptied. A read that fails leaves the log for the next one.
   */
  finish(): void {
    this.flush();
    this.store.tx(() => this.store.events.settleServed(this.sourceId, this.served.rows()));
    this.served.clear();
  }

  /** The read failed: what it stored stays, its answers in served_log for the next mergeServed. */
  abandon(): void {
    this.store.events.settleServed(this.sourceId, undefined);
  }

  flush(): void {
    if (this.group.length === 0) return;
    const batches = this.group;
    this.group = [];
    this.groupEvents = this.groupLines = 0;
    this.store.tx(() => this.write(batches));
    for (const b of batches) for (const e of b.dns) if (this.firstEventTs === undefined || e.ts < this.firstEventTs) this.firstEventTs = e.ts;
  }

  private write(batches: readonly PiholeBatch[]): void {
    const { store, sourceId } = this;
    const { path, info, final, now } = this.file;
    const last = batches.at(-1)!;
    let added = 0;
    let earliest = Infinity;
    for (const b of batches) {
      added += store.events.addDns(b.dns, sourceId, this.near);
      for (const e of b.dns) if (e.ts < earliest) earliest = e.ts;
    }
    // Lookups not stored before change what sessions and alerts say, from the earliest on.
    if (added > 0) store.mark.changed(earliest);
    store.events.appendServed(sourceId, this.served.takeTouched());
    // Many addresses (a busy home, years): upsert what is folded so far; the log keeps it until the end.
    if (this.served.size >= SERVED_ROWS) {
      store.events.upsertServed(this.served.rows());
      this.served.clear();
    }
    store.sources.progress(sourceId, {
      path, inode: info.ino, offset: last.endOffset, size: info.size, complete: final && last.last === true, now,
      ...sumProgress(batches),
    });
  }
}

/** How the reader reads this file from `startOffset`. */
function readOptions(deps: IngestDeps, info: Stats, head: FileHead, startOffset: number, opts: LogIngestOptions): PiholeReadOptions {
  return {
    catalog: deps.catalog,
    timeZone: deps.timeZone,
    // A finished file ends when it was last written; a live one may be written to right now.
    referenceTs: opts.referenceTs ?? (opts.final ? info.mtimeMs : Math.max(opts.now, info.mtimeMs)),
    startOffset,
    head,
    final: opts.final,
    // A live log read to its end: its newest answer chain is complete, store it now.
    settle: !opts.final,
    ...(opts.batchLines ? { batchLines: opts.batchLines } : {}),
  };
}

export async function ingestPiholeLog(deps: IngestDeps, path: string, opts: LogIngestOptions): Promise<LogIngestResult> {
  const info = await statLog(path);
  const head = await readHead(path);
  const empty: LogIngestResult = {
    path, linesRead: 0, parsed: 0, skipped: {}, dnsEvents: 0, servedEvents: 0, firstEventTs: undefined, endOffset: 0, resumedFrom: 0,
  };
  if (head.bytes.length === 0) return empty;

  const { store } = deps;
  const source = resolveLogSource(store, path, info, head, opts.now);
  const { startOffset } = source;
  if (source.done) return { ...empty, endOffset: startOffset, resumedFrom: startOffset };

  // Answers an earlier read appended and was killed before upserting: theirs first (this read's are cleared at its end).
  store.tx(() => store.events.mergeServed());
  const writer = new GroupWriter(store, source.id, { path, info, final: opts.final, now: opts.now }, attribution(() => deps.rebuildContext().resolver));
  let lines = 0;
  const onBatch = (b: PiholeBatch): void => {
    lines += b.linesRead;
    opts.progress?.({
      path, unit: 'lines', bytes: b.endOffset - startOffset, totalBytes: head.gzip ? undefined : info.size - startOffset, items: lines, done: b.last,
    });
    writer.add(b);
  };
  let stats;
  try {
    stats = await readPiholeLog(path, readOptions(deps, info, head, startOffset, opts), onBatch);
    writer.finish();
  } catch (err) {
    // What was read before the failure is complete: keep it (a store failure here is the one reported).
    try {
      writer.flush();
    } finally {
      writer.abandon();
    }
    // Keep the failure on the source so that `nfmon status` shows why it is not advancing.
    store.sources.setError(source.id, (err as Error).message, opts.now);
    throw err;
  }
  const { linesRead, parsed, skipped, dnsEvents, servedEvents, endOffset } = stats;
  return { path, linesRead, parsed, skipped, dnsEvents, servedEvents, firstEventTs: writer.firstEventTs, endOffset, resumedFrom: startOffset };
}
