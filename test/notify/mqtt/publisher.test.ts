// The publisher against a real mosquitto, read back by a second MQTT client (and by mosquitto's
// own clients where that matters): what Home Assistant would receive.
import { spawnSync } from 'node:child_process';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { validateConfig } from '../../../src/config/load.js';
import { createLogger } from '../../../src/daemon/logger.js';
import { forgetOnBroker } from '../../../src/notify/mqtt/start.js';
import type { OutgoingAlert } from '../../../src/notify/notifier.js';
import { MOSQUITTO_MISSING, MOSQUITTO_PUB, MOSQUITTO_SUB, startBroker, type Broker } from '../../helpers/mosquitto.js';
import { allLines, reader, retained, screen, sessionProvider, startPublisher, until, type Running } from './support.js';

const PASSWORD = 'pw-Zq8!tablet-7c1e';
const GAP_MS = 1_500;

describe.skipIf(MOSQUITTO_MISSING)(`MQTT publisher against mosquitto${MOSQUITTO_MISSING ? ` (skipped: ${MOSQUITTO_MISSING})` : ''}`, () => {
  let broker: Broker;
  let running: Running[] = [];
  const start = (...args: Parameters<typeof startPublisher> extends [Broker, ...infer R] ? R : never): Running => {
    const r = startPublisher(broker, ...args);
    running.push(r);
    return r;
  };

  beforeAll(async () => {
    broker = await startBroker(PASSWORD);
  });
  afterEach(async () => {
    for (const r of running) await r.handle.stop();
    running = [];
  });
  afterAll(async () => {
    await broker?.dispose();
  });

  it('announces retained, well-formed configs and is OFF before any play', async () => {
    const watch = await reader(broker, ['t1/#']);
    start('t1', sessionProvider(GAP_MS, () => [screen()]));
    await watch.waitFor((m) => m.topic === 't1/device/aabbccddee01/last_session_start', 5_000, 'with the last state');
    await watch.close();

    const held = await retained(broker, ['homeassistant/+/t1/+/config', 't1/#']);
    const configs = [...held].filter(([t]) => t.startsWith('homeassistant/'));
    expect(configs.map(([t]) => t).sort()).toEqual([
      'homeassistant/binary_sensor/t1/aabbccddee01_playing/config',
      'homeassistant/binary_sensor/t1/netflix_active/config',
      'homeassistant/event/t1/netflix_alert/config',
      'homeassistant/sensor/t1/aabbccddee01_last_session_start/config',
      'homeassistant/sensor/t1/aabbccddee01_minutes_today/config',
      'homeassistant/sensor/t1/netflix_streams/config',
    ]);
    for (const [topic, payload] of configs) {
      const c = JSON.parse(payload) as Record<string, unknown>;
      const component = topic.split('/')[1];
      expect(c.unique_id, topic).toMatch(/^t1_/);
      expect(c.default_entity_id, topic).toMatch(new RegExp(`^${component}\\.`));
      expect(c.availability_topic, topic).toBe('t1/availability');
      expect(held.has(c.state_topic as string) || component === 'event', `${topic} has a retained state`).toBe(true);
      expect((c.device as { identifiers: string[] }).identifiers).toHaveLength(1);
    }
    expect(held.get('t1/availability')).toBe('online');
    expect(held.get('t1/netflix/active')).toBe('OFF');
    expect(held.get('t1/netflix/streams')).toBe('0');
    expect(held.get('t1/device/aabbccddee01/playing')).toBe('OFF');
    expect(held.get('t1/device/aabbccddee01/last_session_start')).toBe('None');
  });

  it('reads the same retained config with mosquitto_sub', () => {
    const r = spawnSync(MOSQUITTO_SUB ?? 'mosquitto_sub', [
      '-h', '127.0.0.1', '-p', String(broker.port), '-u', broker.user, '-P', PASSWORD,
      '-t', 'homeassistant/binary_sensor/t1/netflix_active/config', '-C', '1', '-W', '3', '--retained-only',
    ], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ unique_id: 't1_netflix_active', default_entity_id: 'binary_sensor.netflix_active' });
  });

  it('turns ON within 2 s of a play and OFF by its own timer once the gap has passed', async () => {
    let tablet = screen();
    // The daemon gives both the provider and the publisher the same sessions.gap.
    const { handle } = start('t2', sessionProvider(GAP_MS, () => [tablet]), { sessions: { gap: `${GAP_MS}ms` } });
    const watch = await reader(broker, ['t2/netflix/active', 't2/device/+/playing', 't2/netflix/streams']);
    await watch.waitFor((m) => m.topic === 't2/netflix/active' && m.payload === 'OFF', 5_000, 'OFF before any play');

    const evidence = Date.now();
    tablet = screen({ lastEvidenceAt: evidence, lastSessionStart: evidence, minutesToday: 1 });
    handle.refresh();
    const on = await watch.waitFor((m) => m.topic === 't2/netflix/active' && m.payload === 'ON', 2_000, 'ON');
    expect(on.at - evidence).toBeLessThan(2_000);
    await watch.waitFor((m) => m.topic === 't2/device/aabbccddee01/playing' && m.payload === 'ON', 500, 'device ON');
    await watch.waitFor((m) => m.topic === 't2/netflix/streams' && m.payload === '1', 500, 'one stream');

    // No refresh() from here: the publisher's timer finds the session closed.
    const off = await watch.waitFor((m) => m.topic === 't2/device/aabbccddee01/playing' && m.payload === 'OFF' && m.at > on.at, GAP_MS + 2_000, 'OFF');
    expect(off.at - evidence).toBeGreaterThanOrEqual(GAP_MS);
    expect(off.at - evidence).toBeLessThan(GAP_MS + 1_000);
    await watch.waitFor((m) => m.topic === 't2/netflix/active' && m.payload === 'OFF' && m.at > on.at, 500, 'active OFF');
    await watch.close();
  });

  it("announces everything again on Home Assistant's birth message, not on a retained one", async () => {
    const pub = (args: string[]) => spawnSync(MOSQUITTO_PUB ?? 'mosquitto_pub', [
      '-h', '127.0.0.1', '-p', String(broker.port), '-u', broker.user, '-P', PASSWORD, '-t', 'homeassistant/status', ...args,
    ], { encoding: 'utf8' });
    // A retained "online" (HA's own birth is not retained; some tool left one) reaches every new
    // subscription, and must not read as a Home Assistant restart at each (re)connection.
    expect(pub(['-r', '-m', 'online']).status).toBe(0);
    const watch = await reader(broker, ['homeassistant/+/t3/+/config']);
    start('t3', sessionProvider(GAP_MS, () => [screen()]));
    await until('announced', 5_000, () => watch.messages.length >= 6);
    await new Promise((r) => setTimeout(r, 500));
    expect(watch.messages).toHaveLength(6);
    expect(pub(['-r', '-n']).status).toBe(0);

    expect(pub(['-m', 'online']).status).toBe(0);
    await until('the six configs announced again', 2_000, () => watch.messages.length >= 12);
    expect(new Set(watch.messages.slice(6).map((m) => m.topic))).toEqual(new Set(watch.messages.slice(0, 6).map((m) => m.topic)));

    expect(pub(['-m', 'offline']).status).toBe(0);
    await new Promise((r) => setTimeout(r, 500));
    expect(watch.messages).toHaveLength(12);
    await watch.close();
  });

  it('fires the alert event once per new alert, not for the alert it found at start', async () => {
    const alert = (id: number): OutgoingAlert => ({
      id, key: `k${id}`, at: '2026-11-22T01:47:10Z', rule: 'quiet_hours', severity: 'warning',
      device: { mac: 'aa:bb:cc:dd:ee:01', name: 'Kids tablet' }, session_id: 1, message: `alert ${id}`,
    });
    let last: OutgoingAlert | null = alert(1);
    const watch = await reader(broker, ['t4/netflix/alert', 't4/netflix/active']);
    const { handle } = start('t4', sessionProvider(GAP_MS, () => [], () => last));
    await watch.waitFor((m) => m.topic === 't4/netflix/active', 5_000, 'the first states');
    last = alert(2);
    handle.refresh();
    const fired = await watch.waitFor((m) => m.topic === 't4/netflix/alert', 2_000, 'the alert event');
    expect(JSON.parse(fired.payload)).toMatchObject({ event_type: 'quiet_hours', alert_id: 2, message: 'alert 2' });
    handle.refresh();
    await new Promise((r) => setTimeout(r, 300));
    expect(watch.messages.filter((m) => m.topic === 't4/netflix/alert').map((m) => JSON.parse(m.payload) as { alert_id: number })).toEqual([
      expect.objectContaining({ alert_id: 2 }),
    ]);
    expect((await retained(broker, ['t4/netflix/alert'])).size).toBe(0);
    await watch.close();
  });

  it('removes a forgotten device (empty retained configs and states), keeps the others', async () => {
    let devices = [screen(), screen({ id: 'aa:bb:cc:dd:ee:02', mac: 'aa:bb:cc:dd:ee:02', name: 'Living room TV' })];
    const { handle } = start('t5', sessionProvider(GAP_MS, () => devices));
    const watch = await reader(broker, ['t5/device/#']);
    await watch.waitFor((m) => m.topic === 't5/device/aabbccddee02/last_session_start', 5_000, 'the second device');
    await watch.close();

    devices = devices.slice(0, 1);
    await handle.forget('aa:bb:cc:dd:ee:02');
    const held = await retained(broker, ['homeassistant/+/t5/+/config', 't5/#']);
    expect([...held.keys()].filter((t) => t.includes('aabbccddee02'))).toEqual([]);
    expect([...held.keys()].filter((t) => t.includes('aabbccddee01'))).toHaveLength(6);
  });

  it('removes a device that left the snapshot, and at start-up one left over from an earlier run', async () => {
    let devices = [screen(), screen({ id: 'ip:192.168.1.77', mac: null, name: 'Phone' })];
    const first = start('t6', sessionProvider(GAP_MS, () => devices));
    let watch = await reader(broker, ['t6/device/#']);
    await watch.waitFor((m) => m.topic === 't6/device/ip_192_168_1_77/last_session_start', 5_000, 'the phone');
    await watch.close();
    devices = devices.slice(0, 1);
    first.handle.refresh();
    await new Promise((r) => setTimeout(r, 300));
    expect([...(await retained(broker, ['homeassistant/+/t6/+/config', 't6/#'])).keys()].filter((t) => t.includes('192_168'))).toEqual([]);
    await first.handle.stop();

    // An earlier run announced a device this run does not know (forgotten while nfmon was down).
    devices = [screen(), screen({ id: 'aa:bb:cc:dd:ee:09', mac: 'aa:bb:cc:dd:ee:09', name: 'Old TV' })];
    const earlier = start('t6', sessionProvider(GAP_MS, () => devices));
    watch = await reader(broker, ['t6/device/#']);
    await watch.waitFor((m) => m.topic === 't6/device/aabbccddee09/last_session_start', 5_000, 'the old TV');
    await watch.close();
    await earlier.handle.stop();
    devices = devices.slice(0, 1);
    const { lines } = start('t6', sessionProvider(GAP_MS, () => devices));
    await until('the stale entity removed', 5_000, () => lines.some((l) => l.includes('removed a stale') && l.includes('aabbccddee09_playing')));
    const held = await retained(broker, ['homeassistant/+/t6/+/config', 't6/#']);
    expect([...held.keys()].filter((t) => t.includes('aabbccddee09'))).toEqual([]);
    expect([...held.keys()].filter((t) => t.includes('aabbccddee01'))).toHaveLength(6);
  });

  it('sends nothing when a refresh finds nothing changed', async () => {
    const { handle } = start('t7', sessionProvider(GAP_MS, () => [screen()]));
    const watch = await reader(broker, ['homeassistant/+/t7/+/config', 't7/#']);
    await watch.waitFor((m) => m.topic === 't7/device/aabbccddee01/last_session_start', 5_000, 'the first states');
    await new Promise((r) => setTimeout(r, 300));
    const count = watch.messages.length;
    handle.refresh();
    handle.refresh();
    await new Promise((r) => setTimeout(r, 500));
    expect(watch.messages.length).toBe(count);
    await watch.close();
  });

  it('lets the CLI remove a device with one short connection, and says when the broker is away', async () => {
    const r = start('t8', sessionProvider(GAP_MS, () => [screen()]));
    await until('announced', 5_000, async () => (await retained(broker, ['homeassistant/+/t8/+/config'], 100)).size === 6);
    await r.handle.stop();
    const config = validateConfig({ mqtt: { url: broker.url, username: broker.user, base_topic: 't8' } }, 'test');
    const logger = createLogger('debug', 'mqtt', (_l, line) => allLines.push(line));
    expect(await forgetOnBroker(config, { NFMON_MQTT_PASSWORD: PASSWORD }, 'aa:bb:cc:dd:ee:01', logger)).toBe(true);
    const held = await retained(broker, ['homeassistant/+/t8/+/config', 't8/#']);
    expect([...held.keys()].filter((t) => t.includes('aabbccddee01'))).toEqual([]);
    expect(held.get('t8/availability')).toBe('offline');
    expect(held.has('homeassistant/binary_sensor/t8/netflix_active/config')).toBe(true);

    const away = validateConfig({ mqtt: { url: 'mqtt://127.0.0.1:1', base_topic: 't8' } }, 'test');
    expect(await forgetOnBroker(away, {}, 'aa:bb:cc:dd:ee:01', logger, 500)).toBe(false);
  });

  it('never logs the password', () => {
    expect(allLines.length).toBeGreaterThan(10);
    for (const line of allLines) expect(line).not.toContain(PASSWORD);
  });
});
