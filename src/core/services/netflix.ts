// The role of every Netflix name, as data. Each entry names its public sources by id; the ids,
// the evidence behind each role and the cadence figures the session model needs are in
// netflix.md beside this file. A name matches an entry when it equals `suffix` or ends with
// `.` + suffix; the longest matching suffix wins, so hosts override their domain's default.

/**
 * video: proves viewing. playback: telemetry of a playing title, carries an open session through
 * silence (at the playing cadence, see netflix.md), never starts one. ui: opening the app and
 * choosing a title, may start a session just before video. background: idle phone-home, never
 * starts or extends a session.
 */
export type NameRole = 'video' | 'playback' | 'ui' | 'background';

export interface NameEntry {
  readonly suffix: string;
  readonly role: NameRole;
  readonly sources: readonly string[];
}

export const NETFLIX_NAMES: readonly NameEntry[] = [
  // The registrable domains: their default role.
  { suffix: 'nflxvideo.net', role: 'video', sources: ['S1', 'S2', 'S5', 'S6'] },
  { suffix: 'netflix.com', role: 'ui', sources: ['S7', 'S10'] },
  { suffix: 'netflix.net', role: 'background', sources: ['S21'] },
  { suffix: 'nflxso.net', role: 'ui', sources: ['S10', 'S19'] },
  { suffix: 'nflximg.net', role: 'ui', sources: ['S7'] },
  { suffix: 'nflximg.com', role: 'ui', sources: ['S7'] },
  { suffix: 'nflxext.com', role: 'ui', sources: ['S4', 'S18'] },
  { suffix: 'fast.com', role: 'background', sources: ['S20'] },

  // Open Connect video servers (ipv4-c012-ams001-ix.1.oca..., ISP-embedded ...-isp.1.oca...).
  { suffix: 'oca.nflxvideo.net', role: 'video', sources: ['S1', 'S3', 'S5'] },

  // Opening the app, browsing, choosing: API, website, manifests and licences (NCCP).
  { suffix: 'www.netflix.com', role: 'ui', sources: ['S9'] },
  { suffix: 'api-global.netflix.com', role: 'ui', sources: ['S7', 'S10'] },
  { suffix: 'nccp.netflix.com', role: 'ui', sources: ['S3', 'S7', 'S16', 'S19'] },
  { suffix: 'secure.netflix.com', role: 'ui', sources: ['S10'] },
  { suffix: 'ios.prod.cloud.netflix.com', role: 'ui', sources: ['S10'] },
  { suffix: 'android.prod.cloud.netflix.com', role: 'ui', sources: ['S10'] },

  // Telemetry of a playing title. Idle apps resolve these too, at a slower cadence: netflix.md
  // ("Where the evidence cannot tell playback from idle telemetry") gives the figures.
  { suffix: 'ichnaea.netflix.com', role: 'playback', sources: ['S7', 'S13'] },
  { suffix: 'ichnaea-web.netflix.com', role: 'playback', sources: ['S11'] },
  { suffix: 'ichnaea.geo.netflix.com', role: 'playback', sources: ['S7'] },
  { suffix: 'ichnaea.us-west-2.prodaa.netflix.com', role: 'playback', sources: ['S7'] },
  { suffix: 'ichnaea.dradis.netflix.com', role: 'playback', sources: ['S11'] },
  { suffix: 'customerevents.netflix.com', role: 'playback', sources: ['S10', 'S11'] },
  { suffix: 'customerevents.dradis.netflix.com', role: 'playback', sources: ['S11'] },
  { suffix: 'logs.netflix.com', role: 'playback', sources: ['S11', 'S12'] },
  { suffix: 'logs.dradis.netflix.com', role: 'playback', sources: ['S11'] },

  // Idle phone-home: boot config, push channel, latency probes, UI tracking, partner tiles.
  { suffix: 'appboot.netflix.com', role: 'background', sources: ['S7', 'S15'] },
  { suffix: 'nrdp50-appboot.netflix.com', role: 'background', sources: ['S15'] },
  { suffix: 'nrdp51-appboot.netflix.com', role: 'background', sources: ['S15'] },
  { suffix: 'android-appboot.netflix.com', role: 'background', sources: ['S15'] },
  { suffix: 'push.prod.netflix.com', role: 'background', sources: ['S14'] },
  { suffix: 'nrdp.prod.ftl.netflix.com', role: 'background', sources: ['S10'] },
  { suffix: 'latency.prodaa.netflix.com', role: 'background', sources: ['S7'] },
  { suffix: 'presentationtracking.netflix.com', role: 'background', sources: ['S11'] },
  { suffix: 'nmtracking.netflix.com', role: 'background', sources: ['S11'] },
  { suffix: 'perfmetrics.netflix.com', role: 'background', sources: ['S11'] },
  { suffix: 'aidsvc.netflix.com', role: 'background', sources: ['S11'] },
  { suffix: 'prod.partner.netflix.net', role: 'background', sources: ['S21'] },
];

/** The role of a DNS name (any case, optional trailing dot) by its longest matching suffix. */
export function netflixRole(name: string, entries: readonly NameEntry[] = NETFLIX_NAMES): NameRole | undefined {
  let n = name.toLowerCase();
  if (n.endsWith('.')) n = n.slice(0, -1);
  let best: NameEntry | undefined;
  for (const e of entries) {
    const hit = n === e.suffix || n.endsWith(`.${e.suffix}`);
    if (hit && (!best || e.suffix.length > best.suffix.length)) best = e;
  }
  return best?.role;
}
