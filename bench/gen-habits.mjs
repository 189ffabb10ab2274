#!/usr/bin/env node
// Months of habit-driven viewing for the unusual_hour rule: each device starts its plays around
// its own habits (a centre per slot, a normal spread, a chance per day, weekday and weekend
// slots), in local time across DST changes, plus two kinds of plays that are not habits:
//   - strays: a play at a uniformly random waking hour (08:00-23:00) on ~3% of days, the ordinary
//     irregularity of a household (a sick day, a visitor): not planted, not habit;
//   - planted: two plays per device-month at an hour at least 3 h from every habit centre of the
//     device, the off-hour plays the rule exists to catch.
//
//   node bench/gen-habits.mjs --seed 7 [--months 3] > habits.json
//   import { generateHabits, PROFILES } from './gen-habits.mjs'
//
// Deterministic: the same seed gives the same plays. Days start on Monday 2 February 2026 in
// Europe/Amsterdam, so the March change to summer time falls inside every run.
import { pathToFileURL } from 'node:url';
import { makeRng, makeZone, MINUTE } from './household/time.mjs';

export const TZ = 'Europe/Amsterdam';
const START = [2026, 2, 2];
/** Days before scoring starts: the profile's window (30 d) fills first. */
export const WARMUP_DAYS = 30;
const STRAY_CHANCE = 0.03;
const PLANTED_PER_MONTH = 2;
/** A planted play is at least this far (hours of the day, around the clock) from every habit centre. */
const OFF_HOURS = 3;
/** Starts closer than this to the previous one are the same play (the session folding would merge them). */
const SAME_PLAY_MS = 60 * MINUTE;

const WEEKDAYS = [0, 1, 2, 3, 4];
const WEEKEND = [5, 6];
const ALL = [0, 1, 2, 3, 4, 5, 6];
/** slot: [days (0 = Monday), centre hour, spread in minutes (sd), chance per day]. */
export const PROFILES = {
  evening: [[WEEKDAYS, 20.5, 40, 0.8], [WEEKEND, 21, 60, 0.8], [ALL, 22.75, 30, 0.2]],
  afternoon: [[ALL, 14, 20, 0.9]],
  kid: [[WEEKDAYS, 16.5, 30, 0.8], [WEEKEND, 9.5, 45, 0.7], [WEEKEND, 17.5, 45, 0.6]],
  night_owl: [[ALL, 23.25, 50, 0.75]],
  weekender: [[WEEKEND, 15, 90, 0.8], [WEEKEND, 21, 60, 0.6], [WEEKDAYS, 21, 45, 0.2]],
  family_tv: [[WEEKDAYS, 18, 30, 0.5], [ALL, 20.5, 45, 0.8], [WEEKEND, 10, 60, 0.5], [WEEKEND, 15, 90, 0.5]],
};

const circularHours = (a, b) => {
  const d = Math.abs(a - b) % 24;
  return Math.min(d, 24 - d);
};

function normal(rng) {
  const u = 1 - rng.next();
  const v = rng.next();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** A random hour of the day at least OFF_HOURS from every centre (in quarter hours). */
function offHour(rng, centres) {
  const candidates = [];
  for (let q = 0; q < 96; q++) if (centres.every((c) => circularHours(q / 4, c) >= OFF_HOURS)) candidates.push(q / 4);
  return candidates.length > 0 ? rng.pick(candidates) + rng.between(0, 0.25) : undefined;
}

/**
 * Every play of every profile over WARMUP_DAYS + months * 30 days:
 * `{ days, scoredFrom, devices: [{ device, profile, plays: [{ start, kind: 'habit' | 'stray' | 'planted' }] }] }`.
 */
export function generateHabits(seed, months = 3) {
  const rng = makeRng(seed);
  const zone = makeZone(TZ);
  const days = WARMUP_DAYS + months * 30;
  const at = (day, hour) => zone.fromLocal(START[0], START[1], START[2] + day, 0, Math.round(hour * 60));
  const scoredFrom = at(WARMUP_DAYS, 0);
  const devices = Object.entries(PROFILES).map(([profile, slots]) => {
    const plays = [];
    const centres = slots.map((s) => s[1]);
    for (let day = 0; day < days; day++) {
      const weekday = day % 7;
      for (const [on, centre, sd, chance] of slots) {
        if (on.includes(weekday) && rng.chance(chance)) plays.push({ start: at(day, centre + (normal(rng) * sd) / 60), kind: 'habit' });
      }
      if (rng.chance(STRAY_CHANCE)) plays.push({ start: at(day, rng.between(8, 23)), kind: 'stray' });
    }
    for (let m = 0; m < months; m++) {
      for (let k = 0; k < PLANTED_PER_MONTH; k++) {
        const hour = offHour(rng, centres);
        if (hour !== undefined) plays.push({ start: at(WARMUP_DAYS + m * 30 + rng.int(0, 29), hour), kind: 'planted' });
      }
    }
    plays.sort((a, b) => a.start - b.start);
    // One play per hour at most: closer starts would be folded into one session.
    const kept = plays.filter((p, i) => i === 0 || p.start - plays[i - 1].start >= SAME_PLAY_MS || p.kind === 'planted');
    return { device: `${profile}-${seed}`, profile, plays: kept };
  });
  return { seed, days, scoredFrom, scoredTo: at(days, 0), devices };
}

/** The plays as nfmon sessions (45 minutes each, DNS evidence): what the rule sees. */
export function asSessions(device) {
  return device.plays.map((p) => ({
    device: device.device, ip: '192.168.1.50', service: 'netflix', start: p.start, end: p.start + 45 * MINUTE, firstVideo: p.start,
    bytesDown: null, bytesUp: null, avgMbps: null, peakMbps: null, quality: null, evidence: ['dns'], playTimes: [p.start],
  }));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const args = process.argv.slice(2);
  const arg = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
  const out = generateHabits(Number(arg('--seed', '1')), Number(arg('--months', '3')));
  process.stdout.write(`${JSON.stringify(out, null, 1)}\n`);
}
