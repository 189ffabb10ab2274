// Streams a pihole.log (plain, or gzip as logrotate leaves pihole.log.2.gz; detected by its magic
// bytes) through the assembler and hands over events in batches, each with the byte offset that
// resumes right after it. The caller stores a batch and its offset in one transaction, so a crash
// neither loses nor repeats an event. Memory stays bounded whatever the file size. A file is
// refused only when its first bytes clearly show another kind of file (sniff.ts); bad bytes in a
// log (a NUL run after a power cut, a stray Latin-1 byte) cost only the lines they are in.
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';
import type { Catalog } from '../../core/catalog.js';
import { SourceError } from '../errors.js';
import { readHead, type Head } from '../fingerprint.js';
import { refusal, SNIFF_BYTES } from '../sniff.js';
import { PiholeAssembler } from './assembler.js';
import { LineFeeder, type PiholeBatch, type PiholeReadStats } from './feeder.js';

export type { PiholeBatch, PiholeReadStats } from './feeder.js';

export interface PiholeReadOptions {
  readonly catalog: Catalog;
  readonly timeZone: string;
  /** Latest possible line time (decides the year of yearless stamps). Default: the file's mtime. */
  readonly referenceTs?: number;
  /** Byte offset to resume at (of the decompressed stream for gzip). */
  readonly startOffset?: number;
  /** Hand over a batch about every this many lines. */
  readonly batchLines?: number;
  /** The file is finished: consume a last line without newline and settle open queries. */
  readonly final?: boolean;
  /**
   * A live log read to its current end: close an answer chain open at the end (dnsmasq writes a
   * response's lines together) so the newest lookup is not held back until the next line.
   */
  readonly settle?: boolean;
  /** The file's head as the caller already read it this pass (fingerprint.ts); read here if not given. */
  readonly head?: Head;
  /**
   * Pass over the lines that name no monitored service (prefilter.ts; default true). The events
   * and batches are the same either way; without it the skip reasons of all lines are counted.
   */
  readonly prefilter?: boolean;
}

const CHUNK = 1 << 20;
const HEAD_BYTES = SNIFF_BYTES;

/** Read `path` from opts.startOffset to its end; onBatch is called synchronously for every batch. */
export async function readPiholeLog(
  path: string,
  opts: PiholeReadOptions,
  onBatch: (batch: PiholeBatch) => void,
): Promise<PiholeReadStats> {
  const head = opts.head ?? (await readHead(path));
  const start = opts.startOffset ?? 0;
  if (!head.gzip) {
    checkText(path, head.raw);
    if (start > head.size) {
      throw new SourceError(`${path}: start offset ${start} is beyond the end of the file (${head.size} bytes)`, { file: path, offset: start });
    }
  }
  const assembler = new PiholeAssembler({
    catalog: opts.catalog,
    timeZone: opts.timeZone,
    referenceTs: opts.referenceTs ?? head.mtimeMs,
  });
  const feeder = new LineFeeder(assembler, start, opts.batchLines ?? 5000, onBatch, opts.prefilter !== false);
  const chunks = head.gzip ? gunzipFrom(path, start) : readFrom(path, start);
  const it = chunks[Symbol.asyncIterator]();
  try {
    for (;;) {
      let next: IteratorResult<Buffer>;
      try {
        next = await it.next();
      } catch (err) {
        throw readFailure(path, head.gzip, feeder, err);
      }
      if (next.done) break;
      // Errors from here on are the caller's (onBatch) and pass through unchanged.
      feeder.push(next.value);
    }
  } finally {
    await it.return?.(undefined);
  }
  return feeder.end(opts.final === true, true, opts.settle === true);
}

/** The stream broke (I/O error, corrupt gzip): hand over what is complete, then report where. */
function readFailure(path: string, gzip: boolean, feeder: LineFeeder, err: unknown): SourceError {
  if (err instanceof SourceError) return err;
  feeder.end(false, false);
  const where = gzip ? 'decompressed offset' : 'offset';
  return new SourceError(`${path}: read failed at ${where} ${feeder.offset}: ${(err as Error).message}`, {
    file: path,
    offset: feeder.offset,
    cause: err,
  });
}

/**
 * The file from byte `start` to its current end, in two buffers used in turn: the next chunk is
 * read (by libuv's thread pool, on another core) while the caller works on this one, and no
 * chunk is allocated per read. A chunk is only valid until the caller asks for the next one.
 */
async function* readFrom(path: string, start: number): AsyncGenerator<Buffer> {
  const fh = await open(path, 'r');
  let buf = Buffer.allocUnsafe(CHUNK);
  let spare = Buffer.allocUnsafe(CHUNK);
  let pos = start;
  let next = fh.read(buf, 0, CHUNK, pos);
  try {
    for (;;) {
      const { bytesRead } = await next;
      if (bytesRead === 0) return;
      pos += bytesRead;
      next = fh.read(spare, 0, CHUNK, pos);
      yield buf.subarray(0, bytesRead);
      [buf, spare] = [spare, buf];
    }
  } finally {
    // A read still in flight must end before the handle closes; its result is no longer wanted.
    await Promise.allSettled([next]);
    await fh.close();
  }
}

/** The decompressed stream from byte `start` on; its first bytes are checked (checkText) first. */
async function* gunzipFrom(path: string, start: number): AsyncGenerator<Buffer> {
  const raw = createReadStream(path, { highWaterMark: CHUNK });
  const gunzip = createGunzip({ chunkSize: 256 * 1024 });
  raw.on('error', (err) => gunzip.destroy(err));
  raw.pipe(gunzip);
  let pos = 0;
  let head: Buffer[] | undefined = [];
  try {
    for await (const chunk of gunzip as AsyncIterable<Buffer>) {
      let data = chunk;
      if (head) {
        head.push(chunk);
        data = Buffer.concat(head);
        if (data.length < HEAD_BYTES) continue;
        checkText(path, data.subarray(0, HEAD_BYTES));
        head = undefined;
      }
      const skip = Math.min(data.length, Math.max(0, start - pos));
      pos += data.length;
      if (skip < data.length) yield skip > 0 ? data.subarray(skip) : data;
    }
    if (head) {
      const data = Buffer.concat(head);
      checkText(path, data);
      pos = data.length;
      if (start < pos) yield data.subarray(start);
    }
    if (start > pos) {
      throw new SourceError(`${path}: start offset ${start} is beyond the end of the decompressed log (${pos} bytes)`, { file: path, offset: start });
    }
  } finally {
    raw.destroy();
    gunzip.destroy();
  }
}

/** Refuse a file whose first bytes show another kind of file; a log with bad bytes is read. */
function checkText(path: string, head: Buffer): void {
  const why = refusal(path, head, ['pihole-log'], 'a Pi-hole query log');
  if (why !== undefined) throw new SourceError(why, { file: path, offset: 0 });
}
