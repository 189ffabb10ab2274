// Home Assistant websocket commands for an alert, as plain objects (no I/O, no ids: the
// connection numbers them). Keys are snake_case because this is the wire format. An alert's
// message quotes host names from leases and logs: its human text (title, message) is escaped
// and cut (core/text.ts) before it reaches a phone or the logbook; identities (mac, name in
// `data`, the event's device) stay exact, as in the CLI's --json.
import { safeField } from '../core/text.js';
import type { OutgoingAlert } from './notifier.js';

export const ALERT_EVENT_TYPE = 'nfmon_alert';
/** Companion-app notification group, so nfmon's notifications stack together on the phone. */
export const NOTIFICATION_GROUP = 'nfmon';
/** Longest message sent: a phone shows a few lines, and one host name must not make it megabytes. */
export const MAX_MESSAGE = 1000;

const humanText = (text: string): string => safeField(text, MAX_MESSAGE);

export interface ServiceName {
  readonly domain: string;
  readonly service: string;
}

export interface CallServiceMessage {
  readonly type: 'call_service';
  readonly domain: string;
  readonly service: string;
  readonly service_data: {
    readonly title: string;
    readonly message: string;
    readonly data: Readonly<Record<string, string | number | null>>;
  };
}

export interface FireEventMessage {
  readonly type: 'fire_event';
  readonly event_type: string;
  readonly event_data: AlertEventData;
}

/** The alert JSON of the CLI contract, plus its de-duplication key. */
export type AlertEventData = OutgoingAlert;

/** `notify.mobile_app_pixel` -> {domain: 'notify', service: 'mobile_app_pixel'} (split at the first dot). */
export function parseServiceName(name: string): ServiceName {
  const dot = name.indexOf('.');
  if (dot <= 0 || dot === name.length - 1) {
    throw new Error(`expected a service as domain.service (e.g. notify.mobile_app_pixel), got "${name}"`);
  }
  return { domain: name.slice(0, dot), service: name.slice(dot + 1) };
}

export function formatServiceName(name: ServiceName): string {
  return `${name.domain}.${name.service}`;
}

/**
 * The notify call for an alert. `data.tag` is the companion apps' replace key: a notification
 * with the tag of one already on the phone replaces it, so a re-sent alert does not show twice.
 * `data` holds only scalars because notify platforms pass it on to push services as-is.
 */
export function notifyServiceCall(target: ServiceName, alert: OutgoingAlert): CallServiceMessage {
  return {
    type: 'call_service',
    domain: target.domain,
    service: target.service,
    service_data: {
      title: humanText(`nfmon: ${alert.rule}`),
      message: humanText(alert.message),
      data: {
        tag: alert.key,
        group: NOTIFICATION_GROUP,
        alert_id: alert.id,
        rule: alert.rule,
        severity: alert.severity,
        device: alert.device?.mac ?? null,
        device_name: alert.device?.name ?? null,
        session_id: alert.session_id,
        at: alert.at,
      },
    },
  };
}

export interface ExecuteScriptMessage {
  readonly type: 'execute_script';
  readonly sequence: readonly (
    | { readonly service: string; readonly data: CallServiceMessage['service_data'] }
    | { readonly event: string; readonly event_data: AlertEventData }
  )[];
}

/**
 * Both parts of an alert as one message: Home Assistant runs the sequence as one script
 * (websocket_api/commands.py handle_execute_script), so a resend repeats both parts or neither
 * and they can never drift apart. `service:` is the script key Home Assistant has always
 * accepted (2024.8 added `action:` as its new name and kept `service:` working). Needs an
 * administrator's token, as fire_event does.
 */
export function alertScript(target: ServiceName, alert: OutgoingAlert): ExecuteScriptMessage {
  const call = notifyServiceCall(target, alert);
  const event = alertEvent(alert);
  return {
    type: 'execute_script',
    sequence: [
      { service: formatServiceName(target), data: call.service_data },
      { event: event.event_type, event_data: event.event_data },
    ],
  };
}

/** The `nfmon_alert` event automations trigger on; its data is the alert JSON. */
export function alertEvent(alert: OutgoingAlert): FireEventMessage {
  return {
    type: 'fire_event',
    event_type: ALERT_EVENT_TYPE,
    event_data: {
      id: alert.id,
      key: alert.key,
      at: alert.at,
      rule: alert.rule,
      severity: alert.severity,
      device: alert.device === null ? null : { mac: alert.device.mac, name: alert.device.name },
      session_id: alert.session_id,
      message: humanText(alert.message),
    },
  };
}

/** The call `nfmon notify-test` makes; its own tag so repeated tests replace each other. */
export function testServiceCall(target: ServiceName, atIso: string): CallServiceMessage {
  return {
    type: 'call_service',
    domain: target.domain,
    service: target.service,
    service_data: {
      title: 'nfmon: test',
      message: `Test notification from nfmon (${atIso}). If you can read this, alerts will reach you.`,
      data: { tag: 'nfmon_test', group: NOTIFICATION_GROUP, at: atIso },
    },
  };
}
