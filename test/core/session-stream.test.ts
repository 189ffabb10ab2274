// The fold and the rules fed a window at a time (issue 17) against the same fold and rules fed
// everything at once: the same sessions and alerts, in the same order, whatever the windows. The
// activity is drawn to sit on the edges: silences around the gap, ui just before video, playback
// next to background bursts, flows on minute boundaries, several devices overlapping.
import { describe, expect, it } from 'vitest';
import { evaluateRules, RuleStream, type RuleOptions } from '../../src/core/rules.js';
import { SessionStream } from '../../src/core/session-stream.js';
import { BURST_MS, LEAD_IN_MS, foldSessions, type SessionOptions } from '../../src/core/sessions.js';
import type { Activity, Alert, Role, Session } from '../../src/core/types.js';
import { random } from '../helpers/random.js';

const MINUTE = 60_000;
const opts: SessionOptions = { gapMs: 20 * MINUTE, hdMbps: 5, uhdMbps: 15, minVideoBytes: 50_000_000 };

const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;

/** Steps between activities, drawn near the edges the fold and the stream care about. */
const STEPS = [1000, 30_000, BURST_MS, BURST_MS + 1000, LEAD_IN_MS, LEAD_IN_MS + 1000, 5 * MINUTE, opts.gapMs, opts.gapMs + 1000, opts.gapMs + MINUTE, opts.gapMs + MINUTE + BURST_MS, 3 * 3_600_000];

function history(seed: number, devices: number, count: number): Activity[] {
  const r = random(seed);
  const out: Activity[] = [];
  for (let d = 0; d < devices; d++) {
    let ts = 1_700_000_000_000 + Math.floor(r() * 3_600_000);
    for (let i = 0; i < count; i++) {
      ts += pick(r, STEPS) + Math.floor(r() * 3) * 1000;
      const flows = r() < 0.2;
      const role: Role = pick(r, flows ? ['video', 'video', 'ui'] : ['video', 'playback', 'playback', 'ui', 'ui', 'background']);
      out.push({
        ts: flows ? Math.floor(ts / MINUTE) * MINUTE : ts,
        device: `dev${d}`,
        ip: `10.0.0.${d + (r() < 0.1 ? 100 : 1)}`,
        service: r() < 0.9 ? 'netflix' : 'other',
        role,
        evidence: flows ? 'flows' : 'dns',
        bytesDown: flows ? Math.floor(r() * 80_000_000) : 0,
        bytesUp: flows ? Math.floor(r() * 1_000_000) : 0,
      });
    }
  }
  return out;
}

/** The stream fed windows of `windowMs` in time order (each window's activity shuffled), as the rebuild feeds it. */
function streamed(all: readonly Activity[], windowMs: number, seed: number): { sessions: Session[]; batches: { sessions: Session[]; horizon: number; bound: number; lookups: Activity[] }[] } {
  const r = random(seed);
  const stream = new SessionStream(opts);
  const sorted = [...all].sort((a, b) => a.ts - b.ts);
  const batches: { sessions: Session[]; horizon: number; bound: number; lookups: Activity[] }[] = [];
  let i = 0;
  for (let at = sorted[0]!.ts; i < sorted.length; at += windowMs) {
    const window: Activity[] = [];
    while (i < sorted.length && sorted[i]!.ts < at + windowMs) window.push(sorted[i++]!);
    stream.add([...window].sort(() => r() - 0.5));
    const sessions = stream.advance(at + windowMs);
    batches.push({ sessions, horizon: stream.horizon(), bound: at + windowMs, lookups: window.filter((a) => a.evidence === 'dns') });
  }
  batches.push({ sessions: stream.finish(), horizon: Infinity, bound: Infinity, lookups: [] });
  return { sessions: batches.flatMap((b) => b.sessions), batches };
}

describe('SessionStream', () => {
  const cases = [
    { name: 'one device', seed: 1, devices: 1, count: 400 },
    { name: 'three devices', seed: 2, devices: 3, count: 300 },
    { name: 'dense', seed: 3, devices: 2, count: 600 },
    { name: 'another draw', seed: 4, devices: 4, count: 250 },
  ];
  for (const c of cases) {
    it(`${c.name}: windows of any size give foldSessions' sessions in its order`, () => {
      const all = history(c.seed, c.devices, c.count);
      const whole = foldSessions(all, opts);
      expect(whole.length).toBeGreaterThan(10);
      for (const w of [1000, 30_000, 7 * MINUTE, 61 * MINUTE, 24 * 3_600_000]) {
        expect(streamed(all, w, c.seed).sessions, `windows of ${w} ms`).toEqual(whole);
      }
    });
  }

  it('holds only the open chain and its look-back, not the history', () => {
    const all = history(5, 2, 2000);
    const stream = new SessionStream(opts);
    const sorted = [...all].sort((a, b) => a.ts - b.ts);
    let most = 0;
    for (let i = 0, at = sorted[0]!.ts; i < sorted.length; at += 3_600_000) {
      const window: Activity[] = [];
      while (i < sorted.length && sorted[i]!.ts < at + 3_600_000) window.push(sorted[i++]!);
      stream.add(window);
      stream.advance(at + 3_600_000);
      most = Math.max(most, stream.held());
    }
    expect(most).toBeLessThan(all.length / 10);
  });

  it('refuses activity older than what it already passed', () => {
    const stream = new SessionStream(opts);
    stream.advance(10 * MINUTE);
    expect(() => stream.add([{ ts: 0, device: 'd', ip: 'i', service: 's', role: 'video', evidence: 'dns', bytesDown: 0, bytesUp: 0 }])).toThrow(RangeError);
  });
});

describe('RuleStream', () => {
  const ruleOpts: RuleOptions = {
    timeZone: 'Europe/Amsterdam',
    quietHours: '06:00-05:30',
    maxConcurrentStreams: 1,
    unknownDevice: true,
    unusualHour: { enabled: true, windowMs: 2 * 86_400_000, minDays: 1, minSessions: 3 },
    dnsBypass: { enabled: true, lookbackMs: 10 * MINUTE },
  };
  const devices = new Map([['dev0', { label: 'TV', trust: 'known' as const }]]);

  for (const seed of [11, 12, 13]) {
    it(`seed ${seed}: sessions in batches with their horizons give evaluateRules' alerts in its order`, () => {
      const all = history(seed, 6, 500);
      const lookups = all.filter((a) => a.evidence === 'dns');
      const whole = evaluateRules(foldSessions(all, opts), devices, ruleOpts, { lookups });
      const rules = new Set(whole.map((a) => a.rule));
      expect([...rules].sort()).toEqual(['concurrent_streams', 'dns_bypass', 'quiet_hours', 'unknown_device', 'unusual_hour']);
      for (const w of [30_000, 13 * MINUTE, 3_600_000]) {
        const stream = new RuleStream(devices, ruleOpts);
        const got: Alert[] = [];
        for (const b of streamed(all, w, seed).batches) {
          stream.addLookups(b.lookups, b.bound);
          got.push(...stream.add(b.sessions, b.horizon));
        }
        got.push(...stream.finish());
        expect(got, `windows of ${w} ms`).toEqual(whole);
      }
    });
  }
});
