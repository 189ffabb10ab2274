// Housekeeping jobs run by node-cron: retention of raw events and the optional daily summary.
import { isoUtc } from '../core/time.js';
import type { Logger } from '../core/log.js';
import type { IngestDeps } from '../ingest/deps.js';

/** Deletes raw events (DNS lookups, flow minutes) older than the retention; sessions and alerts stay. */
export function runRetention(app: IngestDeps, now: number, keepMs: number, logger: Logger): { events: number; flows: number } {
  const cutoff = now - keepMs;
  const r = app.store.tx(() => ({ events: app.store.events.deleteOlderThan(cutoff), flows: app.store.flows.deleteOlderThan(cutoff) }));
  logger.info('retention', { before: isoUtc(cutoff), ...r });
  return r;
}

/** One info alert with yesterday's viewing per device; false if there was none to report. */
export function dailySummaryAlert(app: IngestDeps, now: number): boolean {
  const since = now - 86_400_000;
  const sessions = app.store.sessions.query({ since, until: now });
  if (sessions.length === 0) return false;
  const perDevice = new Map<string, number>();
  for (const s of sessions) perDevice.set(s.device, (perDevice.get(s.device) ?? 0) + (s.end - s.start));
  const names = new Map(app.store.devices.list().map((d) => [d.device, d.name ?? d.hostname ?? d.device]));
  const parts = [...perDevice].map(([d, t]) => `${names.get(d) ?? d} ${Math.round(t / 60_000)} min`);
  const day = isoUtc(now).slice(0, 10);
  const ids = app.store.alerts.addNew(
    [{
      alert: {
        key: `daily_summary:${day}`, at: now, rule: 'daily_summary', severity: 'info', device: null, sessionStart: null, service: null,
        message: `Netflix in the last 24 h: ${parts.join(', ')}`,
      },
      sessionId: null,
    }],
    now,
  );
  return ids.length > 0;
}
