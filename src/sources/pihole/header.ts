// The part of a pihole.log line before the message: `Mmm dd hh:mm:ss dnsmasq[pid]: ` (ctime()[4..19],
// day blank-padded, no year, no zone), the syslog form with a hostname in front of the program, and
// the ISO form the v6 web UI shows when a user copies its log view.
import { S_DHCP, S_MALFORMED, S_NO_TIMESTAMP, S_NOT_DNS, S_OTHER_PROGRAM, type LineScan } from './codes.js';

const MONTH_NAMES = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
/** (2nd + 3rd character code) & 31 is a perfect hash of the month abbreviations; verified on lookup. */
const MONTH_BY_HASH = new Int8Array(32);
MONTH_NAMES.forEach((m, i) => (MONTH_BY_HASH[(m.charCodeAt(1) + m.charCodeAt(2)) & 31] = i + 1));

/** Loose form for hand-edited or odd lines (`Dec  21 16:31:31`); only tried when the fixed offsets fail. */
const LOOSE_STAMP = /^([A-Z][a-z]{2}) {1,2}(\d{1,2}) {1,2}(\d{1,2}):(\d\d):(\d\d) /;

/**
 * Scan the stamp and program of text[start, end) into `s`. Returns the offset where the message
 * starts, or a negated skip code.
 */
export function scanHeader(text: string, start: number, end: number, s: LineScan): number {
  if (
    end - start > 16 &&
    text.charCodeAt(start + 15) === 32 &&
    text.charCodeAt(start + 12) === 58 &&
    text.charCodeAt(start + 9) === 58 &&
    text.charCodeAt(start + 3) === 32
  ) {
    // Consecutive lines mostly share their stamp: compare its characters (packed three to a
    // number) with the last one parsed and reuse its fields, instead of parsing again.
    const k1 = (text.charCodeAt(start) << 16) | (text.charCodeAt(start + 1) << 8) | text.charCodeAt(start + 2);
    const k2 = (text.charCodeAt(start + 4) << 16) | (text.charCodeAt(start + 5) << 8) | text.charCodeAt(start + 7);
    const k3 = (text.charCodeAt(start + 8) << 16) | (text.charCodeAt(start + 10) << 8) | text.charCodeAt(start + 11);
    const k4 = (text.charCodeAt(start + 13) << 8) | text.charCodeAt(start + 14);
    if (k4 === s.stampK4 && k3 === s.stampK3 && k2 === s.stampK2 && k1 === s.stampK1) return scanProgram(text, start + 16, end, s);
    if (parseStamp(text, start, s)) {
      s.stampK1 = k1;
      s.stampK2 = k2;
      s.stampK3 = k3;
      s.stampK4 = k4;
      return scanProgram(text, start + 16, end, s);
    }
  }
  return slowHeader(text, start, end, s);
}

/** `Mmm dd hh:mm:ss` at start into s; false if it is not a valid stamp. */
function parseStamp(text: string, start: number, s: LineScan): boolean {
  const month = monthAt(text, start);
  const d1 = text.charCodeAt(start + 4);
  const day = (d1 === 32 ? 0 : (d1 - 48) * 10) + text.charCodeAt(start + 5) - 48;
  const hour = twoDigits(text, start + 7), minute = twoDigits(text, start + 10), second = twoDigits(text, start + 13);
  const dayOk = day >= 1 && day <= 31 && (d1 === 32 || (d1 >= 48 && d1 <= 57));
  if (month === 0 || !dayOk || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 60) return false;
  setStamp(s, 0, month, day, hour, minute, second, 0);
  return true;
}

function slowHeader(text: string, start: number, end: number, s: LineScan): number {
  s.month = 0;
  s.stampK4 = -1;
  const iso = scanIsoStamp(text, start, end, s);
  if (iso !== 0) return iso;
  const m = LOOSE_STAMP.exec(text.slice(start, Math.min(end, start + 40)));
  if (m) {
    const month = monthAt(m[1] ?? '', 0);
    const [day, hour, minute, second] = [m[2], m[3], m[4], m[5]].map(Number) as [number, number, number, number];
    if (month > 0 && day >= 1 && day <= 31 && hour < 24 && minute < 60 && second < 61) {
      setStamp(s, 0, month, day, hour, minute, second, 0);
      return scanProgram(text, start + m[0].length, end, s);
    }
  }
  return text.startsWith('dnsmasq', start) ? -S_NO_TIMESTAMP : -S_MALFORMED;
}

/** `YYYY-MM-DD HH:MM:SS[.mmm] message` (no program tag). Returns the message offset, or 0 if not this form. */
function scanIsoStamp(text: string, start: number, end: number, s: LineScan): number {
  if (end - start < 21 || text.charCodeAt(start + 4) !== 45 || text.charCodeAt(start + 7) !== 45) return 0;
  if (text.charCodeAt(start + 10) !== 32 || text.charCodeAt(start + 13) !== 58 || text.charCodeAt(start + 16) !== 58) return 0;
  const century = twoDigits(text, start), yy = twoDigits(text, start + 2);
  const year = century < 0 || yy < 0 ? 0 : century * 100 + yy;
  const month = twoDigits(text, start + 5), day = twoDigits(text, start + 8);
  const hour = twoDigits(text, start + 11), minute = twoDigits(text, start + 14), second = twoDigits(text, start + 17);
  let p = start + 19, ms = 0;
  if (text.charCodeAt(p) === 46) {
    const fracStart = ++p;
    while (p < end && text.charCodeAt(p) >= 48 && text.charCodeAt(p) <= 57) p++;
    ms = Math.floor(Number(`0.${text.slice(fracStart, p)}`) * 1000);
  }
  if (year < 1970 || month < 1 || month > 12 || day < 1 || day > 31) return 0;
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 60) return 0;
  if (text.charCodeAt(p) !== 32 || p + 1 >= end) return 0;
  setStamp(s, year, month, day, hour, minute, second, ms);
  return p + 1;
}

function scanProgram(text: string, p: number, end: number, s: LineScan): number {
  const tag = programMessage(text, p, end, s);
  if (tag !== -S_OTHER_PROGRAM) return tag;
  // syslog/journald put the hostname before the program: try the next token once.
  const sp = text.indexOf(' ', p);
  if (sp < 0 || sp + 1 >= end) return -S_MALFORMED;
  const next = programMessage(text, sp + 1, end, s);
  if (next !== -S_OTHER_PROGRAM) return next;
  return text.startsWith('pihole-FTL', sp + 1) ? -S_NOT_DNS : -S_OTHER_PROGRAM;
}

function programMessage(text: string, p: number, end: number, s: LineScan): number {
  // `dnsmasq[<pid>]: `, read by hand (this runs for every line and String#startsWith costs more).
  // The tag is as long as on the line before unless dnsmasq restarted: check its ends first.
  if (text.charCodeAt(p + 7) !== 91 /* [ */ || text.charCodeAt(p) !== 100 /* d */ || text.charCodeAt(p + 6) !== 113 /* q */) {
    if (text.startsWith('dnsmasq-dhcp', p)) return -S_DHCP;
    if (text.startsWith('dnsmasq: ', p)) return p + 9 < end ? p + 9 : -S_MALFORMED;
    return -S_OTHER_PROGRAM;
  }
  // Taken only where the walk below would end at the same place (`nsmas`, no `]` before the
  // known one): what a line scans to must not depend on the lines before it, which the reader's
  // prefilter may pass over (prefilter.ts).
  const known = p + s.tagLength;
  if (s.tagLength > 0 && known < end && text.charCodeAt(known - 3) === 93 && text.charCodeAt(known - 2) === 58 && text.charCodeAt(known - 1) === 32) {
    if (text.startsWith('nsmas', p + 1) && noBracket(text, p + 8, known - 3)) return known;
  }
  if (!text.startsWith('nsmas', p + 1)) return -S_OTHER_PROGRAM;
  let i = p + 8;
  while (i < end && text.charCodeAt(i) !== 93 /* ] */) i++;
  if (text.charCodeAt(i + 1) !== 58 || text.charCodeAt(i + 2) !== 32 || i + 3 >= end) return -S_MALFORMED;
  s.tagLength = i + 3 - p;
  return i + 3;
}

/** No `]` in text[from, to). */
function noBracket(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (text.charCodeAt(i) === 93) return false;
  return true;
}

function monthAt(text: string, i: number): number {
  return monthOf(text.charCodeAt(i), text.charCodeAt(i + 1), text.charCodeAt(i + 2));
}

/** The month (1-12) a three-letter abbreviation given by its character codes names, else 0. */
export function monthOf(c0: number, c1: number, c2: number): number {
  const month = MONTH_BY_HASH[(c1 + c2) & 31] ?? 0;
  const name = MONTH_NAMES[month - 1];
  return name && c0 === name.charCodeAt(0) && c1 === name.charCodeAt(1) && c2 === name.charCodeAt(2) ? month : 0;
}

/** Two ASCII digits at i as a number, or -1. */
function twoDigits(text: string, i: number): number {
  const a = text.charCodeAt(i) - 48, b = text.charCodeAt(i + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

export function setStamp(s: LineScan, year: number, month: number, day: number, hour: number, minute: number, second: number, ms: number): void {
  s.year = year;
  s.month = month;
  s.day = day;
  s.hour = hour;
  s.minute = minute;
  s.second = second;
  s.ms = ms;
}
