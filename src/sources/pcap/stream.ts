// Small per-connection byte buffers for the few TCP payloads nfmon must see whole (DNS over
// TCP, a ClientHello split over segments). Bounded in entries and bytes: the oldest entry gives
// way to a new one, and a stream that outgrows its limit is dropped, never grown.

interface Entry {
  data: Buffer;
  len: number;
  nextSeq: number;
}

export type AppendResult = 'ok' | 'gap' | 'overflow' | 'duplicate';

export class SegmentBuffers {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly maxEntries: number,
    private readonly maxBytes: number,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  has(key: string): boolean {
    return this.entries.has(key);
  }

  /** Starts (or restarts) the stream `key` with this segment's bytes. */
  start(key: string, seq: number, src: Buffer, from: number, to: number): AppendResult {
    this.entries.delete(key);
    if (to - from > this.maxBytes) return 'overflow';
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    const data = Buffer.allocUnsafe(Math.min(this.maxBytes, Math.max(2048, (to - from) * 2)));
    src.copy(data, 0, from, to);
    this.entries.set(key, { data, len: to - from, nextSeq: (seq + to - from) >>> 0 });
    return 'ok';
  }

  /**
   * Appends the next in-order segment. A retransmission of bytes already held is ignored
   * ('duplicate'); a hole (lost or cut segment) or the size limit drops the stream.
   */
  append(key: string, seq: number, src: Buffer, from: number, to: number): AppendResult {
    const e = this.entries.get(key);
    if (!e) return 'gap';
    const behind = (e.nextSeq - seq) | 0;
    if (behind > 0) {
      if (behind >= to - from) return 'duplicate';
      from += behind;
    } else if (behind < 0) {
      this.entries.delete(key);
      return 'gap';
    }
    const need = e.len + to - from;
    if (need > this.maxBytes) {
      this.entries.delete(key);
      return 'overflow';
    }
    if (need > e.data.length) {
      const grown = Buffer.allocUnsafe(Math.min(this.maxBytes, need * 2));
      e.data.copy(grown, 0, 0, e.len);
      e.data = grown;
    }
    src.copy(e.data, e.len, from, to);
    e.len = need;
    e.nextSeq = (e.nextSeq + to - from) >>> 0;
    return 'ok';
  }

  /** The bytes held for `key` (a view, valid until the next call on this key). */
  view(key: string): Buffer | undefined {
    const e = this.entries.get(key);
    return e ? e.data.subarray(0, e.len) : undefined;
  }

  /** Drops the first n bytes (a message that was decoded). */
  consume(key: string, n: number): void {
    const e = this.entries.get(key);
    if (!e) return;
    e.data.copy(e.data, 0, n, e.len);
    e.len -= n;
  }

  delete(key: string): void {
    this.entries.delete(key);
  }
}
