import { describe, expect, it } from 'vitest';
import { LogClock } from '../../../src/sources/pihole/clock.js';

const iso = (ts: number): string => new Date(ts).toISOString();
const AMS = 'Europe/Amsterdam';

/** Feed yearless stamps in order, as the assembler does. */
function run(clock: LogClock, stamps: [number, number, number, number, number][]): string[] {
  return stamps.map(([mo, d, h, mi, s]) => iso(clock.stampTs(mo, d, h, mi, s)));
}

describe('LogClock year inference', () => {
  it('puts December in the previous year when the file was last written in January', () => {
    // mtime: 2026-01-01 01:05 in Amsterdam (00:05Z).
    const clock = new LogClock(AMS, Date.parse('2026-01-01T00:05:00Z'));
    expect(
      run(clock, [
        [12, 31, 23, 59, 59],
        [1, 1, 0, 0, 1],
        [1, 1, 0, 46, 21],
      ]),
    ).toEqual(['2025-12-31T22:59:59.000Z', '2025-12-31T23:00:01.000Z', '2025-12-31T23:46:21.000Z']);
  });

  it('allows one second past the reference, not two', () => {
    const ref = Date.parse('2026-01-01T00:05:00Z'); // 01:05:00 local
    expect(iso(new LogClock(AMS, ref).stampTs(1, 1, 1, 5, 1))).toBe('2026-01-01T00:05:01.000Z');
    expect(iso(new LogClock(AMS, ref).stampTs(1, 1, 1, 5, 2))).toBe('2025-01-01T00:05:02.000Z');
  });

  it('finds the last leap year for Feb 29', () => {
    expect(iso(new LogClock('UTC', Date.parse('2025-03-01T00:00:00Z')).stampTs(2, 29, 12, 0, 0))).toBe('2024-02-29T12:00:00.000Z');
  });

  it('uses the configured zone, not the process zone', () => {
    const ref = Date.parse('2025-07-01T00:00:00Z');
    expect(iso(new LogClock('America/New_York', ref).stampTs(6, 30, 20, 0, 0))).toBe('2025-07-01T00:00:00.000Z');
    expect(iso(new LogClock('Asia/Kolkata', ref).stampTs(6, 30, 20, 0, 0))).toBe('2025-06-30T14:30:00.000Z');
  });
});

describe('LogClock across DST (Europe/Amsterdam)', () => {
  it('autumn: the repeated hour 02:00-03:00 on the last Sunday of October is told apart by order', () => {
    const clock = new LogClock(AMS, Date.parse('2025-10-27T00:00:00Z'));
    expect(
      run(clock, [
        [10, 26, 1, 59, 59],
        [10, 26, 2, 30, 0], // CEST, first pass
        [10, 26, 2, 59, 59],
        [10, 26, 2, 0, 0], // clocks went back: CET, second pass
        [10, 26, 2, 0, 0],
        [10, 26, 2, 30, 0],
        [10, 26, 3, 0, 0],
      ]),
    ).toEqual([
      '2025-10-25T23:59:59.000Z',
      '2025-10-26T00:30:00.000Z',
      '2025-10-26T00:59:59.000Z',
      '2025-10-26T01:00:00.000Z',
      '2025-10-26T01:00:00.000Z',
      '2025-10-26T01:30:00.000Z',
      '2025-10-26T02:00:00.000Z',
    ]);
  });

  it('autumn: a log that starts inside the repeated hour takes its first pass', () => {
    expect(iso(new LogClock(AMS, Date.parse('2025-10-27T00:00:00Z')).stampTs(10, 26, 2, 15, 0))).toBe('2025-10-26T00:15:00.000Z');
  });

  it('spring: 01:59:59 CET is followed by 03:00:00 CEST one second later', () => {
    const clock = new LogClock(AMS, Date.parse('2025-04-01T00:00:00Z'));
    expect(
      run(clock, [
        [3, 30, 1, 59, 59],
        [3, 30, 3, 0, 0],
      ]),
    ).toEqual(['2025-03-30T00:59:59.000Z', '2025-03-30T01:00:00.000Z']);
  });

  it('dated stamps (web UI copy) keep their year and milliseconds', () => {
    expect(iso(new LogClock(AMS, 0).datedTs(2025, 6, 28, 8, 47, 18, 383))).toBe('2025-06-28T06:47:18.383Z');
  });
});
