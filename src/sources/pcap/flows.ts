// Per-minute traffic between two addresses, counted on the packet path with numbers only:
// addresses are interned to dense ids, an unordered pair of ids to a pair index, and the
// counters live in typed arrays. Which side is the home device and which the service is decided
// later, when a minute is handed on, because a name for the remote may arrive after its traffic.
import { formatAddr, KIND_LOCAL, KIND_OTHER, kindOf, readMac } from './addr.js';
import type { Frame } from './ip.js';
import { KeyTable } from './key-table.js';

/**
 * One pair's traffic within one minute; `a` < `b` are address ids of the table. The table hands
 * on the same object for every minute: read it during the call, never keep it.
 */
export interface PairMinute {
  a: number;
  b: number;
  minute: number;
  /** Time of the pair's last packet in the minute, epoch ms. */
  lastTs: number;
  bytesAB: number;
  bytesBA: number;
  packetsAB: number;
  packetsBA: number;
}

export interface FlowTableEvents {
  /** A pair's minute is complete (or the file ended). Ids are valid during the call only. */
  onMinute(m: PairMinute): void;
  /** The first MAC seen sending from a local address. */
  onMac(addr: number, mac: number, ts: number): void;
}

/** Result of `account` besides a pair index: traffic that is not between home and outside. */
export const NO_PAIR_LAN = -1;
export const NO_PAIR_OTHER = -2;
const MINUTE = 60_000;
/** Past this many distinct addresses the tables restart (a scan must not grow memory). */
const MAX_ADDRS = 100_000;
const MAX_PAIRS = 100_000;

export class FlowTable {
  private readonly addrs = new KeyTable(4096);
  private kind = new Uint8Array(4096);
  private mac = new Float64Array(4096).fill(-1);
  private text: (string | undefined)[] = [];
  private readonly pairs = new KeyTable(1024);
  private pa = new Int32Array(1024);
  private pb = new Int32Array(1024);
  /** Per pair: bucket minute, last packet time, byte and packet counters, hello watch. */
  private minute = new Float64Array(1024);
  private last = new Float64Array(1024);
  private counts = new Float64Array(1024 * 4);
  private watch = new Uint8Array(1024);
  // The last packet's addresses and pair: video is long runs of one pair in both directions.
  private c0 = -1;
  private c1 = -1;
  private c2 = -1;
  private c3 = -1;
  private e0 = -1;
  private e1 = -1;
  private e2 = -1;
  private e3 = -1;
  private cPair = NO_PAIR_OTHER;
  private cSrc = 0;
  private cDst = 0;
  private readonly out: PairMinute = { a: 0, b: 0, minute: 0, lastTs: 0, bytesAB: 0, bytesBA: 0, packetsAB: 0, packetsBA: 0 };

  constructor(private readonly events: FlowTableEvents) {}

  /** Counts one packet; returns its pair index or NO_PAIR_LAN / NO_PAIR_OTHER. */
  account(f: Frame, buf: Buffer, ts: number, minute: number, bytes: number): number {
    let p: number;
    let src: number;
    if (f.s3 === this.c3 && f.d3 === this.e3 && f.s0 === this.c0 && f.d0 === this.e0 && f.s1 === this.c1 && f.d1 === this.e1 && f.s2 === this.c2 && f.d2 === this.e2) {
      p = this.cPair;
      src = this.cSrc;
    } else if (f.s3 === this.e3 && f.d3 === this.c3 && f.s0 === this.e0 && f.d0 === this.c0 && f.s1 === this.e1 && f.d1 === this.c1 && f.s2 === this.e2 && f.d2 === this.c2) {
      p = this.cPair;
      src = this.cDst;
    } else {
      p = this.lookup(f);
      src = this.cSrc;
    }
    const srcIsA = p < 0 || src === this.pa[p];
    if (f.macOff >= 0 && (this.mac[src] ?? 0) < 0) this.noteMac(src, readMac(buf, f.macOff), ts);
    if (p < 0) return p;
    if (minute > (this.minute[p] ?? 0)) this.roll(p, minute);
    const c = p * 4 + (srcIsA ? 0 : 1);
    this.counts[c] = (this.counts[c] ?? 0) + bytes;
    this.counts[c + 2] = (this.counts[c + 2] ?? 0) + 1;
    this.last[p] = ts;
    return p;
  }

  private lookup(f: Frame): number {
    // A scan or a P2P swarm must not grow the tables: past the limit, hand everything on and
    // start over (minutes then split in two records, which add up).
    if (this.addrs.size > MAX_ADDRS || this.pairs.size > MAX_PAIRS) this.reset();
    const s = this.addr(f.s0, f.s1, f.s2, f.s3);
    const d = this.addr(f.d0, f.d1, f.d2, f.d3);
    const ks = this.kind[s] ?? KIND_OTHER;
    const kd = this.kind[d] ?? KIND_OTHER;
    let p: number;
    if (ks === KIND_OTHER || kd === KIND_OTHER) p = NO_PAIR_OTHER;
    else if (ks === KIND_LOCAL && kd === KIND_LOCAL) p = NO_PAIR_LAN;
    else p = this.pair(Math.min(s, d), Math.max(s, d));
    this.c0 = f.s0;
    this.c1 = f.s1;
    this.c2 = f.s2;
    this.c3 = f.s3;
    this.e0 = f.d0;
    this.e1 = f.d1;
    this.e2 = f.d2;
    this.e3 = f.d3;
    this.cPair = p;
    this.cSrc = s;
    this.cDst = d;
    return p;
  }

  /** The sender's MAC, kept per address the first time it sends; reported for local ones. */
  private noteMac(src: number, mac: number, ts: number): void {
    this.mac[src] = mac;
    if (this.kind[src] === KIND_LOCAL) this.events.onMac(src, mac, ts);
  }

  private addr(w0: number, w1: number, w2: number, w3: number): number {
    const before = this.addrs.size;
    const id = this.addrs.intern(w0, w1, w2, w3);
    if (id === before) {
      if (id >= this.kind.length) this.growAddrs();
      this.kind[id] = kindOf(w0, w1, w2, w3);
      this.mac[id] = -1;
      this.text[id] = undefined;
    }
    return id;
  }

  private pair(a: number, b: number): number {
    const before = this.pairs.size;
    const p = this.pairs.intern(a, b, 0, 0);
    if (p === before) {
      if (p >= this.pa.length) this.growPairs();
      this.pa[p] = a;
      this.pb[p] = b;
      this.minute[p] = 0;
      this.last[p] = 0;
      const c = this.counts;
      c[p * 4] = c[p * 4 + 1] = c[p * 4 + 2] = c[p * 4 + 3] = 0;
      this.watch[p] = 0;
    }
    return p;
  }

  /** Hands on pair p's finished minute and starts `minute`. */
  private roll(p: number, minute: number): void {
    this.emit(p);
    this.minute[p] = minute;
  }

  private emit(p: number): void {
    const at = p * 4;
    const c = this.counts;
    if ((c[at + 2] ?? 0) + (c[at + 3] ?? 0) === 0) return;
    const m = this.out;
    m.a = this.pa[p] ?? 0;
    m.b = this.pb[p] ?? 0;
    m.minute = this.minute[p] ?? 0;
    m.lastTs = this.last[p] ?? 0;
    m.bytesAB = c[at] ?? 0;
    m.bytesBA = c[at + 1] ?? 0;
    m.packetsAB = c[at + 2] ?? 0;
    m.packetsBA = c[at + 3] ?? 0;
    this.events.onMinute(m);
    c[at] = c[at + 1] = c[at + 2] = c[at + 3] = 0;
  }

  /**
   * Called when the capture's clock enters `now` (a minute start): hands on minutes older than
   * the previous one (one minute of grace for out-of-order interfaces) and forgets pairs idle
   * for two minutes, so the tables hold what is active, not everything ever seen.
   */
  sweep(now: number): void {
    const keep: number[] = [];
    for (let p = 0; p < this.pairs.size; p++) {
      if ((this.minute[p] ?? 0) < now - MINUTE) this.emit(p);
      if ((this.last[p] ?? 0) >= now - 2 * MINUTE) keep.push(p);
    }
    if (keep.length === this.pairs.size) return;
    this.pairs.compact(keep);
    keep.forEach((from, to) => this.movePair(from, to));
    this.cPair = NO_PAIR_OTHER;
    this.c3 = this.e3 = -1;
  }

  /** Hands on every open minute (end of file). */
  flush(): void {
    for (let p = 0; p < this.pairs.size; p++) this.emit(p);
  }

  private reset(): void {
    this.flush();
    this.pairs.clear();
    this.addrs.clear();
    this.cPair = NO_PAIR_OTHER;
    this.c3 = this.e3 = -1;
  }

  /** Word w (0-3) of address `id`. */
  word(id: number, w: number): number {
    return this.addrs.word(id, w);
  }

  kindOf(id: number): number {
    return this.kind[id] ?? KIND_OTHER;
  }

  macOf(id: number): number {
    return this.mac[id] ?? -1;
  }

  textOf(id: number): string {
    let t = this.text[id];
    if (t === undefined) {
      const w = (i: number): number => this.addrs.word(id, i);
      t = formatAddr(w(0), w(1), w(2), w(3));
      this.text[id] = t;
    }
    return t;
  }

  /** Hello watch: how many more packets of pair p to offer to the ClientHello assembler. */
  watching(p: number): number {
    return this.watch[p] ?? 0;
  }

  setWatch(p: number, packets: number): void {
    this.watch[p] = packets;
  }

  private movePair(from: number, to: number): void {
    if (from === to) return;
    this.pa[to] = this.pa[from] ?? 0;
    this.pb[to] = this.pb[from] ?? 0;
    this.minute[to] = this.minute[from] ?? 0;
    this.last[to] = this.last[from] ?? 0;
    this.watch[to] = this.watch[from] ?? 0;
    this.counts.copyWithin(to * 4, from * 4, from * 4 + 4);
  }

  private growAddrs(): void {
    const n = this.kind.length * 2;
    this.kind = grow(this.kind, new Uint8Array(n));
    this.mac = grow(this.mac, new Float64Array(n).fill(-1));
  }

  private growPairs(): void {
    const n = this.pa.length * 2;
    this.pa = grow(this.pa, new Int32Array(n));
    this.pb = grow(this.pb, new Int32Array(n));
    this.minute = grow(this.minute, new Float64Array(n));
    this.last = grow(this.last, new Float64Array(n));
    this.counts = grow(this.counts, new Float64Array(n * 4));
    this.watch = grow(this.watch, new Uint8Array(n));
  }
}

function grow<T extends Uint8Array | Int32Array | Float64Array>(from: T, to: T): T {
  to.set(from);
  return to;
}
