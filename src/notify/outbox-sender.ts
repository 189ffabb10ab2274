// Delivers the outbox to a Notifier, oldest first, one at a time.
//
// An item is marked delivered only after the notifier resolved (for Home Assistant: the
// call_service answered success). The first failure stops the run so later alerts wait and
// order holds; the failed item is retried with exponential backoff (no jitter: there is one
// sender per home). A rejected token pauses delivery until the notifier is replaced (new
// config): retrying a bad token only feeds Home Assistant's IP-ban counter. Every other error
// keeps retrying, because each can heal on the Home Assistant side (a restart, the companion
// app re-registering its notify service).
//
// Guarantee: at-least-once. A send whose answer is lost (timeout, dropped connection, a drain
// that gives up) leaves the item queued and it is sent again; the notifier makes repeats
// harmless where it can (Home Assistant: per-key memory and the notification tag).
import { isoUtc } from '../core/time.js';
import { TIMED_OUT, withDeadline } from './deadline.js';
import { NotifyError, type Notifier, type NotifyErrorKind, type OutgoingAlert } from './notifier.js';
import type { Logger } from '../core/log.js';

export interface OutboxItem {
  readonly id: number;
  readonly alert: OutgoingAlert;
  /** Failed attempts so far. */
  readonly attempts: number;
  readonly nextAttemptAt: number;
}

/** Implemented on SQLite by store/. */
export interface OutboxRepo {
  /** Undelivered items, lowest id first, at most `limit`, whatever their nextAttemptAt. */
  pending(limit: number): OutboxItem[];
  markDelivered(id: number, at: number): void;
  /** Records a failed attempt (attempts + 1), its error, and when the sender plans to retry. */
  markFailed(id: number, at: number, error: string, nextAttemptAt: number): void;
}

export interface Clock {
  now(): number;
}

export interface OutboxSenderOptions {
  readonly repo: OutboxRepo;
  readonly notifier: Notifier;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly minBackoffMs?: number;
  readonly maxBackoffMs?: number;
  readonly batchSize?: number;
}

export type SenderState = 'idle' | 'sending' | 'waiting' | 'paused' | 'stopped';

export interface SenderStatus {
  readonly state: SenderState;
  readonly delivered: number;
  readonly failure: { readonly kind: NotifyErrorKind; readonly message: string; readonly since: number; readonly attempts: number } | null;
}

/** Delay before retry number `attempts` (1-based): min, 2 min, 4 min ... capped at max. */
export function backoffDelay(attempts: number, minMs = 1_000, maxMs = 300_000): number {
  return Math.min(maxMs, minMs * 2 ** Math.max(0, attempts - 1));
}

/** Counting the queue for a log line reads at most this many rows. */
const QUEUE_COUNT_CAP = 1_000;

export class OutboxSender {
  private notifier: Notifier;
  private readonly minBackoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly batchSize: number;
  private state: SenderState = 'idle';
  private running: Promise<void> | undefined;
  private kickedWhileRunning = false;
  private timer: NodeJS.Timeout | undefined;
  private failure: { kind: NotifyErrorKind; message: string; since: number; attempts: number } | undefined;
  private storeFailures = 0;
  private delivered = 0;
  private current: number | undefined;
  private stopping = false;
  /** Set when drain gave up on an in-flight send: its late outcome must not touch the store. */
  private abandoned = false;

  constructor(private readonly options: OutboxSenderOptions) {
    this.notifier = options.notifier;
    this.minBackoffMs = options.minBackoffMs ?? 1_000;
    this.maxBackoffMs = options.maxBackoffMs ?? 300_000;
    this.batchSize = options.batchSize ?? 50;
  }

  /** Deliver now: at start-up, and whenever new alerts were stored. Cuts a backoff wait short. */
  kick(): void {
    if (this.stopping) return;
    if (this.state === 'paused') {
      this.options.logger.debug('outbox: alert queued; delivery is paused until the Home Assistant token is fixed');
      return;
    }
    if (this.running !== undefined) {
      this.kickedWhileRunning = true;
      return;
    }
    clearTimeout(this.timer);
    this.timer = undefined;
    this.state = 'sending';
    this.running = this.deliverPending().finally(() => {
      this.running = undefined;
      const again = this.kickedWhileRunning && this.state === 'idle';
      this.kickedWhileRunning = false;
      if (again) this.kick();
    });
  }

  /** Swap the notifier (configuration changed, e.g. a new token); resumes a paused sender. */
  setNotifier(notifier: Notifier): void {
    this.notifier = notifier;
    if (this.state === 'paused') this.state = 'idle';
    this.kick();
  }

  /** For shutdown: waits for the send in flight, starts nothing new. False if it had to give up. */
  async drain(timeoutMs: number): Promise<boolean> {
    this.stopping = true;
    clearTimeout(this.timer);
    const running = this.running;
    const outcome = running === undefined ? undefined : await withDeadline(running, timeoutMs);
    this.state = 'stopped';
    if (outcome !== TIMED_OUT) return true;
    this.abandoned = true;
    this.options.logger.warn(`outbox: alert ${this.current} still being sent after ${timeoutMs} ms at shutdown; it stays queued and is sent again at the next start`);
    return false;
  }

  status(): SenderStatus {
    return { state: this.state, delivered: this.delivered, failure: this.failure === undefined ? null : { ...this.failure } };
  }

  private async deliverPending(): Promise<void> {
    try {
      for (;;) {
        const batch = [...this.options.repo.pending(this.batchSize)].sort((a, b) => a.id - b.id);
        if (batch.length === 0) {
          this.state = 'idle';
          return;
        }
        for (const item of batch) {
          if (this.stopping || !(await this.deliverOne(item))) return;
        }
        this.storeFailures = 0;
      }
    } catch (err) {
      if (this.abandoned) return;
      // The store failed (database locked, disk full): nothing is lost, the items stay queued.
      const delay = backoffDelay(++this.storeFailures, this.minBackoffMs, this.maxBackoffMs);
      const message = err instanceof Error ? err.message : String(err);
      this.options.logger.error(`outbox: reading or updating the outbox failed: ${message}; retrying in ${delay} ms`);
      this.retryIn(delay);
    } finally {
      this.current = undefined;
    }
  }

  private async deliverOne(item: OutboxItem): Promise<boolean> {
    this.current = item.id;
    try {
      await this.notifier.send(item.alert);
    } catch (err) {
      if (this.abandoned) return false;
      this.onFailure(item, err instanceof NotifyError ? err : new NotifyError('rejected', String(err), { cause: err }));
      return false;
    }
    if (this.abandoned) return false;
    this.options.repo.markDelivered(item.id, this.options.clock.now());
    this.delivered++;
    if (this.failure !== undefined) {
      this.options.logger.info(`Home Assistant delivery recovered after ${this.failure.attempts} failed attempts since ${isoUtc(this.failure.since)}; sending queued alerts`);
      this.failure = undefined;
    }
    this.options.logger.debug(`outbox: delivered alert ${item.id} (${item.alert.rule})`);
    return true;
  }

  private onFailure(item: OutboxItem, err: NotifyError): void {
    const now = this.options.clock.now();
    const delay = backoffDelay(item.attempts + 1, this.minBackoffMs, this.maxBackoffMs);
    this.options.repo.markFailed(item.id, now, `${err.kind}: ${err.message}`, now + delay);
    const isNew = this.failure?.kind !== err.kind;
    const failure = this.failure === undefined || isNew ? { kind: err.kind, message: err.message, since: now, attempts: 0 } : this.failure;
    failure.attempts++;
    failure.message = err.message;
    this.failure = failure;
    if (isNew) this.logFailure(err);
    else this.options.logger.debug(`outbox: alert ${item.id} attempt ${item.attempts + 1} failed (${err.kind}): ${err.message}; next in ${delay} ms`);
    if (err.kind === 'auth_invalid') {
      this.state = 'paused';
      return;
    }
    this.retryIn(delay);
  }

  private logFailure(err: NotifyError): void {
    const n = this.options.repo.pending(QUEUE_COUNT_CAP).length;
    const queued = `${n >= QUEUE_COUNT_CAP ? `${n}+` : n} alert${n === 1 ? '' : 's'} queued`;
    const cap = this.maxBackoffMs >= 1000 ? `${this.maxBackoffMs / 1000} s` : `${this.maxBackoffMs} ms`;
    const retrying = `retrying with backoff up to ${cap}`;
    const { logger } = this.options;
    switch (err.kind) {
      case 'auth_invalid':
        logger.error(`Home Assistant rejected the token (homeassistant.token / token_file / NFMON_HA_TOKEN): ${err.haMessage ?? err.message}; ${queued}, delivery paused until the token is fixed`);
        return;
      case 'not_found':
        logger.error(`Home Assistant has no service ${err.target ?? 'for the alert'} (homeassistant.notify); ${queued}, ${retrying}`);
        return;
      case 'unreachable':
        logger.warn(`Home Assistant unreachable: ${err.message}; ${queued}, ${retrying}`);
        return;
      case 'timeout':
        logger.warn(`Home Assistant did not answer in time: ${err.message}; ${queued}, ${retrying}`);
        return;
      case 'rejected':
        logger.error(`Home Assistant refused the alert: ${err.message}; ${queued}, ${retrying}`);
    }
  }

  private retryIn(delay: number): void {
    if (this.stopping) return;
    this.state = 'waiting';
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.kick();
    }, delay);
  }
}
