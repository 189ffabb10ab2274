// The reader's prefilter (issue 17): most lines of a household log name no monitored service, and
// even the byte-level skim (skim.ts) of each costs more than the whole read should. A line can
// concern a monitored service only if its lower case holds one of the matcher's needles
// (NameMatcher.needles: the last two labels of every catalog domain), so the feeder looks for
// those in whole stretches of lines with the runtime's native string search and hands only the
// lines around a hit to the assembler (feeder.ts says which lines, and why the events stay the
// same). Case: dnsmasq logs a name as the client asked it (`NETFLIX.COM` happens), and NameMatcher
// compares `toLowerCase()`d latin1 text, so the search runs over the same: windows of a few
// dozen kB decoded as latin1 and lower-cased by V8 (word at a time; a 1 MB external string is
// several times slower, hence the windows).
//
// A native search is fastest when it starts from a byte that is rare in logs (`x` of `nflx`):
// each needle is searched from its rarest character. Needles whose rarest character is still
// rare share one search for that character and are checked where it occurs; a needle with only
// common characters (`fast.com`) is searched as itself, from that character on (up to six
// characters: longer patterns switch V8 to a Boyer-Moore search that is slower on log text).

/** Bytes per window (cut back to a line end). */
const WINDOW = 64 * 1024;
/** Longest pattern given to String#indexOf (see above). */
const MAX_PATTERN = 6;
/** A character seen less often than this per log line is searched alone and checked in place. */
const RARE = 0.75;
/**
 * Occurrences per line of the characters of lower-cased pihole.log text (from the benchmark's
 * year log: dnsmasq's own words make `f`, `o`, `q`, `r`... common). Only the order matters: a
 * wrong figure costs time, never a line. Characters not listed: RARE_DEFAULT.
 */
const PER_LINE: Readonly<Record<string, number>> = {
  '.': 5.4, '1': 5.0, '2': 3.8, s: 3.6, a: 3.8, e: 3.4, o: 3.1, ':': 3.1, n: 2.7, m: 2.6, r: 2.2, '0': 2.1, d: 2.2,
  i: 2.0, l: 1.9, p: 1.8, '8': 1.8, c: 1.9, t: 1.7, '4': 1.5, '3': 1.4, q: 1.2, '5': 1.2, '[': 1.2, ']': 1.2,
  '-': 1.1, f: 1.1, u: 1.0, y: 1.0, '9': 0.8, w: 0.8, '6': 0.8, '7': 0.7, g: 0.6, x: 0.6, b: 0.5, h: 0.3,
  j: 0.3, v: 0.2, k: 0.2, '<': 0.2, '>': 0.2, z: 0.06, '(': 0.01, ')': 0.01,
};
const RARE_DEFAULT = 0.01;

/** A needle and where its search character sits in it. */
interface Placed {
  readonly text: string;
  readonly at: number;
}

/** One native search: for `pattern`, then a check of the needles placed around each occurrence. */
interface Search {
  readonly pattern: string;
  /** Offset of the pattern in each needle (the pattern is the needle's text from there on). */
  readonly needles: readonly Placed[];
}

export class HitFinder {
  private readonly searches: Search[];
  /** An empty needle: every line may be monitored. */
  private readonly everything: boolean;
  private b: Buffer = Buffer.alloc(0);
  private to = 0;
  /** The window: bytes [start, end) of b, lower-cased as a latin1 string. */
  private start = 0;
  private end = 0;
  private lower = '';
  /** Per search: a window index inside the first line with a hit at or after `from`, or -1 for none in the window. */
  private readonly next: Int32Array;
  /** Window index the cached `next` values were found from (they stay valid while the caller is not past them). */
  private readonly nextFrom: Int32Array;

  constructor(needles: readonly string[]) {
    // A needle no line can hold: a character above latin1, or a newline (a name is within a line).
    const usable = [...new Set(needles)].filter((n) => ![...n].some((c) => c.charCodeAt(0) > 255 || c === '\n'));
    this.everything = usable.includes('');
    this.searches = planSearches(usable.filter((n) => n !== ''));
    this.next = new Int32Array(this.searches.length);
    this.nextFrom = new Int32Array(this.searches.length);
  }

  /** The lines of b[from, to) (whole lines) are next. */
  reset(b: Buffer, from: number, to: number): void {
    this.b = b;
    this.to = to;
    this.start = this.end = from;
    this.lower = '';
  }

  /**
   * The start of the first line at or after `pos` (a line start) whose lower case holds a needle,
   * or `to` if none does.
   */
  lineWithHit(pos: number): number {
    if (this.everything) return pos;
    while (pos < this.to) {
      if (pos >= this.end) this.window(pos);
      const at = this.firstHit(pos - this.start);
      if (at >= 0) return Math.max(pos, this.b.lastIndexOf(10, this.start + at) + 1);
      pos = this.end;
    }
    return this.to;
  }

  /** Lower-case the whole lines from `pos` on, about WINDOW bytes (a longer line whole). */
  private window(pos: number): void {
    const b = this.b;
    let end = Math.min(this.to, pos + WINDOW);
    if (end < this.to) {
      const nl = b.lastIndexOf(10, end - 1);
      end = nl >= pos ? nl + 1 : Math.min(this.to, b.indexOf(10, end) + 1 || this.to);
    }
    this.start = pos;
    this.end = end;
    this.lower = b.toString('latin1', pos, end).toLowerCase();
    this.next.fill(-2);
  }

  /** A window index inside the first line with a needle at or after window index `from`, or -1. */
  private firstHit(from: number): number {
    let best = -1;
    for (let i = 0; i < this.searches.length; i++) {
      let at = this.next[i]!;
      // -2: not searched in this window; a hit before `from` is in a line already passed.
      if (at === -2 || (at >= 0 && at < from) || (at === -1 && this.nextFrom[i]! > from)) {
        at = this.find(this.searches[i]!, from);
        this.next[i] = at;
        this.nextFrom[i] = from;
      }
      if (at >= 0 && (best < 0 || at < best)) best = at;
    }
    return best;
  }

  /** The first occurrence at or after `from` of the search's pattern where one of its needles holds. */
  private find(s: Search, from: number): number {
    const lower = this.lower;
    let i = lower.indexOf(s.pattern, from);
    while (i >= 0) {
      for (const n of s.needles) {
        const start = i - n.at;
        if (start >= from && lower.startsWith(n.text, start)) return i;
      }
      i = lower.indexOf(s.pattern, i + 1);
    }
    return -1;
  }
}

/**
 * The searches for a set of (non-empty, lower-case) needles: as few rare characters as cover
 * the needles that hold one (greedy: the one in most needles first), then each other needle
 * from its rarest character.
 */
export function planSearches(needles: readonly string[]): Search[] {
  const searches: Search[] = [];
  let left = [...needles];
  for (;;) {
    let best: string | undefined, bestCount = 0;
    for (const c of new Set(left.flatMap((n) => [...n]))) {
      if (frequency(c) >= RARE) continue;
      const count = left.filter((n) => n.includes(c)).length;
      if (count > bestCount || (count === bestCount && best !== undefined && frequency(c) < frequency(best))) {
        best = c;
        bestCount = count;
      }
    }
    if (best === undefined) break;
    const c = best;
    // Every place of c in a needle, so that an occurrence is found from any of them.
    const placed = left.filter((n) => n.includes(c)).flatMap((text) => [...text].flatMap((ch, at) => (ch === c ? [{ text, at }] : [])));
    searches.push({ pattern: c, needles: placed });
    left = left.filter((n) => !n.includes(c));
  }
  for (const text of left) {
    let at = 0;
    for (let i = 1; i < text.length; i++) if (frequency(text[i]!) < frequency(text[at]!)) at = i;
    searches.push({ pattern: text.slice(at, at + MAX_PATTERN), needles: [{ text, at }] });
  }
  return searches;
}

function frequency(c: string): number {
  return PER_LINE[c] ?? RARE_DEFAULT;
}
