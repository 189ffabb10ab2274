// When a device usually watches, and the `unusual_hour` rule built on it. Pure: session starts,
// the zone and the options in, alerts out; no clock. The same starts always give the same alerts.
//
// The statistic (README "Rules" has the reasons and the figures measured with bench/gen-habits.mjs):
// each earlier start of the device within `window` before a session votes for the session's
// local time with a triangular kernel of half-width BANDWIDTH_H hours, on two clocks at once:
//   score(x) = sum_i [ WEEK_WEIGHT * K(d_week(x, x_i)) + (1 - WEEK_WEIGHT) * K(d_day(x, x_i)) ]
// where d_week is the circular distance in hours of the week (168) and d_day in hours of the day
// (24). A start at the same hour of the same weekday counts 1, the same hour on another day
// counts 1 - WEEK_WEIGHT: thirty days hold each hour of the week only four or five times, too
// few to judge a weekday on its own, so the week is shrunk towards the day. With n earlier
// starts spread evenly over the week the expected score is n * UNIFORM_SCORE; a session is
// unusual when its score is below RARITY times that, i.e. when the device started fewer than a
// fifth as many plays around this hour as it would if it watched at random hours. The threshold
// grows with the device's own volume: one stray 03:00 play in a month does not make 03:00 usual
// for a device with a hundred plays, but a single play at that hour makes it usual for a device
// with fifteen.
import { serviceLabel, type DeviceFacts } from './facts.js';
import { toWall } from './time.js';
import type { Alert, Session } from './types.js';

export interface UnusualHourOptions {
  readonly enabled: boolean;
  /** The sliding window of earlier starts the profile is made of, ms. */
  readonly windowMs: number;
  /** Local days with a start inside the window before the device is judged at all. */
  readonly minDays: number;
  /** Starts inside the window before the device is judged at all. */
  readonly minSessions: number;
}

/** A session start of a device from before the sessions being judged (the store's). */
export interface PastStart {
  readonly device: string;
  readonly start: number;
}

/** Half-width of the kernel: a habit at 21:00 covers 21:40 with weight 2/3 and 23:00 not at all. */
export const BANDWIDTH_H = 2;
/** Share of a start's vote that stays on its own weekday; the rest goes to its hour on every day. */
export const WEEK_WEIGHT = 0.5;
/** A session is unusual below this fraction of the score of evenly spread viewing. */
export const RARITY = 0.2;

const WEEK_H = 168;
const DAY_H = 24;
/** The expected kernel vote of one start at a uniformly random time of the week (the kernel's area over the circle). */
export const UNIFORM_SCORE = (WEEK_WEIGHT * BANDWIDTH_H) / WEEK_H + ((1 - WEEK_WEIGHT) * BANDWIDTH_H) / DAY_H;
/** Which share of the window's starts the message's "usual hours" cover. */
const USUAL_SHARE = 0.8;
const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

/** A start placed on the local clock: hour of week (Monday 00:00 = 0, fractional) and local date. */
export interface LocalStart {
  readonly ts: number;
  readonly hourOfWeek: number;
  readonly date: string;
}

export function localStart(ts: number, zone: string): LocalStart {
  const w = toWall(ts, zone);
  const weekday = (new Date(Date.UTC(w.year, w.month - 1, w.day)).getUTCDay() + 6) % 7;
  const p = (n: number): string => String(n).padStart(2, '0');
  return { ts, hourOfWeek: weekday * DAY_H + w.hour + w.minute / 60, date: `${w.year}-${p(w.month)}-${p(w.day)}` };
}

const circular = (a: number, b: number, period: number): number => {
  const d = Math.abs(a - b) % period;
  return Math.min(d, period - d);
};
const kernel = (hours: number): number => Math.max(0, 1 - hours / BANDWIDTH_H);

/** The kernel vote of `window`'s starts for hour of week `x`. */
export function habitScore(x: number, window: readonly LocalStart[]): number {
  let score = 0;
  for (const s of window) {
    score += WEEK_WEIGHT * kernel(circular(x, s.hourOfWeek, WEEK_H)) + (1 - WEEK_WEIGHT) * kernel(circular(x % DAY_H, s.hourOfWeek % DAY_H, DAY_H));
  }
  return score;
}

export interface Verdict {
  readonly unusual: boolean;
  readonly score: number;
  readonly threshold: number;
  readonly sessions: number;
  readonly days: number;
}

/** Undefined while the window is too thin to judge (cold start). */
export function judgeStart(x: number, window: readonly LocalStart[], opts: Pick<UnusualHourOptions, 'minDays' | 'minSessions'>): Verdict | undefined {
  const days = new Set(window.map((s) => s.date)).size;
  if (window.length < opts.minSessions || days < opts.minDays) return undefined;
  const score = habitScore(x, window);
  const threshold = RARITY * UNIFORM_SCORE * window.length;
  return { unusual: score < threshold, score, threshold, sessions: window.length, days };
}

/**
 * The local hours of day holding most (USUAL_SHARE) of the starts, as ranges: "19:00-22:00" or
 * "08:00-09:00, 20:00-23:00". Hours are taken by count, most first, then shown in clock order.
 */
export function usualHours(window: readonly LocalStart[]): string {
  const counts = Array.from({ length: DAY_H }, () => 0);
  for (const s of window) counts[Math.floor(s.hourOfWeek % DAY_H)]! += 1;
  const byCount = counts.map((n, h) => ({ n, h })).filter((c) => c.n > 0).sort((a, b) => b.n - a.n || a.h - b.h);
  const chosen = new Set<number>();
  let covered = 0;
  for (const c of byCount) {
    if (covered >= USUAL_SHARE * window.length) break;
    chosen.add(c.h);
    covered += c.n;
  }
  // Runs of consecutive hours around the clock; a run may wrap midnight (23:00-01:00).
  const starts = [...chosen].filter((h) => !chosen.has((h + DAY_H - 1) % DAY_H)).sort((a, b) => a - b);
  if (starts.length === 0) return chosen.size > 0 ? 'all day' : '';
  const hh = (h: number): string => `${String(h % DAY_H).padStart(2, '0')}:00`;
  return starts
    .map((h) => {
      let end = h;
      while (chosen.has((end + 1) % DAY_H)) end++;
      return `${hh(h)}-${hh(end + 1)}`;
    })
    .join(', ');
}

/**
 * One alert per session that starts at an hour its device has (almost) never started one in the
 * window before it. `history` holds the device's starts from before `sessions` (the store's);
 * the profile of each session is made of every start, from either, within the window before it.
 */
export function unusualHourAlerts(
  sessions: readonly Session[],
  history: readonly PastStart[],
  devices: ReadonlyMap<string, DeviceFacts>,
  timeZone: string,
  opts: UnusualHourOptions,
): Alert[] {
  const rule = new UnusualHour(history, devices, timeZone, opts);
  return rule.add([...sessions].sort((a, b) => a.start - b.start), Infinity);
}

/**
 * The rule over sessions given in batches in order of start (a rebuild that streams its
 * history): each device keeps only the starts of one window before the horizon.
 */
export class UnusualHour {
  /** Each device's starts, in order, none twice. */
  private readonly starts = new Map<string, LocalStart[]>();

  constructor(
    history: readonly PastStart[],
    private readonly devices: ReadonlyMap<string, DeviceFacts>,
    private readonly timeZone: string,
    private readonly opts: UnusualHourOptions,
  ) {
    this.place(history);
  }

  /**
   * The next sessions by start; every session that starts before `horizon` has been given (with
   * these). Returns their alerts.
   */
  add(sessions: readonly Session[], horizon: number): Alert[] {
    this.place(sessions);
    const out: Alert[] = [];
    for (const s of sessions) {
      const alert = this.judge(s);
      if (alert) out.push(alert);
    }
    // Later sessions start at or after the horizon: older starts fall out of every window to come.
    for (const [device, list] of this.starts) {
      const keep = lowerBound(list, horizon - this.opts.windowMs);
      if (keep === list.length) this.starts.delete(device);
      else if (keep > 0) this.starts.set(device, list.slice(keep));
    }
    return out;
  }

  private place(starts: readonly PastStart[]): void {
    const touched = new Set<string>();
    for (const s of starts) {
      let list = this.starts.get(s.device);
      if (!list) this.starts.set(s.device, (list = []));
      list.push(localStart(s.start, this.timeZone));
      touched.add(s.device);
    }
    for (const device of touched) {
      const sorted = this.starts.get(device)!.sort((a, b) => a.ts - b.ts);
      this.starts.set(device, sorted.filter((x, i) => i === 0 || sorted[i - 1]!.ts !== x.ts));
    }
  }

  private judge(s: Session): Alert | undefined {
    const { opts, timeZone } = this;
    const all = this.starts.get(s.device) ?? [];
    const window = all.slice(lowerBound(all, s.start - opts.windowMs), lowerBound(all, s.start));
    const here = localStart(s.start, timeZone);
    const verdict = judgeStart(here.hourOfWeek, window, opts);
    if (!verdict?.unusual) return undefined;
    const label = this.devices.get(s.device)?.label ?? s.device;
    const clock = `${WEEKDAYS[Math.floor(here.hourOfWeek / DAY_H)] ?? ''} ${hhmm(here.hourOfWeek)}`;
    return {
      key: `unusual_hour:${s.device}:${s.service}:${s.start}`,
      at: s.start,
      rule: 'unusual_hour',
      severity: 'info',
      device: s.device,
      sessionStart: s.start,
      service: s.service,
      message:
        `${serviceLabel(s.service)} playing on ${label} at ${clock}, an hour it does not usually watch: ` +
        `usually ${usualHours(window)} (${verdict.sessions} plays on ${verdict.days} days in the last ${Math.round(opts.windowMs / 86_400_000)} days)`,
      sameWithin: { from: s.start, to: s.end },
    };
  }
}

function hhmm(hourOfWeek: number): string {
  const minutes = Math.round((hourOfWeek % DAY_H) * 60);
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}

/** Index of the first start at or after ts. */
function lowerBound(sorted: readonly LocalStart[], ts: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]!.ts < ts) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
