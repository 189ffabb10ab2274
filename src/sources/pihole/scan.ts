// Scanner for Pi-hole / dnsmasq query-log lines (pihole.log). The grammar is dnsmasq's log_query()
// as embedded in Pi-hole FTL; see ../shared/corpus/SOURCES.md section 4. It works on character
// offsets inside a larger string and fills a reused scratch object, because the reader pushes
// millions of lines through it and most of them are only counted: no regex and no allocation on
// the common path. parsePiholeLine (line.ts) turns a scan into a plain record.
import { blockVerbLength, scanAnswer, scanBlocked, scanListAnswer } from './answer.js';
import {
  A_CACHED, A_CONFIG, A_DHCP, A_PIHOLE, A_REPLY, A_STALE, CH_0, CH_9, CH_SP, K_QUERY, S_BINARY, S_BLANK, S_DHCP, S_DNSSEC,
  S_FORWARDED, S_MALFORMED, S_NOT_DNS, S_STARTUP, five, isDigit, isIs, spaceAfter, walkName, type LineScan,
} from './codes.js';
import { scanHeader } from './header.js';

export * from './codes.js';
export { answerValueKind, isIpv4, isPtrAnswer, type ValueKind } from './answer.js';

/**
 * Scan text[start, end) (one line, without its newline) into `s`. Returns 0 when a query or answer
 * record was found, else a skip code (index into SKIP_REASONS).
 */
export function scanPiholeLine(text: string, start: number, end: number, s: LineScan): number {
  if (end > start && text.charCodeAt(end - 1) === 13) end--;
  if (end <= start) return S_BLANK;
  const msg = scanHeader(text, start, end, s);
  const code = msg < 0 ? -msg : scanMessage(text, msg, end, s);
  return code === S_MALFORMED ? binaryOr(text, start, end) : code;
}

function scanMessage(text: string, m: number, end: number, s: LineScan): number {
  s.serial = -1;
  s.proto = 0;
  let c = text.charCodeAt(m);
  if (c === 85 /* U */ || c === 84 /* T */) {
    if ((text.startsWith('UDP ', m) || text.startsWith('TCP ', m)) && isDigit(text.charCodeAt(m + 4))) {
      s.proto = c === 85 ? 1 : 2;
      m += 4;
      c = text.charCodeAt(m);
    }
  }
  if (c >= CH_0 && c <= CH_9) {
    m = scanExtraPrefix(text, m, end, s);
    if (m < 0) return S_MALFORMED;
    c = text.charCodeAt(m);
  }
  // The common verbs are compared character by character: String#startsWith costs more here.
  switch (c) {
    case 113 /* q */:
      return five(text, m + 1, 117, 101, 114, 121, 91) /* uery[ */ ? scanQuery(text, m + 6, end, s) : S_NOT_DNS;
    case 114 /* r */:
      if (five(text, m + 1, 101, 112, 108, 121, CH_SP) /* eply_ */) return scanAnswer(text, m + 6, end, s, A_REPLY);
      if (text.startsWith('regex ', m)) return scanBlocked(text, m, end, s);
      return text.startsWith('read', m) ? S_STARTUP : S_NOT_DNS;
    case 99 /* c */:
      if (five(text, m + 1, 97, 99, 104, 101, 100) /* ached */) {
        const next = text.charCodeAt(m + 6);
        if (next === CH_SP) return scanAnswer(text, m + 7, end, s, A_CACHED);
        if (next === 45 /* - */ && text.startsWith('stale ', m + 7)) return scanAnswer(text, m + 13, end, s, A_STALE);
      }
      if (text.startsWith('config ', m)) return scanAnswer(text, m + 7, end, s, A_CONFIG);
      return text.startsWith('compile time', m) || text.startsWith('cleared cache', m) ? S_STARTUP : S_NOT_DNS;
    case 102 /* f */:
      if (five(text, m + 1, 111, 114, 119, 97, 114) /* orwar */ && text.charCodeAt(m + 9) === CH_SP) return S_FORWARDED;
      return text.startsWith('failed to', m) ? S_STARTUP : S_NOT_DNS;
    default:
      return scanRareVerb(text, m, end, s, c);
  }
}

function scanRareVerb(text: string, m: number, end: number, s: LineScan, c: number): number {
  switch (c) {
    case 103 /* g */:
    case 101 /* e */:
    case 77 /* M */:
    case 98 /* b */:
      if (blockVerbLength(text, m, c) > 0) return scanBlocked(text, m, end, s);
      return text.startsWith('exiting', m) ? S_STARTUP : S_NOT_DNS;
    case 115 /* s */:
      if (text.startsWith('special domain ', m)) return scanBlocked(text, m, end, s);
      return text.startsWith('started', m) ? S_STARTUP : S_NOT_DNS;
    case 80 /* P */:
      return text.startsWith('Pi-hole hostname ', m) ? scanAnswer(text, m + 17, end, s, A_PIHOLE) : S_NOT_DNS;
    case 68 /* D */:
      // `DHCP <name> is <ip>` answers from lease names; other DHCP text is lease chatter.
      return text.startsWith('DHCP ', m) && isIs(text, spaceAfter(text, m + 5, end), end) ? scanAnswer(text, m + 5, end, s, A_DHCP) : S_DHCP;
    case 47 /* / */:
      return scanListAnswer(text, m, end, s);
    case 100 /* d */:
    case 118 /* v */:
      return text.startsWith('dnssec-', m) || text.startsWith('validation ', m) ? S_DNSSEC : S_NOT_DNS;
    case 117 /* u */:
    case 70 /* F */:
      return text.startsWith('using ', m) || text.startsWith('FAILED to start', m) ? S_STARTUP : S_NOT_DNS;
    default:
      return S_NOT_DNS;
  }
}

function scanQuery(text: string, p: number, end: number, s: LineScan): number {
  // Hand-walked (this runs for a third of all lines): names hold no space, so the first space
  // after the name must start ` from `.
  let close = p;
  while (close < end && text.charCodeAt(close) !== 93 /* ] */) close++;
  const nameStart = close + 2;
  const sp = walkName(text, nameStart, end, s);
  if (sp + 6 >= end || text.charCodeAt(close + 1) !== CH_SP || !five(text, sp + 1, 102, 114, 111, 109, CH_SP) /* from_ */) {
    return S_MALFORMED;
  }
  s.kind = K_QUERY;
  s.typeStart = p;
  s.typeEnd = close;
  s.nameStart = nameStart;
  s.nameEnd = sp;
  s.valueStart = sp + 6;
  s.valueEnd = end;
  return 0;
}

/** `<serial> <client-ip>/<port> ` in front of the message (log-queries=extra). Returns the message start or -1. */
function scanExtraPrefix(text: string, p: number, end: number, s: LineScan): number {
  let serial = 0;
  while (p < end && isDigit(text.charCodeAt(p))) serial = serial * 10 + text.charCodeAt(p++) - CH_0;
  if (text.charCodeAt(p) !== CH_SP) return -1;
  const peer = p + 1;
  const sp = spaceAfter(text, peer, end);
  if (sp >= end) return -1;
  let slash = sp;
  while (slash > peer && text.charCodeAt(slash) !== 47 /* / */) slash--;
  if (slash <= peer) return -1;
  let port = 0;
  for (let i = slash + 1; i < sp; i++) {
    const c = text.charCodeAt(i);
    if (!isDigit(c)) return -1;
    port = port * 10 + c - CH_0;
  }
  s.serial = serial;
  s.peerStart = peer;
  s.peerEnd = slash;
  s.port = port;
  return sp + 1;
}

/** A line that fails to scan is `binary` when it holds NUL or other control bytes, else `malformed`. */
function binaryOr(text: string, start: number, end: number): number {
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c < CH_SP && c !== 9) return S_BINARY;
  }
  return S_MALFORMED;
}

