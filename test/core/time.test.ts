// zoneOffset against Intl itself, hour by hour: the day-wide cache must give every hour's own
// offset, on both sides of each transition, in zones that shift by an hour, by 30 minutes, skip a
// whole day (Samoa, 30 Dec 2011) or have no DST at all.
import { describe, expect, it } from 'vitest';
import { fromWall, toWall, zoneOffset } from '../../src/core/time.js';

const HOUR = 3_600_000;

const formats = new Map<string, Intl.DateTimeFormat>();

/** The offset straight from Intl, no cache. */
function intl(ts: number, zone: string): number {
  let f = formats.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
    });
    formats.set(zone, f);
  }
  const parts = f.formatToParts(new Date(ts));
  const get = (t: string): number => Number(parts.find((p) => p.type === t)!.value);
  return Date.UTC(get('year'), get('month') - 1, get('day'), get('hour') % 24, get('minute'), get('second')) - ts;
}

const ZONES: { zone: string; from: string; to: string }[] = [
  { zone: 'Europe/Amsterdam', from: '2025-01-01', to: '2026-12-31' },
  { zone: 'America/New_York', from: '2025-01-01', to: '2025-12-31' },
  { zone: 'Australia/Lord_Howe', from: '2025-01-01', to: '2025-12-31' },
  { zone: 'Pacific/Apia', from: '2011-12-20', to: '2012-01-10' },
  { zone: 'Asia/Kolkata', from: '2025-03-01', to: '2025-04-01' },
  { zone: 'UTC', from: '2025-03-01', to: '2025-03-10' },
];

describe('zoneOffset', () => {
  it.each(ZONES)('$zone: every hour from $from to $to, asked in a scrambled order', ({ zone, from, to }) => {
    const start = Date.parse(`${from}T00:00:00Z`) / HOUR, end = Date.parse(`${to}T23:00:00Z`) / HOUR;
    // Scrambled so that a day's cache is filled from any of its hours first.
    const hours = Array.from({ length: end - start + 1 }, (_, i) => start + ((i * 7919) % (end - start + 1)));
    for (const h of hours) {
      const ts = h * HOUR + 1234;
      expect(zoneOffset(ts, zone), `${zone} ${new Date(ts).toISOString()}`).toBe(intl(h * HOUR, zone));
    }
  });

  it('round-trips wall times through the autumn fold and the spring gap', () => {
    const zone = 'Europe/Amsterdam';
    // 2025-10-26 02:30 happens twice (the earlier pass is chosen); 2025-03-30 02:30 never does.
    expect(new Date(fromWall({ year: 2025, month: 10, day: 26, hour: 2, minute: 30, second: 0 }, zone)).toISOString()).toBe('2025-10-26T00:30:00.000Z');
    expect(toWall(Date.parse('2025-10-26T01:30:00Z'), zone)).toMatchObject({ hour: 2, minute: 30 });
    expect(toWall(fromWall({ year: 2025, month: 3, day: 30, hour: 3, minute: 15, second: 0 }, zone), zone)).toMatchObject({ hour: 3, minute: 15 });
  });
});
