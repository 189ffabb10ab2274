// Seeded randomness and time-zone arithmetic for the household generator (no dependencies).

export const SECOND = 1000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;

/** mulberry32: a small, fast, seeded PRNG; the same seed always writes the same household. */
export function makeRng(seed) {
  let s = seed >>> 0 || 0x6e666d6f;
  const next = () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    /** Uniform in [lo, hi). */
    between: (lo, hi) => lo + next() * (hi - lo),
    int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)),
    pick: (list) => list[Math.floor(next() * list.length)],
    chance: (p) => next() < p,
    /** Exponential with the given mean. */
    exp: (mean) => -Math.log(1 - next()) * mean,
  };
}

/** Wall-clock conversion in an IANA zone, cached per UTC hour (offsets change on the hour). */
export function makeZone(timeZone) {
  const dtf = new Intl.DateTimeFormat('en-US', {
    timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
  });
  const cache = new Map();
  const offset = (ts) => {
    const hour = Math.floor(ts / HOUR);
    let off = cache.get(hour);
    if (off === undefined) {
      const at = hour * HOUR;
      const p = Object.fromEntries(dtf.formatToParts(new Date(at)).map((x) => [x.type, x.value]));
      off = Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute), Number(p.second)) - at;
      cache.set(hour, off);
    }
    return off;
  };
  /** Local wall time of ts as UTC fields of a Date. */
  const wall = (ts) => new Date(ts + offset(ts));
  /** The instant of a local wall time (the earlier one when the clocks go back). */
  const fromLocal = (y, mo, d, h, mi = 0, s = 0) => {
    const naive = Date.UTC(y, mo - 1, d, h, mi, s);
    const first = naive - offset(naive);
    return naive - offset(first);
  };
  const minuteOfDay = (ts) => {
    const w = wall(ts);
    return w.getUTCHours() * 60 + w.getUTCMinutes();
  };
  return { timeZone, offset, wall, fromLocal, minuteOfDay };
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const p2 = (n) => String(n).padStart(2, '0');

/** dnsmasq's file stamp: ctime()[4..19], local time, no year, day padded with a space ("Nov  9"). */
export function logStamp(zone, ts) {
  const w = zone.wall(ts);
  return `${MONTHS[w.getUTCMonth()]} ${String(w.getUTCDate()).padStart(2, ' ')} ${p2(w.getUTCHours())}:${p2(w.getUTCMinutes())}:${p2(w.getUTCSeconds())}`;
}

export const iso = (ts) => new Date(Math.round(ts / SECOND) * SECOND).toISOString().replace('.000Z', 'Z');

/** "HH:MM-HH:MM" -> {startMin, endMin}; the window may wrap midnight. */
export function parseWindow(text) {
  const m = /^(\d{2}):(\d{2})-(\d{2}):(\d{2})$/.exec(text);
  if (!m) throw new Error(`bad window ${text}`);
  return { startMin: Number(m[1]) * 60 + Number(m[2]), endMin: Number(m[3]) * 60 + Number(m[4]) };
}

export function inWindow(minute, w) {
  if (w.startMin === w.endMin) return false;
  return w.startMin < w.endMin ? minute >= w.startMin && minute < w.endMin : minute >= w.startMin || minute < w.endMin;
}

/** The first instant in [start, end) whose local minute lies in the window, or undefined. */
export function firstInWindow(zone, start, end, w) {
  for (let t = start; t < end; t = Math.floor(t / MINUTE) * MINUTE + MINUTE) {
    if (inWindow(zone.minuteOfDay(t), w)) return t;
  }
  return undefined;
}
