// alerts and outbox: an alert is stored once (by its key) and queued for delivery in the same
// transaction, so a crash between the two cannot lose a notification.
import type { Alert, RuleName, Severity } from '../core/types.js';
import type { Db } from './db.js';

export interface AlertRow {
  readonly id: number;
  readonly key: string;
  readonly at: number;
  readonly rule: RuleName;
  readonly severity: Severity;
  readonly device: string | null;
  readonly sessionId: number | null;
  readonly service: string | null;
  readonly message: string;
  readonly deliveredAt: number | null;
  readonly attempts: number;
  readonly nextAttemptAt: number;
  readonly lastError: string | null;
}

const COLUMNS = `a.id, a.key, a.at, a.rule, a.severity, a.device, a.session_id AS sessionId, a.service, a.message,
  o.delivered_at AS deliveredAt, coalesce(o.attempts, 0) AS attempts, coalesce(o.next_attempt_at, 0) AS nextAttemptAt,
  o.last_error AS lastError`;

export class AlertRepo {
  private readonly insertStmt;
  private readonly queueStmt;

  constructor(private readonly db: Db) {
    this.insertStmt = db.prepare(
      `INSERT INTO alerts (key, at, rule, severity, device, session_id, service, message, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING`,
    );
    this.queueStmt = db.prepare('INSERT INTO outbox (alert_id, next_attempt_at) VALUES (?, 0)');
  }

  /** Store alerts not stored before and queue them; returns the ids of the new ones. */
  addNew(alerts: readonly { alert: Alert; sessionId: number | null }[], now: number): number[] {
    const ids: number[] = [];
    for (const { alert: a, sessionId } of alerts) {
      const r = this.insertStmt.run(a.key, a.at, a.rule, a.severity, a.device, sessionId, a.service, a.message, now);
      if (r.changes === 0) continue;
      const id = Number(r.lastInsertRowid);
      this.queueStmt.run(id);
      ids.push(id);
    }
    return ids;
  }

  list(since: number | undefined): AlertRow[] {
    const sql = `SELECT ${COLUMNS} FROM alerts a LEFT JOIN outbox o ON o.alert_id = a.id
      ${since !== undefined ? 'WHERE a.at >= ?' : ''} ORDER BY a.at, a.id`;
    return this.db.prepare(sql).all(...(since !== undefined ? [since] : [])) as AlertRow[];
  }

  byId(id: number): AlertRow | undefined {
    return this.db.prepare(`SELECT ${COLUMNS} FROM alerts a LEFT JOIN outbox o ON o.alert_id = a.id WHERE a.id = ?`).get(id) as
      | AlertRow
      | undefined;
  }

  /** Undelivered alerts due at `now`, oldest first: delivery keeps the order they were raised in. */
  pending(limit: number): AlertRow[] {
    return this.db
      .prepare(`SELECT ${COLUMNS} FROM outbox o JOIN alerts a ON a.id = o.alert_id WHERE o.delivered_at IS NULL ORDER BY a.id LIMIT ?`)
      .all(limit) as AlertRow[];
  }

  markDelivered(id: number, at: number): void {
    this.db.prepare('UPDATE outbox SET delivered_at = ?, last_error = NULL WHERE alert_id = ?').run(at, id);
  }

  markFailed(id: number, error: string, nextAttemptAt: number): void {
    this.db
      .prepare('UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = ? WHERE alert_id = ?')
      .run(error, nextAttemptAt, id);
  }

  outboxDepth(): number {
    return (this.db.prepare('SELECT count(*) AS n FROM outbox WHERE delivered_at IS NULL').get() as { n: number }).n;
  }

  lastError(): string | null {
    const r = this.db
      .prepare('SELECT last_error AS e FROM outbox WHERE last_error IS NOT NULL ORDER BY next_attempt_at DESC LIMIT 1')
      .get() as { e: string } | undefined;
    return r?.e ?? null;
  }

  deleteDevice(device: string): number {
    return this.db.prepare('DELETE FROM alerts WHERE device = ?').run(device).changes;
  }
}
