// A fast "is this name monitored?" in front of Catalog.classifyDomain: almost every name in a
// household log belongs to no monitored service, and a name can only match a catalog domain if its
// last two labels equal that domain's last two labels. Their length and first and last character
// index a bitmap; a miss there (nearly every name) costs no string at all, a hit is checked exactly.
import type { Catalog } from '../../core/catalog.js';
import { normalizeName } from '../../core/catalog.js';
import type { Classification } from '../../core/types.js';
import type { LineScan } from './scan.js';

export class NameMatcher {
  /**
   * Last two labels of every catalog domain with two or more labels, with the classification a
   * name ending in them gets, or null when a longer catalog domain ends in them too (then the
   * catalog decides on the whole name).
   */
  private readonly lastTwo = new Map<string, Classification | null>();
  /** Catalog domains that are a single label (unusual, but a config may add one). */
  private readonly single = new Set<string>();
  /** Signatures (see signature()) of the lastTwo keys. */
  private readonly signatures = new Uint8Array(1 << 20);

  constructor(private readonly catalog: Catalog) {
    const longer = new Set<string>();
    for (const service of catalog.services) {
      for (const domain of [...service.domains, ...service.videoDomains]) {
        const labels = normalizeName(domain).split('.');
        if (labels.length === 1) this.single.add(labels[0] ?? '');
        else this.lastTwo.set(labels.slice(-2).join('.'), null);
        if (labels.length > 2) longer.add(labels.slice(-2).join('.'));
      }
    }
    for (const key of this.lastTwo.keys()) {
      if (!longer.has(key)) this.lastTwo.set(key, catalog.classifyDomain(key) ?? null);
      this.signatures[signature(key, 0, key.length)] = 1;
    }
  }

  /**
   * Every string a monitored name must hold, lower-cased: the last two labels of the catalog
   * domains and the single-label domains. classify() answers only for a name whose lower case
   * ends in one of them, so a line whose lower case holds none of them names no monitored
   * service (the reader's prefilter relies on this: prefilter.ts).
   */
  needles(): string[] {
    return [...this.lastTwo.keys(), ...this.single];
  }

  /** Classify the name text[start, end); same answer as catalog.classifyDomain on that slice. */
  classify(text: string, start: number, end: number): Classification | undefined {
    if (end > start && text.charCodeAt(end - 1) === 46) end--;
    if (end <= start) return undefined;
    let from = start, dots = 0;
    for (let i = end - 1; i > start; i--) {
      if (text.charCodeAt(i) === 46 && ++dots === 2) {
        from = i + 1;
        break;
      }
    }
    if (this.signatures[signature(text, from, end)] === 1 && dots > 0) {
      const hit = this.lookup(text, start, end, from);
      if (hit) return hit;
    }
    if (this.single.size === 0) return undefined;
    const last = dots === 0 ? start : text.lastIndexOf('.', end - 1) + 1;
    return this.singleHit(text.slice(last, end)) ? this.catalog.classifyDomain(text.slice(start, end)) : undefined;
  }

  /** classify() for the name of a scanned line, whose last two dots the scanner already found. */
  classifyScanned(text: string, s: LineScan): Classification | undefined {
    const start = s.nameStart, end = s.nameEnd;
    // A trailing dot (never written by dnsmasq) or a single label: take the general path.
    if (s.dot1 < 0 || s.dot1 === end - 1 || this.single.size > 0) return this.classify(text, start, end);
    const from = s.dot2 < 0 ? start : s.dot2 + 1;
    return this.signatures[signature(text, from, end)] === 1 ? this.lookup(text, start, end, from) : undefined;
  }

  /** The name text[start, end) whose last two labels start at `from`. */
  private lookup(text: string, start: number, end: number, from: number): Classification | undefined {
    let key = text.slice(from, end);
    let hit = this.lastTwo.get(key);
    if (hit === undefined) {
      key = key.toLowerCase();
      hit = this.lastTwo.get(key);
      if (hit === undefined) return undefined;
    }
    return hit ?? this.catalog.classifyDomain(text.slice(start, end));
  }

  private singleHit(label: string): boolean {
    return this.single.size > 0 && this.single.has(label.toLowerCase());
  }
}

/** Length and first and last character (case-folded) of text[from, end), as a 20-bit index. */
function signature(text: string, from: number, end: number): number {
  return (((end - from) & 63) << 14) | (fold(text.charCodeAt(from)) << 7) | fold(text.charCodeAt(end - 1));
}

function fold(c: number): number {
  return (c >= 65 && c <= 90 ? c + 32 : c) & 127;
}

/** Characters of a name's end that NameFilter compares (fewer when a catalog domain is shorter). */
const FILTER_CHARS = 8;
/** Lower-cases a Latin-1 byte as String#toLowerCase does (and more: only equal names must hash equal). */
const FOLD = 0x20, FOLD4 = 0x20202020;
const FILTER_BITS = 12;

/**
 * "Can this name be monitored?" on the raw bytes of a line, for the reader's fast path
 * (skim.ts), which makes no string. A monitored name is a catalog domain or ends in
 * `.domain`, compared without case: it is at least as long as the shortest domain, and its last
 * characters, lower-cased, are a domain's last characters. A hash of those indexes a bitmap.
 * false is certain; true only means "ask NameMatcher". Every Latin-1 letter that toLowerCase
 * changes becomes `c | 0x20` (A-Z, and À-Þ but ×), so folding every byte with `| 0x20` makes a
 * name and its lower case hash alike.
 */
export class NameFilter {
  private readonly chars: number;
  /** Indexed by the top FILTER_BITS of a hash: small enough to stay in the first-level cache. */
  private readonly ends = new Uint8Array(1 << FILTER_BITS);

  constructor(catalog: Catalog) {
    const domains = catalog.services.flatMap((s) => [...s.domains, ...s.videoDomains].map(normalizeName));
    this.chars = Math.min(FILTER_CHARS, ...domains.map((d) => d.length));
    for (const d of domains) {
      // A code above Latin-1 cannot come out of a byte: no line can end in this domain.
      if (this.chars === 0 || [...d].some((c) => c.charCodeAt(0) > 255)) continue;
      const bytes = Buffer.from(d, 'latin1');
      const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
      this.ends[this.chars === FILTER_CHARS ? hash8(dv, bytes.length) : this.hashShort(bytes, bytes.length)] = 1;
    }
  }

  /** false: the name b[start, end) is certainly not monitored (dv views b). */
  mayMatch(b: Uint8Array, dv: DataView, start: number, end: number): boolean {
    const k = this.chars;
    if (end - start < k) return false;
    // A trailing dot (which classifyDomain drops) or a catalog with an empty domain: let NameMatcher decide.
    if (k === 0 || b[end - 1] === 46) return true;
    return this.ends[k === FILTER_CHARS ? hash8(dv, end) : this.hashShort(b, end)] === 1;
  }

  /** The hash of the last `chars` bytes before `end`, case-folded, when a domain is shorter than 8. */
  private hashShort(b: Uint8Array, end: number): number {
    let h = 0;
    for (let i = end - this.chars; i < end; i++) h = (Math.imul(h, 31) + (b[i]! | FOLD)) | 0;
    return Math.imul(h, 0x9e3779b1) >>> (32 - FILTER_BITS);
  }
}

/** The hash of the 8 bytes before `end`, case-folded four at a time. */
function hash8(dv: DataView, end: number): number {
  const h = Math.imul(dv.getInt32(end - 8, true) | FOLD4, 0x9e3779b1) ^ Math.imul(dv.getInt32(end - 4, true) | FOLD4, 0x85ebca6b);
  return h >>> (32 - FILTER_BITS);
}
