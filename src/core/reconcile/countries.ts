// Rough geography for the impossible-travel signal: a centre point and a radius per country, so
// that the distance between two countries has a lower bound (centre distance minus both radii).
// Radii are generous on purpose (large countries get the distance from centre to their far
// edges): a lower bound that is too low only misses an impossible trip, one that is too high
// would accuse a real traveller.

/** [latitude, longitude, radius km] */
type Geo = readonly [number, number, number];

const GEO: Readonly<Record<string, Geo>> = {
  // Europe
  NL: [52.2, 5.5, 200], BE: [50.6, 4.6, 150], LU: [49.8, 6.1, 60], DE: [51.2, 10.4, 450],
  FR: [46.6, 2.4, 600], GB: [54.0, -2.5, 550], IE: [53.2, -8.2, 250], ES: [40.2, -3.6, 600],
  PT: [39.6, -8.0, 350], IT: [42.8, 12.6, 650], CH: [46.8, 8.2, 200], AT: [47.6, 14.1, 300],
  LI: [47.15, 9.55, 20], MC: [43.74, 7.42, 5], AD: [42.5, 1.5, 20], SM: [43.94, 12.46, 10],
  MT: [35.9, 14.4, 30], DK: [56.0, 10.0, 250], NO: [64.5, 12.0, 900], SE: [62.0, 15.0, 800],
  FI: [64.5, 26.0, 600], IS: [65.0, -18.6, 300], EE: [58.7, 25.5, 200], LV: [56.9, 24.6, 200],
  LT: [55.3, 23.9, 200], PL: [52.1, 19.4, 400], CZ: [49.8, 15.5, 250], SK: [48.7, 19.7, 250],
  HU: [47.2, 19.4, 250], SI: [46.1, 14.8, 120], HR: [45.1, 15.2, 350], BA: [44.2, 17.8, 200],
  RS: [44.0, 20.8, 250], ME: [42.8, 19.3, 100], AL: [41.1, 20.0, 200], MK: [41.6, 21.7, 120],
  GR: [39.1, 22.0, 500], BG: [42.7, 25.3, 300], RO: [45.9, 25.0, 400], MD: [47.2, 28.5, 200],
  UA: [49.0, 31.4, 700], BY: [53.7, 28.0, 400], CY: [35.1, 33.4, 120], TR: [39.0, 35.2, 900],
  RU: [55.8, 37.6, 6000],
  // Americas
  US: [39.8, -98.6, 4500], CA: [56.0, -96.0, 3500], MX: [23.6, -102.5, 1500], BR: [-10.8, -52.9, 2200],
  AR: [-35.4, -65.2, 1700], CL: [-35.7, -71.5, 2200], CO: [4.6, -74.3, 900], PE: [-9.2, -75.0, 1000],
  VE: [7.1, -66.2, 800], EC: [-1.8, -78.2, 500], UY: [-32.5, -55.8, 350], PY: [-23.4, -58.4, 600],
  BO: [-16.3, -63.6, 800], CR: [9.7, -83.8, 250], PA: [8.5, -80.8, 300], GT: [15.8, -90.2, 300],
  DO: [18.7, -70.2, 250], PR: [18.2, -66.5, 100], JM: [18.1, -77.3, 150],
  // Asia, Oceania, Africa, Middle East
  JP: [36.2, 138.3, 1500], KR: [36.5, 127.9, 350], CN: [35.9, 104.2, 2500], TW: [23.7, 121.0, 250],
  HK: [22.3, 114.2, 40], IN: [21.0, 78.0, 1800], ID: [-2.5, 118.0, 2500], PH: [12.9, 121.8, 1000],
  TH: [15.9, 100.9, 900], VN: [14.1, 108.3, 1000], MY: [4.2, 102.0, 1100], SG: [1.35, 103.8, 30],
  AU: [-25.3, 133.8, 2600], NZ: [-41.0, 174.0, 900], ZA: [-30.6, 22.9, 1000], EG: [26.8, 30.8, 800],
  MA: [31.8, -7.1, 700], NG: [9.1, 8.7, 700], KE: [0.0, 37.9, 600], IL: [31.0, 34.9, 250],
  AE: [23.4, 53.8, 300], SA: [23.9, 45.1, 1200], QA: [25.3, 51.2, 100], PK: [30.4, 69.3, 900],
};

const EARTH_KM = 6371;

function haversineKm(a: Geo, b: Geo): number {
  const rad = Math.PI / 180;
  const dLat = (b[0] - a[0]) * rad;
  const dLon = (b[1] - a[1]) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a[0] * rad) * Math.cos(b[0] * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** Lower bound of the distance between two countries in km; undefined if either is not listed. */
export function minDistanceKm(a: string, b: string): number | undefined {
  const ga = GEO[a.toUpperCase()];
  const gb = GEO[b.toUpperCase()];
  if (!ga || !gb) return undefined;
  if (a.toUpperCase() === b.toUpperCase()) return 0;
  return Math.max(0, haversineKm(ga, gb) - ga[2] - gb[2]);
}

/** A jet's ground speed; door to door is slower, which keeps the bound conservative. */
const FLIGHT_KMH = 900;
/** Check-in, boarding and getting to a screen at the other end, on top of the flight itself. */
const TRAVEL_OVERHEAD_H = 2;
/** Unlisted countries: two hours apart is the one rule that still allows for short hops. */
const UNLISTED_H = 2;

/**
 * Least hours between being in country a and in country b. 0 where the two may touch
 * (neighbours, or a bound that reaches 0): a play each side of a border minutes apart is normal.
 */
export function minTravelHours(a: string, b: string): number {
  if (!a || !b || a.toUpperCase() === b.toUpperCase()) return 0;
  const km = minDistanceKm(a, b);
  if (km === undefined) return UNLISTED_H;
  if (km === 0) return 0;
  return TRAVEL_OVERHEAD_H + km / FLIGHT_KMH;
}
