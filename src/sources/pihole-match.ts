// A fast "is this name monitored?" in front of Catalog.classifyDomain: almost every name in a
// household log belongs to no monitored service, and a name can only match a catalog domain if its
// last two labels equal that domain's last two labels. Their length and first and last character
// index a bitmap; a miss there (nearly every name) costs no string at all, a hit is checked exactly.
import type { Catalog } from '../core/catalog.js';
import { normalizeName } from '../core/catalog.js';
import type { Classification } from '../core/types.js';
import type { LineScan } from './pihole-scan.js';

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
