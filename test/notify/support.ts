// Fakes of our own interfaces for the notify tests: a logger that records, an in-memory outbox.
import { isoUtc } from '../../src/core/time.js';
import type { OutgoingAlert } from '../../src/notify/notifier.js';
import type { Logger, LogFields } from '../../src/core/log.js';
import type { OutboxItem, OutboxRepo } from '../../src/notify/outbox-sender.js';

export interface LogLine {
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  readonly msg: string;
  readonly fields?: LogFields;
}

export function recordingLogger(): Logger & { readonly lines: LogLine[]; at(level: LogLine['level']): string[] } {
  const lines: LogLine[] = [];
  const log = (level: LogLine['level']) => (msg: string, fields?: LogFields) => {
    lines.push(fields === undefined ? { level, msg } : { level, msg, fields });
  };
  return {
    lines,
    at: (level) => lines.filter((l) => l.level === level).map((l) => l.msg),
    debug: log('debug'),
    info: log('info'),
    warn: log('warn'),
    error: log('error'),
  };
}

export function makeAlert(id: number, overrides: Partial<OutgoingAlert> = {}): OutgoingAlert {
  return {
    id,
    key: `quiet_hours:aa:bb:cc:00:00:01:${1_795_000_000_000 + id * 60_000}`,
    at: isoUtc(1_795_000_000_000 + id * 60_000),
    rule: 'quiet_hours',
    severity: 'warning',
    device: { mac: 'aa:bb:cc:00:00:01', name: 'Living room TV' },
    session_id: 100 + id,
    message: `Netflix on Living room TV during quiet hours (alert ${id})`,
    ...overrides,
  };
}

interface Row {
  readonly alert: OutgoingAlert;
  attempts: number;
  nextAttemptAt: number;
  deliveredAt: number | null;
  lastError: string | null;
  timesMarkedDelivered: number;
}

/** What the lead's SQLite repository does, in memory, plus counters for assertions. */
export class MemoryOutbox implements OutboxRepo {
  readonly rows = new Map<number, Row>();
  readonly failures: { id: number; at: number; error: string; nextAttemptAt: number }[] = [];
  /** Set to make the next store call throw (database locked). */
  failNextCall = false;

  add(...alerts: OutgoingAlert[]): void {
    for (const alert of alerts) {
      this.rows.set(alert.id, { alert, attempts: 0, nextAttemptAt: 0, deliveredAt: null, lastError: null, timesMarkedDelivered: 0 });
    }
  }

  pending(limit: number): OutboxItem[] {
    this.maybeFail();
    return [...this.rows.values()]
      .filter((r) => r.deliveredAt === null)
      .sort((a, b) => a.alert.id - b.alert.id)
      .slice(0, limit)
      .map((r) => ({ id: r.alert.id, alert: r.alert, attempts: r.attempts, nextAttemptAt: r.nextAttemptAt }));
  }

  markDelivered(id: number, at: number): void {
    this.maybeFail();
    const row = this.row(id);
    row.deliveredAt = at;
    row.timesMarkedDelivered++;
  }

  markFailed(id: number, at: number, error: string, nextAttemptAt: number): void {
    this.maybeFail();
    const row = this.row(id);
    row.attempts++;
    row.lastError = error;
    row.nextAttemptAt = nextAttemptAt;
    this.failures.push({ id, at, error, nextAttemptAt });
  }

  undelivered(): number[] {
    return [...this.rows.values()].filter((r) => r.deliveredAt === null).map((r) => r.alert.id);
  }

  private row(id: number): Row {
    const row = this.rows.get(id);
    if (row === undefined) throw new Error(`no outbox row ${id}`);
    return row;
  }

  private maybeFail(): void {
    if (!this.failNextCall) return;
    this.failNextCall = false;
    throw new Error('database is locked');
  }
}

export const realClock = { now: (): number => Date.now() };
