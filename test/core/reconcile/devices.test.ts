import { describe, expect, it } from 'vitest';
import { minDistanceKm, minTravelHours } from '../../../src/core/reconcile/countries.js';
import { classifyDeviceType, classifyHomeDevice, deviceAffinity, type DeviceClass } from '../../../src/core/reconcile/device-types.js';
import { isCovered, localDay, mergeIntervals } from '../../../src/core/reconcile/match.js';
import { DEV, T, dayPlay } from './fixtures.js';

describe('classifyDeviceType', () => {
  it.each([
    ['Samsung CE 2019 Muse-L UHD TV Smart TV', 'smart_tv', 'samsung'],
    ['Sony Sony Android TV 2015 Smart TV', 'smart_tv', 'sony'],
    ['LG 2018 webOS TV', 'smart_tv', 'lg'],
    ['FireTV 4K Stick 2018', 'streaming_stick', 'amazon'],
    ['Google Chromecast V3 Streaming Stick', 'streaming_stick', 'google'],
    ['Roku 3', 'streaming_stick', 'roku'],
    ['Apple TV 4K', 'streaming_stick', 'apple'],
    ['Apple iPad Pro 12.9 in 5th Gen (Wi-Fi/Cell) iPad', 'tablet', 'apple'],
    ['Amazon Fire HD 10 Tablet', 'tablet', 'amazon'],
    ['Samsung Galaxy Tab S7', 'tablet', 'samsung'],
    ['iPhone 12', 'phone', 'apple'],
    ['Google Pixel 7 Smartphone', 'phone', 'google'],
    ['Microsoft Xbox One S', 'game_console', 'microsoft'],
    ['Sony PlayStation 4', 'game_console', 'sony'],
    ['Nintendo Switch', 'game_console', 'nintendo'],
    ['Sky UK IP100 MVPD STB', 'set_top_box', 'sky'],
    ['Netflix Windows App - Cadmium Windows Mobile', 'pc_browser', 'microsoft'],
    ['Chrome PC (Cadmium)', 'pc_browser', null],
    ['Mystery Gadget 3000', null, null],
    ['', null, null],
  ])('%j', (type, family, brand) => expect(classifyDeviceType(type)).toEqual({ family, brand }));
});

describe('classifyHomeDevice', () => {
  it.each([
    [DEV.tv, 'smart_tv', 'samsung'],
    [DEV.ipad, 'tablet', 'apple'],
    [DEV.firetv, 'streaming_stick', 'amazon'],
    [DEV.pixel, 'phone', 'google'],
    // Randomized MAC: a vendor claim is ignored; an android- hostname says nothing either.
    [{ mac: 'da:00:00:00:00:01', name: null, vendor: 'Samsung Electronics Co.,Ltd', hostname: 'android-3f2a9c' }, null, null],
    [{ mac: '10:30:47:00:00:01', name: null, vendor: 'Samsung Electronics Co.,Ltd', hostname: null }, null, 'samsung'],
    [{ mac: '00:11:22:33:44:55', name: 'Living room', vendor: 'Roku, Inc', hostname: null }, 'streaming_stick', 'roku'],
    [{ mac: '00:11:22:33:44:55', name: null, vendor: 'Murata Manufacturing Co., Ltd.', hostname: 'LGwebOSTV' }, 'smart_tv', 'lg'],
    [{ mac: '00:11:22:33:44:55', name: 'Dad’s iPhone', vendor: 'Apple, Inc.', hostname: null }, 'phone', 'apple'],
  ])('%j', (device, family, brand) => expect(classifyHomeDevice(device)).toEqual({ family, brand }));
});

describe('deviceAffinity', () => {
  const c = (family: DeviceClass['family'], brand: string | null): DeviceClass => ({ family, brand });
  it.each([
    [c('smart_tv', 'samsung'), c('smart_tv', 'samsung'), 1],
    [c('smart_tv', 'samsung'), c(null, 'samsung'), 0.75],
    [c('phone', 'google'), c(null, null), 0.5],
    [c(null, null), c('tablet', 'apple'), 0.5],
    [c('smart_tv', 'sony'), c('smart_tv', 'samsung'), 0],
    [c('tablet', 'apple'), c('phone', 'apple'), 0],
    [c('tablet', 'apple'), c(null, 'samsung'), 0],
  ])('%j vs %j', (play, device, score) => expect(deviceAffinity(play, device).score).toBe(score));
});

describe('travel between countries', () => {
  it.each([
    ['NL', 'NL', 0],
    ['NL', 'DE', 0],
    ['NL', 'BE', 0],
    ['US', 'CA', 0],
    ['NL', '', 0],
    ['NL', 'XX', 2],
  ])('%s -> %s: %d h', (a, b, hours) => expect(minTravelHours(a, b)).toBe(hours));

  it.each([
    ['NL', 'BR', 8, 12],
    ['NL', 'ES', 2.5, 4],
    ['GB', 'US', 3, 8],
    ['NL', 'AU', 12, 20],
  ])('%s -> %s between %d and %d h (never more than a real flight)', (a, b, lo, hi) => {
    const h = minTravelHours(a, b);
    expect(h).toBeGreaterThanOrEqual(lo);
    expect(h).toBeLessThanOrEqual(hi);
    expect(minTravelHours(b, a)).toBe(h);
  });

  it('bounds distances from below', () => {
    expect(minDistanceKm('NL', 'DE')).toBe(0);
    expect(minDistanceKm('nl', 'br')).toBeGreaterThan(5000);
    expect(minDistanceKm('NL', 'ZZ')).toBeUndefined();
  });
});

describe('coverage and days', () => {
  it('merges overlapping coverage and checks spans with the tolerance', () => {
    const merged = mergeIntervals([
      { start: 50, end: 80 },
      { start: 0, end: 60 },
      { start: 100, end: 120 },
      { start: 9, end: 1 },
    ]);
    expect(merged).toEqual([
      { start: 0, end: 80 },
      { start: 100, end: 120 },
    ]);
    expect(isCovered(merged, 10, 70, 0)).toBe(true);
    expect(isCovered(merged, 70, 110, 0)).toBe(false);
    expect(isCovered(merged, 75, 105, 5)).toBe(false);
    expect(isCovered(merged, 98, 122, 5)).toBe(true);
    expect(isCovered(merged, 74, 84, 5)).toBe(true);
    expect(isCovered(merged, 78, 86, 5)).toBe(false);
  });

  it.each([
    ['2026-11-20', '2026-11-19T23:00:00.000Z', '2026-11-20T23:00:00.000Z'],
    ['2026-10-25', '2026-10-24T22:00:00.000Z', '2026-10-25T23:00:00.000Z'],
    ['2026-03-29', '2026-03-28T23:00:00.000Z', '2026-03-29T22:00:00.000Z'],
    ['2026-12-31', '2026-12-30T23:00:00.000Z', '2026-12-31T23:00:00.000Z'],
  ])('local day %s in Amsterdam', (day, start, end) => {
    const d = localDay(dayPlay('x', day), 'Europe/Amsterdam');
    expect([new Date(d.start).toISOString(), new Date(d.end).toISOString()]).toEqual([start, end]);
    expect(T(end) - T(start)).toBe(d.end - d.start);
  });
});
