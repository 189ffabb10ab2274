// Pi-hole / dnsmasq log lines as plain records: the pure, allocation-friendly face of the scanner
// (scan.ts) for tests, tools and anything that wants one line at a time. The reader does not
// go through here; it drives the scanner directly (see assembler.ts).
import {
  A_BLOCKED,
  ANSWER_SOURCES,
  K_QUERY,
  SKIP_REASONS,
  answerValueKind,
  isPtrAnswer,
  newLineScan,
  scanPiholeLine,
  type AnswerSource,
  type SkipReason,
  type ValueKind,
} from './scan.js';

export type { AnswerSource, SkipReason, ValueKind } from './scan.js';

/** The line's clock reading. `year` only when the line carries one (web UI copy); never a zone. */
export interface PiholeStamp {
  readonly year?: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
  readonly ms?: number;
}

/** `log-queries=extra` prefix `<serial> <ip>/<port>`, and v6 `log-queries=proto` adds UDP/TCP. */
export interface PiholeExtra {
  readonly serial: number;
  readonly peer: string;
  readonly port: number;
  readonly proto?: 'UDP' | 'TCP';
}

export interface PiholeQueryLine {
  readonly kind: 'query';
  readonly stamp: PiholeStamp;
  readonly extra?: PiholeExtra;
  /** As logged (`A`, `AAAA`, `HTTPS`), `type=NNN` mapped to its name where known. */
  readonly qtype: string;
  readonly name: string;
  readonly client: string;
}

export interface PiholeAnswerLine {
  readonly kind: 'answer';
  readonly stamp: PiholeStamp;
  readonly extra?: PiholeExtra;
  readonly source: AnswerSource;
  /** The owner name as logged; for a PTR answer (`ptr`) the address, as dnsmasq swaps the sides. */
  readonly name: string;
  readonly value: string;
  readonly valueKind: ValueKind;
  readonly ptr: boolean;
  /** Pi-hole answered with its blocking reply (gravity, deny lists, regex, upstream block, list file). */
  readonly blocked: boolean;
  /** The blocking reason (`gravity blocked (CNAME)`) or the hosts/list file the answer came from. */
  readonly reason?: string;
  /** Trailing ` (...)` note, e.g. `EDE: blocked`. */
  readonly note?: string;
}

export type PiholeRecord = PiholeQueryLine | PiholeAnswerLine;
export interface PiholeSkip {
  readonly kind: 'skip';
  readonly reason: SkipReason;
}

const QTYPE_NAMES: Readonly<Record<string, string>> = { 'type=64': 'SVCB', 'type=65': 'HTTPS', 'type=28': 'AAAA', 'type=1': 'A' };

/** `type=65` -> `HTTPS` (older dnsmasq printed unknown types by number). */
export function normalizeQtype(raw: string): string {
  return QTYPE_NAMES[raw] ?? raw;
}

/** Parse one pihole.log line. Pure: same line, same result. */
export function parsePiholeLine(line: string): PiholeRecord | PiholeSkip {
  const s = newLineScan();
  const code = scanPiholeLine(line, 0, line.length, s);
  if (code !== 0) return { kind: 'skip', reason: SKIP_REASONS[code] as SkipReason };
  const stamp: PiholeStamp = {
    ...(s.year ? { year: s.year, ms: s.ms } : {}),
    month: s.month,
    day: s.day,
    hour: s.hour,
    minute: s.minute,
    second: s.second,
  };
  const extra: PiholeExtra | undefined =
    s.serial < 0
      ? undefined
      : {
          serial: s.serial,
          peer: line.slice(s.peerStart, s.peerEnd),
          port: s.port,
          ...(s.proto ? { proto: s.proto === 1 ? ('UDP' as const) : ('TCP' as const) } : {}),
        };
  const name = line.slice(s.nameStart, s.nameEnd);
  const value = line.slice(s.valueStart, s.valueEnd);
  if (s.kind === K_QUERY) {
    const qtype = normalizeQtype(line.slice(s.typeStart, s.typeEnd));
    return { kind: 'query', stamp, ...(extra ? { extra } : {}), qtype, name, client: value };
  }
  const ptr = isPtrAnswer(line, s);
  return {
    kind: 'answer',
    stamp,
    ...(extra ? { extra } : {}),
    source: ANSWER_SOURCES[s.source] as AnswerSource,
    name,
    value,
    valueKind: ptr ? 'name' : answerValueKind(line, s),
    ptr,
    blocked: s.source === A_BLOCKED,
    ...(s.reasonEnd > s.reasonStart ? { reason: line.slice(s.reasonStart, s.reasonEnd) } : {}),
    ...(s.noteEnd > s.noteStart ? { note: line.slice(s.noteStart, s.noteEnd) } : {}),
  };
}
