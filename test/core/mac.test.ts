import { describe, expect, it } from 'vitest';
import { isLocallyAdministered, isMulticast, macHex, normalizeHwAddr, normalizeMac } from '../../src/core/mac.js';

describe('normalizeMac', () => {
  it.each([
    ['b8:27:eb:12:34:56', 'b8:27:eb:12:34:56'],
    ['B8:27:EB:12:34:56', 'b8:27:eb:12:34:56'],
    ['B8-27-EB-12-34-56', 'b8:27:eb:12:34:56'],
    ['b827.eb12.3456', 'b8:27:eb:12:34:56'],
    ['B827EB123456', 'b8:27:eb:12:34:56'],
    ['  b8:27:eb:12:34:56\n', 'b8:27:eb:12:34:56'],
    ['0:1b:63:a:b:c', '00:1b:63:0a:0b:0c'],
    ['b8:27:eb:12:34:**', undefined],
    ['7c:b2:7d:88:0f:XX', undefined],
    ['b8:27:eb:12:34', undefined],
    ['b8:27:eb:12:34:56:78', undefined],
    ['b8:27-eb:12:34:56', undefined],
    ['b8:27:eb:12:34:567', undefined],
    ['b827eb12345', undefined],
    ['', undefined],
    ['175944317', undefined],
  ])('%j -> %j', (input, expected) => {
    expect(normalizeMac(input)).toBe(expected);
  });
});

describe('normalizeHwAddr', () => {
  it.each([
    ['00:20:18:56:29:A5:FF:EE:DD:BB:CC:AA', '00:20:18:56:29:a5:ff:ee:dd:bb:cc:aa'],
    ['32:30', '32:30'],
    ['aa', 'aa'],
    ['aa-bb-cc', 'aa:bb:cc'],
    ['aa:bb-cc', undefined],
    ['00:01:02:03:04:05:06:07:08:09:0a:0b:0c:0d:0e:0f', '00:01:02:03:04:05:06:07:08:09:0a:0b:0c:0d:0e:0f'],
    ['00:01:02:03:04:05:06:07:08:09:0a:0b:0c:0d:0e:0f:10', undefined],
    ['a:bb', undefined],
    ['1c:1b:0d:e5:60:**', undefined],
    ['', undefined],
  ])('%j -> %j', (input, expected) => {
    expect(normalizeHwAddr(input)).toBe(expected);
  });
});

describe('address bits', () => {
  it.each([
    // mac, locally administered (randomized), multicast
    ['b8:27:eb:12:34:56', false, false],
    ['da:a1:19:00:00:01', true, false],
    ['2a:b2:2a:b2:2a:b2', true, false],
    ['5a:f6:ee:96:d1:11', true, false],
    ['01:00:5e:00:00:fb', false, true],
    ['33:33:00:00:00:01', true, true],
    ['ff:ff:ff:ff:ff:ff', true, true],
  ])('%s: local %s, multicast %s', (mac, local, multicast) => {
    expect(isLocallyAdministered(mac)).toBe(local);
    expect(isMulticast(mac)).toBe(multicast);
  });

  it('macHex gives the registry key form', () => {
    expect(macHex('b8:27:eb:12:34:56')).toBe('B827EB123456');
  });
});
