// Answer lines of pihole.log: `<source> <name> is <value>[ (note)]` for replies, cache, config,
// hosts files and DHCP names, and Pi-hole's blocking lines, whose source is the blocking reason.
import {
  A_BLOCKED, A_HOSTS, CH_LT, K_ANSWER, S_DNSSEC, S_DUPLICATE, S_MALFORMED, S_NOT_DNS, S_TRUNCATED,
  isDigit, isIs, spaceAfter, walkName, type LineScan,
} from './codes.js';

/** Reasons FTL writes in front of a blocked name (v5 and v6), each optionally followed by ` (CNAME)`. */
const BLOCK_VERBS = [
  'gravity blocked ',
  'exactly blacklisted ',
  'exactly denied ',
  'regex blacklisted ',
  'regex denied ',
  'blocked upstream with ',
  'Mozilla canary domain ',
  'special domain ',
];

/** Basenames of list files whose answers mean "blocked" (Pi-hole v2-v4). */
const BLOCK_LISTS = ['gravity.list', 'black.list', 'blacklist.txt', 'regex.list'];

/** `<name> is <value>[ (note)]`; `p` points at the name. */
export function scanAnswer(text: string, p: number, end: number, s: LineScan, source: number): number {
  const sp = walkName(text, p, end, s);
  if (!isIs(text, sp, end)) return text.startsWith('is truncated', p) ? S_TRUNCATED : S_MALFORMED;
  s.kind = K_ANSWER;
  s.source = source;
  s.nameStart = p;
  s.nameEnd = sp;
  s.reasonStart = s.reasonEnd = 0;
  return scanValue(text, sp + 4, end, s);
}

function scanValue(text: string, v: number, end: number, s: LineScan): number {
  s.valueStart = v;
  s.noteStart = s.noteEnd = 0;
  if (text.charCodeAt(end - 1) === 41 /* ) */) {
    const open = text.lastIndexOf(' (', end);
    if (open > v) {
      s.noteStart = open + 2;
      s.noteEnd = end - 1;
      end = open;
    }
  }
  s.valueEnd = end;
  if (v >= end) return S_MALFORMED;
  const c = text.charCodeAt(v);
  if (c === 68 /* D */ && (text.startsWith('DS keytag', v) || text.startsWith('DNSKEY keytag', v))) return S_DNSSEC;
  if (c === 100 /* d */ && text.startsWith('duplicate', v)) return S_DUPLICATE;
  return 0;
}

export function scanBlocked(text: string, m: number, end: number, s: LineScan): number {
  const verb = blockVerbLength(text, m, text.charCodeAt(m));
  if (verb === 0) return S_NOT_DNS;
  let p = m + verb;
  if (text.startsWith('(CNAME) ', p)) p += 8;
  let sp = walkName(text, p, end, s);
  // `blocked upstream with NULL address <name>`: the reason has more words; the name is the last token before ` is `.
  if (!isIs(text, sp, end)) {
    const is = text.indexOf(' is ', p);
    if (is < 0 || is + 4 >= end) return S_MALFORMED;
    p = text.lastIndexOf(' ', is - 1) + 1;
    sp = walkName(text, p, end, s);
  }
  s.kind = K_ANSWER;
  s.source = A_BLOCKED;
  s.reasonStart = m;
  s.reasonEnd = p - 1;
  s.nameStart = p;
  s.nameEnd = sp;
  return scanValue(text, sp + 4, end, s);
}

/** Length of the blocking verb at m (first character c), 0 if none. */
export function blockVerbLength(text: string, m: number, c: number): number {
  for (const v of BLOCK_VERBS) if (v.charCodeAt(0) === c && text.startsWith(v, m)) return v.length;
  return 0;
}

/** `<hosts-file path> <name> is <value>`; a path without ` is ` is a (possibly translated) status line. */
export function scanListAnswer(text: string, m: number, end: number, s: LineScan): number {
  const sp = spaceAfter(text, m, end);
  const nameEnd = walkName(text, sp + 1, end, s);
  if (!isIs(text, nameEnd, end)) return S_NOT_DNS;
  let slash = sp;
  while (slash > m && text.charCodeAt(slash) !== 47) slash--;
  s.kind = K_ANSWER;
  s.source = BLOCK_LISTS.some((b) => sp - slash - 1 === b.length && text.startsWith(b, slash + 1)) ? A_BLOCKED : A_HOSTS;
  s.reasonStart = m;
  s.reasonEnd = sp;
  s.nameStart = sp + 1;
  s.nameEnd = nameEnd;
  return scanValue(text, nameEnd + 4, end, s);
}

export type ValueKind = 'ipv4' | 'ipv6' | 'cname' | 'nxdomain' | 'nodata' | 'rr' | 'rcode' | 'name';

/** What the answer value in text[s.valueStart, s.valueEnd) is. */
export function answerValueKind(text: string, s: LineScan): ValueKind {
  const v = s.valueStart, e = s.valueEnd;
  const c = text.charCodeAt(v);
  if (c === CH_LT) return text.startsWith('<CNAME>', v) ? 'cname' : 'rr';
  if (isIpv4(text, v, e)) return 'ipv4';
  if (hasColon(text, v, e)) return 'ipv6';
  if (text.startsWith('NXDOMAIN', v)) return 'nxdomain';
  if (text.startsWith('NODATA', v)) return 'nodata';
  for (let i = v; i < e; i++) {
    const x = text.charCodeAt(i);
    if (!((x >= 65 && x <= 90) || x === 95 || x === 45)) return 'name';
  }
  return 'rcode';
}

/** Dotted quad check without allocation (PTR answers put the address where the name goes). */
export function isIpv4(text: string, v: number, e: number): boolean {
  let dots = 0, digits = 0;
  for (let i = v; i < e; i++) {
    const c = text.charCodeAt(i);
    if (c === 46) {
      if (digits === 0) return false;
      dots++;
      digits = 0;
    } else if (isDigit(c) && digits < 3) digits++;
    else return false;
  }
  return dots === 3 && digits > 0;
}

/** An answer whose owner is an address (IPv4 or IPv6): a PTR answer with the sides swapped. */
export function isPtrAnswer(text: string, s: LineScan): boolean {
  // A name never holds a colon; an IPv6 address always does.
  return s.colon || (isDigit(text.charCodeAt(s.nameStart)) && isIpv4(text, s.nameStart, s.nameEnd));
}

function hasColon(text: string, v: number, e: number): boolean {
  for (let i = v; i < e; i++) if (text.charCodeAt(i) === 58) return true;
  return false;
}
