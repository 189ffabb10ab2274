// CIDR sets for IPv4 and IPv6 (Open Connect prefixes, local networks). Pure: parsing text and
// answering membership. IPv4 addresses travel as unsigned 32-bit numbers and IPv6 as four of
// them, so the packet path never has to build a string to ask.

/** A parsed CIDR: IPv4 as one word, IPv6 as four (network bits only, host bits cleared). */
export interface Cidr {
  readonly v6: boolean;
  readonly words: readonly number[];
  readonly len: number;
}

const V4_PART = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

/** `a.b.c.d` -> uint32, or undefined. */
export function parseIpv4(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0;
  for (const p of parts) {
    if (!V4_PART.test(p)) return undefined;
    value = value * 256 + Number(p);
  }
  return value;
}

/** An IPv6 address (with `::`, an embedded IPv4 tail or a `%zone`) -> four uint32 words. */
export function parseIpv6(text: string): number[] | undefined {
  const addr = text.split('%')[0] ?? '';
  const halves = addr.split('::');
  if (halves.length > 2) return undefined;
  const head = groups(halves[0] ?? '');
  const tail = halves.length === 2 ? groups(halves[1] ?? '') : [];
  if (!head || !tail) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const all = [...head, ...new Array<number>(missing).fill(0), ...tail];
  const words: number[] = [];
  for (let i = 0; i < 8; i += 2) words.push((all[i] ?? 0) * 65536 + (all[i + 1] ?? 0));
  return words;
}

/** Colon groups of one side of `::` as 16-bit numbers; a dotted IPv4 tail counts as two. */
function groups(side: string): number[] | undefined {
  if (side === '') return [];
  const out: number[] = [];
  const parts = side.split(':');
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i] ?? '';
    if (i === parts.length - 1 && p.includes('.')) {
      const v4 = parseIpv4(p);
      if (v4 === undefined) return undefined;
      out.push(Math.floor(v4 / 65536), v4 % 65536);
    } else if (/^[0-9a-fA-F]{1,4}$/.test(p)) {
      out.push(parseInt(p, 16));
    } else {
      return undefined;
    }
  }
  return out;
}

/** Mask of the top `bits` bits of a 32-bit word (0..32), as an unsigned number. */
function topMask(bits: number): number {
  if (bits <= 0) return 0;
  if (bits >= 32) return 0xffffffff;
  return (0xffffffff << (32 - bits)) >>> 0;
}

/** `10.0.0.0/8`, `2a00:86c0::/32`, or a bare address (a /32 or /128). Host bits are cleared. */
export function parseCidr(text: string): Cidr | undefined {
  const [addr = '', lenText, extra] = text.trim().split('/');
  if (extra !== undefined || (lenText !== undefined && !/^\d{1,3}$/.test(lenText))) return undefined;
  const v6 = addr.includes(':');
  const words = v6 ? parseIpv6(addr) : [parseIpv4(addr)];
  if (!words || words.some((w) => w === undefined)) return undefined;
  const max = v6 ? 128 : 32;
  const len = lenText === undefined ? max : Number(lenText);
  if (len > max) return undefined;
  const masked = (words as number[]).map((w, i) => (w & topMask(len - 32 * i)) >>> 0);
  return { v6, words: masked, len };
}

export interface PrefixListParse {
  readonly cidrs: string[];
  readonly errors: { readonly line: number; readonly text: string }[];
}

/** A prefix file: one CIDR a line, `#` starts a comment, blank lines ignored. */
export function parsePrefixList(text: string): PrefixListParse {
  const cidrs: string[] = [];
  const errors: { line: number; text: string }[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = (raw.split('#')[0] ?? '').trim();
    if (line === '') return;
    if (parseCidr(line)) cidrs.push(line);
    else errors.push({ line: i + 1, text: raw });
  });
  return { cidrs, errors };
}

/** A set of IPv4 and IPv6 prefixes with membership tests. */
export class PrefixSet {
  /** Disjoint, sorted, merged IPv4 ranges [start, end] (inclusive). */
  private readonly starts: number[] = [];
  private readonly ends: number[] = [];
  private readonly v6: Cidr[] = [];

  private constructor(cidrs: readonly Cidr[]) {
    const ranges = cidrs
      .filter((c) => !c.v6)
      .map((c) => [c.words[0] ?? 0, (c.words[0] ?? 0) + 2 ** (32 - c.len) - 1] as const)
      .sort((a, b) => a[0] - b[0]);
    for (const [start, end] of ranges) {
      const last = this.ends.length - 1;
      if (last >= 0 && start <= (this.ends[last] ?? 0) + 1) {
        this.ends[last] = Math.max(this.ends[last] ?? 0, end);
      } else {
        this.starts.push(start);
        this.ends.push(end);
      }
    }
    this.v6 = cidrs.filter((c) => c.v6).sort((a, b) => a.len - b.len);
  }

  /** Throws a TypeError naming the first string that is not a CIDR. */
  static fromCidrs(cidrs: Iterable<string>): PrefixSet {
    const parsed: Cidr[] = [];
    for (const text of cidrs) {
      const c = parseCidr(text);
      if (!c) throw new TypeError(`not a CIDR prefix: ${JSON.stringify(text)}`);
      parsed.push(c);
    }
    return new PrefixSet(parsed);
  }

  static empty(): PrefixSet {
    return new PrefixSet([]);
  }

  get size(): number {
    return this.starts.length + this.v6.length;
  }

  /** IPv4 membership; `ip` is the address as an unsigned 32-bit number. */
  has(ip: number): boolean {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (ip < (this.starts[mid] ?? 0)) hi = mid - 1;
      else if (ip > (this.ends[mid] ?? 0)) lo = mid + 1;
      else return true;
    }
    return false;
  }

  /** IPv6 membership; the address as four unsigned 32-bit words, most significant first. */
  hasV6(w0: number, w1: number, w2: number, w3: number): boolean {
    const words = [w0, w1, w2, w3];
    return this.v6.some((c) => matchesV6(c, words));
  }

  /** Membership of an address in text form (IPv4 or IPv6). */
  hasIp(ip: string): boolean {
    if (!ip.includes(':')) {
      const v4 = parseIpv4(ip);
      return v4 !== undefined && this.has(v4);
    }
    const w = parseIpv6(ip);
    return w !== undefined && this.hasV6(w[0] ?? 0, w[1] ?? 0, w[2] ?? 0, w[3] ?? 0);
  }

  /** True if every address of `cidr` is in the set (IPv6: inside one listed prefix). */
  covers(cidr: string): boolean {
    const c = parseCidr(cidr);
    if (!c) return false;
    if (c.v6) return this.v6.some((p) => p.len <= c.len && matchesV6(p, c.words));
    const start = c.words[0] ?? 0;
    const end = start + 2 ** (32 - c.len) - 1;
    for (let i = 0; i < this.starts.length; i++) {
      if (start >= (this.starts[i] ?? 0) && end <= (this.ends[i] ?? 0)) return true;
    }
    return false;
  }
}

function matchesV6(prefix: Cidr, words: readonly number[]): boolean {
  for (let i = 0; i < 4; i++) {
    const bits = prefix.len - 32 * i;
    if (bits <= 0) return true;
    const mask = topMask(bits);
    if (((words[i] ?? 0) & mask) >>> 0 !== prefix.words[i]) return false;
  }
  return true;
}
