// One-off ingest of several files (nfmon ingest): leases first, so that they apply to the events
// of the other files given in the same call, then logs, captures and exports, then one rebuild.
import { statSync } from 'node:fs';
import { leasesToIntervals } from '../core/leases.js';
import type { SkipCounts } from '../core/types.js';
import { readLeaseFile } from '../sources/leases/read.js';
import type { IngestDeps } from './deps.js';
import type { CaptureIngestResult } from './capture.js';
import { ingestFtlDatabase, type FtlIngestResult } from './pihole-db.js';
import { ingestPiholeLog, type LogIngestResult } from './pihole-log.js';
import type { ProgressSink } from './progress.js';
import type { ViewingIngestResult } from './viewing.js';
import { rebuildPending } from './rebuild.js';
import { storeLeases } from './identity.js';
import { namingDatabase } from '../store/db.js';

export interface IngestRequest {
  readonly logs: readonly string[];
  /** Pi-hole FTL databases (pihole-FTL.db); absent in a request an older CLI handed over. */
  readonly piholeDbs?: readonly string[];
  readonly leases: readonly string[];
  readonly pcaps: readonly string[];
  readonly viewingActivity: readonly string[];
}

export interface LeaseIngestResult {
  readonly path: string;
  readonly format: string | undefined;
  readonly leases: number;
  readonly skipped: SkipCounts;
  /** The first broken lines, to name them. */
  readonly errors: readonly { line: number; reason: string }[];
  readonly earliest: number | undefined;
}

export interface IngestReport {
  readonly logs: LogIngestResult[];
  readonly piholeDbs: FtlIngestResult[];
  readonly leases: LeaseIngestResult[];
  readonly pcaps: CaptureIngestResult[];
  readonly viewingActivity: ViewingIngestResult[];
  readonly sessions: number;
  readonly newAlerts: number;
  readonly newAlertIds: number[];
  /** Alerts first derived now about events older than rules.notify_max_age: recorded, not pushed. */
  readonly historyAlerts: number;
  /** A rebuild left pending by an earlier writer was completed first. */
  readonly resumedRebuild: boolean;
  readonly errors: string[];
}

export interface IngestOptions {
  readonly now: number;
  readonly progress?: ProgressSink | undefined;
}

export async function ingestLeaseFile(deps: IngestDeps, path: string, now: number): Promise<LeaseIngestResult> {
  const observedAt = Math.min(now, statSync(path).mtimeMs);
  const parsed = await readLeaseFile(path, { referenceTs: observedAt });
  const intervals = leasesToIntervals([{ observedAt, leases: parsed.leases, source: path }], {
    leaseTimeMs: deps.config.leases.lease_time,
  });
  storeLeases(deps.store, intervals);
  const starts = intervals.map((i) => i.start).filter((s) => s > 0);
  return {
    path,
    format: parsed.format,
    leases: parsed.leases.length,
    skipped: parsed.skipped,
    errors: parsed.errors.slice(0, 10).map((e) => ({ line: e.line, reason: e.reason })),
    earliest: starts.length > 0 ? Math.min(...starts) : undefined,
  };
}

export async function ingestAll(deps: IngestDeps, req: IngestRequest, opts: IngestOptions): Promise<IngestReport> {
  const errors: string[] = [];
  // Whatever an earlier writer stored and did not derive (it was killed, the disk was full) first.
  const earlier = rebuildPending(deps.rebuildContext(), opts.now);
  const attempt = async <T>(path: string, fn: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await fn();
    } catch (err) {
      // SQLite's own words name neither our database nor the fix ("database or disk is full").
      const named = namingDatabase(err, deps.store.file);
      const message = (named as Error).message;
      errors.push(`${message.startsWith(path) ? '' : `${path}: `}${message}`);
      return undefined;
    }
  };
  const leases: LeaseIngestResult[] = [];
  for (const path of req.leases) {
    const r = await attempt(path, () => ingestLeaseFile(deps, path, opts.now));
    if (r) leases.push(r);
  }
  const piholeDbs: FtlIngestResult[] = [];
  for (const path of req.piholeDbs ?? []) {
    const r = await attempt(path, () => ingestFtlDatabase(deps, path, { now: opts.now }));
    if (r) piholeDbs.push(r);
  }
  const logs: LogIngestResult[] = [];
  for (const path of req.logs) {
    // Large batches for a one-off import: fewer commits; resuming granularity matters only when tailing.
    const r = await attempt(path, () => ingestPiholeLog(deps, path, { final: true, now: opts.now, batchLines: 20_000, progress: opts.progress }));
    if (r) logs.push(r);
  }
  // Capture decoding and the CSV parser are loaded only when asked for: a Pi's RAM is small.
  const { ingestCapture } = req.pcaps.length > 0 ? await import('./capture.js') : { ingestCapture: undefined };
  const { ingestViewingActivity, raiseOutsideHomeAlerts } =
    req.viewingActivity.length > 0 ? await import('./viewing.js') : { ingestViewingActivity: undefined, raiseOutsideHomeAlerts: undefined };
  const pcaps: CaptureIngestResult[] = [];
  for (const path of req.pcaps) {
    if (!ingestCapture) break;
    const r = await attempt(path, () => ingestCapture(deps, path, { now: opts.now, progress: opts.progress }));
    if (r) pcaps.push(r);
    if (r?.error) errors.push(r.error);
  }
  const viewingActivity: ViewingIngestResult[] = [];
  for (const path of req.viewingActivity) {
    if (!ingestViewingActivity) break;
    const r = await attempt(path, () => ingestViewingActivity(deps, path, opts.now));
    if (r) viewingActivity.push(r);
  }
  // Leases were stored first, so one rebuild at the end applies them to the other files' events.
  const rebuild = rebuildPending(deps.rebuildContext(), opts.now);
  // Plays are judged against the sessions just rebuilt.
  const outsideHome = raiseOutsideHomeAlerts && viewingActivity.length > 0 ? raiseOutsideHomeAlerts(deps, opts.now) : [];
  const newAlertIds = [...(earlier?.newAlertIds ?? []), ...(rebuild?.newAlertIds ?? []), ...outsideHome];
  const historyAlerts = (earlier?.historyAlertIds.length ?? 0) + (rebuild?.historyAlertIds.length ?? 0);
  return {
    logs, piholeDbs, leases, pcaps, viewingActivity, sessions: rebuild?.sessions ?? 0, newAlerts: newAlertIds.length, newAlertIds, historyAlerts,
    resumedRebuild: earlier !== undefined, errors,
  };
}
