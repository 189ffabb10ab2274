// The household and its days: who watches what when, who browses without playing, which app sits
// idle all night; and the alerts a correct monitor raises for it. Times are epoch ms.
import { firstInWindow, HOUR, MINUTE, parseWindow } from './time.mjs';

/** The home. `kind` names the client (clients.mjs); `config: false` devices are unknown to nfmon. */
export const DEVICES = [
  { key: 'tv', name: 'Living room TV', hostname: 'Samsung-TV', mac: '8c:79:f5:3c:5a:01', ip: '192.168.1.20', kind: 'tv_app', trust: 'trusted' },
  { key: 'stick', name: 'Bedroom TV stick', hostname: 'Chromecast', mac: 'f4:f5:d8:7a:22:02', ip: '192.168.1.21', kind: 'android_tv_direct_ip', trust: 'known' },
  { key: 'pixel', name: "Sam's Pixel", hostname: 'Pixel-7', mac: 'da:a1:19:4e:55:04', ip: '192.168.1.23', kind: 'phone_app_android', trust: 'known' },
  { key: 'iphone', name: "Kid's iPhone", hostname: 'iPhone', mac: '3e:1b:7f:2c:66:05', ip: '192.168.1.24', kind: 'phone_app_ios', trust: 'known', quietHours: '21:00-07:00' },
  { key: 'laptop', name: 'Laptop', hostname: 'MacBook-Air', mac: '3c:22:fb:aa:bb:06', ip: '192.168.1.30', kind: 'browser', trust: 'trusted' },
  { key: 'guest', name: null, hostname: 'Redmi-Note-12', mac: '18:59:36:bb:77:07', ip: '192.168.1.40', kind: 'phone_app_android', trust: 'unknown', config: false },
];

/** Devices that never use Netflix: only household noise. */
export const OTHER_DEVICES = [
  { hostname: 'HP-LaserJet', mac: '3c:d9:2b:11:22:08', ip: '192.168.1.50' },
  { hostname: 'Sonos-Kitchen', mac: '54:2a:1b:33:44:09', ip: '192.168.1.51' },
];

export const QUIET_HOURS = '00:00-06:00';
export const MAX_STREAMS = 2;
/** Two activities of one device are kept this far apart, so each play is unambiguous. */
const SPACING = 40 * MINUTE;

/**
 * Plans `days` local days from `day0` (ms of local midnight, via zone). Returns activities
 * {type: play|browse|idle|tab|background, device, start, end}. Some structure is fixed so every
 * household has what the benchmark needs: on the first evening three screens overlap (one over
 * the plan) and the TV is left on the home screen all night.
 */
export function planDays(zone, y, mo, d, days, rng) {
  const acts = [];
  const at = (day, h, m = 0) => zone.fromLocal(y, mo, d + day, 0, 0) + (h * 60 + m) * MINUTE;
  const free = (device, start, end) => acts.every((a) => a.device !== device || a.type === 'background' || end + SPACING <= a.start || a.end + SPACING <= start);
  const add = (type, device, start, durMin) => {
    const end = start + durMin * MINUTE;
    if (!free(device, start, end)) return undefined;
    const a = { type, device, start: Math.round(start), end: Math.round(end) };
    acts.push(a);
    return a;
  };
  const minutes = (lo, hi) => rng.between(lo, hi);
  for (let day = 0; day < days; day++) {
    const first = day === 0;
    // TV: an evening film or episodes, sometimes a second play, sometimes a late one into quiet hours.
    const e1 = add('play', 'tv', first ? at(day, 19, minutes(30, 45)) : at(day, 19, minutes(0, 120)), first ? minutes(100, 140) : minutes(40, 140));
    let last = e1;
    if (e1 && rng.chance(0.55)) last = add('play', 'tv', e1.end + minutes(45, 90) * MINUTE, minutes(20, 80)) ?? last;
    if (rng.chance(0.4)) last = add('play', 'tv', at(day, 23, minutes(0, 90)), minutes(30, 110)) ?? last;
    if (rng.chance(0.5)) add('browse', 'tv', at(day, 17, minutes(0, 90)), minutes(3, 15));
    // The TV left on the Netflix home screen after its last play: always the first night.
    if (last && (first || rng.chance(0.3))) acts.push({ type: 'idle', device: 'tv', start: last.end + 3 * MINUTE, end: at(day + 1, 6, minutes(30, 90)) });
    // Streaming stick (direct IP): evening, sometimes a night play in quiet hours.
    if (first || rng.chance(0.7)) add('play', 'stick', first ? at(day, 20, minutes(0, 30)) : at(day, 20, minutes(0, 150)), minutes(30, 120));
    if (rng.chance(0.35)) add('play', 'stick', at(day, 24, minutes(30, 150)), minutes(20, 70));
    // Laptop browser.
    const lp = first ? add('play', 'laptop', at(day, 20, minutes(15, 45)), minutes(60, 100)) : rng.chance(0.6) ? add('play', 'laptop', at(day, 12, minutes(0, 600)), minutes(20, 100)) : undefined;
    if (lp && rng.chance(0.5)) acts.push({ type: 'tab', device: 'laptop', start: lp.end + 2 * MINUTE, end: lp.end + minutes(30, 120) * MINUTE });
    // Phones: a commute play, lunch-time browsing, a kid's afternoon play and now and then one past bedtime.
    if (rng.chance(0.6)) add('play', 'pixel', at(day, 7, minutes(0, 90)), minutes(20, 45));
    if (rng.chance(0.6)) add('browse', 'pixel', at(day, 12, minutes(0, 60)), minutes(3, 12));
    if (rng.chance(0.6)) add('play', 'iphone', at(day, 15, minutes(0, 120)), minutes(20, 60));
    if (rng.chance(0.5)) add('browse', 'iphone', at(day, 18, minutes(0, 60)), minutes(3, 12));
    if (rng.chance(0.3)) add('play', 'iphone', at(day, 21, minutes(15, 75)), minutes(20, 45));
    // A guest's phone that nobody registered, on the second day.
    if (day === Math.min(1, days - 1)) add('play', 'guest', at(day, 14, minutes(0, 120)), minutes(20, 60));
  }
  // Phones keep the app in the background all day.
  for (const device of ['pixel', 'iphone']) acts.push({ type: 'background', device, start: at(0, 0), end: at(days, 9) });
  return acts.sort((a, b) => a.start - b.start);
}

/**
 * The alerts a correct monitor raises: quiet_hours once per play with video inside the device's
 * window; unknown_device once per unknown device that plays; concurrent_streams once per crossing
 * above MAX_STREAMS. `direct_ip` marks alerts only a capture can prove.
 */
export function expectedAlerts(zone, plays, devices) {
  const out = [];
  for (const p of plays) {
    const dev = devices.find((d) => d.mac === p.device_mac);
    const w = parseWindow(dev.quietHours ?? QUIET_HOURS);
    const t = firstInWindow(zone, p.startMs, p.endMs, w);
    if (t !== undefined) out.push({ rule: 'quiet_hours', device_mac: p.device_mac, play_id: p.id, at: t, direct_ip: !p.resolves_video_name });
  }
  const seen = new Set();
  for (const p of [...plays].sort((a, b) => a.startMs - b.startMs)) {
    const dev = devices.find((d) => d.mac === p.device_mac);
    if (dev.trust !== 'unknown' || seen.has(dev.mac)) continue;
    seen.add(dev.mac);
    out.push({ rule: 'unknown_device', device_mac: dev.mac, play_id: p.id, at: p.startMs, direct_ip: !p.resolves_video_name });
  }
  const edges = plays.flatMap((p) => [{ ts: p.startMs, d: 1, p }, { ts: p.endMs, d: -1, p }]).sort((a, b) => a.ts - b.ts || a.d - b.d);
  const playing = new Set();
  let over = false;
  for (const e of edges) {
    if (e.d > 0) playing.add(e.p);
    else playing.delete(e.p);
    if (!over && playing.size > MAX_STREAMS) {
      over = true;
      out.push({ rule: 'concurrent_streams', device_mac: e.p.device_mac, play_id: e.p.id, at: e.ts, play_ids: [...playing].map((p) => p.id), direct_ip: [...playing].some((p) => !p.resolves_video_name) });
    } else if (over && playing.size <= MAX_STREAMS) over = false;
  }
  return out.sort((a, b) => a.at - b.at);
}

export const spanEnd = (zone, y, mo, d, days) => zone.fromLocal(y, mo, d + days, 9, 0);
export { HOUR };
