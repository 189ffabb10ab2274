// The household generator is the accuracy benchmark's ground truth: check that what it writes
// says what its truth claims, and that a seed always writes the same household.
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

interface Play {
  id: string;
  device_mac: string;
  ip: string;
  start: string;
  end: string;
  resolves_video_name: boolean;
  in_quiet_hours: boolean;
}
interface Truth {
  generator: { to: string };
  files: { pihole_log: string; leases: string; config: string; captures: string[] };
  plays: Play[];
  idle_periods: { device_mac: string; kind: string; start: string; end: string }[];
  browsing: { device_mac: string; start: string; end: string }[];
  expected_alerts: { rule: string; play_id: string; device_mac: string }[];
  devices: { mac: string; ip: string }[];
}
type Generate = (o: { days: number; seed: number; out: string; pcap?: boolean }) => Truth;

// A variable specifier: the generator is plain JavaScript without type declarations.
const genUrl = new URL('../../bench/gen-household.mjs', import.meta.url).href;
let generate: Generate;
const dir = mkdtempSync(join(tmpdir(), 'nfmon-gen-'));
let truth: Truth;
let lines: { ts: number; text: string }[];

// Log stamps are Europe/Amsterdam wall time in November 2026 (UTC+1): enough to place lines.
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
function stampTs(line: string): number {
  const m = /^(\w{3}) ([ \d]\d) (\d\d):(\d\d):(\d\d) /.exec(line);
  if (!m) return NaN;
  return Date.UTC(2026, MONTHS.indexOf(m[1] ?? ''), Number(m[2]), Number(m[3]) - 1, Number(m[4]), Number(m[5]));
}

beforeAll(async () => {
  generate = ((await import(genUrl)) as { generateHousehold: Generate }).generateHousehold;
  truth = generate({ days: 2, seed: 5, out: join(dir, 'a') });
  lines = readFileSync(truth.files.pihole_log, 'utf8').trimEnd().split('\n').map((text) => ({ ts: stampTs(text), text }));
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const queriesOf = (ip: string, from: number, to: number, pattern: RegExp): string[] =>
  lines.filter((l) => l.ts >= from && l.ts <= to && l.text.includes(` from ${ip}`) && pattern.test(l.text)).map((l) => l.text);
const VIDEO = /query\[(A|AAAA)\] \S+\.oca\.nflxvideo\.net /;

describe('gen-household', () => {
  it('writes every log line in dnsmasq file format, in time order', () => {
    const bad = lines.filter((l) => !/^\w{3} [ \d]\d \d\d:\d\d:\d\d dnsmasq(-dhcp)?\[\d+\]: \S/.test(l.text));
    expect(bad.slice(0, 3)).toEqual([]);
    const backwards = lines.filter((l, i) => i > 0 && l.ts < lines[i - 1]!.ts);
    expect(backwards.slice(0, 3)).toEqual([]);
    expect(lines.length).toBeGreaterThan(20_000);
  });

  it('dates the log file at the end of its span, so no line lies in its future', () => {
    const mtime = statSync(truth.files.pihole_log).mtimeMs;
    expect(mtime).toBe(Date.parse(truth.generator.to));
    expect(Math.max(...lines.map((l) => l.ts))).toBeLessThanOrEqual(mtime);
  });

  it('has plays of every client kind, direct-IP ones, quiet-hours ones and every alert rule', () => {
    expect(truth.plays.some((p) => !p.resolves_video_name)).toBe(true);
    expect(truth.plays.some((p) => p.in_quiet_hours)).toBe(true);
    expect(truth.idle_periods.some((i) => i.kind === 'app_home_screen')).toBe(true);
    expect(new Set(truth.expected_alerts.map((a) => a.rule))).toEqual(new Set(['quiet_hours', 'unknown_device', 'concurrent_streams']));
  });

  it('resolves 1-3 Open Connect names (A and AAAA) within seconds before each play that resolves names', () => {
    for (const p of truth.plays.filter((x) => x.resolves_video_name)) {
      const start = Date.parse(p.start);
      const names = new Set(queriesOf(p.ip, start - 10_000, start, VIDEO).map((t) => t.split(' ')[5]));
      expect(names.size, p.id).toBeGreaterThanOrEqual(1);
      expect(names.size, p.id).toBeLessThanOrEqual(3);
    }
  });

  it('never resolves a video name from a direct-IP client, nor from idle apps or while browsing', () => {
    for (const p of truth.plays.filter((x) => !x.resolves_video_name)) {
      expect(queriesOf(p.ip, Date.parse(p.start) - 3_600_000, Date.parse(p.end) + 3_600_000, VIDEO), p.id).toEqual([]);
    }
    const ipOf = (mac: string): string => truth.devices.find((d) => d.mac === mac)!.ip;
    for (const i of [...truth.idle_periods.filter((x) => x.kind !== 'phone_background'), ...truth.browsing]) {
      expect(queriesOf(ipOf(i.device_mac), Date.parse(i.start), Date.parse(i.end), VIDEO)).toEqual([]);
    }
  });

  it('keeps telemetry lookups of a playing app no more than ~20 minutes apart', () => {
    const telemetry = /query\[A\] (ichnaea|customerevents|logs|ichnaea-web|www)\.netflix\.com /;
    for (const p of truth.plays) {
      const ts = queriesOf(p.ip, Date.parse(p.start), Date.parse(p.end), telemetry).map(stampTs);
      const gaps = ts.slice(1).map((t, i) => t - ts[i]!);
      expect(Math.max(0, ...gaps), p.id).toBeLessThanOrEqual(21 * 60_000);
    }
  });

  it('writes the same household for the same seed and another for another seed', () => {
    const again = generate({ days: 2, seed: 5, out: join(dir, 'b') });
    const other = generate({ days: 2, seed: 6, out: join(dir, 'c') });
    expect(readFileSync(again.files.pihole_log, 'utf8')).toBe(readFileSync(truth.files.pihole_log, 'utf8'));
    expect(again.plays).toEqual(truth.plays);
    expect(other.plays).not.toEqual(again.plays);
  });
});
