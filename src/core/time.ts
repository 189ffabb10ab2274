// Wall-clock <-> UTC conversion in an IANA zone with nothing but Intl, DST-safe.
// Pure: no clock is read here. Offsets are cached per zone and UTC hour because parsing
// millions of log lines must not build a Date formatter per line.

export interface WallTime {
  readonly year: number;
  /** 1-12 */
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
const offsetCache = new Map<string, Map<number, number>>();
const HOUR = 3_600_000;

function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(zone, f);
  }
  return f;
}

/** True if `zone` is an IANA zone name this runtime knows. */
export function isValidTimeZone(zone: string): boolean {
  try {
    formatter(zone);
    return true;
  } catch {
    return false;
  }
}

/**
 * Offset of `zone` from UTC at instant `ts`, in ms (positive east of Greenwich). Taken as constant
 * within a UTC hour, and across a UTC day when it is the same at the day's first and last hour:
 * a zone changes its offset at most once a day, so a year of log lines asks Intl twice a day
 * rather than for every hour (formatToParts costs ~6 us; a year's log paid ~0.1 s for it).
 */
export function zoneOffset(ts: number, zone: string): number {
  let cache = offsetCache.get(zone);
  if (!cache) {
    cache = new Map();
    offsetCache.set(zone, cache);
  }
  const hourKey = Math.floor(ts / HOUR);
  const hit = cache.get(hourKey);
  if (hit !== undefined) return hit;
  if (cache.size > 100_000) cache.clear();
  const first = hourKey - (((hourKey % 24) + 24) % 24);
  const atFirst = intlOffset(first, zone);
  if (intlOffset(first + 23, zone) === atFirst) {
    for (let h = first; h < first + 24; h++) cache.set(h, atFirst);
    return atFirst;
  }
  const offset = intlOffset(hourKey, zone);
  cache.set(hourKey, offset);
  return offset;
}

/** The offset at the start of UTC hour `hourKey`, as Intl computes it. */
function intlOffset(hourKey: number, zone: string): number {
  const w = wallFromParts(formatter(zone).formatToParts(new Date(hourKey * HOUR)));
  return Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second) - hourKey * HOUR;
}

function wallFromParts(parts: Intl.DateTimeFormatPart[]): WallTime {
  const get = (type: string): number => Number(parts.find((p) => p.type === type)?.value ?? 0);
  return {
    year: get('year'),
    month: get('month'),
    day: get('day'),
    hour: get('hour') % 24,
    minute: get('minute'),
    second: get('second'),
  };
}

/** The wall-clock time in `zone` at instant `ts`. */
export function toWall(ts: number, zone: string): WallTime {
  const local = new Date(ts + zoneOffset(ts, zone));
  return {
    year: local.getUTCFullYear(),
    month: local.getUTCMonth() + 1,
    day: local.getUTCDate(),
    hour: local.getUTCHours(),
    minute: local.getUTCMinutes(),
    second: local.getUTCSeconds(),
  };
}

/**
 * The instant at which clocks in `zone` show `w`. In the autumn overlap the earlier instant
 * wins; in the spring gap (a wall time that never happened) the time shifts forward by the gap,
 * as a clock that was not changed would read.
 */
export function fromWall(w: WallTime, zone: string): number {
  const naive = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  const before = naive - zoneOffset(naive - 12 * HOUR, zone);
  const after = naive - zoneOffset(naive + 12 * HOUR, zone);
  const candidates = [before, after].filter((ts) => ts + zoneOffset(ts, zone) === naive).sort((a, b) => a - b);
  return candidates[0] ?? naive - zoneOffset(naive - 12 * HOUR, zone);
}

/** Minutes since local midnight in `zone` at instant ts. */
export function minuteOfDay(ts: number, zone: string): number {
  const w = toWall(ts, zone);
  return w.hour * 60 + w.minute;
}

/** ISO 8601 UTC without milliseconds: 2026-11-22T01:47:10Z. */
export function isoUtc(ts: number): string {
  return new Date(Math.floor(ts / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}
