// Reading a Pi-hole log into the store: resumes where an earlier read of the same content
// stopped, and writes each batch of events with the file's new offset in one transaction, so a
// crash at any point neither loses nor repeats an event.
import { stat } from 'node:fs/promises';
import type { SkipCounts } from '../core/types.js';
import { SourceError } from '../sources/errors.js';
import { readPiholeLog, type PiholeBatch } from '../sources/pihole-reader.js';
import type { SourceRow } from '../store/sources.js';
import type { App } from './app.js';
import { FINGERPRINT_BYTES, hashHead, matches, readHead } from './fingerprint.js';

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
}

/** The stored source whose content this file continues, if any. */
export function findSource(rows: readonly SourceRow[], head: Buffer): SourceRow | undefined {
  return rows.filter((r) => matches(head, r)).sort((a, b) => b.fpLen - a.fpLen || b.offset - a.offset)[0];
}

export async function ingestPiholeLog(app: App, path: string, opts: LogIngestOptions): Promise<LogIngestResult> {
  let info;
  try {
    info = await stat(path);
  } catch (err) {
    throw new SourceError(`${path}: ${describeFsError(err)}`, { file: path, cause: err });
  }
  if (!info.isFile()) throw new SourceError(`${path}: not a regular file`, { file: path });
  const head = await readHead(path);
  const empty: LogIngestResult = {
    path, linesRead: 0, parsed: 0, skipped: {}, dnsEvents: 0, servedEvents: 0, firstEventTs: undefined, endOffset: 0, resumedFrom: 0,
  };
  if (head.bytes.length === 0) return empty;

  const { store } = app;
  let source = findSource(store.sources.byKind('pihole'), head.bytes);
  // Same beginning but shorter than what was read: the file was rewritten; read it anew.
  if (source && !head.gzip && info.size < source.offset) source = undefined;
  const fpLen = Math.min(head.bytes.length, FINGERPRINT_BYTES);
  const sourceId = source?.id ?? store.sources.create('pihole', path, hashHead(head.bytes, fpLen), fpLen, info.ino, opts.now);
  if (source && source.fpLen < fpLen) store.sources.updateFingerprint(sourceId, hashHead(head.bytes, fpLen), fpLen);
  const startOffset = source?.offset ?? 0;
  if (source?.complete && head.gzip) return { ...empty, endOffset: startOffset, resumedFrom: startOffset };

  let firstEventTs: number | undefined;
  const onBatch = (b: PiholeBatch): void => {
    store.tx(() => {
      store.events.addDns(b.dns, sourceId);
      store.events.addServed(b.served);
      store.sources.progress(sourceId, {
        path, inode: info.ino, offset: b.endOffset, size: info.size, complete: opts.final && b.last === true,
        addLines: b.linesRead, addParsed: b.parsed, addSkipped: b.skipped, firstEvent: b.firstTs, lastEvent: b.lastTs, now: opts.now,
      });
    });
    for (const e of b.dns) if (firstEventTs === undefined || e.ts < firstEventTs) firstEventTs = e.ts;
  };
  let stats;
  try {
    stats = await readPiholeLog(
      path,
      {
        catalog: app.catalog,
        timeZone: app.timeZone,
        // A finished file ends when it was last written; a live one may be written to right now.
        referenceTs: opts.referenceTs ?? (opts.final ? info.mtimeMs : Math.max(opts.now, info.mtimeMs)),
        startOffset,
        final: opts.final,
        // A live log read to its end: its newest answer chain is complete, store it now.
        settle: !opts.final,
        ...(opts.batchLines ? { batchLines: opts.batchLines } : {}),
      },
      onBatch,
    );
  } catch (err) {
    // Keep the failure on the source so that `nfmon status` shows why it is not advancing.
    store.sources.setError(sourceId, (err as Error).message, opts.now);
    throw err;
  }
  return {
    path,
    linesRead: stats.linesRead,
    parsed: stats.parsed,
    skipped: stats.skipped,
    dnsEvents: stats.dnsEvents,
    servedEvents: stats.servedEvents,
    firstEventTs,
    endOffset: stats.endOffset,
    resumedFrom: startOffset,
  };
}

export function describeFsError(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES') return 'permission denied';
  if (code === 'EISDIR') return 'is a directory';
  return (err as Error).message;
}
