// The test server must speak Home Assistant's protocol as the transcript records it, or every
// test built on it proves nothing. Checked here with a bare ws client, no library in between.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { FakeHaServer } from '../helpers/fake-ha-server.js';

type Frame = Record<string, unknown>;

interface RawClient {
  readonly ws: WebSocket;
  send(frame: Frame): void;
  next(): Promise<unknown>;
  closed: Promise<number>;
}

function rawClient(url: string): Promise<RawClient> {
  const ws = new WebSocket(url.replace('http:', 'ws:') + '/api/websocket');
  const inbox: unknown[] = [];
  const waiters: ((frame: unknown) => void)[] = [];
  ws.on('message', (data) => {
    const frame: unknown = JSON.parse((data as Buffer).toString('utf8'));
    const waiter = waiters.shift();
    if (waiter) waiter(frame);
    else inbox.push(frame);
  });
  const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    ws.once('error', reject);
    ws.once('open', () =>
      resolve({
        ws,
        closed,
        send: (frame) => ws.send(JSON.stringify(frame)),
        next: () => (inbox.length > 0 ? Promise.resolve(inbox.shift()) : new Promise((r) => waiters.push(r))),
      }),
    );
  });
}

async function authed(ha: FakeHaServer, token = 'tok'): Promise<RawClient> {
  const c = await rawClient(ha.url);
  await c.next();
  c.send({ type: 'auth', access_token: token });
  expect(await c.next()).toEqual({ type: 'auth_ok', ha_version: '2025.1.0' });
  return c;
}

describe('FakeHaServer speaks the Home Assistant websocket protocol', () => {
  let ha: FakeHaServer;
  beforeEach(async () => {
    ha = await FakeHaServer.start({ token: 'tok', services: ['notify.mobile_app_pixel'] });
  });
  afterEach(async () => {
    await ha.stop();
  });

  it('auth_required, then auth_ok for the right token', async () => {
    const c = await rawClient(ha.url);
    expect(await c.next()).toEqual({ type: 'auth_required', ha_version: '2025.1.0' });
    c.send({ type: 'auth', access_token: 'tok' });
    expect(await c.next()).toEqual({ type: 'auth_ok', ha_version: '2025.1.0' });
    c.ws.close();
  });

  it('auth_invalid and close for a wrong token, and for a command before auth', async () => {
    const wrong = await rawClient(ha.url);
    await wrong.next();
    wrong.send({ type: 'auth', access_token: 'nope' });
    expect(await wrong.next()).toEqual({ type: 'auth_invalid', message: 'Invalid access token or password' });
    await wrong.closed;

    const early = await rawClient(ha.url);
    await early.next();
    early.send({ id: 1, type: 'ping' });
    expect(await early.next()).toMatchObject({ type: 'auth_invalid', message: expect.stringMatching(/^Auth message incorrectly formatted/) as unknown });
    await early.closed;
    expect(ha.auths).toEqual([{ conn: 1, ok: false }]);
  });

  it('call_service: success with a context, not_found with core’s exact error', async () => {
    const c = await authed(ha);
    c.send({ id: 1, type: 'call_service', domain: 'notify', service: 'mobile_app_pixel', service_data: { message: 'hi' } });
    const ok = (await c.next()) as Frame;
    expect(ok).toMatchObject({ id: 1, type: 'result', success: true, result: { context: { parent_id: null } } });
    expect((ok.result as { context: { id: string } }).context.id).toMatch(/^[0-9a-f]{32}$/);

    c.send({ id: 2, type: 'call_service', domain: 'notify', service: 'x' });
    expect(await c.next()).toEqual({
      id: 2,
      type: 'result',
      success: false,
      error: {
        code: 'not_found',
        message: 'Service notify.x not found.',
        translation_key: 'service_not_found',
        translation_domain: 'homeassistant',
        translation_placeholders: { domain: 'notify', service: 'x' },
      },
    });
    expect(ha.calls.map((call) => [call.service, call.known])).toEqual([['mobile_app_pixel', true], ['x', false]]);
    c.ws.close();
  });

  it('id_reuse, unknown_command, invalid_format, ping/pong', async () => {
    const c = await authed(ha);
    c.send({ id: 5, type: 'ping' });
    expect(await c.next()).toEqual({ id: 5, type: 'pong' });
    c.send({ id: 5, type: 'ping' });
    expect(await c.next()).toEqual({ id: 5, type: 'result', success: false, error: { code: 'id_reuse', message: 'Identifier values have to increase.' } });
    c.send({ id: 6, type: 'frobnicate' });
    expect(await c.next()).toEqual({ id: 6, type: 'result', success: false, error: { code: 'unknown_command', message: 'Unknown command.' } });
    c.send({ type: 'ping' });
    expect(await c.next()).toEqual({ id: null, type: 'result', success: false, error: { code: 'invalid_format', message: 'Message incorrectly formatted.' } });
    c.send({ id: 7, type: 'fire_event', event_type: 100 });
    expect(await c.next()).toMatchObject({ id: 7, success: false, error: { code: 'invalid_format' } });
    c.ws.close();
  });

  it('coalesces frames into one array after supported_features, as core does', async () => {
    const c = await authed(ha);
    c.send({ id: 1, type: 'supported_features', features: { coalesce_messages: 1 } });
    expect(await c.next()).toEqual({ id: 1, type: 'result', success: true, result: null });
    c.send({ id: 2, type: 'ping' });
    c.send({ id: 3, type: 'ping' });
    const frames: unknown[] = [];
    while (frames.flat().length < 2) frames.push(await c.next());
    expect(frames.flat()).toEqual([{ id: 2, type: 'pong' }, { id: 3, type: 'pong' }]);
    c.ws.close();
  });

  it('fire_event reaches subscribers; admin-only like core', async () => {
    const listener = await authed(ha);
    listener.send({ id: 1, type: 'subscribe_events', event_type: 'nfmon_alert' });
    expect(await listener.next()).toEqual({ id: 1, type: 'result', success: true, result: null });
    const c = await authed(ha);
    c.send({ id: 1, type: 'fire_event', event_type: 'nfmon_alert', event_data: { rule: 'quiet_hours' } });
    expect(await c.next()).toMatchObject({ id: 1, type: 'result', success: true });
    expect(await listener.next()).toMatchObject({ id: 1, type: 'event', event: { event_type: 'nfmon_alert', data: { rule: 'quiet_hours' } } });
    ha.setAdmin(false);
    c.send({ id: 2, type: 'fire_event', event_type: 'nfmon_alert' });
    expect(await c.next()).toEqual({ id: 2, type: 'result', success: false, error: { code: 'unauthorized', message: 'Unauthorized' } });
    listener.ws.close();
    c.ws.close();
  });

  it('refuses upgrades with an HTTP status, and comes back on the same port after stop()', async () => {
    ha.refuse(503);
    await expect(rawClient(ha.url)).rejects.toThrow(/503/);
    ha.refuse(false);
    const port = ha.port;
    await ha.stop();
    await expect(rawClient(ha.url)).rejects.toThrow(/ECONNREFUSED/);
    await ha.start();
    expect(ha.port).toBe(port);
    const c = await authed(ha);
    c.ws.close();
  });
});
