// The daemon end to end in-process: lines appended to the tailed log become events, a session and
// a quiet-hours alert, and the alert reaches a Home Assistant that speaks the real protocol as one
// notify call and one nfmon_alert event.
import { appendFileSync, statSync, writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { isoUtc } from '../../src/core/time.js';
import { FakeHaServer } from '../helpers/fake-ha-server.js';
import {
  appendQueries, DbProbe, otherLine, queryBlock, quietWindowAround, startInProcess, tempDir, testConfig, until, type InProcess, type TempDir,
} from '../helpers/daemon-harness.js';

const TOKEN = 'llat-tail-test';
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function dir(): TempDir {
  const t = tempDir();
  cleanups.push(() => t.remove());
  return t;
}

async function run(...args: Parameters<typeof startInProcess>): Promise<InProcess> {
  const d = await startInProcess(...args);
  cleanups.push(() => d.stop());
  return d;
}

describe('nfmon run: log lines to sessions, alerts and Home Assistant', () => {
  it('a quiet-hours play becomes a session and an alert, delivered to Home Assistant exactly once', async () => {
    const t = dir();
    const ha = await FakeHaServer.start({ token: TOKEN, services: ['notify.mobile_app_pixel'] });
    cleanups.push(() => ha.stop());
    const config = testConfig(t, {
      rules: { quiet_hours: quietWindowAround(Date.now()) },
      homeassistant: { url: ha.url, token: TOKEN, notify: 'notify.mobile_app_pixel' },
    });
    writeFileSync(config.pihole.log, otherLine());
    const d = await run(config, { senderBackoff: { minMs: 50, maxMs: 500 } });
    const { store } = d.app;

    const before = Date.now();
    appendQueries(config.pihole.log, 0, 3);
    await until(() => store.alerts.list(undefined).length > 0, 'the quiet-hours alert', 5_000);
    await ha.until(() => ha.calls.length >= 1 && ha.events.length >= 1, 'the notify call and the event', 5_000);

    const sessions = store.sessions.query({});
    expect(sessions).toHaveLength(1);
    const session = sessions[0]!;
    expect(session).toMatchObject({ device: 'ip:192.168.1.50', service: 'netflix', ip: '192.168.1.50', evidence: ['dns'] });
    expect(session.start).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
    expect(session.start).toBeLessThanOrEqual(Date.now());

    const alerts = store.alerts.list(undefined);
    expect(alerts).toHaveLength(1);
    const alert = alerts[0]!;
    expect(alert).toMatchObject({ rule: 'quiet_hours', device: 'ip:192.168.1.50', sessionId: session.id, service: 'netflix' });
    expect(alert.at).toBe(session.firstVideo);

    const call = ha.calls[0]!;
    expect(call).toMatchObject({ domain: 'notify', service: 'mobile_app_pixel', known: true });
    expect(call.service_data).toMatchObject({
      title: 'nfmon: quiet_hours',
      message: alert.message,
      data: { tag: alert.key, rule: 'quiet_hours', alert_id: alert.id, device: '192.168.1.50', session_id: session.id, at: isoUtc(alert.at) },
    });
    expect(alert.message).toMatch(/quiet hours/);
    expect(ha.events[0]).toMatchObject({ event_type: 'nfmon_alert', accepted: true });
    expect(ha.events[0]!.event_data).toEqual({
      id: alert.id,
      key: alert.key,
      at: isoUtc(alert.at),
      rule: 'quiet_hours',
      severity: 'warning',
      device: { mac: '192.168.1.50', name: 'ip:192.168.1.50' },
      session_id: session.id,
      message: alert.message,
    });
    await until(() => store.alerts.outboxDepth() === 0, 'the alert marked delivered', 5_000);

    // More of the same play: the session grows, no new alert, nothing sent again.
    appendQueries(config.pihole.log, 3, 10);
    await until(() => store.events.count() === 10, 'the later lines stored', 5_000);
    // stop() waits for the rebuild of those lines and drains the sender.
    await d.stop();
    expect(ha.calls).toHaveLength(1);
    expect(ha.events).toHaveLength(1);
    const probe = new DbProbe(config.database);
    cleanups.push(() => probe.close());
    expect(probe.all('SELECT count(*) AS n FROM alerts')).toEqual([{ n: 1 }]);
    expect(probe.all('SELECT count(*) AS n FROM sessions')).toEqual([{ n: 1 }]);
    expect(probe.meta('daemon_heartbeat')).toBeUndefined();
  });

  it('outside quiet hours a play is a session without an alert', async () => {
    const t = dir();
    const config = testConfig(t); // quiet hours twelve hours away
    writeFileSync(config.pihole.log, '');
    const d = await run(config);
    appendFileSync(config.pihole.log, queryBlock(0, 4, '192.168.1.60'));
    await until(() => d.app.store.sessions.query({}).length === 1, 'the session', 5_000);
    expect(d.app.store.sessions.query({})[0]).toMatchObject({ device: 'ip:192.168.1.60', evidence: ['dns'] });
    await d.stop();
    const probe = new DbProbe(config.database);
    cleanups.push(() => probe.close());
    expect(probe.all('SELECT count(*) AS n FROM alerts')).toEqual([{ n: 0 }]);
  });

  it('a write right after another (inside chokidar\'s 50 ms change throttle) is read within a second, not at the next poll', async () => {
    const t = dir();
    const config = testConfig(t);
    writeFileSync(config.pihole.log, '');
    const d = await run(config);
    const probe = new DbProbe(config.database);
    cleanups.push(() => probe.close());
    const offset = (): number => probe.all<{ offset: number }>("SELECT offset FROM sources WHERE kind = 'pihole'")[0]?.offset ?? -1;
    for (let round = 0; round < 3; round++) {
      appendFileSync(config.pihole.log, otherLine());
      const size = statSync(config.pihole.log).size;
      await until(() => offset() === size, 'the first write read', 6_000);
      // At once: chokidar reports no change for this write, its window is still open.
      const started = Date.now();
      appendQueries(config.pihole.log, round * 2, round * 2 + 2);
      await until(() => probe.events().count === round * 2 + 2, `round ${round}: the second write stored`, 6_000);
      expect(Date.now() - started).toBeLessThan(1_000);
    }
    await d.stop();
  });
});
