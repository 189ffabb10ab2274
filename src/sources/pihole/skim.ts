// The reader's fast path. Nearly every line of a household log is about a name of no monitored
// service and is only counted, yet decoding each line to a string and running the full scanner
// (scan.ts) over it costs far more than the count is worth. The Skimmer reads the common
// shapes straight from the bytes: the header of the line before (or a new stamp in the fixed
// form) with the known dnsmasq tag, then `query[`, `reply`, `cached`, `forwarded` or
// `gravity blocked` about a name that NameFilter rules out. For such a line it gives the skip code
// the scanner and the assembler would have counted; for any other line it declines, and the
// line takes the full path. Every check below mirrors one in header.ts, scan.ts or
// answer.ts: change them together. It reads four bytes at a time (DataView) and looks for
// a space, colon or newline in all four at once (SWAR), since this runs for millions of lines.
import { monthOf, setStamp } from './header.js';
import type { NameFilter } from './match.js';
import { S_FORWARDED, S_OTHER_SERVICE, S_PTR, type LineScan } from './codes.js';

const SP = 32, NL = 10, CR = 13, COLON = 58;
/** Every byte of a word equal to SP, NL or COLON: XOR with these makes it zero. */
const SPACES = 0x20202020, NEWLINES = 0x0a0a0a0a, COLONS = 0x3a3a3a3a;
const ONES = 0x01010101, HIGHS = 0x80808080 | 0;
/** Message words, little-endian: `quer`, `repl`, `cach`, `forw`, `grav`, then `ity `, `bloc`, `ked `. */
const QUER = word('quer'), REPL = word('repl'), CACH = word('cach'), FORW = word('forw'), GRAV = word('grav');
const ITY_ = word('ity '), BLOC = word('bloc'), KED_ = word('ked ');
/** Bytes the message words reach past the message start (`gravity blocked ` and one more). */
const MESSAGE_WORDS = 20;
/** Longest header remembered: stamp (16 bytes) and a tag of up to 24 (`dnsmasq[4194304]: ` has 18). */
const MAX_HEADER = 40;

export class Skimmer {
  /** Skip code of the last line skimmed. */
  code = 0;
  /** The last line skimmed had another header than the one before (its stamp may be new). */
  fresh = false;
  /**
   * The last header checked (`len` bytes; none when 0) as five 8-byte words at 0, 8, 16, o3 and
   * o4 (the last ones may overlap). Compared as doubles: header bytes are text, never the bits of
   * a NaN or of a zero, and for other doubles === is equality of all 64 bits. Fields, not an
   * array: this is compared for every line.
   */
  private len = 0;
  private h0 = 0; private h1 = 0; private h2 = 0; private h3 = 0; private h4 = 0;
  private o3 = 0; private o4 = 0;

  constructor(
    private readonly s: LineScan,
    private readonly names: NameFilter,
  ) {}

  /** The scanner ran: the stamp and tag in `s` may no longer be the remembered header's. */
  forget(): void {
    this.len = 0;
  }

  /**
   * The line starting at p in b (dv views the same bytes): when it only needs counting, its skip
   * code goes to `code` and the index of its newline is returned; else -1. `following`: an answer
   * chain is open, so an answer line may continue it. May set the stamp in `s` (as scanHeader
   * would for this line) even when it returns -1.
   */
  line(b: Uint8Array, dv: DataView, p: number, following: boolean): number {
    const len = this.len;
    if (len > 0 && p + len + MESSAGE_WORDS <= dv.byteLength && this.sameHeader(dv, p)) {
      this.fresh = false;
      return this.message(b, dv, p + len, following);
    }
    const m = this.header(b, dv, p);
    if (m < 0 || m + MESSAGE_WORDS > dv.byteLength) return -1;
    const nl = this.message(b, dv, m, following);
    if (nl >= 0) this.remember(dv, p, m - p);
    this.fresh = true;
    return nl;
  }

  private sameHeader(dv: DataView, p: number): boolean {
    // The word with the seconds first: it is the one that changes.
    return (
      dv.getFloat64(p + 8, true) === this.h1 &&
      dv.getFloat64(p, true) === this.h0 &&
      dv.getFloat64(p + 16, true) === this.h2 &&
      dv.getFloat64(p + this.o3, true) === this.h3 &&
      dv.getFloat64(p + this.o4, true) === this.h4
    );
  }

  private remember(dv: DataView, p: number, len: number): void {
    this.len = 0;
    if (len > MAX_HEADER) return;
    this.o3 = Math.min(24, len - 8);
    this.o4 = len - 8;
    this.h0 = dv.getFloat64(p, true);
    this.h1 = dv.getFloat64(p + 8, true);
    this.h2 = dv.getFloat64(p + 16, true);
    this.h3 = dv.getFloat64(p + this.o3, true);
    this.h4 = dv.getFloat64(p + this.o4, true);
    // Cannot happen for a header that passed the checks (printable bytes): never compare wrongly.
    if (!comparable(this.h0) || !comparable(this.h1) || !comparable(this.h2) || !comparable(this.h3) || !comparable(this.h4)) return;
    this.len = len;
  }

  /** scanHeader + programMessage on the fixed form: the message offset, or -1. */
  private header(b: Uint8Array, dv: DataView, p: number): number {
    const s = this.s;
    const m = p + 16 + s.tagLength;
    // The scanner needs the tag to end before the line does: no newline up to m.
    if (s.tagLength <= 0 || findNewline(dv, p) <= m) return -1;
    if (b[p + 15] !== SP || b[p + 12] !== 58 || b[p + 9] !== 58 || b[p + 3] !== SP) return -1;
    if (!sameStamp(b, p, s) && !newStamp(b, p, s)) return -1;
    if (b[p + 23] !== 91 || b[p + 16] !== 100 || b[p + 22] !== 113 /* d.....q[ */) return -1;
    if (b[m - 3] !== 93 || b[m - 2] !== 58 || b[m - 1] !== SP /* ]:_ */) return -1;
    // As programMessage: `nsmas`, and the `]` the first one (the tag length is the last line's).
    if (b[p + 17] !== 110 || b[p + 18] !== 115 || b[p + 19] !== 109 || b[p + 20] !== 97 || b[p + 21] !== 115) return -1;
    for (let i = p + 24; i < m - 3; i++) if (b[i] === 93) return -1;
    return m;
  }

  /**
   * scanMessage for the common verbs. Words and bytes are compared to letters, never to a
   * newline, so no test passes over the line's end.
   */
  private message(b: Uint8Array, dv: DataView, m: number, following: boolean): number {
    switch (dv.getInt32(m, true)) {
      case QUER:
        return b[m + 4] === 121 && b[m + 5] === 91 /* y[ */ ? this.query(b, dv, m + 6) : -1;
      case REPL:
        return !following && b[m + 4] === 121 && b[m + 5] === SP /* y_ */ ? this.answer(b, dv, m + 6, true) : -1;
      case CACH:
        return !following && b[m + 4] === 101 && b[m + 5] === 100 && b[m + 6] === SP /* ed_ */ ? this.answer(b, dv, m + 7, true) : -1;
      case FORW: {
        // five(m + 1, 'orwar') and a space at m + 9; the bytes between are not looked at.
        if (b[m + 4] !== 97 || b[m + 5] !== 114 /* ar */) return -1;
        const nl = findNewline(dv, m + 6);
        if (nl <= m + 9 || b[m + 9] !== SP || b[nl - 1] === CR) return -1;
        this.code = S_FORWARDED;
        return nl;
      }
      case GRAV:
        // `gravity blocked `; a name in parentheses may be `(CNAME) <name>`: the scanner's.
        if (dv.getInt32(m + 4, true) !== ITY_ || dv.getInt32(m + 8, true) !== BLOC || dv.getInt32(m + 12, true) !== KED_) return -1;
        return b[m + 16] !== 40 ? this.answer(b, dv, m + 16, false) : -1;
      default:
        return -1;
    }
  }

  /** scanQuery from just after `query[`: `<type>] <name> from <client>`. */
  private query(b: Uint8Array, dv: DataView, q: number): number {
    let close = q;
    while (b[close] !== 93 /* ] */) if (b[close++] === NL) return -1;
    if (b[close + 1] !== SP) return -1;
    const name = close + 2;
    const sp = findSpace(dv, name);
    if (sp < 0 || b[sp] !== SP) return -1;
    if (b[sp + 1] !== 102 || b[sp + 2] !== 114 || b[sp + 3] !== 111 || b[sp + 4] !== 109 || b[sp + 5] !== SP /* from_ */) return -1;
    // The client must not be empty; a CR before the newline shortens the line: the scanner's.
    const nl = findNewline(dv, sp + 6);
    if (nl <= sp + 6 || b[nl - 1] === CR || this.names.mayMatch(b, dv, name, sp)) return -1;
    this.code = S_OTHER_SERVICE;
    return nl;
  }

  /**
   * scanAnswer / scanBlocked from the name at p: `<name> is <value>`. An answer owned by an
   * address (a colon, or a dotted quad) is a PTR answer; a blocked one never (`ptrCheck` false).
   */
  private answer(b: Uint8Array, dv: DataView, p: number, ptrCheck: boolean): number {
    let sp = p, colon = false;
    for (;;) {
      sp = findNameEnd(dv, sp);
      if (sp < 0 || b[sp] !== COLON) break;
      colon = true;
      sp++;
    }
    if (sp < 0 || b[sp] !== SP || b[sp + 1] !== 105 || b[sp + 2] !== 115 || b[sp + 3] !== SP /* _is_ */) return -1;
    const nl = findNewline(dv, sp + 4);
    // An empty value; a ` (note)` or a CR at the end; a value that may be DNSSEC (`DS keytag`) or `duplicate`.
    if (nl <= sp + 4) return -1;
    const last = b[nl - 1], v = b[sp + 4];
    if (last === 41 || last === CR || v === 68 || v === 100) return -1;
    if (this.names.mayMatch(b, dv, p, sp)) return -1;
    this.code = ptrCheck && (colon || isIpv4(b, p, sp)) ? S_PTR : S_OTHER_SERVICE;
    return nl;
  }
}

// Where a word holds a wanted byte, v ^ wanted has a zero byte there; (t - ONES) & ~t & HIGHS
// marks the lowest zero byte of t exactly (higher marks may be false, and are not used). `| 0`
// keeps the subtraction in 32 bits. Each returns the index of the first wanted byte at or after
// i, or -1 at the end of the view.

/** The first newline. */
function findNewline(dv: DataView, i: number): number {
  const last = dv.byteLength - 4;
  for (; i <= last; i += 4) {
    const n = dv.getInt32(i, true) ^ NEWLINES;
    const marks = ((n - ONES) | 0) & ~n & HIGHS;
    if (marks !== 0) return i + lowestByte(marks);
  }
  return -1;
}

/** The first space or newline. */
function findSpace(dv: DataView, i: number): number {
  const last = dv.byteLength - 4;
  for (; i <= last; i += 4) {
    const v = dv.getInt32(i, true);
    const a = v ^ SPACES, n = v ^ NEWLINES;
    const marks = ((((a - ONES) | 0) & ~a) | (((n - ONES) | 0) & ~n)) & HIGHS;
    if (marks !== 0) return i + lowestByte(marks);
  }
  return -1;
}

/** The first space, colon or newline. */
function findNameEnd(dv: DataView, i: number): number {
  const last = dv.byteLength - 4;
  for (; i <= last; i += 4) {
    const v = dv.getInt32(i, true);
    const a = v ^ SPACES, c = v ^ COLONS, n = v ^ NEWLINES;
    const marks = ((((a - ONES) | 0) & ~a) | (((c - ONES) | 0) & ~c) | (((n - ONES) | 0) & ~n)) & HIGHS;
    if (marks !== 0) return i + lowestByte(marks);
  }
  return -1;
}

/** Index (0-3) of the lowest byte with its mark bit set. */
function lowestByte(marks: number): number {
  return (31 - Math.clz32(marks & -marks)) >> 3;
}

/** The stamp packed as scanHeader packs it equals the last one parsed. */
function sameStamp(b: Uint8Array, p: number, s: LineScan): boolean {
  return (
    ((b[p + 13]! << 8) | b[p + 14]!) === s.stampK4 &&
    ((b[p + 8]! << 16) | (b[p + 10]! << 8) | b[p + 11]!) === s.stampK3 &&
    ((b[p + 4]! << 16) | (b[p + 5]! << 8) | b[p + 7]!) === s.stampK2 &&
    ((b[p]! << 16) | (b[p + 1]! << 8) | b[p + 2]!) === s.stampK1
  );
}

/** parseStamp on bytes: a valid stamp is stored in `s` with its packed form; false leaves `s` alone. */
function newStamp(b: Uint8Array, p: number, s: LineScan): boolean {
  const month = monthOf(b[p]!, b[p + 1]!, b[p + 2]!);
  const d1 = b[p + 4]!;
  const day = (d1 === SP ? 0 : (d1 - 48) * 10) + b[p + 5]! - 48;
  const hour = twoDigits(b, p + 7), minute = twoDigits(b, p + 10), second = twoDigits(b, p + 13);
  const dayOk = day >= 1 && day <= 31 && (d1 === SP || (d1 >= 48 && d1 <= 57));
  if (month === 0 || !dayOk || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 60) return false;
  setStamp(s, 0, month, day, hour, minute, second, 0);
  s.stampK1 = (b[p]! << 16) | (b[p + 1]! << 8) | b[p + 2]!;
  s.stampK2 = (d1 << 16) | (b[p + 5]! << 8) | b[p + 7]!;
  s.stampK3 = (b[p + 8]! << 16) | (b[p + 10]! << 8) | b[p + 11]!;
  s.stampK4 = (b[p + 13]! << 8) | b[p + 14]!;
  return true;
}

/** isIpv4 (answer.ts) on bytes. */
function isIpv4(b: Uint8Array, v: number, e: number): boolean {
  let dots = 0, digits = 0;
  for (let i = v; i < e; i++) {
    const c = b[i]!;
    if (c === 46) {
      if (digits === 0) return false;
      dots++;
      digits = 0;
    } else if (c >= 48 && c <= 57 && digits < 3) digits++;
    else return false;
  }
  return dots === 3 && digits > 0;
}

/** A double that is === only to the same 64 bits. */
function comparable(h: number): boolean {
  return h !== 0 && !Number.isNaN(h);
}

function twoDigits(b: Uint8Array, i: number): number {
  const x = b[i]! - 48, y = b[i + 1]! - 48;
  return x >= 0 && x <= 9 && y >= 0 && y <= 9 ? x * 10 + y : -1;
}

function word(w: string): number {
  return w.charCodeAt(0) | (w.charCodeAt(1) << 8) | (w.charCodeAt(2) << 16) | (w.charCodeAt(3) << 24);
}
