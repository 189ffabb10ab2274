// Following answers through CNAME chains. dnsmasq logs one line per answer record and a `<CNAME>`
// line does not name its target: the next answer line's owner is the target. All lines of one
// response are written in a row (dnsmasq is single-threaded), so in the plain format a chain is
// a run of answer lines: it starts at an answer for a monitored name and goes on while lines
// continue it (the same owner, or any owner right after a `<CNAME>`). A query or forwarded line,
// or an answer that does not continue it, ends it. With log-queries=extra every line carries the
// query's serial, which ties a chain together even if other lines come in between; such chains
// end when their query is old (RUN_TTL of log time), at most MAX_SERIAL_RUNS are kept.
import { normalizeName } from '../../core/catalog.js';
import type { Classification } from '../../core/types.js';
import type { NameMatcher } from './match.js';
import type { LineScan } from './scan.js';

export interface Chain {
  /** Classification of the nearest monitored name in the chain. */
  cls: Classification;
  /** The monitored name the chain started at (what was asked for). */
  readonly name: string;
  readonly serial: number;
  readonly startTs: number;
  /** Owner of the last line, to recognise more records of the same name (plain format). */
  member: string;
  expectTarget: boolean;
}

const RUN_TTL = 2000;
const MAX_SERIAL_RUNS = 64;

export class ChainTracker {
  private open: Chain | undefined;
  private readonly bySerial = new Map<number, Chain>();

  /** `onStart` runs just before a chain is opened (the assembler marks its last point at rest). */
  constructor(
    private readonly matcher: NameMatcher,
    private readonly onStart: () => void,
  ) {}

  get idle(): boolean {
    return this.open === undefined && this.bySerial.size === 0;
  }

  /** A plain-format chain is open: the next answer line may continue it, whatever its name. */
  get following(): boolean {
    return this.open !== undefined;
  }

  /** A query or forwarded line: a plain-format response is over. */
  interrupt(): void {
    this.open = undefined;
  }

  clear(): void {
    this.open = undefined;
    this.bySerial.clear();
  }

  /** Forget serial chains whose query is older than RUN_TTL. */
  expire(now: number): void {
    if (this.bySerial.size === 0) return;
    for (const [serial, chain] of this.bySerial) {
      if (chain.startTs >= now - RUN_TTL) break;
      this.bySerial.delete(serial);
    }
  }

  /** The chain the answer line in `s` belongs to (continuing or starting one), or undefined. */
  follow(text: string, s: LineScan, ts: number): Chain | undefined {
    if (s.serial >= 0) return this.followSerial(text, s, ts);
    const c = this.open;
    if (c) {
      if (c.expectTarget) return this.extend(c, text, s);
      if (sameName(text, s, c.member)) return c;
      this.open = undefined;
    }
    this.open = this.start(text, s, ts);
    return this.open;
  }

  private followSerial(text: string, s: LineScan, ts: number): Chain | undefined {
    const c = this.bySerial.get(s.serial);
    if (c) return c.expectTarget ? this.extend(c, text, s) : c;
    const started = this.start(text, s, ts);
    if (!started) return undefined;
    if (this.bySerial.size >= MAX_SERIAL_RUNS) this.bySerial.delete(this.bySerial.keys().next().value!);
    this.bySerial.set(s.serial, started);
    return started;
  }

  private start(text: string, s: LineScan, ts: number): Chain | undefined {
    const cls = this.matcher.classifyScanned(text, s);
    if (!cls) return undefined;
    this.onStart();
    const member = text.slice(s.nameStart, s.nameEnd);
    return { cls, name: normalizeName(member), serial: s.serial, startTs: ts, member, expectTarget: false };
  }

  /** The line after a `<CNAME>`: its owner is the next member of the chain. */
  private extend(c: Chain, text: string, s: LineScan): Chain {
    c.member = text.slice(s.nameStart, s.nameEnd);
    const own = this.matcher.classifyScanned(text, s);
    if (own) c.cls = own;
    return c;
  }
}

/** Is the owner name in `s` equal to `name` (dnsmasq keeps the case the client used; compare without)? */
export function sameName(text: string, s: LineScan, name: string): boolean {
  const len = s.nameEnd - s.nameStart;
  if (len !== name.length) return false;
  return text.startsWith(name, s.nameStart) || text.slice(s.nameStart, s.nameEnd).toLowerCase() === name.toLowerCase();
}
