// Netflix's account export: import the plays, and judge them against the home's sessions.
import { stat } from 'node:fs/promises';
import { mergeIntervals } from '../core/reconcile/match.js';
import { outsideHomeAlerts } from '../core/reconcile/report.js';
import { reconcile, type HomeSession, type Interval, type ReconcileResult } from '../core/reconcile/reconcile.js';
import type { SkipCounts } from '../core/types.js';
import { readViewingFile, titleHash, type ViewingCounts, type ViewingFormat } from '../sources/netflix-export/viewing-activity.js';
import { PlayImport } from '../store/play-import.js';
import type { IngestDeps } from './deps.js';
import { deviceFacts } from './rebuild.js';

export interface ViewingIngestResult {
  readonly path: string;
  readonly format: ViewingFormat;
  readonly rows: number;
  readonly plays: number;
  readonly added: number;
  readonly previews: number;
  readonly skipped: SkipCounts;
  readonly skippedLines: readonly { line: number; reason: string }[];
}

export async function ingestViewingActivity(deps: IngestDeps, path: string, now: number): Promise<ViewingIngestResult> {
  const storeTitles = deps.config.viewing_activity.store_titles;
  const titleOf = (p: { title: string }): { title: string; hashed: boolean } =>
    storeTitles ? { title: p.title, hashed: false } : { title: titleHash(p.title), hashed: true };
  if ((await stat(path)).size === 0) {
    return { path, format: 'viewing_activity', rows: 0, plays: 0, added: 0, previews: 0, skipped: {}, skippedLines: [] };
  }
  // Staged, then merged in key order (store/play-import.ts); what was read before a failure is kept.
  const importer = new PlayImport(deps.store.db, titleOf, now);
  let added = 0;
  let counts: ViewingCounts;
  try {
    counts = await readViewingFile(path, (plays) => importer.stage(plays));
  } finally {
    added = importer.merge();
  }
  return {
    path,
    format: counts.format,
    rows: counts.rows,
    plays: counts.plays,
    added,
    previews: counts.previews,
    skipped: counts.skipped,
    skippedLines: counts.skippedLines,
  };
}

/** Two sources' data further apart than this leave a hole in which nothing could be seen. */
const COVERAGE_GAP_MS = 30 * 60_000;

/** When the home network was watched: the spans of every log and capture read, merged. */
export function coverage(deps: IngestDeps): Interval[] {
  const spans = deps.store.sources
    .all()
    .filter((s) => (s.kind === 'pihole' || s.kind === 'capture') && s.firstEvent !== null && s.lastEvent !== null)
    .map((s) => ({ start: s.firstEvent as number, end: s.lastEvent as number }))
    .sort((a, b) => a.start - b.start);
  const bridged: Interval[] = [];
  for (const s of spans) {
    const last = bridged[bridged.length - 1];
    if (last && s.start - last.end <= COVERAGE_GAP_MS) bridged[bridged.length - 1] = { start: last.start, end: Math.max(last.end, s.end) };
    else bridged.push(s);
  }
  return mergeIntervals(bridged);
}

export function homeSessions(deps: IngestDeps): HomeSession[] {
  const facts = deviceFacts(deps);
  const devices = new Map(deps.store.devices.list().map((d) => [d.device, d]));
  return deps.store.sessions.query({ service: 'netflix' }).map((s) => {
    const d = devices.get(s.device);
    return {
      id: s.id,
      device: {
        mac: s.device,
        name: facts.get(s.device)?.label ?? d?.name ?? null,
        vendor: d?.vendor || null,
        hostname: d?.hostname ?? null,
      },
      start: s.start,
      end: s.end,
    };
  });
}

export function reconcileNow(deps: IngestDeps, opts: { since?: number | undefined; profile?: string | undefined } = {}): ReconcileResult {
  const plays = deps.store.plays.all(opts.since).filter((p) => opts.profile === undefined || p.profile.toLowerCase() === opts.profile.toLowerCase());
  const va = deps.config.viewing_activity;
  return reconcile({
    plays,
    sessions: homeSessions(deps),
    coverage: coverage(deps),
    config: {
      toleranceS: va.tolerance / 1000,
      timeZone: deps.timeZone,
      ...(va.home_country ? { homeCountry: va.home_country } : {}),
    },
  });
}

/** Plays that began this long before monitoring began are left out of the alert judgement (below). */
const LONGEST_PLAY_MS = 2 * 86_400_000;

/**
 * outside_home alerts for every play of the account; the store keeps each key once. Only plays
 * the home network could have seen are judged: any other play is `unknown_coverage`, which
 * never alerts, never counts in a sharing score and never takes a session, so leaving it out
 * changes no alert and no severity, and memory follows the months monitored, not the size of
 * the export (300,000 plays of 8 years judged whole took 700 MB). The one account-wide figure,
 * the most common country (the home country when no play matched at home), comes from SQL.
 */
export function raiseOutsideHomeAlerts(deps: IngestDeps, now: number): number[] {
  const cover = coverage(deps);
  const first = cover[0];
  if (first === undefined) return [];
  const va = deps.config.viewing_activity;
  const since = first.start - va.tolerance - LONGEST_PLAY_MS;
  const result = reconcile({
    plays: deps.store.plays.all(since),
    sessions: homeSessions(deps),
    coverage: cover,
    config: {
      toleranceS: va.tolerance / 1000,
      timeZone: deps.timeZone,
      ...(va.home_country ? { homeCountry: va.home_country } : { allPlaysCountry: deps.store.plays.mostCommonCountry() }),
    },
  });
  const alerts = outsideHomeAlerts(result, { deviceTypes: new Set(), countries: new Set() });
  return deps.store.tx(() => deps.store.alerts.addNew(alerts.map((alert) => ({ alert, sessionId: null })), now));
}
