// Turns pihole.log lines into our events: a DnsActivity per query of a monitored name (blocked or
// not, known once its first answer line arrives) and a ServedAddress per address answered for a
// monitored name, also at the end of a CNAME chain through names of no service (chains.ts).
// Deterministic: the same lines in the same order give the same events. Memory is bounded: at
// most `maxPending` queries wait for their answer, for at most `pendingTtlMs` of log time.
//
// Batches: the assembler remembers the last point at which it held no state (no query waiting,
// no chain open). A reader that must stop early hands over only what lies before that point and
// resumes there later with a fresh assembler, which then gives exactly the events still missing.
import type { Catalog } from '../../core/catalog.js';
import { normalizeName } from '../../core/catalog.js';
import type { Classification, DnsActivity, ServedAddress, SkipCounts } from '../../core/types.js';
import { normalizeQtype } from './line.js';
import { ChainTracker, sameName } from './chains.js';
import { LogClock } from './clock.js';
import { NameFilter, NameMatcher } from './match.js';
import {
  A_BLOCKED, A_CACHED, A_REPLY, A_STALE, K_QUERY, S_BINARY, S_BLANK, S_FORWARDED, S_OTHER_SERVICE, S_PTR, S_UNRELATED, SKIP_REASONS,
  answerValueKind, isPtrAnswer, newLineScan, scanPiholeLine, type LineScan,
} from './scan.js';
import { Skimmer } from './skim.js';

export interface PiholeAssemblerOptions {
  readonly catalog: Catalog;
  /** IANA zone the log's wall-clock stamps are in. */
  readonly timeZone: string;
  /** Latest possible line time: the file's mtime, or now for a live tail. Decides the year. */
  readonly referenceTs: number;
  readonly maxPending?: number;
  readonly pendingTtlMs?: number;
}

/** What a stretch of lines produced, and how its lines were counted. */
export interface AssembledBatch {
  readonly dns: DnsActivity[];
  readonly served: ServedAddress[];
  readonly linesRead: number;
  /** Lines that were records of a monitored service. linesRead = parsed + sum(skipped). */
  readonly parsed: number;
  readonly skipped: SkipCounts;
  /** Stamps of the first and last line with a stamp. */
  readonly firstTs: number | undefined;
  readonly lastTs: number | undefined;
}

interface Pending {
  readonly ts: number;
  readonly rawName: string;
  readonly client: string;
  readonly qtype: string;
  readonly cls: Classification;
  readonly serial: number;
}

/** Counters at a point where no query waited and no chain was open. */
interface Mark {
  readonly counts: Float64Array;
  readonly dns: number;
  readonly served: number;
  readonly firstTs: number | undefined;
  readonly lastTs: number | undefined;
}

const NO_ADDRESS = new Set(['0.0.0.0', '::']);

export class PiholeAssembler {
  private dns: DnsActivity[] = [];
  private served: ServedAddress[] = [];
  /** Per SKIP_REASONS code; index 0 counts parsed lines. */
  private counts = new Float64Array(SKIP_REASONS.length);
  /** Stamp of the current line, or of the last line that had one. */
  private ts = 0;
  private stampKey = -1;
  /** For a mark taken during a line: did it change ts (from tsBefore), did it set firstTs. */
  private tsBefore = 0;
  private stampChanged = false;
  private firstSetNow = false;
  /** First stamp since the last takeBatch. */
  private firstTs: number | undefined;
  private taken = 0;
  private pending: Pending[] = [];
  private readonly chains: ChainTracker;
  private mark: Mark | undefined;
  /** The counts of the mark: there is one mark at a time, and one is taken for many lookups. */
  private readonly markCounts = new Float64Array(SKIP_REASONS.length);
  /** The assembler was at rest when the current line began (only then may a mark be taken). */
  private restAtLineStart = true;
  private readonly scan: LineScan = newLineScan();
  /** For looking at a line's stamp without taking the line in (stampIsOwn). */
  private readonly probe: LineScan = newLineScan();
  private readonly clock: LogClock;
  private readonly matcher: NameMatcher;
  private readonly skimmer: Skimmer;
  private readonly maxPending: number;
  private readonly pendingTtl: number;

  constructor(opts: PiholeAssemblerOptions) {
    this.clock = new LogClock(opts.timeZone, opts.referenceTs);
    this.matcher = new NameMatcher(opts.catalog);
    this.skimmer = new Skimmer(this.scan, new NameFilter(opts.catalog));
    this.chains = new ChainTracker(this.matcher, () => this.markIfAtRest());
    this.maxPending = opts.maxPending ?? 256;
    this.pendingTtl = opts.pendingTtlMs ?? 5000;
  }

  /** No query waits for its answer and no chain is open: nothing read so far affects later events. */
  get quiescent(): boolean {
    return this.pending.length === 0 && this.chains.idle;
  }

  /** Lines taken in since the last takeBatch. */
  get lines(): number {
    return this.taken;
  }

  /** A stamp has been seen since the last takeBatch (the batch's first stamp is known). */
  get stamped(): boolean {
    return this.firstTs !== undefined;
  }

  /** What a line must hold (lower-cased) to concern a monitored service: NameMatcher.needles. */
  needles(): string[] {
    return this.matcher.needles();
  }

  /**
   * Count `n` lines the reader passed over while at rest because they name no monitored service
   * (prefilter.ts): taking them in would only have counted them and moved the clock.
   */
  passOver(n: number): void {
    this.counts[S_UNRELATED]! += n;
    this.taken += n;
  }

  /**
   * Would taking in the line text[start, end) set the clock to a time that does not depend on
   * any line before it? True when the line has its own stamp (pushRange then gives it to the
   * clock) outside a wall hour that happens twice (LogClock.stampDependsOnPrevious). The reader
   * passes over lines only up to such a line, which it then hands in, so the clock and the
   * assembler's stamps are where reading every line would have left them.
   */
  stampIsOwn(text: string, start: number, end: number): boolean {
    const p = this.probe;
    if (scanPiholeLine(text, start, end, p) === S_BLANK || p.month === 0) return false;
    return p.year === 0
      ? !this.clock.stampDependsOnPrevious(p.month, p.day, p.hour, p.minute, p.second)
      : !this.clock.datedDependsOnPrevious(p.year, p.month, p.day, p.hour);
  }

  pushLine(line: string): void {
    this.pushRange(line, 0, line.length);
  }

  /** Take in the line text[start, end) (without its newline). */
  pushRange(text: string, start: number, end: number): void {
    const s = this.scan;
    let code = scanPiholeLine(text, start, end, s);
    this.skimmer.forget();
    this.stampChanged = this.firstSetNow = false;
    this.restAtLineStart = this.pending.length === 0 && this.chains.idle;
    if (s.month !== 0) this.advanceClock(s);
    const ts = this.ts;
    if (code === 0) code = s.kind === K_QUERY ? this.onQuery(text, ts) : this.onAnswer(text, ts);
    else if (code === S_FORWARDED) this.chains.interrupt();
    this.counts[code]! += 1;
    this.taken++;
    if (!this.restAtLineStart) this.expire(ts);
  }

  /**
   * Take in the line starting at b[p] (dv views b) if it only needs counting: returns the index of
   * its newline, or -1 when it must go to pushRange as a string. What is done is what pushRange
   * does for a line that scans to a skip code (skim.ts): clock, end of a plain chain, count,
   * expiry.
   */
  skimLine(b: Uint8Array, dv: DataView, p: number): number {
    const sk = this.skimmer;
    const nl = sk.line(b, dv, p, this.chains.following);
    if (nl < 0) return -1;
    const rest = this.pending.length === 0 && this.chains.idle;
    this.advanceClock(this.scan);
    // A query, forwarded or blocked line ends a plain chain; a skimmed answer comes only when none is open.
    this.chains.interrupt();
    this.counts[sk.code]! += 1;
    this.taken++;
    if (!rest) this.expire(this.ts);
    return nl;
  }

  /**
   * skimLine for the lines from b[p] on while the assembler is at rest, as that lets most of it go
   * (it stays at rest: a skimmed line opens nothing, and nothing is open to end or expire). Stops
   * at the first line that needs pushRange, at `to` or after `maxLines`; returns where it stopped.
   */
  skimRun(b: Uint8Array, dv: DataView, p: number, to: number, maxLines: number): number {
    const sk = this.skimmer;
    const counts = this.counts;
    let n = 0;
    while (p < to && n < maxLines) {
      const nl = sk.line(b, dv, p, false);
      if (nl < 0) break;
      // Under the header of the line before, the stamp is the clock's already.
      if (sk.fresh || this.firstTs === undefined) this.advanceClock(this.scan);
      counts[sk.code]! += 1;
      n++;
      p = nl + 1;
    }
    this.taken += n;
    return p;
  }

  /** Consecutive lines mostly share a stamp: only a new one goes to the clock (and stores a double). */
  private advanceClock(s: LineScan): void {
    const key = s.year === 0 ? (((s.month * 32 + s.day) * 24 + s.hour) * 60 + s.minute) * 61 + s.second : -1;
    if (key !== this.stampKey || key < 0) {
      this.stampKey = key;
      this.stampChanged = true;
      this.tsBefore = this.ts;
      this.ts = key >= 0 ? this.clock.stampTs(s.month, s.day, s.hour, s.minute, s.second)
        : this.clock.datedTs(s.year, s.month, s.day, s.hour, s.minute, s.second, s.ms);
    }
    if (this.firstTs === undefined) {
      this.firstTs = this.ts;
      this.firstSetNow = true;
    }
  }

  /** Count a line the reader had to drop (e.g. longer than it will buffer). */
  skipLine(reason: 'malformed' | 'binary'): void {
    this.counts[SKIP_REASONS.indexOf(reason)]! += 1;
    this.taken++;
  }

  /**
   * The live log has no more lines for now. dnsmasq writes all answer lines of a response
   * together, so an answer chain open at the end of what is there is complete: close it, so the
   * newest lookup is stored now rather than when the next line arrives. A query still waiting
   * for its answer stays open (its answer will come). Returns whether the assembler is at rest.
   */
  settle(): boolean {
    if (this.pending.length === 0) this.chains.clear();
    return this.quiescent;
  }

  /** End of a finished input: queries still waiting are taken as answered (not blocked). */
  finish(): void {
    for (const p of this.pending) this.emitQuery(p, false);
    this.pending = [];
    this.chains.clear();
  }

  /**
   * Hand over what was assembled since the last call. `upToMark`: only up to the last quiescent
   * point (the lines after it are to be read again by whoever resumes there).
   */
  takeBatch(upToMark = false): AssembledBatch {
    const m = upToMark && !this.quiescent ? this.mark : undefined;
    const counts = m ? m.counts : this.counts;
    const batch: AssembledBatch = {
      dns: m ? this.dns.slice(0, m.dns) : this.dns,
      served: m ? this.served.slice(0, m.served) : this.served,
      linesRead: counts.reduce((a, b) => a + b, 0),
      parsed: counts[0] ?? 0,
      skipped: toSkipCounts(counts),
      firstTs: m ? m.firstTs : this.firstTs,
      lastTs: m ? m.lastTs : this.firstTs === undefined ? undefined : this.ts,
    };
    if (m) {
      // Keep what follows the mark as the start of the next batch.
      this.dns = this.dns.slice(m.dns);
      this.served = this.served.slice(m.served);
      this.counts = this.counts.map((c, i) => c - (m.counts[i] ?? 0));
      this.taken -= batch.linesRead;
    } else {
      this.dns = [];
      this.served = [];
      this.counts = new Float64Array(this.counts.length);
      this.taken = 0;
    }
    // Still holding state (a forced or partial take): the next batch starts at rest here.
    this.mark = this.quiescent ? undefined : this.emptyMark();
    this.firstTs = undefined;
    return batch;
  }

  private onQuery(text: string, ts: number): number {
    const s = this.scan;
    this.chains.interrupt();
    const cls = this.matcher.classifyScanned(text, s);
    if (!cls) return S_OTHER_SERVICE;
    if (!printable(text, s.nameStart, s.nameEnd) || !printable(text, s.valueStart, s.valueEnd)) return S_BINARY;
    this.markIfAtRest();
    if (this.pending.length >= this.maxPending) this.emitQuery(this.pending.shift()!, false);
    this.pending.push({
      ts,
      rawName: text.slice(s.nameStart, s.nameEnd),
      client: text.slice(s.valueStart, s.valueEnd),
      qtype: normalizeQtype(text.slice(s.typeStart, s.typeEnd)),
      cls,
      serial: s.serial,
    });
    return 0;
  }

  private onAnswer(text: string, ts: number): number {
    const s = this.scan;
    const blocked = s.source === A_BLOCKED;
    const answered = this.pending.length > 0 && this.resolve(text, blocked);
    if (blocked) {
      this.chains.interrupt();
      return answered || this.matcher.classifyScanned(text, s) ? 0 : S_OTHER_SERVICE;
    }
    const chain = this.chains.follow(text, s, ts);
    if (!chain) return isPtrAnswer(text, s) ? S_PTR : S_OTHER_SERVICE;
    const kind = answerValueKind(text, s);
    chain.expectTarget = kind === 'cname';
    const upstream = s.source === A_REPLY || s.source === A_CACHED || s.source === A_STALE;
    if (upstream && (kind === 'ipv4' || kind === 'ipv6')) {
      const ip = text.slice(s.valueStart, s.valueEnd);
      if (!NO_ADDRESS.has(ip)) this.served.push({ ts, ip, name: chain.name, service: chain.cls.service, role: chain.cls.role });
    }
    return 0;
  }

  /** Settle the queries this answer line is the first answer of. */
  private resolve(text: string, blocked: boolean): boolean {
    const s = this.scan;
    let hit = false;
    for (let i = 0; i < this.pending.length; ) {
      const p = this.pending[i]!;
      const same = s.serial >= 0 && p.serial >= 0 ? s.serial === p.serial : sameName(text, s, p.rawName);
      if (same) {
        this.emitQuery(p, blocked);
        this.pending.splice(i, 1);
        hit = true;
      } else i++;
    }
    return hit;
  }

  private expire(now: number): void {
    while (this.pending.length > 0 && this.pending[0]!.ts < now - this.pendingTtl) this.emitQuery(this.pending.shift()!, false);
    this.chains.expire(now);
  }

  private emitQuery(p: Pending, blocked: boolean): void {
    const { service, role } = p.cls;
    this.dns.push({ ts: p.ts, clientIp: p.client, name: normalizeName(p.rawName), qtype: p.qtype, service, role, blocked });
  }

  private emptyMark(): Mark {
    this.markCounts.fill(0);
    return { counts: this.markCounts, dns: 0, served: 0, firstTs: undefined, lastTs: undefined };
  }

  /**
   * About to hold state across lines: if nothing was held when this line began, remember where
   * things stood before it (the reader's resume offset for that point is the line's start).
   */
  private markIfAtRest(): void {
    if (!this.restAtLineStart) return;
    this.restAtLineStart = false;
    this.markCounts.set(this.counts);
    this.mark = {
      counts: this.markCounts,
      dns: this.dns.length,
      served: this.served.length,
      firstTs: this.firstSetNow ? undefined : this.firstTs,
      lastTs: this.firstSetNow || this.firstTs === undefined ? undefined : this.stampChanged ? this.tsBefore : this.ts,
    };
  }
}

/**
 * dnsmasq never logs a name with a byte outside printable ASCII: log_query() passes names through
 * sanitise(), which writes `<name unprintable>` instead (pi-hole/FTL src/dnsmasq/cache.c). A
 * query whose name or client holds one is damaged (or forged) and counted as `binary`, not kept.
 * Lines are decoded as latin1: one character per byte.
 */
function printable(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c <= 0x20 || c >= 0x7f) return false;
  }
  return true;
}

function toSkipCounts(counts: Float64Array): SkipCounts {
  const out: SkipCounts = {};
  for (let i = 1; i < counts.length; i++) if (counts[i]! > 0) out[SKIP_REASONS[i]!] = counts[i]!;
  return out;
}
