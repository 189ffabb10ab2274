// Files that `nfmon ingest` hands to the running daemon, so that one process writes. The CLI
// stores a request and waits for the daemon's report; the daemon reads the inbox every second
// and runs the same ingest the CLI would have run. A request the daemon did not finish (it was
// stopped or killed) is taken back by the CLI, which then ingests itself: ingesting is
// idempotent, so nothing is stored twice.
import type { Store } from '../store/index.js';
import type { IngestReport, IngestRequest } from './ingest.js';

export interface InboxItem {
  readonly id: number;
  readonly request: IngestRequest;
}

export function postRequest(store: Store, request: IngestRequest, now: number): number {
  const r = store.db
    .prepare('INSERT INTO ingest_requests (request, requested_at, requested_by) VALUES (?, ?, ?)')
    .run(JSON.stringify(request), now, process.pid);
  return Number(r.lastInsertRowid);
}

/** The daemon's report on a request, once it is done. */
export function reportOf(store: Store, id: number): IngestReport | undefined {
  const row = store.db.prepare('SELECT report FROM ingest_requests WHERE id = ? AND finished_at IS NOT NULL').get(id) as
    | { report: string }
    | undefined;
  return row ? (JSON.parse(row.report) as IngestReport) : undefined;
}

export function withdraw(store: Store, id: number): void {
  store.db.prepare('DELETE FROM ingest_requests WHERE id = ?').run(id);
}

/** Requests not started yet, oldest first, marked started. */
export function takeRequests(store: Store, now: number): InboxItem[] {
  return store.tx(() => {
    const rows = store.db.prepare('SELECT id, request FROM ingest_requests WHERE started_at IS NULL ORDER BY id').all() as {
      id: number;
      request: string;
    }[];
    const mark = store.db.prepare('UPDATE ingest_requests SET started_at = ? WHERE id = ?');
    for (const r of rows) mark.run(now, r.id);
    return rows.map((r) => ({ id: r.id, request: JSON.parse(r.request) as IngestRequest }));
  });
}

export function finishRequest(store: Store, id: number, report: IngestReport, now: number): void {
  store.db.prepare('UPDATE ingest_requests SET finished_at = ?, report = ? WHERE id = ?').run(now, JSON.stringify(report), id);
}

/** Requests a daemon started and never finished (it died): open again. Old finished ones go. */
export function reopenAbandoned(store: Store, now: number): void {
  store.db.prepare('UPDATE ingest_requests SET started_at = NULL WHERE started_at IS NOT NULL AND finished_at IS NULL').run();
  store.db.prepare('DELETE FROM ingest_requests WHERE finished_at IS NOT NULL AND finished_at < ?').run(now - 86_400_000);
}
