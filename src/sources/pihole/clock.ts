// Log stamps -> epoch ms. A pihole.log stamp is local wall time in the configured zone with no year;
// the year is the one that puts the line at or before the reference time (the file's mtime, or now
// for a live tail), so a log running from Dec 31 into Jan 1 read in January puts December in the
// previous year. Consecutive lines share a stamp and a log spans few hours, so results are cached
// per second and per wall-clock hour: millions of lines cost a few thousand zone conversions.
import { fromWall, zoneOffset } from '../../core/time.js';

const SECOND = 1000;
const HOUR = 3_600_000;
/** Slack for a line stamped after the reference (mtime has whole-second precision on some filesystems). */
const FUTURE_SLACK = SECOND;
/** A step back this large inside an ambiguous autumn hour means the clocks went back: second pass. */
const FOLD_STEP = 10 * 60 * SECOND;
const MAX_CACHED_HOURS = 10_000;

interface HourBase {
  /** The instant the wall hour starts (the earlier one in an autumn overlap). */
  readonly early: number;
  /** The second instant of an hour that happens twice, else equal to early. */
  readonly late: number;
}

export class LogClock {
  private lastKey = -1;
  private lastTs = 0;
  /** ts of the previous line, to tell the two passes through a repeated autumn hour apart. */
  private prevTs: number | undefined;
  private readonly hours = new Map<number, HourBase | null>();
  private readonly refYear: number;
  private readonly limit: number;

  constructor(
    private readonly timeZone: string,
    referenceTs: number,
  ) {
    this.limit = referenceTs + FUTURE_SLACK;
    this.refYear = new Date(this.limit + zoneOffset(this.limit, timeZone)).getUTCFullYear();
  }

  /** A yearless stamp (the file format). */
  stampTs(month: number, day: number, hour: number, minute: number, second: number): number {
    const key = (((month * 32 + day) * 24 + hour) * 60 + minute) * 61 + second;
    if (key === this.lastKey) return this.lastTs;
    const sec = (minute * 60 + second) * SECOND;
    let ts = NaN;
    let base: HourBase | null = null;
    for (let year = this.refYear; year >= this.refYear - 8; year--) {
      base = this.hourBase(year, month, day, hour);
      if (base && base.early + sec <= this.limit) {
        ts = this.pickPass(base, sec);
        break;
      }
    }
    // No year fits (a Feb 29 far from any leap year): fall back to the year before the reference.
    if (Number.isNaN(ts)) ts = fromWall({ year: this.refYear - 1, month, day, hour, minute, second }, this.timeZone);
    this.lastKey = key;
    this.lastTs = ts;
    this.prevTs = ts;
    return ts;
  }

  /** A stamp that carries its year (the web UI's ISO form). */
  datedTs(year: number, month: number, day: number, hour: number, minute: number, second: number, ms: number): number {
    const base = this.hourBase(year, month, day, hour);
    const sec = (minute * 60 + second) * SECOND;
    const ts = base ? this.pickPass(base, sec) : fromWall({ year, month, day, hour, minute, second }, this.timeZone);
    this.prevTs = ts;
    this.lastKey = -1;
    return ts + ms;
  }

  /**
   * Does the time stampTs gives this yearless stamp depend on the stamp before it? Only in a
   * wall hour that happens twice (pickPass); every other stamp maps to the same instant whatever
   * came before. The reader's prefilter passes over lines without handing them to the clock,
   * and hands over the stamps this says it cannot leave out (prefilter.ts).
   */
  stampDependsOnPrevious(month: number, day: number, hour: number, minute: number, second: number): boolean {
    const sec = (minute * 60 + second) * SECOND;
    for (let year = this.refYear; year >= this.refYear - 8; year--) {
      const base = this.hourBase(year, month, day, hour);
      if (base && base.early + sec <= this.limit) return base.late !== base.early;
    }
    return false;
  }

  /** stampDependsOnPrevious for a stamp with its year (datedTs). */
  datedDependsOnPrevious(year: number, month: number, day: number, hour: number): boolean {
    const base = this.hourBase(year, month, day, hour);
    return base !== null && base.late !== base.early;
  }

  private pickPass(base: HourBase, sec: number): number {
    const early = base.early + sec;
    if (base.late === base.early || this.prevTs === undefined) return early;
    const late = base.late + sec;
    return early < this.prevTs - FOLD_STEP && late <= this.limit ? late : early;
  }

  /** null: the date does not exist (Feb 29 in a common year). */
  private hourBase(year: number, month: number, day: number, hour: number): HourBase | null {
    const key = ((year * 16 + month) * 32 + day) * 24 + hour;
    const hit = this.hours.get(key);
    if (hit !== undefined) return hit;
    const naive = Date.UTC(year, month - 1, day, hour);
    let base: HourBase | null = null;
    if (new Date(naive).getUTCDate() === day) {
      const early = fromWall({ year, month, day, hour, minute: 0, second: 0 }, this.timeZone);
      const after = naive - zoneOffset(naive + 12 * HOUR, this.timeZone);
      const repeated = after > early && after + zoneOffset(after, this.timeZone) === naive;
      base = { early, late: repeated ? after : early };
    }
    if (this.hours.size >= MAX_CACHED_HOURS) this.hours.clear();
    this.hours.set(key, base);
    return base;
  }
}
