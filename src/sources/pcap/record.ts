// One captured packet as the file readers hand it on. The same object is reused for every
// packet: a consumer reads it synchronously and copies whatever it wants to keep, which keeps
// millions of packets from turning into millions of garbage objects.
import { SourceError } from '../errors.js';

export interface PacketRecord {
  /** The buffer that holds the packet's bytes; valid only during the callback. */
  buf: Buffer;
  /** Start of the packet's bytes in `buf`. */
  offset: number;
  /** Bytes captured (in `buf`). */
  caplen: number;
  /** Bytes on the wire; greater than caplen when the capture was cut by a snaplen. */
  origLen: number;
  /** LINKTYPE_* value with the FCS bits (upper 16 bits) masked off. */
  linkType: number;
  /** Capture time: whole seconds since the epoch and the nanoseconds within that second. */
  tsSec: number;
  tsNsec: number;
  /** Offset of the record in the file, for error messages. */
  fileOffset: number;
}

export type PacketSink = (p: PacketRecord) => void;

/** Larger than any real capture length (libpcap's maximum snaplen); more means corruption. */
export const MAX_CAPLEN = 262_144;

/** The largest unit (record or block) a parser asks the reader to hold at once. */
export const MAX_UNIT = 512 * 1024;

export function newRecord(): PacketRecord {
  return {
    buf: Buffer.alloc(0),
    offset: 0,
    caplen: 0,
    origLen: 0,
    linkType: 0,
    tsSec: 0,
    tsNsec: 0,
    fileOffset: 0,
  };
}

/**
 * Parses one container format from a window of the file. `parse` consumes whole units (records,
 * blocks) from buf[start, end) and returns the position after the last one it consumed; the
 * reader keeps the rest and calls again with more bytes. A unit too big to keep (an unknown
 * pcapng block) is consumed partially by setting `skip` to the bytes still to drop.
 */
export interface FormatParser {
  readonly format: 'pcap' | 'pcapng';
  skip: number;
  parse(buf: Buffer, start: number, end: number, fileOffset: number): number;
}

/** The file's bytes are not a valid capture from `offset` on; what came before stays valid. */
export class CaptureFormatError extends SourceError {
  constructor(file: string, offset: number, what: string) {
    super(`${file}: ${what} at byte ${offset}`, { file, offset });
    this.name = 'CaptureFormatError';
  }
}
