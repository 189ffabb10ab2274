// The publisher when things go wrong: killed (the broker publishes its will), stopped, the broker
// down at start or restarting (persistence off, so every retained message must be sent again),
// a wrong password. It keeps running through all of them, and its output never holds the password.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt } from '../../helpers/daemon-process.js';
import { MOSQUITTO_MISSING, startBroker, type Broker } from '../../helpers/mosquitto.js';
import { allLines, reader, retained, screen, sessionProvider, startPublisher, until, type Running } from './support.js';

const PASSWORD = 'pw-Kx3#restart-91ad';
const CHILD = fileURLToPath(new URL('./fixtures/publisher-child.mjs', import.meta.url));

describe.skipIf(MOSQUITTO_MISSING)(`MQTT publisher through failures${MOSQUITTO_MISSING ? ` (skipped: ${MOSQUITTO_MISSING})` : ''}`, () => {
  let broker: Broker;
  let running: Running[] = [];
  const childOutput: string[] = [];

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

  function spawnChild(base: string) {
    assertBuilt();
    const config = { timezone: 'UTC', mqtt: { url: broker.url, username: broker.user, base_topic: base } };
    const child = spawn(process.execPath, [CHILD], {
      env: { ...process.env, NFMON_TEST_CONFIG: JSON.stringify(config), NFMON_MQTT_PASSWORD: PASSWORD },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (out += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (out += s));
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    return { child, exited, output: () => out };
  }

  it('is marked offline by its will when its process is SIGKILLed', async () => {
    const watch = await reader(broker, ['k1/availability', 'k1/netflix/active']);
    const c = spawnChild('k1');
    await watch.waitFor((m) => m.topic === 'k1/netflix/active' && m.payload === 'ON', 10_000, 'ON from the child');
    await watch.waitFor((m) => m.topic === 'k1/availability' && m.payload === 'online', 1_000, 'online');
    const killedAt = Date.now();
    c.child.kill('SIGKILL');
    await c.exited;
    const offline = await watch.waitFor((m) => m.topic === 'k1/availability' && m.payload === 'offline', 2_000, 'offline (the will)');
    expect(offline.at - killedAt).toBeLessThan(2_000);
    expect((await retained(broker, ['k1/availability'])).get('k1/availability')).toBe('offline');
    childOutput.push(c.output());
    await watch.close();
  });

  it('marks itself offline (retained) when stopped by SIGTERM, then exits', async () => {
    const watch = await reader(broker, ['k2/availability']);
    const c = spawnChild('k2');
    await watch.waitFor((m) => m.payload === 'online', 10_000, 'online');
    c.child.kill('SIGTERM');
    await c.exited;
    expect(c.child.exitCode).toBe(0);
    expect((await retained(broker, ['k2/availability'])).get('k2/availability')).toBe('offline');
    childOutput.push(c.output());
    await watch.close();
  });

  it('reconnects after a broker restart and publishes everything again', async () => {
    let devices = [screen()];
    const r = startPublisher(broker, 'k3', sessionProvider(60_000, () => devices));
    running.push(r);
    await until('announced', 5_000, async () => (await retained(broker, ['k3/device/+/playing'], 100)).size === 1);

    await broker.stop();
    // Input while the broker is away: nothing is lost, nothing crashes.
    const evidence = Date.now();
    devices = [screen({ lastEvidenceAt: evidence, lastSessionStart: evidence, minutesToday: 2 })];
    r.handle.refresh();
    await new Promise((res) => setTimeout(res, 500));
    expect(r.handle.connected).toBe(false);
    await broker.restart();

    await until('reconnected', 5_000, () => r.handle.connected);
    await until('republished', 5_000, async () => (await retained(broker, ['homeassistant/+/k3/+/config'], 100)).size === 6);
    const held = await retained(broker, ['k3/#']);
    expect(held.get('k3/availability')).toBe('online');
    expect(held.get('k3/device/aabbccddee01/playing')).toBe('ON');
    expect(held.get('k3/device/aabbccddee01/minutes_today')).toBe('2');
    expect(r.lines.some((l) => l.includes('lost the connection to the MQTT broker'))).toBe(true);
    expect(r.lines.some((l) => l.includes('MQTT broker reachable again'))).toBe(true);
  });

  it('waits for a broker that is down at start, then announces', async () => {
    await broker.stop();
    const r = startPublisher(broker, 'k4', sessionProvider(60_000, () => [screen()]));
    running.push(r);
    await new Promise((res) => setTimeout(res, 700));
    expect(r.handle.connected).toBe(false);
    await broker.restart();
    await until('announced', 8_000, async () => (await retained(broker, ['homeassistant/+/k4/+/config'], 100)).size === 6);
    expect(r.lines.filter((l) => l.includes('level=warn')).length).toBeLessThan(4);
  });

  it('keeps running and retrying with a wrong password, and says why', async () => {
    const wrong = 'not-the-pw-3f9c';
    const r = startPublisher(broker, 'k5', sessionProvider(60_000, () => [screen()]), {
      mqtt: { url: broker.url, username: broker.user, password_file: undefined, base_topic: 'k5' },
    }, { NFMON_MQTT_PASSWORD: wrong });
    running.push(r);
    await until('refused twice', 5_000, () => r.lines.filter((l) => l.includes('Not authorized')).length >= 2);
    expect(r.handle.connected).toBe(false);
    expect(r.lines.filter((l) => l.includes('level=warn') && l.includes('Not authorized'))).toHaveLength(1);
    for (const line of r.lines) expect(line).not.toContain(wrong);
  });

  it('never writes the password to any log line or process output', () => {
    expect(childOutput).toHaveLength(2);
    const everything = [...allLines, ...childOutput];
    expect(everything.join('\n')).toContain('connected to the MQTT broker');
    for (const text of everything) expect(text).not.toContain(PASSWORD);
  });
});
