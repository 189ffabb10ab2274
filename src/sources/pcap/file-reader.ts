// Streams a capture file through its format parser in fixed-size reads. Two buffers alternate:
// while the parser walks one, the next read already fills the other, and only the tail of a
// record cut by a read boundary is copied (into the reserve in front of the next read), so
// memory stays at a few MiB whatever the file's size and records are never copied whole.
import { open, type FileHandle } from 'node:fs/promises';
import { SourceError } from '../errors.js';
import { KIND_TEXT, sniffContent } from '../sniff.js';
import { ClassicPcapParser, isClassicMagic } from './pcap-classic.js';
import { PCAPNG_SHB, PcapngParser } from './pcapng.js';
import { CaptureFormatError, MAX_UNIT, newRecord, type FormatParser, type PacketSink } from './record.js';

export const DEFAULT_CHUNK = 256 * 1024;

export interface ReadOptions {
  /** Bytes per read, 64-256 KiB being the sweet spot. */
  readonly chunkSize?: number;
  /** Called after each chunk with the file offset reached. */
  readonly onChunk?: (bytes: number) => void;
}

export interface ReadResult {
  readonly format: 'pcap' | 'pcapng' | undefined;
  /** Bytes of the file consumed as valid records (the whole file unless `error`). */
  readonly bytes: number;
  /** Set when the file is corrupt or cut short; everything before `error.offset` was read. */
  readonly error?: SourceError;
}

/** Reads every packet of a pcap or pcapng file into `sink`. Throws only if it cannot be opened. */
export async function readPackets(file: string, sink: PacketSink, opts: ReadOptions = {}): Promise<ReadResult> {
  let fh: FileHandle;
  try {
    fh = await open(file, 'r');
  } catch (cause) {
    throw new SourceError(`${file}: cannot open capture: ${(cause as Error).message}`, { file, cause });
  }
  try {
    return await pump(fh, file, sink, opts);
  } finally {
    await fh.close();
  }
}

function pickParser(file: string, head: Buffer, sink: PacketSink): FormatParser {
  const rec = newRecord();
  const le = head.readUInt32LE(0);
  if (le === PCAPNG_SHB) return new PcapngParser(file, rec, sink);
  if (isClassicMagic(le, head.readUInt32BE(0))) return new ClassicPcapParser(file, rec, sink);
  throw new CaptureFormatError(file, 0, `not a pcap or pcapng file${whatInstead(head)}`);
}

/** What a file that is not a capture looks like, when that is clear (sniff.ts). */
function whatInstead(head: Buffer): string {
  const kind = sniffContent(head);
  if (kind === 'gzip') return ' (gzip-compressed: decompress it first)';
  if (kind === 'text' || kind === 'empty') return '';
  const { name, option } = KIND_TEXT[kind];
  return ` (this looks like ${name}${option ? `: give it with ${option}` : ''})`;
}

async function pump(fh: FileHandle, file: string, sink: PacketSink, opts: ReadOptions): Promise<ReadResult> {
  const chunk = opts.chunkSize ?? DEFAULT_CHUNK;
  let cur = Buffer.allocUnsafe(MAX_UNIT + chunk);
  let next = Buffer.allocUnsafe(MAX_UNIT + chunk);
  let readPos = 0;
  const read = async (into: Buffer, at: number): Promise<{ bytesRead: number }> => {
    try {
      return await fh.read(into, MAX_UNIT, chunk, at);
    } catch (cause) {
      throw new SourceError(`${file}: read failed at byte ${at}: ${(cause as Error).message}`, { file, offset: at, cause });
    }
  };
  let pending = read(cur, 0);
  let carry = 0;
  let parser: FormatParser | undefined;
  for (;;) {
    const { bytesRead } = await pending;
    const dataStart = readPos - carry;
    if (bytesRead === 0) return finish(file, parser, dataStart, carry);
    readPos += bytesRead;
    pending = read(next, readPos);
    let start = MAX_UNIT - carry;
    const end = MAX_UNIT + bytesRead;
    try {
      // The format is known from the first four bytes; a tiny first read waits for more.
      if (!parser && end - start >= 4) parser = pickParser(file, cur.subarray(start, end), sink);
      let stop = start;
      if (parser) {
        const skipped = Math.min(parser.skip, end - start);
        parser.skip -= skipped;
        start += skipped;
        stop = parser.parse(cur, start, end, dataStart + skipped);
      }
      carry = end - stop;
      cur.copy(next, MAX_UNIT - carry, stop, end);
    } catch (err) {
      await pending;
      if (!(err instanceof CaptureFormatError)) throw err;
      return { format: parser?.format, bytes: err.offset ?? 0, error: err };
    }
    [cur, next] = [next, cur];
    opts.onChunk?.(readPos);
  }
}

function finish(file: string, parser: FormatParser | undefined, at: number, leftover: number): ReadResult {
  if (leftover === 0 && parser) return { format: parser.format, bytes: at };
  const what = parser ? `file cut short in the middle of a record (${leftover} bytes left)` : 'file too short to be a capture';
  return { format: parser?.format, bytes: at, error: new CaptureFormatError(file, at, what) };
}
