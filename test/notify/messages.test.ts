import { describe, expect, it } from 'vitest';
import { alertEvent, MAX_MESSAGE, notifyServiceCall, parseServiceName, testServiceCall } from '../../src/notify/messages.js';
import { makeAlert } from './support.js';

describe('parseServiceName', () => {
  it.each([
    ['notify.mobile_app_pixel', { domain: 'notify', service: 'mobile_app_pixel' }],
    ['persistent_notification.create', { domain: 'persistent_notification', service: 'create' }],
    ['notify.a.b', { domain: 'notify', service: 'a.b' }],
  ])('%s', (name, expected) => {
    expect(parseServiceName(name)).toEqual(expected);
  });

  it.each(['notify', '.mobile_app', 'notify.', ''])('rejects "%s"', (name) => {
    expect(() => parseServiceName(name)).toThrow(/domain\.service/);
  });
});

describe('notifyServiceCall', () => {
  it('puts the de-duplication key in the companion app tag and only scalars in data', () => {
    const alert = makeAlert(7, { device: null, session_id: null, rule: 'concurrent_streams', severity: 'critical' });
    expect(notifyServiceCall(parseServiceName('notify.mobile_app_pixel'), alert)).toEqual({
      type: 'call_service',
      domain: 'notify',
      service: 'mobile_app_pixel',
      service_data: {
        title: 'nfmon: concurrent_streams',
        message: alert.message,
        data: {
          tag: alert.key,
          group: 'nfmon',
          alert_id: 7,
          rule: 'concurrent_streams',
          severity: 'critical',
          device: null,
          device_name: null,
          session_id: null,
          at: alert.at,
        },
      },
    });
  });
});

describe('alertEvent', () => {
  it('carries the alert JSON, snake_case, as a copy', () => {
    const alert = makeAlert(3, { device: { mac: 'aa:bb:cc:dd:ee:ff', name: null } });
    const event = alertEvent(alert);
    expect(event).toEqual({ type: 'fire_event', event_type: 'nfmon_alert', event_data: { ...alert } });
    expect(Object.keys(event.event_data)).toEqual(['id', 'key', 'at', 'rule', 'severity', 'device', 'session_id', 'message']);
    expect(event.event_data.device).not.toBe(alert.device);
  });
});

describe('testServiceCall', () => {
  it('uses its own tag so repeated tests replace each other', () => {
    const call = testServiceCall(parseServiceName('notify.mobile_app_pixel'), '2026-11-22T01:47:10Z');
    expect(call.service_data.title).toBe('nfmon: test');
    expect(call.service_data.data).toEqual({ tag: 'nfmon_test', group: 'nfmon', at: '2026-11-22T01:47:10Z' });
  });
});

describe('hostile text in an alert', () => {
  const hostile = `Netflix on \u001b]0;pwned\u0007\u001b[2J\r\nforged\u202eexe.txt ${'x'.repeat(5000)}`;
  const alert = makeAlert(9, { message: hostile, device: { mac: 'aa:bb:cc:dd:ee:ff', name: '\u001b[2Jtv' } });

  it('escapes and cuts the message the phone shows; the identity in data stays exact', () => {
    const call = notifyServiceCall(parseServiceName('notify.mobile_app_pixel'), alert);
    const message = call.service_data.message;
    expect(message).toMatch(/^Netflix on \\x1b\]0;pwned\\x07\\x1b\[2J\\r\\nforged\\u202eexe\.txt x+…$/);
    expect([...message].length).toBe(MAX_MESSAGE);
    // eslint-disable-next-line no-control-regex -- looking for control characters is the point
    expect(message).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
    expect(call.service_data.data.device_name).toBe('\u001b[2Jtv');
  });

  it('does the same for the nfmon_alert event message', () => {
    const event = alertEvent(alert);
    expect(event.event_data.message).toBe(notifyServiceCall(parseServiceName('notify.x'), alert).service_data.message);
    expect(event.event_data.device).toEqual({ mac: 'aa:bb:cc:dd:ee:ff', name: '\u001b[2Jtv' });
  });
});
