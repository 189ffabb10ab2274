// Notifier over Home Assistant's websocket API (home-assistant-js-websocket + ws).
//
// One alert = a notify.* service call and an nfmon_alert event, sent together as one
// execute_script message so that they are delivered (and, after a lost answer, repeated)
// together. A token without admin rights cannot run scripts or fire events: then the service
// call goes alone, and the event is tried and its refusal said once. Each step is remembered per
// alert key for the adapter's lifetime, so a retry after a partial failure repeats only what
// did not happen, and a retry after a timeout waits for the late answer of the call already
// sent instead of sending it again. Across restarts and lost answers delivery is at-least-once;
// the notification `tag` makes the phone replace a repeated notification instead of adding one.
// The token goes to the socket only, never to a log line or an error message.
import { TIMED_OUT, withDeadline } from './deadline.js';
import { toNotifyError } from './ha-errors.js';
import { HaLink, type Live } from './ha-link.js';
import { websocketUrl } from './ha-socket.js';
import { alertEvent, alertScript, formatServiceName, notifyServiceCall, parseServiceName, testServiceCall, type ServiceName } from './messages.js';
import { NotifyError, type Notifier, type OutgoingAlert } from './notifier.js';
import type { Logger } from '../core/log.js';

export interface HomeAssistantConfig {
  /** Base URL as in the browser: http://homeassistant.local:8123. */
  readonly url: string;
  readonly token: string;
  /** `notify.mobile_app_pixel`; without it only the event is sent. */
  readonly notifyService?: string;
  /** Fire an nfmon_alert event per alert (default true). */
  readonly fireEvent?: boolean;
  readonly connectTimeoutMs?: number;
  readonly callTimeoutMs?: number;
  readonly logger: Logger;
}

/** What Home Assistant answered, verbatim; connection failures use the NotifyError kind as code. */
export type HaAnswer =
  | { readonly ok: true; readonly result: unknown }
  | { readonly ok: false; readonly code: string; readonly message: string };

/** Any command from messages.ts. */
type HaCommand = { readonly type: string };
type Outcome = { readonly ok: true; readonly result: unknown } | { readonly ok: false; readonly error: unknown };

interface InFlight {
  readonly outcome: Promise<Outcome>;
  readonly live: Live;
}

/** Steps remembered as done; bounded because the daemon runs for years. */
const REMEMBERED_STEPS = 2_000;

export class HomeAssistantNotifier implements Notifier {
  readonly wsUrl: string;
  private readonly service: ServiceName | undefined;
  private readonly fireEvent: boolean;
  private readonly callTimeoutMs: number;
  private readonly link: HaLink;
  private readonly inFlight = new Map<string, InFlight>();
  private readonly done = new Set<string>();
  private eventRefusalLogged = false;
  /** execute_script sends both parts of an alert as one; off once Home Assistant refused it. */
  private scriptAllowed = true;

  constructor(private readonly config: HomeAssistantConfig) {
    this.wsUrl = websocketUrl(config.url);
    this.service = config.notifyService === undefined ? undefined : parseServiceName(config.notifyService);
    this.fireEvent = config.fireEvent ?? true;
    if (this.service === undefined && !this.fireEvent) {
      throw new Error('homeassistant: set homeassistant.notify or enable homeassistant.event, or there is nothing to send');
    }
    this.callTimeoutMs = config.callTimeoutMs ?? 10_000;
    this.link = new HaLink({
      wsUrl: this.wsUrl,
      token: config.token,
      connectTimeoutMs: config.connectTimeoutMs ?? 5_000,
      pingTimeoutMs: this.callTimeoutMs,
      logger: config.logger,
    });
  }

  async send(alert: OutgoingAlert): Promise<void> {
    if (this.service !== undefined && this.fireEvent && this.scriptAllowed) {
      try {
        await this.step(`script:${alert.key}`, formatServiceName(this.service), alertScript(this.service, alert));
        return;
      } catch (err) {
        if (!(err instanceof NotifyError) || err.haCode !== 'unauthorized') throw err;
        // A token without admin rights: the notification alone goes out, as a call of its own.
        this.scriptAllowed = false;
        this.config.logger.warn('Home Assistant refused execute_script (it needs an administrator\'s token): sending the notification and the event as separate calls');
      }
    }
    if (this.service !== undefined) {
      await this.step(`service:${alert.key}`, formatServiceName(this.service), notifyServiceCall(this.service, alert));
    }
    if (this.fireEvent) await this.sendEvent(alert);
  }

  /** For `nfmon notify-test`: one test notification (a test event without a notify service). */
  async testNotification(atIso: string): Promise<HaAnswer> {
    const message = this.service === undefined
      ? { type: 'fire_event', event_type: 'nfmon_test', event_data: { at: atIso } }
      : testServiceCall(this.service, atIso);
    const target = this.service === undefined ? 'fire_event' : formatServiceName(this.service);
    try {
      const outcome = await withDeadline(this.dispatch(undefined, await this.link.get(), message), this.callTimeoutMs);
      if (outcome === TIMED_OUT) return { ok: false, code: 'timeout', message: `no answer within ${this.callTimeoutMs} ms` };
      if (outcome.ok) return { ok: true, result: outcome.result };
      const err = toNotifyError(outcome.error, target);
      return { ok: false, code: err.haCode ?? err.kind, message: err.haMessage ?? err.message };
    } catch (err) {
      const e = toNotifyError(err, target);
      return { ok: false, code: e.kind, message: e.haMessage ?? e.message };
    }
  }

  close(): Promise<void> {
    return this.link.close();
  }

  private async sendEvent(alert: OutgoingAlert): Promise<void> {
    const id = `event:${alert.key}`;
    try {
      await this.step(id, 'fire_event', alertEvent(alert));
    } catch (err) {
      // Only the event was refused for good (typically a non-admin token: fire_event is
      // admin-only). The notification already went out; holding the queue for the event would
      // block every later alert, so the alert counts as delivered and this is said once.
      if (!(err instanceof NotifyError) || err.retryable || err.kind === 'auth_invalid' || this.service === undefined) throw err;
      this.remember(id);
      const level = this.eventRefusalLogged ? 'debug' : 'warn';
      this.config.logger[level](`Home Assistant refused the nfmon_alert event (fire_event needs an administrator's token): ${err.haMessage ?? err.message}; notifications are still sent, automations on nfmon_alert will not trigger`);
      this.eventRefusalLogged = true;
    }
  }

  private async step(id: string, target: string, message: HaCommand): Promise<void> {
    if (this.done.has(id)) return;
    let flight = this.inFlight.get(id);
    // A call still in flight on the current link may yet be answered: wait for it, don't repeat it.
    if (flight === undefined || flight.live !== this.link.current) {
      const live = await this.link.get();
      flight = { outcome: this.dispatch(id, live, message), live };
    }
    const outcome = await withDeadline(flight.outcome, this.callTimeoutMs);
    if (outcome === TIMED_OUT) {
      await this.link.probe(flight.live);
      throw new NotifyError('timeout', `Home Assistant did not answer ${target} within ${this.callTimeoutMs} ms`, { target });
    }
    if (!outcome.ok) throw toNotifyError(outcome.error, target);
  }

  /** Sends one command; the returned promise never rejects and outlives a caller's timeout. */
  private dispatch(id: string | undefined, live: Live, message: HaCommand): Promise<Outcome> {
    const settle = (result: Outcome): Outcome => {
      // Only if still ours: a newer call for the same step may have replaced this one.
      if (id !== undefined && this.inFlight.get(id)?.outcome === outcome) this.inFlight.delete(id);
      if (id !== undefined && result.ok) this.remember(id);
      return result;
    };
    // A copy: the library writes the command id into the object it is given.
    const outcome: Promise<Outcome> = live.conn.sendMessagePromise<unknown>({ ...message }).then(
      (result) => settle({ ok: true, result }),
      (error: unknown) => settle({ ok: false, error }),
    );
    if (id !== undefined) this.inFlight.set(id, { outcome, live });
    return outcome;
  }

  private remember(id: string): void {
    this.done.add(id);
    if (this.done.size > REMEMBERED_STEPS) {
      const oldest = this.done.values().next();
      if (oldest.done !== true) this.done.delete(oldest.value);
    }
  }
}
