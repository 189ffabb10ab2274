import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HomeAssistantNotifier, type HomeAssistantConfig } from '../../src/notify/homeassistant.js';
import { websocketUrl } from '../../src/notify/ha-socket.js';
import { NotifyError } from '../../src/notify/notifier.js';
import { FakeHaServer } from '../helpers/fake-ha-server.js';
import { makeAlert, recordingLogger } from './support.js';

const TOKEN = 'secret-token-3f9a';

async function failure(promise: Promise<unknown>): Promise<NotifyError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof NotifyError) return err;
    throw err;
  }
  throw new Error('expected a NotifyError');
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('HomeAssistantNotifier against a Home Assistant websocket server', () => {
  let ha: FakeHaServer;
  let logger: ReturnType<typeof recordingLogger>;
  const notifiers: HomeAssistantNotifier[] = [];
  const make = (over: Partial<HomeAssistantConfig> = {}): HomeAssistantNotifier => {
    const n = new HomeAssistantNotifier({
      url: ha.url,
      token: TOKEN,
      notifyService: 'notify.mobile_app_pixel',
      connectTimeoutMs: 1_000,
      callTimeoutMs: 250,
      logger,
      ...over,
    });
    notifiers.push(n);
    return n;
  };

  beforeEach(async () => {
    ha = await FakeHaServer.start({ token: TOKEN, services: ['notify.mobile_app_pixel'] });
    logger = recordingLogger();
  });
  afterEach(async () => {
    for (const n of notifiers.splice(0)) await n.close();
    await ha.stop();
  });

  it('authenticates, then calls the notify service and fires nfmon_alert with the alert JSON in one execute_script', async () => {
    const alert = makeAlert(1);
    await make().send(alert);
    expect(ha.auths).toEqual([{ conn: 1, ok: true }]);
    expect(ha.calls).toHaveLength(1);
    const call = ha.calls[0];
    expect(call).toMatchObject({ domain: 'notify', service: 'mobile_app_pixel', known: true });
    expect(call?.service_data).toEqual({
      title: 'nfmon: quiet_hours',
      message: alert.message,
      data: {
        tag: alert.key,
        group: 'nfmon',
        alert_id: 1,
        rule: 'quiet_hours',
        severity: 'warning',
        device: 'aa:bb:cc:00:00:01',
        device_name: 'Living room TV',
        session_id: 101,
        at: alert.at,
      },
    });
    expect(ha.events).toHaveLength(1);
    expect(ha.events[0]).toMatchObject({ event_type: 'nfmon_alert', accepted: true });
    expect(ha.events[0]?.event_data).toEqual({
      id: 1,
      key: alert.key,
      at: alert.at,
      rule: 'quiet_hours',
      severity: 'warning',
      device: { mac: 'aa:bb:cc:00:00:01', name: 'Living room TV' },
      session_id: 101,
      message: alert.message,
    });
    // Both parts are one script: one message, delivered (or repeated) together.
    expect(ha.scripts).toHaveLength(1);
    expect(ha.calls[0]!.script).toBe(ha.scripts[0]);
    expect(ha.events[0]!.script).toBe(ha.scripts[0]);
    expect(logger.at('info')).toEqual([`connected to Home Assistant 2025.1.0 at ws://127.0.0.1:${ha.port}/api/websocket`]);
  });

  it('works with an old core that does not coalesce (no supported_features before 2022.9)', async () => {
    await ha.stop();
    ha = await FakeHaServer.start({ token: TOKEN, haVersion: '2021.5.3' });
    await make().send(makeAlert(1));
    expect(ha.knownCalls()).toHaveLength(1);
  });

  it('maps auth_invalid to a non-retryable error with HA message, never showing the token', async () => {
    ha.setToken('another-token');
    const err = await failure(make().send(makeAlert(1)));
    expect(err).toMatchObject({ kind: 'auth_invalid', retryable: false, haMessage: 'Invalid access token or password' });
    expect(ha.auths).toEqual([{ conn: 1, ok: false }]);
    const everything = JSON.stringify([err.message, String(err.cause), logger.lines]);
    expect(everything).not.toContain(TOKEN);
  });

  it('maps an unknown service to not_found with the HA message verbatim', async () => {
    const err = await failure(make({ notifyService: 'notify.mobile_app_old_phone' }).send(makeAlert(1)));
    expect(err).toMatchObject({
      kind: 'not_found',
      retryable: false,
      haCode: 'not_found',
      haMessage: 'Service notify.mobile_app_old_phone not found.',
      target: 'notify.mobile_app_old_phone',
    });
    expect(ha.events).toHaveLength(0);
  });

  it('maps a closed port and a refused upgrade to unreachable (retryable)', async () => {
    const n = make();
    ha.refuse(503);
    expect(await failure(n.send(makeAlert(1)))).toMatchObject({ kind: 'unreachable', retryable: true });
    ha.refuse(false);
    await ha.stop();
    const err = await failure(n.send(makeAlert(1)));
    expect(err).toMatchObject({ kind: 'unreachable', retryable: true });
    expect(err.message).toContain('ECONNREFUSED');
    await ha.start();
    await n.send(makeAlert(1));
    expect(ha.knownCalls()).toHaveLength(1);
  });

  it('times out on a late answer, and the retry waits for that answer instead of calling again', async () => {
    const n = make();
    ha.delayResults(400);
    const err = await failure(n.send(makeAlert(1)));
    expect(err).toMatchObject({ kind: 'timeout', retryable: true, target: 'notify.mobile_app_pixel' });
    ha.delayResults(0);
    await n.send(makeAlert(1));
    expect(ha.calls).toHaveLength(1);
    expect(ha.events).toHaveLength(1);
    expect(ha.connections).toBe(1);
  });

  it('reconnects lazily, on the next send, after Home Assistant closed the connection', async () => {
    const n = make();
    await n.send(makeAlert(1));
    ha.closeAllConnections();
    await ha.until(() => ha.openConnections() === 0, 'connections closed');
    await sleep(1_200); // longer than the library's own reconnect delay
    expect(ha.connections).toBe(1);
    await n.send(makeAlert(2));
    expect(ha.connections).toBe(2);
    expect(ha.knownCalls().map((c) => c.service_data.message)).toEqual([makeAlert(1).message, makeAlert(2).message]);
  });

  it('drops a link that stopped answering (even pings) and reconnects on the next send', async () => {
    const n = make();
    await n.send(makeAlert(1));
    ha.goSilent(true);
    expect(await failure(n.send(makeAlert(2)))).toMatchObject({ kind: 'timeout' });
    expect(logger.at('info')).toContain('dropped the Home Assistant connection: no answer to ping within 250 ms');
    ha.goSilent(false);
    await n.send(makeAlert(2));
    expect(ha.connections).toBe(2);
    // A dead link delivers nothing, so the resend is not a repeat.
    expect(ha.knownCalls().map((c) => c.service_data.data)).toMatchObject([{ alert_id: 1 }, { alert_id: 2 }]);
  });

  it('after a lost answer, repeats both parts together, never one without the other', async () => {
    const n = make();
    ha.dropNextConnections(1, { when: 'after_command', command: 'execute_script' });
    expect(await failure(n.send(makeAlert(1)))).toMatchObject({ kind: 'unreachable' });
    await n.send(makeAlert(1));
    expect(ha.calls.map((c) => c.conn)).toEqual([1, 2]);
    expect(ha.events.map((e) => e.conn)).toEqual([1, 2]);
    expect(ha.calls.map((c) => c.script)).toEqual(ha.events.map((e) => e.script));
  });

  it('with a token that may not run scripts: the notification alone, delivered; says so once for each part', async () => {
    const n = make();
    ha.setAdmin(false);
    await n.send(makeAlert(1));
    await n.send(makeAlert(2));
    expect(ha.scripts).toHaveLength(0);
    expect(ha.knownCalls()).toHaveLength(2);
    expect(ha.events.map((e) => e.accepted)).toEqual([false, false]);
    expect(logger.at('warn')).toHaveLength(2);
    expect(logger.at('warn')[0]).toContain('execute_script');
    expect(logger.at('warn')[1]).toContain('fire_event needs an administrator');
  });

  it('throws on a refused event when the event is all there is to send', async () => {
    ha.setAdmin(false);
    const n = make({ notifyService: undefined });
    expect(await failure(n.send(makeAlert(1)))).toMatchObject({ kind: 'rejected', haCode: 'unauthorized', retryable: false });
  });

  it('sends each alert key once per adapter, however often it is sent', async () => {
    const n = make();
    await n.send(makeAlert(1));
    await n.send(makeAlert(1));
    expect(ha.calls).toHaveLength(1);
    expect(ha.events).toHaveLength(1);
  });

  it('only fires the event when no notify service is configured; refuses a config with nothing to send', async () => {
    await make({ notifyService: undefined }).send(makeAlert(1));
    expect(ha.calls).toHaveLength(0);
    expect(ha.events).toHaveLength(1);
    expect(() => make({ notifyService: undefined, fireEvent: false })).toThrow(/nothing to send/);
  });

  it('testNotification reports exactly what Home Assistant answered', async () => {
    const ok = await make().testNotification('2026-11-22T01:47:10Z');
    expect(ok.ok).toBe(true);
    expect(ok).toMatchObject({ result: { context: { parent_id: null } } });
    expect(ha.calls[0]?.service_data).toMatchObject({ title: 'nfmon: test', data: { tag: 'nfmon_test' } });

    const missing = await make({ notifyService: 'notify.nope' }).testNotification('2026-11-22T01:47:10Z');
    expect(missing).toEqual({ ok: false, code: 'not_found', message: 'Service notify.nope not found.' });

    const badToken = await make({ token: 'wrong' }).testNotification('2026-11-22T01:47:10Z');
    expect(badToken).toEqual({ ok: false, code: 'auth_invalid', message: 'Invalid access token or password' });

    await ha.stop();
    const down = await make().testNotification('2026-11-22T01:47:10Z');
    expect(down).toMatchObject({ ok: false, code: 'unreachable' });
  });

  it('refuses to send after close()', async () => {
    const n = make();
    await n.send(makeAlert(1));
    await n.close();
    expect(await failure(n.send(makeAlert(2)))).toMatchObject({ kind: 'unreachable' });
    await ha.until(() => ha.openConnections() === 0, 'connection closed');
  });
});

describe('websocketUrl', () => {
  it.each([
    ['http://homeassistant.local:8123', 'ws://homeassistant.local:8123/api/websocket'],
    ['https://ha.example.org/', 'wss://ha.example.org/api/websocket'],
    ['http://10.0.0.2:8123/proxy/ha/', 'ws://10.0.0.2:8123/proxy/ha/api/websocket'],
    ['ws://10.0.0.2:8123/api/websocket', 'ws://10.0.0.2:8123/api/websocket'],
  ])('%s -> %s', (base, ws) => {
    expect(websocketUrl(base)).toBe(ws);
  });

  it('rejects other schemes and non-URLs naming the setting', () => {
    expect(() => websocketUrl('ftp://ha:8123')).toThrow(/homeassistant.url/);
    expect(() => websocketUrl('homeassistant.local:8123')).toThrow(/homeassistant.url/);
    expect(() => websocketUrl('not a url')).toThrow(/homeassistant.url/);
  });
});
