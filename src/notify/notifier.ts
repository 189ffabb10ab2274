// The seam between the outbox and whatever tells a person: Home Assistant, the console, a test
// fake. The outbox sender only knows this file.
import type { RuleName, Severity } from '../core/types.js';

/**
 * An alert as it leaves nfmon: the alert JSON of the CLI contract (`nfmon alerts --json`), so
 * its keys are snake_case, plus `key` for de-duplication. It is stored as JSON in the outbox.
 */
export interface OutgoingAlert {
  readonly id: number;
  /** De-duplication key: the same input always produces the same key. */
  readonly key: string;
  /** ISO 8601 UTC, the time of the event that triggered the alert. */
  readonly at: string;
  readonly rule: RuleName;
  readonly severity: Severity;
  readonly device: { readonly mac: string; readonly name: string | null } | null;
  readonly session_id: number | null;
  readonly message: string;
}

export interface Notifier {
  /**
   * Resolves once the alert is delivered; rejects with a NotifyError otherwise. May be called
   * again with the same alert after a failure: implementations make that safe where they can.
   */
  send(alert: OutgoingAlert): Promise<void>;
  close(): Promise<void>;
}

export type NotifyErrorKind = 'auth_invalid' | 'not_found' | 'unreachable' | 'timeout' | 'rejected';

export interface NotifyErrorDetails {
  /** What Home Assistant said, verbatim, when it said something. */
  readonly haCode?: string;
  readonly haMessage?: string;
  /** The service (`notify.x`) or command (`fire_event`) that failed. */
  readonly target?: string;
  readonly cause?: unknown;
}

/**
 * A failed delivery. `retryable` says whether trying again with the same configuration can help:
 * an unreachable or slow Home Assistant can come back, a rejected token cannot.
 */
export class NotifyError extends Error {
  override readonly name = 'NotifyError';
  readonly kind: NotifyErrorKind;
  readonly retryable: boolean;
  readonly haCode: string | undefined;
  readonly haMessage: string | undefined;
  readonly target: string | undefined;

  constructor(kind: NotifyErrorKind, message: string, details: NotifyErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.kind = kind;
    this.retryable = kind === 'unreachable' || kind === 'timeout';
    this.haCode = details.haCode;
    this.haMessage = details.haMessage;
    this.target = details.target;
  }
}

