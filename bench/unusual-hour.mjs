#!/usr/bin/env node
// How often does unusual_hour cry wolf, and how often does it catch an off-hour play? For each
// seed, generate months of habit-driven viewing (bench/gen-habits.mjs), run the built rule
// (dist/core/baseline.js) with its defaults over them, and count after the warm-up month:
//   - false alerts per device-month: alerts on habit plays;
//   - stray alerts per device-month: alerts on the ~3% of days with a play at a random waking hour;
//   - detection: planted plays (>= 3 h from every habit centre) that alerted; and among them the
//     novel ones, with no earlier play of the device within 2 h of their hour of day in the 30
//     days before (an earlier stray or planted play at that hour makes it no longer never-watched).
//
//   npm run build && node bench/unusual-hour.mjs [--seeds 6-15] [--months 3] [--json FILE]
import { writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { asSessions, generateHabits, PROFILES, TZ } from './gen-habits.mjs';

const DAY = 86_400_000;
const DEFAULTS = { enabled: true, windowMs: 30 * DAY, minDays: 14, minSessions: 10 };

function parseSeeds(text) {
  const m = /^(\d+)-(\d+)$/.exec(text);
  if (m) return Array.from({ length: Number(m[2]) - Number(m[1]) + 1 }, (_, i) => Number(m[1]) + i);
  return text.split(',').map(Number);
}

/** No earlier play within 2 h of p's hour of day in the 30 days before it. */
function isNovel(p, plays, hourOf) {
  const h = hourOf(p.start);
  return !plays.some((q) => q.start < p.start && q.start >= p.start - 30 * DAY && Math.min(Math.abs(hourOf(q.start) - h), 24 - Math.abs(hourOf(q.start) - h)) < 2);
}

export async function measureUnusualHour({ seeds, months, options = DEFAULTS }) {
  const { unusualHourAlerts, localStart } = await import(new URL('../dist/core/baseline.js', import.meta.url).href);
  const hourOf = (ts) => localStart(ts, TZ).hourOfWeek % 24;
  const rows = Object.fromEntries(Object.keys(PROFILES).map((p) => [p, { deviceMonths: 0, habit: 0, habitAlerts: 0, stray: 0, strayAlerts: 0, planted: 0, caught: 0, novel: 0, novelCaught: 0 }]));
  for (const seed of seeds) {
    const run = generateHabits(seed, months);
    for (const d of run.devices) {
      const sessions = asSessions(d);
      const alerted = new Set(unusualHourAlerts(sessions, [], new Map(), TZ, options).map((a) => a.at));
      const r = rows[d.profile];
      r.deviceMonths += months;
      for (const p of d.plays) {
        if (p.start < run.scoredFrom) continue;
        const key = p.kind === 'habit' ? 'habit' : p.kind === 'stray' ? 'stray' : 'planted';
        r[key]++;
        if (alerted.has(p.start)) r[key === 'habit' ? 'habitAlerts' : key === 'stray' ? 'strayAlerts' : 'caught']++;
        if (key === 'planted' && isNovel(p, d.plays, hourOf)) {
          r.novel++;
          if (alerted.has(p.start)) r.novelCaught++;
        }
      }
    }
  }
  const total = Object.values(rows).reduce((t, r) => Object.fromEntries(Object.keys(r).map((k) => [k, (t[k] ?? 0) + r[k]])), {});
  return { seeds, months, rows, total };
}

function format({ rows, total, seeds, months }) {
  const line = (name, r) =>
    `${name.padEnd(10)} ${String(r.deviceMonths).padStart(4)} ${String(r.habit).padStart(6)} ${(r.habitAlerts / r.deviceMonths).toFixed(2).padStart(8)} ` +
    `${String(r.stray).padStart(6)} ${(r.strayAlerts / r.deviceMonths).toFixed(2).padStart(8)} ${`${r.caught}/${r.planted}`.padStart(8)} ${((100 * r.caught) / Math.max(1, r.planted)).toFixed(0).padStart(4)}% ` +
    `${`${r.novelCaught}/${r.novel}`.padStart(8)} ${((100 * r.novelCaught) / Math.max(1, r.novel)).toFixed(0).padStart(4)}%`;
  return [
    `unusual_hour over ${seeds.length} seeds x ${months} months after a 30-day warm-up (${TZ}, defaults)`,
    'profile      d-m  habit  false/dm  strays  stray/dm  planted  caught    novel  caught',
    ...Object.entries(rows).map(([p, r]) => line(p, r)),
    line('all', total),
  ].join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const args = process.argv.slice(2);
  const arg = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
  const result = await measureUnusualHour({ seeds: parseSeeds(arg('--seeds', '6-15')), months: Number(arg('--months', '3')) });
  console.log(format(result));
  const json = arg('--json', undefined);
  if (json) writeFileSync(json, `${JSON.stringify(result, null, 2)}\n`);
}
