// A set of play keys in one typed array, by the first 64 bits of each key (32 hex digits of a
// SHA-256): 8 bytes a key at most twice over, where a Set of strings costs ~80. De-duplicating the
// largest export nfmon accepts (200 MB, about 1.5 million plays) so takes 16-24 MB instead of
// ~120. Two different plays agreeing on 64 bits would be taken as one: for n plays the chance is
// about n^2 / 2^65, 6e-8 for 1.5 million. Pure. Open addressing with linear probing; the all-zero
// prefix marks an empty slot, so that one (never seen in practice) is kept aside, as are keys of
// another shape.

const WORDS = 2;
const MIN_SLOTS = 1024;
const HEX32 = /^[0-9a-f]{32}$/;


export class KeySet {
  private slots = new Uint32Array(MIN_SLOTS * WORDS);
  private capacity = MIN_SLOTS;
  private count = 0;
  private hasZero = false;
  /** Keys that are not 32 lower-case hex digits (playKey never makes one), kept exactly. */
  private readonly other = new Set<string>();
  /** Scratch for the key being looked up. */
  private readonly w = new Uint32Array(WORDS);

  get size(): number {
    return this.count + (this.hasZero ? 1 : 0) + this.other.size;
  }

  /** Add `key`; false if it was there already. */
  add(key: string): boolean {
    if (!this.parse(key)) {
      const had = this.other.has(key);
      this.other.add(key);
      return !had;
    }
    const w = this.w;
    if ((w[0]! | w[1]!) === 0) {
      const had = this.hasZero;
      this.hasZero = true;
      return !had;
    }
    if ((this.count + 1) * 4 > this.capacity * 3) this.grow();
    return this.insert(this.slots, this.capacity, w);
  }

  has(key: string): boolean {
    if (!this.parse(key)) return this.other.has(key);
    const w = this.w;
    if ((w[0]! | w[1]!) === 0) return this.hasZero;
    const mask = this.capacity - 1;
    for (let i = w[0]! & mask; ; i = (i + 1) & mask) {
      const o = i * WORDS;
      const s = this.slots;
      if ((s[o]! | s[o + 1]!) === 0) return false;
      if (s[o] === w[0] && s[o + 1] === w[1]) return true;
    }
  }

  private insert(slots: Uint32Array, capacity: number, w: Uint32Array): boolean {
    const mask = capacity - 1;
    for (let i = w[0]! & mask; ; i = (i + 1) & mask) {
      const o = i * WORDS;
      if ((slots[o]! | slots[o + 1]!) === 0) {
        slots.set(w, o);
        if (slots === this.slots) this.count++;
        return true;
      }
      if (slots[o] === w[0] && slots[o + 1] === w[1]) return false;
    }
  }

  private grow(): void {
    const old = this.slots;
    const capacity = this.capacity * 2;
    const slots = new Uint32Array(capacity * WORDS);
    const w = new Uint32Array(WORDS);
    for (let o = 0; o < old.length; o += WORDS) {
      if ((old[o]! | old[o + 1]!) === 0) continue;
      w.set(old.subarray(o, o + WORDS));
      this.insert(slots, capacity, w);
    }
    this.slots = slots;
    this.capacity = capacity;
  }

  /** The key's first 64 bits into `w`; false when it is not 32 hex digits. */
  private parse(key: string): boolean {
    if (key.length !== 32 || !HEX32.test(key)) return false;
    // The low word first: it picks the slot, and SHA-256 bits are uniform anyway.
    for (let k = 0; k < WORDS; k++) this.w[k] = Number.parseInt(key.slice(k * 8, k * 8 + 8), 16) >>> 0;
    return true;
  }
}
