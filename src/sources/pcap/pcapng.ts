// pcapng: sections in either byte order, interfaces with their own link type and timestamp
// resolution, enhanced, simple and (obsolete) packet blocks. Every other block is skipped by
// its length, however large, so a custom block never has to fit in memory.
import { CaptureFormatError, MAX_CAPLEN, MAX_UNIT, type FormatParser, type PacketRecord, type PacketSink } from './record.js';
import { u16be, u16le, u32be, u32le } from './bytes.js';

export const PCAPNG_SHB = 0x0a0d0d0a;
const BYTE_ORDER_MAGIC = 0x1a2b3c4d;
const IDB = 1;
const PB = 2;
const SPB = 3;
const EPB = 6;
const OPT_TSRESOL = 9;
const OPT_TSOFFSET = 14;
const TWO_32 = 4_294_967_296;

interface Interface {
  readonly linkType: number;
  readonly snaplen: number;
  /** Timestamp units per second (10^n or 2^n). */
  readonly unitsPerSec: number;
  /** Seconds added to every timestamp (if_tsoffset). */
  readonly tsOffset: number;
}

export class PcapngParser implements FormatParser {
  readonly format = 'pcapng';
  skip = 0;
  private le = true;
  private interfaces: Interface[] = [];

  constructor(
    private readonly file: string,
    private readonly rec: PacketRecord,
    private readonly sink: PacketSink,
  ) {}

  parse(buf: Buffer, start: number, end: number, fileOffset: number): number {
    let pos = start;
    while (end - pos >= 12) {
      const at = fileOffset + pos - start;
      // The section header's type reads the same in both byte orders; its magic sets the order.
      const type = this.u32(buf, pos);
      if (type === PCAPNG_SHB) {
        const bom = u32le(buf, pos + 8);
        if (bom !== BYTE_ORDER_MAGIC && u32be(buf, pos + 8) !== BYTE_ORDER_MAGIC) {
          this.corrupt(at, 'section header without byte-order magic');
        }
        this.le = bom === BYTE_ORDER_MAGIC;
      }
      const len = this.u32(buf, pos + 4);
      if (len < 12 || len % 4 !== 0) this.corrupt(at, `block length ${len}`);
      if (len > MAX_UNIT) {
        if (type === EPB || type === SPB || type === PB) this.corrupt(at, `packet block of ${len} bytes`);
        const have = Math.min(len, end - pos);
        this.skip = len - have;
        return pos + have;
      }
      if (end - pos < len) break;
      if (this.u32(buf, pos + len - 4) !== len) this.corrupt(at, 'block lengths at start and end differ');
      this.block(buf, pos, type, len, at);
      pos += len;
    }
    return pos;
  }

  private block(buf: Buffer, pos: number, type: number, len: number, at: number): void {
    switch (type) {
      case PCAPNG_SHB:
        this.interfaces = [];
        return;
      case IDB:
        this.interfaces.push(this.readInterface(buf, pos, len));
        return;
      case EPB:
      case PB:
        this.packet(buf, pos, type, len, at);
        return;
      case SPB:
        this.simplePacket(buf, pos, len, at);
        return;
      default:
        // Name resolution, statistics, custom and future blocks carry nothing nfmon uses.
        return;
    }
  }

  private readInterface(buf: Buffer, pos: number, len: number): Interface {
    const linkType = this.u16(buf, pos + 8);
    const snaplen = this.u32(buf, pos + 12);
    let unitsPerSec = 1e6;
    let tsOffset = 0;
    let o = pos + 16;
    const end = pos + len - 4;
    while (o + 4 <= end) {
      const code = this.u16(buf, o);
      const olen = this.u16(buf, o + 2);
      if (code === 0 || o + 4 + olen > end) break;
      if (code === OPT_TSRESOL && olen >= 1) {
        const v = buf[o + 4] ?? 6;
        unitsPerSec = v & 0x80 ? 2 ** (v & 0x7f) : 10 ** v;
      } else if (code === OPT_TSOFFSET && olen >= 8) {
        tsOffset = this.u32(buf, o + (this.le ? 8 : 4)) * TWO_32 + this.u32(buf, o + (this.le ? 4 : 8));
      }
      o += 4 + ((olen + 3) & ~3);
    }
    return { linkType, snaplen, unitsPerSec, tsOffset };
  }

  private packet(buf: Buffer, pos: number, type: number, len: number, at: number): void {
    const ifId = type === EPB ? this.u32(buf, pos + 8) : this.u16(buf, pos + 8);
    const iface = this.interfaces[ifId];
    if (!iface) this.corrupt(at, `packet for undeclared interface ${ifId}`);
    const caplen = this.u32(buf, pos + 20);
    if (caplen > MAX_CAPLEN || caplen > len - 32) this.corrupt(at, `captured length ${caplen}`);
    this.setTime(iface, this.u32(buf, pos + 12), this.u32(buf, pos + 16));
    this.emit(buf, pos + 28, caplen, this.u32(buf, pos + 24), iface.linkType, at);
  }

  private simplePacket(buf: Buffer, pos: number, len: number, at: number): void {
    const iface = this.interfaces[0];
    if (!iface) this.corrupt(at, 'simple packet block before any interface');
    const origLen = this.u32(buf, pos + 8);
    const room = len - 16;
    const caplen = Math.min(origLen, room, iface.snaplen > 0 ? iface.snaplen : room);
    // Simple packet blocks carry no time; the previous packet's time is the best estimate.
    this.emit(buf, pos + 12, caplen, origLen, iface.linkType, at);
  }

  private emit(buf: Buffer, offset: number, caplen: number, origLen: number, linkType: number, at: number): void {
    const rec = this.rec;
    rec.buf = buf;
    rec.offset = offset;
    rec.caplen = caplen;
    rec.origLen = origLen;
    rec.linkType = linkType & 0xffff;
    rec.fileOffset = at;
    this.sink(rec);
  }

  private setTime(iface: Interface, hi: number, lo: number): void {
    const units = iface.unitsPerSec;
    const value = hi * TWO_32 + lo;
    let sec: number;
    let nsec: number;
    if (value <= Number.MAX_SAFE_INTEGER) {
      sec = Math.floor(value / units);
      const rem = value - sec * units;
      nsec = units === 1e9 ? rem : Math.floor((rem * 1e9) / units);
    } else {
      // Nanosecond (or finer) clocks overflow a double's exact range: take the slow exact path.
      const big = (BigInt(hi) << 32n) | BigInt(lo);
      const u = BigInt(units);
      sec = Number(big / u);
      nsec = Number(((big % u) * 1_000_000_000n) / u);
    }
    this.rec.tsSec = sec + iface.tsOffset;
    this.rec.tsNsec = nsec;
  }

  private u32(buf: Buffer, o: number): number {
    return this.le ? u32le(buf, o) : u32be(buf, o);
  }

  private u16(buf: Buffer, o: number): number {
    return this.le ? u16le(buf, o) : u16be(buf, o);
  }

  private corrupt(offset: number, what: string): never {
    throw new CaptureFormatError(this.file, offset, `corrupt pcapng block (${what})`);
  }
}
