// Mutations of real inputs for the fuzz harness: bit flips, interesting bytes, truncation,
// deletion, duplication, splices from other seeds, huge fields, invalid UTF-8, swapped lines and
// boundary numbers. Deterministic: the same (seed, case) gives the same mutant, so a failure is
// replayed with `--parser P --seed S --only-case N`.

/** A small fast PRNG (mulberry32); returns [0, 1). */
export function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The seed of one case: mixes the run's seed, the parser's name and the case number. */
export function caseSeed(runSeed, parser, index) {
  let h = (runSeed ^ 0x9e3779b9) >>> 0;
  for (const c of `${parser}:${index}`) h = Math.imul(h ^ c.charCodeAt(0), 0x01000193) >>> 0;
  return h;
}

const INTERESTING = [0x00, 0xff, 0x7f, 0x80, 0x0a, 0x0d, 0x22, 0x2c, 0x1b, 0x20, 0x3a, 0x2e, 0x5b, 0x5d, 0x7b, 0x7d, 0x2a, 0x26, 0x23];
const BAD_UTF8 = [[0xc3], [0xe9], [0xed, 0xa0, 0x80], [0xc0, 0xaf], [0xf8, 0x88, 0x80, 0x80, 0x80], [0xef, 0xbf, 0xbe], [0xe2, 0x80, 0xae], [0xf0, 0x9f]];
const NUMBERS = ['0', '-1', '4294967295', '4294967296', '18446744073709551616', '99999999999999999999999', '1e308', 'NaN', '2147483648'];

const int = (r, n) => Math.floor(r() * n);

/** One mutation of `b` (a Buffer); `others` are the other seeds of this parser, for splices. */
function mutateOnce(b, r, others, big) {
  const pos = () => int(r, b.length + 1);
  switch (int(r, 12)) {
    case 0: {
      if (b.length === 0) return b;
      const out = Buffer.from(b);
      const i = int(r, b.length);
      out[i] ^= 1 << int(r, 8);
      return out;
    }
    case 1: {
      if (b.length === 0) return b;
      const out = Buffer.from(b);
      out[int(r, b.length)] = r() < 0.8 ? INTERESTING[int(r, INTERESTING.length)] : int(r, 256);
      return out;
    }
    case 2:
      return b.subarray(0, pos());
    case 3: {
      const i = pos();
      return Buffer.concat([b.subarray(0, i), b.subarray(Math.min(b.length, i + 1 + int(r, 64)))]);
    }
    case 4: {
      const i = pos();
      const j = Math.min(b.length, i + 1 + int(r, 256));
      const piece = b.subarray(i, j);
      return Buffer.concat([b.subarray(0, j), ...Array(1 + int(r, 8)).fill(piece), b.subarray(j)]);
    }
    case 5: {
      const o = others[int(r, others.length)] ?? b;
      const s = int(r, o.length + 1);
      const piece = o.subarray(s, Math.min(o.length, s + 1 + int(r, 512)));
      const i = pos();
      return Buffer.concat([b.subarray(0, i), piece, b.subarray(i)]);
    }
    case 6: {
      // A huge field: usually KBs, sometimes MBs (memory must stay bounded).
      const len = big && r() < 0.001 ? 8 * 1024 * 1024 : r() < 0.01 ? 256 * 1024 : 1 + int(r, 8192);
      const fill = [0x78, 0x22, 0x30, 0x2c, 0x0a, 0x20, 0x00][int(r, 7)];
      const i = pos();
      return Buffer.concat([b.subarray(0, i), Buffer.alloc(len, fill), b.subarray(i)]);
    }
    case 7: {
      const i = pos();
      return Buffer.concat([b.subarray(0, i), Buffer.from(BAD_UTF8[int(r, BAD_UTF8.length)]), b.subarray(i)]);
    }
    case 8: {
      const lines = b.toString('latin1').split('\n');
      if (lines.length < 2) return b;
      const i = int(r, lines.length);
      const j = int(r, lines.length);
      [lines[i], lines[j]] = [lines[j], lines[i]];
      return Buffer.from(lines.join('\n'), 'latin1');
    }
    case 9: {
      const text = b.toString('latin1');
      const runs = [...text.matchAll(/\d+/g)];
      if (runs.length === 0) return b;
      const m = runs[int(r, runs.length)];
      const n = NUMBERS[int(r, NUMBERS.length)];
      return Buffer.from(text.slice(0, m.index) + n + text.slice(m.index + m[0].length), 'latin1');
    }
    case 10: {
      // A 32-bit field set to an extreme (record lengths, counts, option lengths in binary formats).
      if (b.length < 4) return b;
      const out = Buffer.from(b);
      const i = int(r, (b.length - 3) >> 2) * 4;
      out.writeUInt32LE([0, 0xffffffff, 0x7fffffff, 0x10000, 65535, 1 + int(r, 4096)][int(r, 6)], i);
      return out;
    }
    default: {
      const i = pos();
      const j = Math.min(b.length, i + int(r, 4096));
      return Buffer.concat([b.subarray(0, i), b.subarray(j)]);
    }
  }
}

/**
 * A mutant of a seed: a window of it (large seeds are cut to at most `window` bytes at a line
 * start, or from the start when `keepHead`: binary formats begin with their header) with 1-4
 * mutations. `big`: allow multi-MB huge fields.
 */
export function mutant(seeds, seed, { window = 16 * 1024, big = true, keepHead = false } = {}) {
  const r = rng(seed);
  const src = seeds[int(r, seeds.length)];
  let b = src;
  if (src.length > window) {
    let s = int(r, src.length - window);
    if (keepHead || r() < 0.5) s = 0;
    else {
      const nl = src.indexOf(10, s);
      s = nl < 0 ? s : nl + 1;
    }
    b = src.subarray(s, Math.min(src.length, s + window));
  }
  const n = 1 + int(r, 4);
  for (let k = 0; k < n; k++) b = mutateOnce(b, r, seeds, big);
  return b;
}
