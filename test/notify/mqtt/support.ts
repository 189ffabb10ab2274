// Shared by the MQTT tests: a second MQTT client that records what the broker delivers, and an
// in-process publisher started through startMqtt() with its log lines captured.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { connectAsync, type MqttClient } from 'mqtt';
import { validateConfig } from '../../../src/config/load.js';
import type { RawConfig } from '../../../src/config/schema.js';
import { createLogger } from '../../../src/daemon/logger.js';
import type { DeviceSnapshot, MqttSnapshot } from '../../../src/notify/mqtt/model.js';
import { startMqtt, type MqttHandle } from '../../../src/notify/mqtt/start.js';
import type { Broker } from '../../helpers/mosquitto.js';

export interface Received {
  readonly topic: string;
  readonly payload: string;
  readonly retain: boolean;
  /** Date.now() at arrival. */
  readonly at: number;
}

export interface Reader {
  readonly messages: Received[];
  /** The first message (already received or to come) matching `pred`. */
  waitFor(pred: (m: Received) => boolean, timeoutMs: number, what: string): Promise<Received>;
  close(): Promise<void>;
}

/** Subscribes a fresh client: retained messages arrive first, with their retain flag set. */
export async function reader(broker: Broker, filters: readonly string[]): Promise<Reader> {
  const client: MqttClient = await connectAsync(broker.url, { username: broker.user, password: broker.password, reconnectPeriod: 0 });
  const messages: Received[] = [];
  const waiters: { pred: (m: Received) => boolean; resolve: (m: Received) => void }[] = [];
  client.on('message', (topic, payload, packet) => {
    const m = { topic, payload: payload.toString(), retain: packet.retain, at: Date.now() };
    messages.push(m);
    for (const w of waiters.filter((x) => x.pred(m))) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve(m);
    }
  });
  await client.subscribeAsync([...filters], { qos: 1 });
  return {
    messages,
    waitFor: (pred, timeoutMs, what) => {
      const seen = messages.find(pred);
      if (seen) return Promise.resolve(seen);
      return new Promise<Received>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no MQTT message ${what} within ${timeoutMs} ms; got ${messages.map((m) => `${m.topic}=${m.payload.slice(0, 40)}`).join(', ')}`)), timeoutMs);
        waiters.push({ pred, resolve: (m) => { clearTimeout(timer); resolve(m); } });
      });
    },
    close: () => client.endAsync(),
  };
}

/** The retained messages under `filters` right now (the broker sends them on subscribe). */
export async function retained(broker: Broker, filters: readonly string[], settleMs = 400): Promise<Map<string, string>> {
  const r = await reader(broker, filters);
  await new Promise((resolve) => setTimeout(resolve, settleMs));
  await r.close();
  return new Map(r.messages.filter((m) => m.retain).map((m) => [m.topic, m.payload]));
}

export interface Running {
  readonly handle: MqttHandle;
  readonly lines: string[];
}

/** Every log line of every publisher a test file started, to check the password never shows. */
export const allLines: string[] = [];

export function startPublisher(broker: Broker, base: string, provider: () => MqttSnapshot, over: Partial<RawConfig> = {}, env: NodeJS.ProcessEnv = {}): Running {
  const passwordFile = join(broker.dir, 'nfmon-password');
  writeFileSync(passwordFile, `${broker.password}\n`, { mode: 0o600 });
  const config = validateConfig({
    timezone: 'UTC',
    ...over,
    mqtt: { url: broker.url, username: broker.user, password_file: passwordFile, base_topic: base, ...over.mqtt },
  }, 'test');
  const lines: string[] = [];
  const logger = createLogger('debug', 'mqtt', (_level, line) => {
    lines.push(line);
    allLines.push(line);
  });
  const handle = startMqtt({ config, env, provider, logger, backoff: { minMs: 100, maxMs: 400 } });
  if (!handle) throw new Error('startMqtt returned nothing although mqtt.url is set');
  return { handle, lines };
}

export function screen(over: Partial<DeviceSnapshot> = {}): DeviceSnapshot {
  return { id: 'aa:bb:cc:dd:ee:01', name: 'Kids tablet', mac: 'aa:bb:cc:dd:ee:01', playing: false, minutesToday: 0, lastSessionStart: null, lastEvidenceAt: null, ...over };
}

/**
 * A provider as the daemon builds it: a device plays while now - last evidence < gap, read
 * from the clock at each call, so closing a session needs no new input.
 */
export function sessionProvider(gapMs: number, devices: () => readonly DeviceSnapshot[], lastAlert: () => MqttSnapshot['lastAlert'] = () => null): () => MqttSnapshot {
  return () => {
    const now = Date.now();
    const list = devices().map((d) => ({ ...d, playing: d.lastEvidenceAt !== null && now - d.lastEvidenceAt < gapMs }));
    const streams = list.filter((d) => d.playing).length;
    return { now, devices: list, streams, active: streams > 0, lastAlert: lastAlert() };
  };
}

/** Polls `ok` every 50 ms until it holds; throws naming `what` after timeoutMs. */
export async function until(what: string, timeoutMs: number, ok: () => boolean | Promise<boolean>): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await ok())) {
    if (Date.now() > end) throw new Error(`not ${what} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
