import { describe, expect, it } from 'vitest';
import { LeaseIndex } from '../../src/core/leases.js';
import { StickyResolver } from '../../src/core/sticky-resolver.js';
import type { LeaseInterval } from '../../src/core/types.js';

const H = 3_600_000;
const iv = (ip: string, mac: string, start: number, end: number): LeaseInterval => ({ ip, mac, start, end, source: 't' });

describe('StickyResolver', () => {
  const intervals = [iv('10.0.0.2', 'aa', 100 * H, 124 * H), iv('10.0.0.3', 'bb', 100 * H, 110 * H), iv('10.0.0.3', 'cc', 110 * H, 124 * H)];
  const r = new StickyResolver(new LeaseIndex(intervals), intervals);
  it.each([
    ['inside the lease', '10.0.0.2', 101 * H, 'aa'],
    ['a day before the only lease of that IP', '10.0.0.2', 70 * H, 'aa'],
    ['a week after it', '10.0.0.2', 300 * H, 'aa'],
    ['a shared IP inside each lease', '10.0.0.3', 105 * H, 'bb'],
    ['a shared IP after the switch', '10.0.0.3', 111 * H, 'cc'],
    ['a shared IP far outside any lease', '10.0.0.3', 50 * H, undefined],
    ['an IP never leased', '10.0.0.9', 101 * H, undefined],
  ])('%s', (_n, ip, ts, mac) => {
    expect(r.resolve(ip, ts)?.mac).toBe(mac);
  });
});
