// An open-addressing hash table from four uint32 words to a dense index 0..size-1. Addresses
// and address pairs are looked up once or twice per packet: a Map would need a string or a
// heap-number key each time; this needs neither and keeps keys in one typed array.

const EMPTY = 0;

export class KeyTable {
  private keys: Uint32Array;
  /** index + 1 per slot, 0 = empty; capacity is a power of two. */
  private slots: Int32Array;
  private mask: number;
  size = 0;

  constructor(initial = 1024) {
    let cap = 16;
    while (cap < initial * 2) cap *= 2;
    this.slots = new Int32Array(cap);
    this.mask = cap - 1;
    this.keys = new Uint32Array(initial * 4);
  }

  /** Index of the key, or -1. */
  find(k0: number, k1: number, k2: number, k3: number): number {
    const keys = this.keys;
    let s = hash(k0, k1, k2, k3) & this.mask;
    for (;;) {
      const v = this.slots[s] ?? EMPTY;
      if (v === EMPTY) return -1;
      const i = v - 1;
      const at = i * 4;
      if (keys[at + 3] === k3 && keys[at] === k0 && keys[at + 1] === k1 && keys[at + 2] === k2) return i;
      s = (s + 1) & this.mask;
    }
  }

  /** Index of the key, inserting it (as the next index) when absent. */
  intern(k0: number, k1: number, k2: number, k3: number): number {
    const found = this.find(k0, k1, k2, k3);
    if (found >= 0) return found;
    if ((this.size + 1) * 2 > this.slots.length) this.rehash(this.slots.length * 2);
    const i = this.size++;
    if (i * 4 + 4 > this.keys.length) {
      const grown = new Uint32Array(this.keys.length * 2);
      grown.set(this.keys);
      this.keys = grown;
    }
    const at = i * 4;
    this.keys[at] = k0;
    this.keys[at + 1] = k1;
    this.keys[at + 2] = k2;
    this.keys[at + 3] = k3;
    this.place(i);
    return i;
  }

  /** Word `w` (0-3) of the key at index i. */
  word(i: number, w: number): number {
    return this.keys[i * 4 + w] ?? 0;
  }

  clear(): void {
    this.slots.fill(EMPTY);
    this.size = 0;
  }

  /**
   * Keeps only the keys at the ascending indexes `keep`, which become 0..keep.length-1 in that
   * order; the caller moves its own per-index data the same way.
   */
  compact(keep: readonly number[]): void {
    keep.forEach((from, to) => this.keys.copyWithin(to * 4, from * 4, from * 4 + 4));
    this.size = keep.length;
    this.rehash(this.slots.length);
  }

  private rehash(capacity: number): void {
    this.slots = new Int32Array(capacity);
    this.mask = capacity - 1;
    for (let i = 0; i < this.size; i++) this.place(i);
  }

  private place(i: number): void {
    const at = i * 4;
    const keys = this.keys;
    let s = hash(keys[at] ?? 0, keys[at + 1] ?? 0, keys[at + 2] ?? 0, keys[at + 3] ?? 0) & this.mask;
    while ((this.slots[s] ?? EMPTY) !== EMPTY) s = (s + 1) & this.mask;
    this.slots[s] = i + 1;
  }
}

function hash(k0: number, k1: number, k2: number, k3: number): number {
  let h = Math.imul(k3 ^ 0x9e3779b9, 0x85ebca6b);
  h = Math.imul(h ^ k2 ^ (h >>> 13), 0xc2b2ae35);
  h = Math.imul(h ^ k1 ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ k0 ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}
