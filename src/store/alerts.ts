// alerts and outbox: an alert is stored once (by its key, or as the same alert seen from less
// evidence) and queued for delivery in the same transaction, so a crash between the two cannot
// lose a notification, and a refined session cannot raise it twice.
import type { Alert, RuleName, Severity } from '../core/types.js';
import type { Statement } from 'better-sqlite3';
import type { Db } from './db.js';

/** Rules whose alerts a rebuild derives again from sessions; the others are raised once, elsewhere. */
export const DERIVED_RULES: readonly RuleName[] = ['quiet_hours', 'unknown_device', 'concurrent_streams', 'unusual_hour', 'dns_bypass'];

/** How far outside its `sameWithin` a stored alert still matches (flows start on the minute). */
const MATCH_SLACK_MS = 2 * 60_000;

/** Why an alert is held back from delivery for good. */
export type Held = 'history';

export interface DerivedAlert {
  readonly alert: Alert;
  readonly sessionId: number | null;
}

export interface ReconcileResult {
  /** Alerts stored for the first time and queued for delivery. */
  readonly queued: number[];
  /** Alerts stored for the first time as history (older than notify_max_age): never delivered. */
  readonly history: number[];
  /** Stored alerts the input no longer supports, deleted (undelivered ones only). */
  readonly retracted: number;
}

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
  readonly held: Held | null;
}

const COLUMNS = `a.id, a.key, a.at, a.rule, a.severity, a.device, a.session_id AS sessionId, a.service, a.message,
  o.delivered_at AS deliveredAt, coalesce(o.attempts, 0) AS attempts, coalesce(o.next_attempt_at, 0) AS nextAttemptAt,
  o.last_error AS lastError, o.held`;

export class AlertRepo {
  private readonly insertStmt;
  private readonly queueStmt;

  constructor(private readonly db: Db) {
    this.insertStmt = db.prepare(
      `INSERT INTO alerts (key, at, rule, severity, device, session_id, service, message, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING`,
    );
    this.queueStmt = db.prepare('INSERT INTO outbox (alert_id, next_attempt_at, held) VALUES (?, 0, ?)');
  }

  /**
   * Store alerts not stored before and queue them; returns the ids of the new ones. An alert whose
   * triggering event is older than `maxAgeMs` is stored as history and never queued.
   */
  addNew(alerts: readonly DerivedAlert[], now: number, maxAgeMs = Infinity): number[] {
    return this.insertAll(alerts, now, maxAgeMs).queued;
  }

  /**
   * A rebuild's alerts from `from` on replace the stored ones derived by the same rules: an
   * alert stored before (same key, or the same rule, service and device at a time within the new
   * alert's `sameWithin`) keeps its id, key and delivery state and takes the new time, message
   * and session; a new one is stored and queued (or kept as history); a stored one nothing
   * derives any more is deleted unless it was delivered (it reached a person: it stays on record).
   * Call inside the rebuild's transaction.
   */
  reconcile(derived: readonly DerivedAlert[], from: number, now: number, maxAgeMs: number): ReconcileResult {
    const r = this.reconciler(from, now, maxAgeMs);
    r.add(derived);
    return r.finish();
  }

  /** reconcile() a batch at a time (alerts in evaluateRules' order): for a rebuild that streams its history. */
  reconciler(from: number, now: number, maxAgeMs: number): AlertReconciler {
    return new AlertReconciler(this.db, from, (fresh) => this.insertAll(fresh, now, maxAgeMs));
  }

  /** Store alerts not stored before and queue them (history when older than `maxAgeMs`). */
  private insertAll(alerts: readonly DerivedAlert[], now: number, maxAgeMs: number): Omit<ReconcileResult, 'retracted'> {
    const queued: number[] = [];
    const history: number[] = [];
    for (const { alert: a, sessionId } of alerts) {
      const r = this.insertStmt.run(a.key, a.at, a.rule, a.severity, a.device, sessionId, a.service, a.message, now);
      if (r.changes === 0) continue;
      const id = Number(r.lastInsertRowid);
      const old = now - a.at > maxAgeMs;
      this.queueStmt.run(id, old ? 'history' : null);
      (old ? history : queued).push(id);
    }
    return { queued, history };
  }

  list(since: number | undefined): AlertRow[] {
    const sql = `SELECT ${COLUMNS} FROM alerts a LEFT JOIN outbox o ON o.alert_id = a.id
      ${since !== undefined ? 'WHERE a.at >= ?' : ''} ORDER BY a.at, a.id`;
    return this.db.prepare(sql).all(...(since !== undefined ? [since] : [])) as AlertRow[];
  }

  /** The newest alert raised (by id), delivered or not, history included. */
  latest(): AlertRow | undefined {
    return this.db.prepare(`SELECT ${COLUMNS} FROM alerts a LEFT JOIN outbox o ON o.alert_id = a.id ORDER BY a.id DESC LIMIT 1`).get() as
      | AlertRow
      | undefined;
  }

  byId(id: number): AlertRow | undefined {
    return this.db.prepare(`SELECT ${COLUMNS} FROM alerts a LEFT JOIN outbox o ON o.alert_id = a.id WHERE a.id = ?`).get(id) as
      | AlertRow
      | undefined;
  }

  /** Undelivered alerts due at `now`, oldest first: delivery keeps the order they were raised in. */
  pending(limit: number): AlertRow[] {
    return this.db
      .prepare(`SELECT ${COLUMNS} FROM outbox o JOIN alerts a ON a.id = o.alert_id WHERE o.delivered_at IS NULL AND o.held IS NULL ORDER BY a.id LIMIT ?`)
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
    return (this.db.prepare('SELECT count(*) AS n FROM outbox WHERE delivered_at IS NULL AND held IS NULL').get() as { n: number }).n;
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

const DERIVED_IN = DERIVED_RULES.map((r) => `'${r}'`).join(',');

/**
 * A rebuild's alerts from `from` on, given in batches, against the stored ones (see reconcile()).
 * The stored alerts are read per alert from the table (by key, or by rule, service, device and
 * time); what is held is the ids of the stored ones matched, and the new alerts: they are stored
 * last, after the stored ones nothing derives any more are deleted, as reconcile() always has
 * (ids are reused from the top of the table: the order decides the new alerts' ids).
 * Call inside a transaction, finish() last.
 */
export class AlertReconciler {
  private readonly matched = new Set<number>();
  private readonly fresh: DerivedAlert[] = [];
  private readonly byKey;
  private readonly update;
  /** Statements prepared once each: a rebuild asks thousands of times. */
  private readonly statements = new Map<string, Statement>();

  constructor(
    private readonly db: Db,
    private readonly from: number,
    private readonly insertAll: (fresh: readonly DerivedAlert[]) => Omit<ReconcileResult, 'retracted'>,
  ) {
    this.byKey = db.prepare(`SELECT ${COLUMNS} FROM alerts a LEFT JOIN outbox o ON o.alert_id = a.id WHERE a.key = ?`);
    this.update = db.prepare('UPDATE alerts SET at = ?, severity = ?, device = ?, session_id = ?, message = ? WHERE id = ?');
  }

  add(derived: readonly DerivedAlert[]): void {
    for (const d of derived) {
      const same = this.storedByKey(d.alert.key) ?? this.closest(d.alert);
      if (!same || this.matched.has(same.id)) {
        // The same alert raised before this window (once per device: an unknown device's first
        // session long ago, its alert moved from the ip: identity to the MAC) is not raised again.
        if (!same && this.storedBefore(d.alert)) continue;
        this.fresh.push(d);
        continue;
      }
      this.matched.add(same.id);
      const a = d.alert;
      if (same.at !== a.at || same.message !== a.message || same.sessionId !== d.sessionId || same.device !== a.device) {
        this.update.run(a.at, a.severity, a.device, d.sessionId, a.message, same.id);
      }
    }
  }

  finish(): ReconcileResult {
    const page = this.db.prepare(
      `SELECT a.id FROM alerts a LEFT JOIN outbox o ON o.alert_id = a.id
       WHERE a.rule IN (${DERIVED_IN}) AND a.at >= ? AND o.delivered_at IS NULL AND a.id > ? ORDER BY a.id LIMIT 500`,
    );
    const del = this.db.prepare('DELETE FROM alerts WHERE id = ?');
    let retracted = 0;
    for (let after = 0; ; ) {
      const ids = (page.all(this.from, after) as { id: number }[]).map((r) => r.id);
      if (ids.length === 0) break;
      after = ids[ids.length - 1]!;
      for (const id of ids.filter((i) => !this.matched.has(i))) {
        del.run(id);
        retracted++;
      }
    }
    return { ...this.insertAll(this.fresh), retracted };
  }

  /**
   * The stored alert with this key as reconcile() saw the stored ones before changing any: a
   * derived rule's, from `from` on (or one matched already, whatever its time is now).
   */
  private storedByKey(key: string): AlertRow | undefined {
    const r = this.byKey.get(key) as AlertRow | undefined;
    if (!r) return undefined;
    return this.matched.has(r.id) || (DERIVED_RULES.includes(r.rule) && r.at >= this.from) ? r : undefined;
  }

  /** The stored alert of the same rule, service and device whose time lies within `a.sameWithin`, nearest first. */
  private closest(a: Alert): AlertRow | undefined {
    const w = a.sameWithin;
    if (!w) return undefined;
    const sql = `SELECT ${COLUMNS} FROM alerts a LEFT JOIN outbox o ON o.alert_id = a.id
      WHERE a.rule = ? AND a.service IS ? AND a.at >= ? AND a.at BETWEEN ? AND ?${w.anyDevice ? '' : ' AND a.device IS ?'} ORDER BY a.at, a.id`;
    const args = [a.rule, a.service, this.from, w.from - MATCH_SLACK_MS, w.to + MATCH_SLACK_MS, ...(w.anyDevice ? [] : [a.device])];
    let best: AlertRow | undefined;
    for (const r of this.prepared(sql).all(...args) as AlertRow[]) {
      if (this.matched.has(r.id)) continue;
      if (!best || Math.abs(r.at - a.at) < Math.abs(best.at - a.at)) best = r;
    }
    return best;
  }

  /** An alert of the same rule, service and device stored before `from`, within `a.sameWithin`. */
  private storedBefore(a: Alert): boolean {
    const w = a.sameWithin;
    if (!w || w.from - MATCH_SLACK_MS >= this.from) return false;
    const sql = `SELECT 1 FROM alerts WHERE rule = ? AND service IS ? AND at < ? AND at BETWEEN ? AND ?${w.anyDevice ? '' : ' AND device IS ?'} LIMIT 1`;
    const args = [a.rule, a.service, this.from, w.from - MATCH_SLACK_MS, w.to + MATCH_SLACK_MS, ...(w.anyDevice ? [] : [a.device])];
    return this.prepared(sql).get(...args) !== undefined;
  }

  private prepared(sql: string): Statement {
    let st = this.statements.get(sql);
    if (!st) this.statements.set(sql, (st = this.db.prepare(sql)));
    return st;
  }
}
