// Home Assistant misbehaving while the daemon raises alerts from the tailed log: down, dropping
// connections, restarting, refusing the token, missing the notify service. Each alert arrives
// once, in the order raised; a configuration problem is said in one log line naming the setting
// and the alerts wait in the outbox until it is fixed.
import { writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/schema.js';
import { FakeHaServer, type RecordedCall } from '../helpers/fake-ha-server.js';
import { appendQueries, otherLine, quietWindowAround, startInProcess, tempDir, testConfig, until, type InProcess } from '../helpers/daemon-harness.js';

const TOKEN = 'llat-right-0123456789';
const BACKOFF = { minMs: 50, maxMs: 500 };

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

interface House {
  readonly ha: FakeHaServer;
  readonly config: Config;
  d: InProcess;
  /** A new device plays in quiet hours; resolves when its alert is stored. Returns the alert id. */
  raise(): Promise<number>;
  /** Start the daemon (again) on the same database, optionally with other HA settings. */
  start(ha?: { token?: string; notify?: string }): Promise<InProcess>;
  errorLines(pattern: RegExp): string[];
  knownCallIds(): number[];
  eventIds(): number[];
}

async function house(ha?: { token?: string; notify?: string }): Promise<House> {
  const t = tempDir();
  cleanups.push(() => t.remove());
  const server = await FakeHaServer.start({ token: TOKEN, services: ['notify.mobile_app_pixel'] });
  cleanups.push(() => server.stop());
  const configFor = (o: { token?: string; notify?: string } = {}): Config =>
    testConfig(t, {
      rules: { quiet_hours: quietWindowAround(Date.now()) },
      homeassistant: { url: server.url, token: o.token ?? TOKEN, notify: o.notify ?? 'notify.mobile_app_pixel' },
    });
  const config = configFor(ha);
  writeFileSync(config.pihole.log, otherLine());
  let devices = 0;
  let queries = 0;
  const h: House = {
    ha: server,
    config,
    d: undefined as unknown as InProcess,
    async start(o) {
      h.d = await startInProcess(configFor(o ?? ha), { senderBackoff: BACKOFF });
      const d = h.d;
      cleanups.push(() => d.stop());
      return d;
    },
    async raise() {
      const { store } = h.d.app;
      const before = store.alerts.list(undefined).length;
      devices++;
      appendQueries(config.pihole.log, queries, queries + 3, `192.168.1.${100 + devices}`);
      queries += 3;
      await until(() => store.alerts.list(undefined).length === before + 1, `alert ${before + 1} stored`, 5_000);
      return store.alerts.list(undefined).at(-1)!.id;
    },
    errorLines: (pattern) => h.d.lines.filter((l) => /^level=(warn|error)/.test(l) && pattern.test(l)),
    knownCallIds: () => server.knownCalls().map(alertIdOf),
    eventIds: () => server.events.filter((e) => e.accepted).map((e) => e.event_data.id as number),
  };
  await h.start(ha);
  return h;
}

const alertIdOf = (c: RecordedCall): number => (c.service_data.data as { alert_id: number }).alert_id;

/** Every alert raised was delivered: once each, in order, as a notify call and as an event. */
async function expectDeliveredOnceInOrder(h: House, ids: number[]): Promise<void> {
  await until(() => h.d.app.store.alerts.outboxDepth() === 0, 'the outbox emptied', 8_000, () => h.d.lines.slice(-5));
  expect(h.knownCallIds()).toEqual(ids);
  expect(h.eventIds()).toEqual(ids);
  for (const c of h.ha.knownCalls()) expect((c.service_data.data as { tag: string }).tag).toBe(h.d.app.store.alerts.byId(alertIdOf(c))?.key);
}

function expectNoToken(h: House, ...tokens: string[]): void {
  for (const token of tokens) expect(h.d.lines.filter((l) => l.includes(token))).toEqual([]);
}

describe('nfmon run with a Home Assistant that misbehaves', () => {
  it('down while alerts are raised, back on the same port: each arrives once, in order; one line down, one back', async () => {
    const h = await house();
    await h.ha.stop();
    const ids = [await h.raise()];
    await until(() => (h.d.app.store.alerts.byId(ids[0]!)?.attempts ?? 0) >= 2, 'failed attempts on the first alert', 5_000);
    ids.push(await h.raise(), await h.raise());
    await until(() => (h.d.app.store.alerts.byId(ids[0]!)?.attempts ?? 0) >= 4, 'more failed attempts', 5_000);
    expect(h.d.app.store.alerts.outboxDepth()).toBe(3);
    expect(h.errorLines(/unreachable/)).toHaveLength(1);
    await h.ha.start();
    await expectDeliveredOnceInOrder(h, ids);
    expect(h.d.lines.filter((l) => l.includes('delivery recovered'))).toHaveLength(1);
    // Later alerts go straight through.
    ids.push(await h.raise());
    await expectDeliveredOnceInOrder(h, ids);
  });

  it('connections dropped on open and before Home Assistant acted: delivered once each, in order', async () => {
    const h = await house();
    h.ha.dropNextConnections(2, { when: 'open' });
    h.ha.dropNextConnections(1, { when: 'command', command: 'execute_script' });
    const ids = [await h.raise()];
    await expectDeliveredOnceInOrder(h, ids);
    expect(h.ha.connections).toBe(4);
    h.ha.dropNextConnections(1, { when: 'open' });
    h.ha.closeAllConnections();
    await h.ha.until(() => h.ha.openConnections() === 0, 'connections closed');
    ids.push(await h.raise(), await h.raise());
    await expectDeliveredOnceInOrder(h, ids);
  });

  it('Home Assistant restarting (connections closed, upgrades refused for a while): delivered once each, in order', async () => {
    const h = await house();
    const ids = [await h.raise()];
    await expectDeliveredOnceInOrder(h, ids);
    h.ha.closeAllConnections();
    h.ha.refuse(503);
    await h.ha.until(() => h.ha.openConnections() === 0, 'connections closed');
    ids.push(await h.raise(), await h.raise());
    await until(() => (h.d.app.store.alerts.byId(ids[1]!)?.attempts ?? 0) >= 2, 'failed attempts while restarting', 5_000);
    expect(h.knownCallIds()).toEqual(ids.slice(0, 1));
    h.ha.refuse(false);
    await expectDeliveredOnceInOrder(h, ids);
  });

  it('a rejected token: one log line naming homeassistant.token, alerts stay queued; the right token delivers them once', async () => {
    const wrong = 'llat-WRONG-9876543210';
    const h = await house({ token: wrong });
    const first = await h.raise();
    await until(() => h.errorLines(/homeassistant\.token/).length > 0, 'the token error line', 5_000);
    const second = await h.raise();
    await until(() => h.d.lines.some((l) => l.includes('delivery is paused')), 'the second alert queued behind the pause', 5_000);
    expect(h.errorLines(/homeassistant\.token/)).toHaveLength(1);
    expect(h.errorLines(/./)).toHaveLength(1);
    expect(h.d.app.store.alerts.outboxDepth()).toBe(2);
    expect(h.ha.calls).toEqual([]);
    // One login attempt with the bad token, not one per retry (Home Assistant bans IPs that keep trying).
    expect(h.ha.auths).toEqual([{ conn: 1, ok: false }]);
    expectNoToken(h, wrong, TOKEN);
    await h.d.stop();
    await h.start({ token: TOKEN });
    await expectDeliveredOnceInOrder(h, [first, second]);
    expectNoToken(h, wrong, TOKEN);
  });

  it('an unknown notify service: one log line naming homeassistant.notify, the alert stays queued until the service exists', async () => {
    const h = await house({ notify: 'notify.mobile_app_gone' });
    const id = await h.raise();
    await h.ha.until(() => h.ha.calls.length >= 3, 'three attempts', 5_000);
    expect(h.ha.calls.every((c) => !c.known && c.service === 'mobile_app_gone')).toBe(true);
    expect(h.errorLines(/homeassistant\.notify/)).toHaveLength(1);
    expect(h.errorLines(/homeassistant\.notify/)[0]).toMatch(/notify\.mobile_app_gone/);
    expect(h.d.app.store.alerts.outboxDepth()).toBe(1);
    expect(h.ha.events).toEqual([]);

    // The companion app registers again: the queued alert goes out, once.
    h.ha.setServices(['notify.mobile_app_pixel', 'notify.mobile_app_gone']);
    await expectDeliveredOnceInOrder(h, [id]);
  });
});
