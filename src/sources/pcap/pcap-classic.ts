// Classic libpcap files: either byte order, microsecond or nanosecond magic, and the
// Kuznetzov variant (24-byte record headers). pcap-parser covers only the first of these and
// buffers without bound on a bad record length, hence this hand-written walker.
import { CaptureFormatError, MAX_CAPLEN, type FormatParser, type PacketRecord, type PacketSink } from './record.js';
import { u16be, u16le, u32be, u32le } from './bytes.js';

const MAGIC_US = 0xa1b2c3d4;
const MAGIC_NS = 0xa1b23c4d;
const MAGIC_KUZNETZOV = 0xa1b2cd34;
const FILE_HEADER = 24;

/** True if the first four bytes are a classic pcap magic in either byte order. */
export function isClassicMagic(le: number, be: number): boolean {
  return [MAGIC_US, MAGIC_NS, MAGIC_KUZNETZOV].some((m) => m === le || m === be);
}

export class ClassicPcapParser implements FormatParser {
  readonly format = 'pcap';
  skip = 0;
  private headerDone = false;
  private le = true;
  private nanos = false;
  /** Record header length: 16, or 24 in Kuznetzov's patched format. */
  private recHeader = 16;
  /** Format < 2 stores the two lengths in the other order; up to 2.3 some writers did (libpcap). */
  private swapLengths = false;
  private maybeSwapped = false;
  private snaplen = 0;
  private linkType = 0;

  constructor(
    private readonly file: string,
    private readonly rec: PacketRecord,
    private readonly sink: PacketSink,
  ) {}

  parse(buf: Buffer, start: number, end: number, fileOffset: number): number {
    let pos = start;
    if (!this.headerDone) {
      if (end - pos < FILE_HEADER) return pos;
      this.readHeader(buf, pos);
      pos += FILE_HEADER;
    }
    const rec = this.rec;
    const le = this.le;
    const hdr = this.recHeader;
    const limit = this.snaplen > 0 ? Math.min(this.snaplen, MAX_CAPLEN) : MAX_CAPLEN;
    rec.buf = buf;
    rec.linkType = this.linkType;
    while (end - pos >= hdr) {
      let caplen = le ? u32le(buf, pos + 8) : u32be(buf, pos + 8);
      let origLen = le ? u32le(buf, pos + 12) : u32be(buf, pos + 12);
      if (this.swapLengths || (this.maybeSwapped && caplen > origLen)) [caplen, origLen] = [origLen, caplen];
      if (caplen > limit) this.corrupt(fileOffset + pos - start, caplen);
      if (end - pos < hdr + caplen) break;
      const frac = le ? u32le(buf, pos + 4) : u32be(buf, pos + 4);
      rec.tsSec = le ? u32le(buf, pos) : u32be(buf, pos);
      rec.tsNsec = this.nanos ? frac : frac * 1000;
      rec.caplen = caplen;
      rec.origLen = origLen;
      rec.offset = pos + hdr;
      rec.fileOffset = fileOffset + pos - start;
      pos += hdr + caplen;
      this.sink(rec);
    }
    return pos;
  }

  private readHeader(buf: Buffer, pos: number): void {
    const le = u32le(buf, pos);
    this.le = isClassicMagic(le, 0);
    const magic = this.le ? le : u32be(buf, pos);
    this.nanos = magic === MAGIC_NS;
    this.recHeader = magic === MAGIC_KUZNETZOV ? 24 : 16;
    const major = this.le ? u16le(buf, pos + 4) : u16be(buf, pos + 4);
    const minor = this.le ? u16le(buf, pos + 6) : u16be(buf, pos + 6);
    this.swapLengths = major < 2;
    this.maybeSwapped = major === 2 && minor <= 3;
    this.snaplen = this.le ? u32le(buf, pos + 16) : u32be(buf, pos + 16);
    const linkWord = this.le ? u32le(buf, pos + 20) : u32be(buf, pos + 20);
    // The upper bits may carry FCS flags (the nDPI fuzz file sets them); the type is the low 16.
    this.linkType = linkWord & 0xffff;
    this.headerDone = true;
  }

  private corrupt(offset: number, caplen: number): never {
    const why = this.snaplen > 0 && caplen <= MAX_CAPLEN ? `snaplen ${this.snaplen}` : `maximum ${MAX_CAPLEN}`;
    throw new CaptureFormatError(this.file, offset, `corrupt pcap record (captured length ${caplen} exceeds the ${why})`);
  }
}
