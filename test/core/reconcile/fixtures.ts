// Builders for the reconciliation tests: plays and home sessions written as ISO times.
import type { HomeDevice, HomeSession, Interval, Play } from '../../../src/core/reconcile/types.js';

export const T = (iso: string): number => Date.parse(iso);

/** The demo household's devices, as the store would describe them. */
export const DEV = {
  tv: { mac: '10:30:47:3c:5a:01', name: 'Living room TV', vendor: 'Samsung Electronics Co.,Ltd', hostname: 'Samsung-TV' },
  ipad: { mac: '10:29:59:7a:22:02', name: 'Kids iPad', vendor: 'Apple, Inc.', hostname: 'iPad' },
  ipad2: { mac: '10:29:59:7a:22:09', name: null, vendor: 'Apple, Inc.', hostname: 'iPad-2' },
  firetv: { mac: '10:96:93:1e:33:03', name: 'Bedroom Fire TV', vendor: 'Amazon Technologies Inc.', hostname: 'amazon-fire-tv' },
  pixel: { mac: 'da:a1:19:4e:55:04', name: "Sam's Pixel", vendor: null, hostname: 'Pixel-7' },
} satisfies Record<string, HomeDevice>;

export const TYPE = {
  tv: 'Samsung CE 2021 Neo QLED UHD TV Smart TV',
  ipad: 'Apple iPad 9th Gen (Wi-Fi) iPad',
  firetv: 'FireTV 4K Stick 2018',
  pixel: 'Google Pixel 7 Smartphone',
  sony: 'Sony Sony Android TV 2015 Smart TV',
  chrome: 'Chrome PC (Cadmium)',
  iphone: 'iPhone 12',
} as const;

export interface PlaySpec {
  readonly profile?: string;
  readonly at: string;
  readonly min: number;
  readonly device: string;
  readonly country?: string;
  readonly preview?: string;
  readonly dayOnly?: boolean;
  readonly key?: string;
}

export function play(s: PlaySpec): Play {
  const profile = s.profile ?? 'Dad';
  const start = T(s.at);
  return {
    profile,
    start,
    durationS: s.min * 60,
    title: `title@${s.at}`,
    ...(s.preview ? { previewType: s.preview } : {}),
    preview: s.preview !== undefined,
    deviceType: s.device,
    country: s.country ?? 'NL',
    attributes: '',
    dayOnly: s.dayOnly ?? false,
    key: s.key ?? `${profile}@${s.at}`,
  };
}

/** A day-level play as NetflixViewingHistory.csv gives it: the day as midnight UTC. */
export function dayPlay(profile: string, day: string): Play {
  return { ...play({ profile, at: `${day}T00:00:00Z`, min: 0, device: '', country: '', dayOnly: true }), key: `${profile}#${day}` };
}

let nextId = 1;
export function session(device: HomeDevice, from: string, to: string): HomeSession {
  return { id: nextId++, device, start: T(from), end: T(to) };
}

export const always: Interval[] = [{ start: T('2026-01-01T00:00:00Z'), end: T('2027-01-01T00:00:00Z') }];
