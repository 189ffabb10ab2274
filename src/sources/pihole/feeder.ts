// Cuts byte chunks into lines for the assembler and decides where batches end. A line is offered
// to the assembler's byte-level fast path first (most lines are only counted); the others are
// decoded as latin1, so that a character index is a byte offset (log names are ASCII; dnsmasq
// escapes the rest). A batch may only end where the assembler holds no state (no query awaiting
// its answer, no open CNAME chain): resuming there with a fresh assembler then gives exactly the
// events a single pass would have given. Chunks may be reused by the reader once push returns:
// nothing here keeps a reference to one.
//
// The prefilter (prefilter.ts): while the assembler is at rest, the lines up to the next one that
// holds a monitored name are passed over, only counted (`unrelated`). Taken in, such a line would
// change nothing but the counts and the clock: it opens no query or chain (it names no monitored
// service) and there is none open to end or expire. The clock is kept exact by handing in the
// last lines of every stretch passed over, from its last line whose stamp is its own
// (PiholeAssembler.stampIsOwn), and a batch's first line; a batch ends on the same line as when
// every line is read. So the events, their times, the batches and their offsets and stamps are
// those of reading every line; only the skip reasons of the lines passed over are not known.
import type { SkipCounts } from '../../core/types.js';
import type { AssembledBatch, PiholeAssembler } from './assembler.js';
import { HitFinder } from './prefilter.js';

/** Longest line kept in memory; longer ones are dropped and counted as malformed. */
const MAX_LINE = 1 << 20;
/** Lines after which a batch is handed over even if the assembler never came to rest. */
const FORCE_FACTOR = 8;
const FORCE_MIN_LINES = 65_536;
/**
 * The prefilter is paused for UNFILTERED_CHUNKS calls when it passed over fewer than PASS_RATIO
 * lines per line taken in (of at least MIN_JUDGED_LINES): measured on the benchmark logs, a 3%
 * Netflix log passes over ~30 lines per line read, a 44% one about one.
 */
const PASS_RATIO = 2;
const MIN_JUDGED_LINES = 2000;
const UNFILTERED_CHUNKS = 8;
/** Bytes after a line's newline that the scanner may look at (`forwarded`: 3). */
const LOOK_PAST = 8;

export interface PiholeBatch extends AssembledBatch {
  /** Resume here: just after the last line whose events this batch (and the ones before) hold. */
  readonly endOffset: number;
  /** The last batch of a read that reached the end of the input (always delivered, possibly empty). */
  readonly last: boolean;
}

export interface PiholeReadStats {
  readonly linesRead: number;
  readonly parsed: number;
  readonly skipped: SkipCounts;
  readonly dnsEvents: number;
  readonly servedEvents: number;
  readonly firstTs: number | undefined;
  readonly lastTs: number | undefined;
  readonly endOffset: number;
}

export class LineFeeder {
  /** Byte offset just after the last complete line taken in. */
  offset: number;
  /** Offset after the last line at which the assembler was at rest. */
  private safeOffset: number;
  /**
   * The start of a line still waiting for its newline, in pieces (copies: chunks are reused),
   * joined once the newline comes: joining at every chunk made a long line quadratic in small
   * chunks (found by npm run fuzz).
   */
  private carry: Buffer[] = [];
  private carryLength = 0;
  /** Bytes of an over-long line dropped so far, -1 when not dropping. */
  private dropping = -1;
  private readonly totals = { linesRead: 0, parsed: 0, dnsEvents: 0, servedEvents: 0 };
  private readonly skipped: SkipCounts = {};
  private firstTs: number | undefined;
  private lastTs: number | undefined;
  private readonly forceLines: number;
  /** Finds the lines that may concern a monitored service; undefined: every line is read. */
  private readonly finder: HitFinder | undefined;
  /** The lines being fed end here (feedLines' `to`). */
  private to = 0;
  /** Lines passed over and lines taken in one by one while filtering, and chunks left to read unfiltered. */
  private passed = 0;
  private looked = 0;
  private unfiltered = 0;

  constructor(
    private readonly assembler: PiholeAssembler,
    start: number,
    private readonly batchLines: number,
    private readonly onBatch: (batch: PiholeBatch) => void,
    prefilter = true,
  ) {
    this.offset = start;
    this.safeOffset = start;
    this.forceLines = Math.max(batchLines * FORCE_FACTOR, FORCE_MIN_LINES);
    this.finder = prefilter ? new HitFinder(assembler.needles()) : undefined;
  }

  push(chunk: Buffer): void {
    let from = this.dropping >= 0 ? this.dropOverlong(chunk) : 0;
    if (from < 0) return;
    if (this.carryLength > 0) {
      const nl = chunk.indexOf(10, from);
      if (nl < 0) {
        this.keep(chunk.subarray(from));
        return;
      }
      const joined = Buffer.concat([...this.carry, chunk.subarray(from, nl + 1)]);
      this.clearCarry();
      this.feedLines(joined, 0, joined.length);
      from = nl + 1;
    }
    const last = chunk.lastIndexOf(10);
    if (last >= from) {
      this.feedLines(chunk, from, last + 1);
      from = last + 1;
    }
    if (from < chunk.length) this.keep(chunk.subarray(from));
  }

  /**
   * No more input. `final`: the file is finished; else a last line without newline is left for
   * later. `reachedEnd`: false when the input broke off (the last batch is then not marked last).
   * `settle` (live tail): an answer chain open at the end is taken as complete.
   */
  end(final: boolean, reachedEnd = true, settle = false): PiholeReadStats {
    if (final) {
      if (this.dropping >= 0) this.countDropped(this.dropping);
      else if (this.carryLength > 0) {
        const text = Buffer.concat(this.carry).toString('latin1');
        this.clearCarry();
        this.assembler.pushRange(text, 0, text.length);
        this.offset += text.length;
      }
      this.assembler.finish();
    } else if (settle && reachedEnd && this.carryLength === 0 && this.dropping < 0 && this.assembler.settle()) {
      // Everything read ends in a newline and nothing is left open: the whole read is safe.
      this.safeOffset = this.offset;
    }
    this.flush(!final && !this.assembler.quiescent, reachedEnd);
    return { ...this.totals, skipped: this.skipped, firstTs: this.firstTs, lastTs: this.lastTs, endOffset: this.safeOffset };
  }

  /** Lines of b[from, to), each ending in `\n` (the last one included). */
  private feedLines(b: Buffer, from: number, to: number): void {
    if (!this.finder || this.unfiltered > 0) {
      this.unfiltered--;
      this.readLines(b, from, to);
      return;
    }
    const passed = this.passed, looked = this.looked;
    this.filterLines(b, from, to, this.finder);
    // Where most lines concern a monitored service (a home that streams all evening) the search
    // costs more than it saves: read the next chunks line by line, then try again. Both ways
    // leave the assembler in the same state after every line, so switching changes nothing.
    const p = this.passed - passed, l = this.looked - looked;
    if (p + l >= MIN_JUDGED_LINES && p < l * PASS_RATIO) this.unfiltered = UNFILTERED_CHUNKS;
  }

  /** feedLines with the prefilter: see the file comment. */
  private filterLines(b: Buffer, from: number, to: number, finder: HitFinder): void {
    const a = this.assembler;
    const dv = new DataView(b.buffer, b.byteOffset, b.length);
    const base = this.offset - from;
    this.to = to;
    finder.reset(b, from, to);
    let pos = from;
    while (pos < to) {
      if (a.quiescent) {
        const hit = finder.lineWithHit(pos);
        if (hit > pos) {
          pos = this.passOver(b, dv, base, pos, hit);
          continue;
        }
      }
      pos = this.oneLine(b, dv, base, pos);
    }
    this.offset = base + pos;
  }

  /**
   * The lines b[p, q) hold no monitored name and the assembler is at rest: count them, except
   * a batch's first line and the tail from the last line whose stamp is the line's own, which are
   * taken in. A batch ends where it would when every line is read (after batchLines lines).
   */
  private passOver(b: Buffer, dv: DataView, base: number, p: number, q: number): number {
    const a = this.assembler;
    while (p < q) {
      const room = this.batchLines - a.lines;
      if (!a.stamped || room <= 0) {
        p = this.oneLine(b, dv, base, p);
        continue;
      }
      // The end of the room-th line from p, or q.
      let end = p, n = 0;
      while (n < room && end < q) {
        end = b.indexOf(10, end) + 1;
        n++;
      }
      // Walk back to the last line whose stamp is its own (usually the last line).
      let tail = end, tailLines = 0;
      do {
        const prev = tail - 2 < p ? -1 : b.lastIndexOf(10, tail - 2);
        tail = prev < p ? p : prev + 1;
        tailLines++;
      } while (tail > p && !a.stampIsOwn(b.toString('latin1', tail, end - 1), 0, lineLength(b, tail)));
      a.passOver(n - tailLines);
      this.passed += n - tailLines;
      while (tail < end) tail = this.oneLine(b, dv, base, tail);
      p = end;
    }
    return q;
  }

  /** One line from `pos` (a line start, before this.to) through the assembler; returns where the next one starts. */
  private oneLine(b: Buffer, dv: DataView, base: number, pos: number): number {
    const a = this.assembler;
    this.looked++;
    let nl = a.skimLine(b, dv, pos);
    if (nl < 0) {
      // Only a line the fast path cannot count becomes a string. A few bytes of the next line
      // come along: the scanner may glance past a line's end (see scanMessage), and saw them
      // when it was given whole chunks.
      nl = b.indexOf(10, pos);
      a.pushRange(b.toString('latin1', pos, Math.min(this.to, nl + 1 + LOOK_PAST)), 0, nl - pos);
    }
    pos = nl + 1;
    if (a.quiescent) {
      this.safeOffset = base + pos;
      if (a.lines >= this.batchLines) {
        this.offset = base + pos;
        this.flush(false, false);
      }
    } else if (a.lines >= this.forceLines) {
      // The assembler has not come to rest for very long: hand over anyway to bound memory;
      // only a crash right here could then cost the events of the open chain.
      this.offset = this.safeOffset = base + pos;
      this.flush(false, false);
    }
    return pos;
  }

  /** feedLines reading every line (the prefilter off). */
  private readLines(b: Buffer, from: number, to: number): void {
    const a = this.assembler;
    const dv = new DataView(b.buffer, b.byteOffset, b.length);
    const base = this.offset - from;
    this.to = to;
    let pos = from;
    while (pos < to) {
      if (a.quiescent) {
        // The common case: a run of lines that are only counted, each end a point of rest.
        const next = a.skimRun(b, dv, pos, to, this.batchLines - a.lines);
        if (next > pos) {
          pos = next;
          this.safeOffset = base + pos;
          if (a.lines >= this.batchLines) {
            this.offset = base + pos;
            this.flush(false, false);
          }
          continue;
        }
      }
      pos = this.oneLine(b, dv, base, pos);
    }
    this.offset = base + pos;
  }

  private flush(upToMark: boolean, last: boolean): void {
    if (!upToMark) this.safeOffset = this.offset;
    const b = this.assembler.takeBatch(upToMark);
    this.totals.linesRead += b.linesRead;
    this.totals.parsed += b.parsed;
    this.totals.dnsEvents += b.dns.length;
    this.totals.servedEvents += b.served.length;
    for (const [k, v] of Object.entries(b.skipped)) this.skipped[k] = (this.skipped[k] ?? 0) + v;
    if (b.firstTs !== undefined && (this.firstTs === undefined || b.firstTs < this.firstTs)) this.firstTs = b.firstTs;
    if (b.lastTs !== undefined) this.lastTs = b.lastTs;
    this.onBatch({ ...b, endOffset: this.safeOffset, last });
  }

  private keep(rest: Buffer): void {
    if (this.carryLength + rest.length > MAX_LINE) {
      this.dropping = this.carryLength + rest.length;
      this.clearCarry();
    } else {
      this.carry.push(Buffer.from(rest));
      this.carryLength += rest.length;
    }
  }

  private clearCarry(): void {
    this.carry = [];
    this.carryLength = 0;
  }

  /** Skip the rest of an over-long line; returns where the next line starts in chunk, or -1. */
  private dropOverlong(chunk: Buffer): number {
    const nl = chunk.indexOf(10);
    if (nl < 0) {
      this.dropping += chunk.length;
      return -1;
    }
    this.countDropped(this.dropping + nl + 1);
    this.dropping = -1;
    return nl + 1;
  }

  private countDropped(bytes: number): void {
    this.assembler.skipLine('malformed');
    this.offset += bytes;
    if (this.assembler.quiescent) this.safeOffset = this.offset;
  }
}

/** Length of the line starting at b[p], without its newline (there is one). */
function lineLength(b: Buffer, p: number): number {
  return b.indexOf(10, p) - p;
}
