// What `nfmon status` shows and the dashboard's source health: each source's progress and lag,
// the outbox, the database size and the daemon's heartbeat. One data function for both.
import { statSync } from 'node:fs';
import { isoUtc } from '../core/time.js';
import type { SourceRow } from '../store/sources.js';
import type { IngestDeps } from './deps.js';
import { ftlSourceFields, type FtlSourceFields } from './ftl-status.js';
import { ftlDatabaseSetting } from '../sources/pihole/ftl-db.js';
import { checkPath, piholeLogAdvice, type SourceState } from './source-check.js';

/** A daemon that has not written its heartbeat for this long is taken as stopped. */
export const HEARTBEAT_STALE_MS = 90_000;

function fileSize(path: string): number | null {
  try {
    return statSync(path).size;
  } catch {
    return null;
  }
}

export interface SourceStatus {
  kind: string;
  path: string;
  offset: number;
  size: number | null;
  lag_bytes: number;
  complete: boolean;
  lines: number;
  parsed: number;
  skipped: Record<string, number>;
  first_event: string | null;
  last_event: string | null;
  last_error: string | null;
  /** null: configured but never read. */
  updated_at: string | null;
}

/** Pi-hole's database: its progress is in rows, not bytes (lag_bytes is 0). */
export type SourceStatusEntry = SourceStatus | (SourceStatus & FtlSourceFields);

/** A configured source (pihole.log, leases.files, captures.dir) and whether it can be read now. */
export interface ConfiguredSource {
  kind: 'pihole' | 'leases' | 'captures';
  path: string;
  state: SourceState;
  /** What to do about it, when the state is not ok. */
  advice: string | null;
}

/** Unread bytes of the configured log beyond which it is lagging (the daemon reads within seconds). */
export const LAGGING_BYTES = 1024 * 1024;

export interface StatusJson {
  daemon: { running: boolean; pid: number | null; started_at: string | null; uptime_s: number | null; heartbeat_at: string | null };
  sources: SourceStatusEntry[];
  configured: ConfiguredSource[];
  counters: Record<string, number>;
  outbox: { pending: number; last_error: string | null };
  database: { path: string; bytes: number };
}

export function collectStatus(deps: IngestDeps, now: number): StatusJson {
  const { store } = deps;
  const heartbeat = Number(store.meta.get('daemon_heartbeat') ?? 0);
  const started = Number(store.meta.get('daemon_started') ?? 0);
  const running = heartbeat > 0 && now - heartbeat < HEARTBEAT_STALE_MS;
  const sources = store.sources.all().map((s): SourceStatusEntry => {
    if (s.kind === 'pihole_db') return databaseStatus(s.path, s);
    const size = fileSize(s.path);
    return {
      kind: s.kind,
      path: s.path,
      offset: s.offset,
      size,
      lag_bytes: size === null || s.complete ? 0 : Math.max(0, size - s.offset),
      complete: s.complete,
      lines: s.lines,
      parsed: s.parsed,
      skipped: s.skipped,
      first_event: s.firstEvent === null ? null : isoUtc(s.firstEvent),
      last_event: s.lastEvent === null ? null : isoUtc(s.lastEvent),
      last_error: s.lastError,
      updated_at: isoUtc(s.updatedAt),
    };
  });
  // The configured database before its first read (or the default one nfmon may not read): why not.
  const ftl = ftlDatabaseSetting(deps.config.pihole.database, false);
  if (ftl && !sources.some((x) => x.kind === 'pihole_db' && x.path === ftl.path)) sources.push(databaseStatus(ftl.path, undefined));
  const dbBytes = [store.file, `${store.file}-wal`].map(fileSize).reduce<number>((a, b) => a + (b ?? 0), 0);
  return {
    daemon: {
      running,
      pid: running ? Number(store.meta.get('daemon_pid') ?? 0) || null : null,
      started_at: running && started ? isoUtc(started) : null,
      uptime_s: running && started ? Math.round((now - started) / 1000) : null,
      heartbeat_at: heartbeat ? isoUtc(heartbeat) : null,
    },
    sources,
    configured: configuredSources(deps, sources),
    counters: {
      devices: store.devices.list().length,
      dns_events: store.events.count(),
      sessions: (store.db.prepare('SELECT count(*) AS n FROM sessions').get() as { n: number }).n,
      alerts: (store.db.prepare('SELECT count(*) AS n FROM alerts').get() as { n: number }).n,
    },
    outbox: { pending: store.alerts.outboxDepth(), last_error: store.alerts.lastError() },
    database: { path: store.file, bytes: dbBytes },
  };
}

/** The configured sources' states, as the CLI's user sees them (run it as the daemon's user). */
export function configuredSources(deps: IngestDeps, sources: readonly SourceStatusEntry[]): ConfiguredSource[] {
  const { config } = deps;
  const log = config.pihole.log;
  const read = sources
    .filter((s) => s.kind === 'pihole' && s.path === log)
    .sort((a, b) => (b.updated_at ?? '').localeCompare(a.updated_at ?? ''))[0];
  let logState = checkPath(log);
  if (logState === 'ok' && read !== undefined && read.lag_bytes > LAGGING_BYTES) logState = 'lagging';
  const lagAdvice = read
    ? `${(read.lag_bytes / 1048576).toFixed(1)} MB not read yet: is the daemon running and keeping up? (systemctl status nfmon)`
    : null;
  const out: ConfiguredSource[] = [
    { kind: 'pihole', path: log, state: logState, advice: logState === 'lagging' ? lagAdvice : (piholeLogAdvice(log, logState) ?? null) },
  ];
  for (const f of config.leases.files) {
    const state = checkPath(f);
    out.push({ kind: 'leases', path: f, state, advice: state === 'ok' ? null : leasesAdvice(f, state) });
  }
  if (config.captures.dir) {
    const state = checkPath(config.captures.dir, 'dir');
    out.push({ kind: 'captures', path: config.captures.dir, state, advice: state === 'ok' ? null : `captures.dir ${config.captures.dir}: ${state}` });
  }
  return out;
}

function leasesAdvice(path: string, state: SourceState): string {
  if (state === 'permission denied') return `cannot read ${path}: give nfmon's user read access (Pi-hole's dhcp.leases is world-readable by default)`;
  if (state === 'missing') return `${path} does not exist: devices are known by IP until it does (set leases.files to your DHCP server's lease file)`;
  return `${path} is not a regular file`;
}

function databaseStatus(path: string, s: SourceRow | undefined): SourceStatus & FtlSourceFields {
  const live = ftlSourceFields(path, s);
  return {
    kind: 'pihole_db',
    path,
    offset: s?.offset ?? 0,
    size: live.max_row,
    lag_bytes: 0,
    complete: false,
    lines: s?.lines ?? 0,
    parsed: s?.parsed ?? 0,
    skipped: s?.skipped ?? {},
    first_event: s && s.firstEvent !== null ? isoUtc(s.firstEvent) : null,
    last_event: s && s.lastEvent !== null ? isoUtc(s.lastEvent) : null,
    last_error: live.problem,
    updated_at: s ? isoUtc(s.updatedAt) : null,
    ...live,
  };
}
