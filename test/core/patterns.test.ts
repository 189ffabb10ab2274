// Heatmap and timeline numbers across midnight and DST nights, with exact minutes.
import { describe, expect, it } from 'vitest';
import { hourOfWeek, timelineDays } from '../../src/core/patterns.js';

const AMS = 'Europe/Amsterdam';
const NYC = 'America/New_York';
const t = (iso: string): number => Date.parse(iso);
const span = (a: string, b: string): { start: number; end: number } => ({ start: t(a), end: t(b) });
const ALL = span('2026-01-01T00:00:00Z', '2027-01-01T00:00:00Z');

/** The non-zero cells of a grid as [weekday, hour, minutes]. */
function cells(grid: number[][]): [number, number, number][] {
  return grid.flatMap((row, d) => row.flatMap((m, h): [number, number, number][] => (m > 0 ? [[d, h, m]] : [])));
}

describe('hourOfWeek', () => {
  it.each<[string, { start: number; end: number }[], string, [number, number, number][]]>([
    [
      'Fri 23:40 - Sat 00:35 in Amsterdam (UTC+1) lands on Friday 23h and Saturday 0h',
      [span('2026-11-20T22:40:00Z', '2026-11-20T23:35:00Z')],
      AMS,
      [[4, 23, 20], [5, 0, 35]],
    ],
    [
      'the repeated 02:00 hour of the autumn night collects both passes (Sunday 02:30 CEST - 02:30 CET)',
      [span('2026-10-25T00:30:00Z', '2026-10-25T01:30:00Z')],
      AMS,
      [[6, 2, 60]],
    ],
    [
      'the skipped 02:00 hour of the spring night gets nothing (01:30 CET - 03:30 CEST)',
      [span('2026-03-29T00:30:00Z', '2026-03-29T01:30:00Z')],
      AMS,
      [[6, 1, 30], [6, 3, 30]],
    ],
    [
      'New York autumn night: 01:00-01:59 twice, 210 minutes in all',
      [span('2026-11-01T04:30:00Z', '2026-11-01T08:00:00Z')],
      NYC,
      [[6, 0, 30], [6, 1, 120], [6, 2, 60]],
    ],
    [
      'overlapping sessions (two services) count once',
      [span('2026-11-21T18:00:00Z', '2026-11-21T18:30:00Z'), span('2026-11-21T18:15:00Z', '2026-11-21T18:45:00Z')],
      AMS,
      [[5, 19, 45]],
    ],
  ])('%s', (_case, spans, zone, expected) => {
    expect(cells(hourOfWeek(spans, ALL, zone))).toEqual(expected);
  });

  it('counts only what lies inside the window', () => {
    const grid = hourOfWeek([span('2026-11-20T22:40:00Z', '2026-11-20T23:35:00Z')], span('2026-11-20T23:00:00Z', '2026-11-20T23:10:00Z'), AMS);
    expect(cells(grid)).toEqual([[5, 0, 10]]);
  });
});

describe('timelineDays', () => {
  it('cuts a session at local midnight and marks the open one', () => {
    const days = timelineDays(
      [
        { device: 'fire', start: t('2026-11-20T22:40:00Z'), end: t('2026-11-20T23:35:00Z') },
        { device: 'tv', start: t('2026-11-21T19:56:00Z'), end: t('2026-11-21T20:58:00Z'), open: true },
      ],
      span('2026-11-20T10:00:00Z', '2026-11-21T21:00:00Z'),
      AMS,
    );
    expect(days.map((d) => [d.date, d.weekday])).toEqual([['2026-11-20', 4], ['2026-11-21', 5]]);
    expect(days[0]?.segments).toEqual([{ device: 'fire', start: t('2026-11-20T22:40:00Z'), end: t('2026-11-20T23:00:00Z'), open: false }]);
    expect(days[1]?.segments).toEqual([
      { device: 'fire', start: t('2026-11-20T23:00:00Z'), end: t('2026-11-20T23:35:00Z'), open: false },
      { device: 'tv', start: t('2026-11-21T19:56:00Z'), end: t('2026-11-21T20:58:00Z'), open: true },
    ]);
  });
});
