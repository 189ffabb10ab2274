// How each kind of Netflix client resolves names: at app start, while browsing, around and during
// a play, and while it sits idle. Every figure comes from src/core/services/netflix.md (source ids
// in brackets); the ones marked "estimate" there are estimates here too. A lookup is
// {ts, ip, name, qtype}; the Pi-hole renderer turns it into log lines.
import { answerFor } from './names.mjs';
import { MINUTE, SECOND } from './time.mjs';

/** Client kinds and the names each uses. */
export const KINDS = {
  // Smart-TV app (NRDP): resolves 1-3 OCA names at play start, rarely later [S3, S5].
  tv_app: {
    nccp: 'nrdp.nccp.netflix.com', boot: ['appboot.netflix.com', 'nrdp51-appboot.netflix.com'], api: ['api-global.netflix.com'],
    telemetry: ['ichnaea.netflix.com', 'customerevents.netflix.com', 'logs.netflix.com'], extraBg: ['nrdp.prod.ftl.netflix.com'],
    resolvesVideo: true, mbps: [4, 8],
  },
  // Android TV / streaming stick: the manifest hands it IP addresses, it never resolves a video name [S4, S5, S8, S23].
  android_tv_direct_ip: {
    nccp: 'android.nccp.netflix.com', boot: ['appboot.netflix.com'], api: ['api-global.netflix.com', 'android.prod.cloud.netflix.com'],
    telemetry: ['ichnaea.netflix.com', 'logs.netflix.com'], extraBg: ['nflx-android-tv.prod.partner.netflix.net'],
    resolvesVideo: false, mbps: [4, 7],
  },
  phone_app_ios: {
    nccp: 'ios.nccp.netflix.com', boot: ['appboot.netflix.com'], api: ['api-global.netflix.com', 'ios.prod.cloud.netflix.com'],
    telemetry: ['ichnaea.netflix.com', 'customerevents.netflix.com'], extraBg: [], aaaaApi: true, resolvesVideo: true, mbps: [1.5, 3],
  },
  phone_app_android: {
    nccp: 'android.nccp.netflix.com', boot: ['appboot.netflix.com'], api: ['api-global.netflix.com', 'android.prod.cloud.netflix.com'],
    telemetry: ['ichnaea.netflix.com', 'logs.netflix.com'], extraBg: [], resolvesVideo: true, mbps: [1.5, 3],
  },
  // Browser: playback events go to www.netflix.com, the same name as browsing [S9]; short DNS cache.
  browser: {
    nccp: 'www.netflix.com', boot: [], api: ['www.netflix.com', 'assets.nflxext.com'],
    telemetry: ['www.netflix.com', 'ichnaea-web.netflix.com'], extraBg: ['push.prod.netflix.com'],
    resolvesVideo: true, browserVideo: true, mbps: [3, 5],
  },
};

/** Which truth kind a device's client is reported as. */
export const truthKind = (kind) => (kind.startsWith('phone_app') ? 'phone_app' : kind);

function artwork(rng) {
  return rng.chance(0.7)
    ? `occ-0-${rng.int(100, 4999)}-${rng.int(100, 4999)}.1.nflxso.net`
    : rng.pick(['art-s.nflximg.net', 'art-1.nflximg.net', 'art-2.nflximg.net', 'artwork.akam.nflximg.net', 'tp.akam.nflximg.com']);
}

const both = (out, ts, ip, name) => {
  out.push({ ts, ip, name, qtype: 'A' });
  out.push({ ts: ts + 3, ip, name, qtype: 'AAAA' });
};

/** Launching the app: boot config, API, artwork, a log upload, within ~20 s [S7, S12, S15]. */
export function appStart(kind, ip, t, rng, out) {
  const k = KINDS[kind];
  for (const b of k.boot) out.push({ ts: t + rng.between(0, 3) * SECOND, ip, name: b, qtype: 'A' });
  for (const a of k.api) (k.aaaaApi ? both : (o, ts, i, n) => o.push({ ts, ip: i, name: n, qtype: 'A' }))(out, t + rng.between(1, 5) * SECOND, ip, a);
  out.push({ ts: t + rng.between(1, 4) * SECOND, ip, name: k.telemetry[0], qtype: 'A' });
  if (kind === 'tv_app' || rng.chance(0.3)) out.push({ ts: t + rng.between(2, 8) * SECOND, ip, name: k.telemetry.at(-1), qtype: 'A' });
  for (let i = rng.int(2, 4); i > 0; i--) out.push({ ts: t + rng.between(4, 20) * SECOND, ip, name: artwork(rng), qtype: 'A' });
  if (kind === 'browser') out.push({ ts: t + rng.between(5, 15) * SECOND, ip, name: 'push.prod.netflix.com', qtype: 'A' });
}

/** Browsing the catalogue from..to: artwork every 20-90 s, API every 1-3 min, impressions [S7, S11]. */
export function browse(kind, ip, from, to, rng, out) {
  const k = KINDS[kind];
  for (let t = from + rng.between(10, 60) * SECOND; t < to; t += rng.between(20, 90) * SECOND) out.push({ ts: t, ip, name: artwork(rng), qtype: 'A' });
  for (let t = from + rng.between(30, 90) * SECOND; t < to; t += rng.between(1, 3) * MINUTE) out.push({ ts: t, ip, name: k.api[0], qtype: 'A' });
  for (let t = from + rng.between(60, 120) * SECOND; t < to; t += rng.between(2, 5) * MINUTE) {
    out.push({ ts: t, ip, name: 'presentationtracking.netflix.com', qtype: 'A' });
  }
}

/** The Open Connect names a manifest offers for one play (ranked list, S5). */
function manifestOcas(rng) {
  const site = rng.pick(['ams001', 'ams002', 'fra002']);
  return Array.from({ length: 6 }, () => `${rng.chance(0.5) ? 'ipv6' : 'ipv4'}-c${String(rng.int(1, 180)).padStart(3, '0')}-${site}-ix.1.oca.nflxvideo.net`);
}

/** Telemetry lookup intervals while playing: 1-20 min, median ~5 (estimate, netflix.md). */
const telemetryGap = (rng) => (1 + 19 * rng.next() ** 2) * MINUTE;

/**
 * The lookups of one play [start, end] (start = first video byte, end = last) and the Open Connect
 * addresses its video flows use. Before start: choosing (NCCP manifest) and the start burst of
 * OCA names; during: rare OCA lookups, telemetry at the playing cadence, NCCP at episode changes;
 * at end: the stop event's telemetry within a minute, then the home screen [S9].
 */
export function playLookups(kind, ip, play, rng, out) {
  const k = KINDS[kind];
  const { start, end } = play;
  const ocas = manifestOcas(rng);
  const ocaIps = [];
  const useOca = (t, name) => {
    const addr = answerFor(name, 'A').addrs[0];
    if (!ocaIps.includes(addr)) ocaIps.push(addr);
    if (k.resolvesVideo) both(out, t, ip, name);
  };
  const nccpAt = start - rng.between(8, 30) * SECOND;
  (kind === 'phone_app_ios' ? both : (o, ts, i, n) => o.push({ ts, ip: i, name: n, qtype: 'A' }))(out, nccpAt, ip, k.nccp);
  out.push({ ts: start - rng.between(0, 20) * SECOND, ip, name: k.telemetry[0], qtype: 'A' });
  const first = rng.int(1, 3);
  for (let i = 0; i < first; i++) useOca(start - rng.between(0, 8) * SECOND, ocas[i]);
  // Later OCA lookups: browsers every 5-15 min (short DNS cache), apps rarely (mean 40 min; estimate).
  let next = first;
  const refresh = () => (k.browserVideo ? rng.between(5, 15) * MINUTE : rng.exp(40 * MINUTE));
  for (let t = start + refresh(); t < end - MINUTE; t += refresh()) useOca(t, ocas[next++ % ocas.length]);
  // Episode changes of a series: a new manifest (NCCP) and its log (estimate: every 22-50 min).
  if (rng.chance(0.5)) {
    for (let t = start + rng.between(22, 50) * MINUTE; t < end - 2 * MINUTE; t += rng.between(22, 50) * MINUTE) {
      out.push({ ts: t, ip, name: k.nccp, qtype: 'A' });
      if (rng.chance(0.3)) useOca(t + 2 * SECOND, ocas[next++ % ocas.length]);
    }
  }
  for (let t = start + telemetryGap(rng); t < end; t += telemetryGap(rng)) telemetryBurst(k, ip, t, rng, out);
  // The stop: engage + stop events within a minute of the last video byte [S9].
  telemetryBurst(k, ip, end + rng.between(2, 60) * SECOND, rng, out);
  return { ocaIps };
}

function telemetryBurst(k, ip, t, rng, out) {
  const names = k.telemetry.filter((n, i) => i === 0 || rng.chance(0.4));
  const pick = rng.pick(names);
  out.push({ ts: t, ip, name: pick, qtype: 'A' });
  if (names.length > 1 && rng.chance(0.3)) out.push({ ts: t + rng.between(1, 20) * SECOND, ip, name: rng.pick(names), qtype: 'A' });
}

/** Back on the home screen after a play: the API and a few artwork rows within 2 minutes. */
export function homeScreen(kind, ip, t, rng, out) {
  const k = KINDS[kind];
  out.push({ ts: t + rng.between(5, 60) * SECOND, ip, name: k.api[0], qtype: 'A' });
  for (let i = rng.int(0, 3); i > 0; i--) out.push({ ts: t + rng.between(10, 120) * SECOND, ip, name: artwork(rng), qtype: 'A' });
}

/**
 * An app left open with nobody watching (TV on the Netflix home screen): a phone-home burst every
 * 15-45 min (estimate, "a few times an hour"): boot config + API, a log upload in half of them,
 * sometimes a latency probe or artwork refresh [S10, S15, S21]. Never a video name.
 */
export function idleApp(kind, ip, from, to, rng, out) {
  const k = KINDS[kind];
  for (let t = from + rng.between(15, 45) * MINUTE; t < to; t += rng.between(15, 45) * MINUTE) {
    for (const b of k.boot) out.push({ ts: t + rng.between(0, 5) * SECOND, ip, name: b, qtype: 'A' });
    out.push({ ts: t + rng.between(2, 10) * SECOND, ip, name: k.api[0], qtype: 'A' });
    if (rng.chance(0.5)) out.push({ ts: t + rng.between(5, 40) * SECOND, ip, name: rng.pick(k.telemetry), qtype: 'A' });
    for (const e of k.extraBg) if (rng.chance(0.4)) out.push({ ts: t + rng.between(5, 50) * SECOND, ip, name: e, qtype: 'A' });
    if (rng.chance(0.3)) out.push({ ts: t + rng.between(10, 55) * SECOND, ip, name: artwork(rng), qtype: 'A' });
  }
}

/** A browser tab left open: the push websocket reconnects every 3-8 min [S14], the site now and then. */
export function idleTab(ip, from, to, rng, out) {
  for (let t = from + rng.between(3, 8) * MINUTE; t < to; t += rng.between(3, 8) * MINUTE) out.push({ ts: t, ip, name: 'push.prod.netflix.com', qtype: 'A' });
  for (let t = from + rng.between(20, 40) * MINUTE; t < to; t += rng.between(20, 40) * MINUTE) out.push({ ts: t, ip, name: 'www.netflix.com', qtype: 'A' });
}

/** A phone with the app in the background: a boot/API check every 1-3 h (estimate). */
export function phoneBackground(kind, ip, from, to, rng, out) {
  const k = KINDS[kind];
  for (let t = from + rng.between(20, 180) * MINUTE; t < to; t += rng.between(60, 180) * MINUTE) {
    out.push({ ts: t, ip, name: rng.pick([...k.boot, k.api[0]]), qtype: 'A' });
    if (rng.chance(0.5)) out.push({ ts: t + rng.between(1, 10) * SECOND, ip, name: k.api.at(-1), qtype: 'A' });
  }
}
