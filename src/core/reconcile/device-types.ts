// Netflix device-type strings and home devices (OUI vendor, hostname, name) mapped onto the same
// small vocabulary (family + brand), so a play can be compared with the device that was streaming.
import { isLocallyAdministered } from '../mac.js';
import type { HomeDevice } from './types.js';

export type DeviceFamily =
  | 'smart_tv'
  | 'streaming_stick'
  | 'game_console'
  | 'phone'
  | 'tablet'
  | 'pc_browser'
  | 'set_top_box';

export interface DeviceClass {
  readonly family: DeviceFamily | null;
  readonly brand: string | null;
}

// Order matters: the first rule that matches wins. Sticks come before browsers because
// "Chromecast" contains "chrome"; browsers before phones because "Netflix Windows App - Cadmium
// Windows Mobile" is a PC app; TVs last because "FireTV" and "Apple TV" are sticks.
const FAMILY_RULES: readonly (readonly [DeviceFamily, RegExp])[] = [
  ['game_console', /xbox|playstation|\bps[345]\b|nintendo|\bswitch\b|\bwii\b/],
  ['streaming_stick', /fire ?tv|firestick|chromecast|roku|apple ?tv|shield|streaming (stick|media)|google tv streamer/],
  ['set_top_box', /\bstb\b|set.?top|mvpd|cable box|\btivo\b/],
  ['pc_browser', /cadmium|chrome(?!cast)|firefox|safari|\bedge\b|opera|windows|\bmac\b|macbook|\bpc\b|chromebook|browser/],
  ['tablet', /ipad|tablet|\btab\b|kindle|fire hd/],
  ['phone', /iphone|phone|pixel|galaxy|\bmoto\b|oneplus|xperia|\bmobile\b/],
  ['smart_tv', /smart ?tv|\btv\b|webos|tizen|bravia|vizio|hisense|\btcl\b|android tv/],
];

// Brands as they appear in device-type strings and in OUI organisation names. Chip makers that
// sell Wi-Fi modules to every brand (Murata, AzureWave, Realtek, ...) are deliberately absent:
// their OUI says nothing about who made the device.
const BRAND_RULES: readonly (readonly [string, RegExp])[] = [
  ['amazon', /amazon|fire ?tv|firestick|kindle|fire hd/],
  ['apple', /apple|ipad|iphone|macbook|\bmac\b|safari|\bimac\b/],
  ['google', /google|chromecast|pixel|chromebook/],
  ['samsung', /samsung|galaxy|tizen/],
  ['lg', /\blg\b|lg electronics|\blge\b|webos/],
  ['sony', /sony|bravia|playstation|\bps[345]\b|xperia/],
  ['microsoft', /microsoft|xbox|windows/],
  ['nintendo', /nintendo/],
  ['roku', /roku/],
  ['nvidia', /nvidia|shield/],
  ['sky', /\bsky\b/],
  ['philips', /philips|tp vision/],
  ['panasonic', /panasonic/],
  ['hisense', /hisense/],
  ['tcl', /\btcl\b/],
  ['vizio', /vizio/],
  ['xiaomi', /xiaomi|\bmi box\b|redmi/],
  ['huawei', /huawei|honor/],
  ['oneplus', /oneplus/],
  ['motorola', /motorola|\bmoto\b/],
];

function firstMatch<T>(rules: readonly (readonly [T, RegExp])[], text: string): T | null {
  for (const [value, re] of rules) if (re.test(text)) return value;
  return null;
}

/** Family and brand of a Netflix device-type string. */
export function classifyDeviceType(deviceType: string): DeviceClass {
  const text = deviceType.toLowerCase();
  return { family: firstMatch(FAMILY_RULES, text), brand: firstMatch(BRAND_RULES, text) };
}

// Hostnames that say what a device is. `android-...` is left out on purpose: phones, tablets
// and Android TV boxes all use it.
const HOSTNAME_FAMILY: readonly (readonly [DeviceFamily, RegExp])[] = [
  ['game_console', /xbox|playstation|\bps[345]\b|nintendo|switch/],
  ['streaming_stick', /fire-?tv|firestick|chromecast|roku|apple-?tv|shield/],
  ['tablet', /ipad|tablet|galaxy-?tab|kindle/],
  ['phone', /iphone|galaxy|pixel|phone/],
  ['pc_browser', /macbook|imac|laptop|desktop|\bpc\b|-pc\b/],
  ['smart_tv', /tv|tizen|webos|bravia/],
];

// OUI brands that (nearly) only ever make one kind of Netflix device.
const BRAND_FAMILY: Readonly<Record<string, DeviceFamily>> = {
  roku: 'streaming_stick',
  nintendo: 'game_console',
  nvidia: 'streaming_stick',
};

/** Family and brand of a home device from what the network knows about it. */
export function classifyHomeDevice(device: HomeDevice): DeviceClass {
  const label = `${device.hostname ?? ''} ${device.name ?? ''}`.toLowerCase().replace(/[_.]/g, '-');
  // A randomized MAC's OUI names no maker.
  const oui = isLocallyAdministered(device.mac) ? '' : (device.vendor ?? '').toLowerCase();
  const brand = firstMatch(BRAND_RULES, oui) ?? firstMatch(BRAND_RULES, label.replace(/-/g, ' '));
  const family = firstMatch(HOSTNAME_FAMILY, label) ?? (brand === null ? null : (BRAND_FAMILY[brand] ?? null));
  return { family, brand };
}

export interface Affinity {
  /** 0.5 (nothing known either way) .. 1 (brand and family agree); 0 = cannot be this device. */
  readonly score: number;
  readonly reasons: readonly string[];
}

/**
 * How well a play's device type fits a home device. A known brand or family that differs on
 * both sides rules the device out: a Sony TV play is not the Samsung TV, an iPad play is not a
 * Galaxy phone. Unknown on either side is neutral, never a penalty.
 */
export function deviceAffinity(play: DeviceClass, device: DeviceClass): Affinity {
  const reasons: string[] = [];
  let score = 0;
  for (const aspect of ['brand', 'family'] as const) {
    const a = play[aspect];
    const b = device[aspect];
    if (a === null || b === null) {
      score += 0.25;
    } else if (a === b) {
      score += 0.5;
      reasons.push(`${aspect}_matches`);
    } else {
      return { score: 0, reasons: [`${aspect}_mismatch`] };
    }
  }
  if (reasons.length === 0) reasons.push('device_unverified');
  return { score, reasons };
}
