// Reassembly of fragmented UDP datagrams (IPv4 and IPv6), for DNS responses too big for one
// packet (DNSSEC answers). Memory is bounded in datagrams and bytes, and a datagram whose
// fragments do not all arrive within the timeout is dropped and counted.

interface Piece {
  readonly off: number;
  readonly data: Buffer;
}

interface Datagram {
  readonly pieces: Piece[];
  /** Datagram length once the last fragment is seen, else -1. */
  total: number;
  bytes: number;
  readonly firstTs: number;
}

export interface ReassemblyLimits {
  readonly maxDatagrams: number;
  readonly maxBytes: number;
  readonly timeoutMs: number;
}

const DEFAULT_LIMITS: ReassemblyLimits = { maxDatagrams: 64, maxBytes: 1 << 20, timeoutMs: 30_000 };
const MAX_DATAGRAM = 65_535;

export class FragmentReassembler {
  private readonly datagrams = new Map<string, Datagram>();
  private bytes = 0;
  /** Datagrams given up on (timeout, eviction, cut fragment, oversize). */
  dropped = 0;

  constructor(private readonly limits: ReassemblyLimits = DEFAULT_LIMITS) {}

  get pending(): number {
    return this.datagrams.size;
  }

  /**
   * Adds the fragment holding datagram bytes [off, off + to - from) (the IP payload: transport
   * header included in the first). Returns the whole datagram when this completed it.
   */
  add(key: string, off: number, more: boolean, src: Buffer, from: number, to: number, ts: number): Buffer | undefined {
    this.expire(ts);
    let d = this.datagrams.get(key);
    if (!d) {
      if (this.datagrams.size >= this.limits.maxDatagrams) this.evictOldest();
      d = { pieces: [], total: -1, bytes: 0, firstTs: ts };
      this.datagrams.set(key, d);
    }
    const len = to - from;
    if (off + len > MAX_DATAGRAM) return this.drop(key);
    while (this.bytes + len > this.limits.maxBytes && this.datagrams.size > 1) this.evictOldest(key);
    d.pieces.push({ off, data: Buffer.from(src.subarray(from, to)) });
    d.bytes += len;
    this.bytes += len;
    if (!more) d.total = off + len;
    return d.total >= 0 ? this.complete(key, d) : undefined;
  }

  /** Gives up on the datagram `key` (a fragment of it was cut by the snaplen). */
  drop(key: string): undefined {
    const d = this.datagrams.get(key);
    if (d) {
      this.bytes -= d.bytes;
      this.datagrams.delete(key);
      this.dropped++;
    }
    return undefined;
  }

  /** Drops datagrams older than the timeout; at the end of a file, pass Infinity. */
  expire(ts: number): void {
    for (const [key, d] of this.datagrams) {
      if (ts - d.firstTs <= this.limits.timeoutMs) break;
      this.drop(key);
    }
  }

  private complete(key: string, d: Datagram): Buffer | undefined {
    // A fragment past the end the last fragment gave (two "last" fragments disagreeing, or a
    // forged offset) makes the datagram inconsistent: dropped and counted, as RFC 5722 has IPv6
    // stacks do with overlapping fragments, rather than guessing which piece is right.
    if (d.pieces.some((p) => p.off + p.data.length > d.total)) return this.drop(key);
    const pieces = [...d.pieces].sort((a, b) => a.off - b.off);
    let covered = 0;
    for (const p of pieces) {
      if (p.off > covered) return undefined;
      covered = Math.max(covered, p.off + p.data.length);
    }
    if (covered < d.total) return undefined;
    const out = Buffer.alloc(d.total);
    for (const p of pieces) p.data.copy(out, p.off);
    this.bytes -= d.bytes;
    this.datagrams.delete(key);
    return out;
  }

  private evictOldest(except?: string): void {
    for (const key of this.datagrams.keys()) {
      if (key === except) continue;
      this.drop(key);
      return;
    }
  }
}
