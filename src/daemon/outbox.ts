// The outbox as the sender sees it (notify/ owns the interface), implemented on the store.
import { isoUtc } from '../core/time.js';
import type { OutgoingAlert } from '../notify/notifier.js';
import type { OutboxItem, OutboxRepo } from '../notify/outbox-sender.js';
import type { AlertRow } from '../store/alerts.js';
import type { IngestDeps } from '../ingest/deps.js';
import { deviceFacts } from '../ingest/rebuild.js';

export function toOutgoing(app: IngestDeps, a: AlertRow): OutgoingAlert {
  const label = a.device === null ? null : (deviceFacts(app).get(a.device)?.label ?? a.device);
  return {
    id: a.id,
    key: a.key,
    at: isoUtc(a.at),
    rule: a.rule,
    severity: a.severity,
    device: a.device === null ? null : { mac: a.device.startsWith('ip:') ? a.device.slice(3) : a.device, name: label },
    session_id: a.sessionId,
    message: a.message,
  };
}

export function outboxRepo(app: IngestDeps): OutboxRepo {
  return {
    pending(limit: number): OutboxItem[] {
      return app.store.alerts.pending(limit).map((a) => ({
        id: a.id,
        alert: toOutgoing(app, a),
        attempts: a.attempts,
        nextAttemptAt: a.nextAttemptAt,
      }));
    },
    markDelivered(id: number, at: number): void {
      app.store.alerts.markDelivered(id, at);
    },
    markFailed(id: number, _at: number, error: string, nextAttemptAt: number): void {
      app.store.alerts.markFailed(id, error, nextAttemptAt);
    },
  };
}
