// Codes, the scratch record and character helpers shared by the pihole.log scanner modules.
// Skip reasons and answer sources are small integers on the hot path and strings at the edges.

/** Why a line was skipped; index = code returned by scanPiholeLine (0 = a record was scanned). */
export const SKIP_REASONS = [
  '',
  'blank',
  'malformed',
  'binary',
  'no_timestamp',
  'dhcp',
  'startup',
  'dnssec',
  'forwarded',
  'not_dns',
  'truncated',
  'duplicate',
  'other_program',
  'other_service',
  'ptr',
  // Lines that name no monitored domain anywhere, passed over by the reader's prefilter
  // (prefilter.ts) without being parsed: their kind is not known.
  'unrelated',
] as const;
export type SkipReason = Exclude<(typeof SKIP_REASONS)[number], ''>;

export const S_BLANK = 1, S_MALFORMED = 2, S_BINARY = 3, S_NO_TIMESTAMP = 4, S_DHCP = 5, S_STARTUP = 6;
export const S_DNSSEC = 7, S_FORWARDED = 8, S_NOT_DNS = 9, S_TRUNCATED = 10, S_DUPLICATE = 11;
export const S_OTHER_PROGRAM = 12, S_OTHER_SERVICE = 13, S_PTR = 14, S_UNRELATED = 15;

export const K_QUERY = 1, K_ANSWER = 2;
/** Answer sources: which dnsmasq/FTL code path produced the line. */
export const ANSWER_SOURCES = ['', 'reply', 'cached', 'cached-stale', 'config', 'hosts', 'dhcp', 'pihole', 'blocked'] as const;
export type AnswerSource = Exclude<(typeof ANSWER_SOURCES)[number], ''>;
export const A_REPLY = 1, A_CACHED = 2, A_STALE = 3, A_CONFIG = 4, A_HOSTS = 5, A_DHCP = 6, A_PIHOLE = 7, A_BLOCKED = 8;

/** Offsets (into the scanned string) and numbers of one line; reused across lines. */
export interface LineScan {
  kind: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  /** 0 when the line has no year (the file format); set for the web UI's ISO copy. */
  year: number;
  ms: number;
  /** log-queries=extra serial, -1 without. */
  serial: number;
  peerStart: number;
  peerEnd: number;
  port: number;
  /** 0 none, 1 UDP, 2 TCP (v6 log-queries=proto). */
  proto: number;
  typeStart: number;
  typeEnd: number;
  nameStart: number;
  nameEnd: number;
  /** Last and second-to-last dot in the name (-1: none), and whether it holds a colon: set by the walk. */
  dot1: number;
  dot2: number;
  colon: boolean;
  /** Query: the client address. Answer: the value after ` is `, without a ` (...)` note. */
  valueStart: number;
  valueEnd: number;
  source: number;
  /** Blocking reason or hosts-file path (answers from lists). */
  reasonStart: number;
  reasonEnd: number;
  noteStart: number;
  noteEnd: number;
  /** The last parsed stamp's characters packed (see scanHeader), and the program tag's length. */
  stampK1: number;
  stampK2: number;
  stampK3: number;
  stampK4: number;
  tagLength: number;
}

export function newLineScan(): LineScan {
  return {
    kind: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0, year: 0, ms: 0, serial: -1,
    peerStart: 0, peerEnd: 0, port: 0, proto: 0, typeStart: 0, typeEnd: 0, nameStart: 0, nameEnd: 0, dot1: -1, dot2: -1, colon: false,
    valueStart: 0, valueEnd: 0, source: 0, reasonStart: 0, reasonEnd: 0, noteStart: 0, noteEnd: 0,
    stampK1: -1, stampK2: -1, stampK3: -1, stampK4: -1, tagLength: 0,
  };
}

export const CH_0 = 48, CH_9 = 57, CH_SP = 32, CH_LT = 60;

export function isDigit(c: number): boolean {
  return c >= CH_0 && c <= CH_9;
}

/** The five character codes a..e at text[i..i+5). */
export function five(text: string, i: number, a: number, b: number, c: number, d: number, e: number): boolean {
  return (
    text.charCodeAt(i) === a &&
    text.charCodeAt(i + 1) === b &&
    text.charCodeAt(i + 2) === c &&
    text.charCodeAt(i + 3) === d &&
    text.charCodeAt(i + 4) === e
  );
}

/**
 * The end of the name starting at p (first space, or end), noting its last two dots and any colon
 * on the way, so that classifying it and telling an address from a name need no second walk.
 */
export function walkName(text: string, p: number, end: number, s: LineScan): number {
  let dot1 = -1, dot2 = -1, colon = false;
  for (; p < end; p++) {
    const c = text.charCodeAt(p);
    if (c === CH_SP) break;
    if (c === 46) {
      dot2 = dot1;
      dot1 = p;
    } else if (c === 58) colon = true;
  }
  s.dot1 = dot1;
  s.dot2 = dot2;
  s.colon = colon;
  return p;
}

/** First space at or after i, or end. */
export function spaceAfter(text: string, i: number, end: number): number {
  while (i < end && text.charCodeAt(i) !== CH_SP) i++;
  return i;
}

/** ` is ` at sp, followed by a value. */
export function isIs(text: string, sp: number, end: number): boolean {
  return sp + 4 < end && text.charCodeAt(sp + 1) === 105 && text.charCodeAt(sp + 2) === 115 && text.charCodeAt(sp + 3) === CH_SP;
}
