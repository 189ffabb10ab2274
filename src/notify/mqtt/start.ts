// The entry points the daemon (and the CLI's forget) call: build the MQTT link and publisher
// from the config, or nothing when `mqtt.url` is unset. Importing this file loads MQTT.js, so
// the daemon imports it only when mqtt.url is set (credentials.ts checks the config without it).
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Config } from '../../config/schema.js';
import type { Logger } from '../../core/log.js';
import { mqttCredentials } from './credentials.js';
import { nodeId, PAYLOAD_OFFLINE, screenEntities, topicsOf, type Naming } from './discovery.js';
import { MqttLink } from './link.js';
import { MqttPublisher, type SnapshotProvider } from './publisher.js';

export interface MqttHandle {
  /** Something the entities show may have changed (after a rebuild, a lease, a forget): publish the difference. */
  refresh(): void;
  /** Removes a device's entities at once; call after the device left the store. */
  forget(deviceId: string): Promise<void>;
  /** Marks nfmon offline and disconnects (SIGTERM). */
  stop(): Promise<void>;
  readonly connected: boolean;
}

export interface StartMqttDeps {
  readonly config: Config;
  readonly env: NodeJS.ProcessEnv;
  readonly provider: SnapshotProvider;
  readonly logger: Logger;
  /** Reconnect backoff (tests shorten it). */
  readonly backoff?: { readonly minMs: number; readonly maxMs: number };
  readonly maxPollMs?: number;
}

export function namingOf(config: Config): Naming {
  return { discoveryPrefix: config.mqtt.discovery_prefix, baseTopic: config.mqtt.base_topic, swVersion: packageVersion() };
}

/** Starts publishing Home Assistant entities, or returns undefined when mqtt.url is unset. */
export function startMqtt(deps: StartMqttDeps): MqttHandle | undefined {
  const { config, logger } = deps;
  const url = config.mqtt.url;
  if (!url) return undefined;
  const naming = namingOf(config);
  const topics = topicsOf(naming);
  const publisher = new MqttPublisher({
    naming,
    timing: { gapMs: config.sessions.gap, timeZone: config.timezone },
    provider: deps.provider,
    logger,
    ...(deps.maxPollMs !== undefined ? { maxPollMs: deps.maxPollMs } : {}),
  });
  const link = new MqttLink({
    url,
    ...mqttCredentials(config, deps.env),
    clientId: `nfmon_${nodeId(naming)}_${randomBytes(4).toString('hex')}`,
    will: { topic: topics.availability, payload: PAYLOAD_OFFLINE },
    ...(deps.backoff ? { minBackoffMs: deps.backoff.minMs, maxBackoffMs: deps.backoff.maxMs } : {}),
    logger,
    onConnect: () => publisher.onConnect(),
    onMessage: (topic, payload, retained) => publisher.onMessage(topic, payload, retained),
  });
  publisher.attach(link);
  link.start();
  return {
    refresh: () => publisher.refresh(),
    forget: (deviceId) => publisher.forget(deviceId),
    stop: () => publisher.stop(),
    get connected() {
      return link.connected;
    },
  };
}

/**
 * For `nfmon forget` while the daemon may not run: one short connection (no will: the daemon's
 * availability is not ours to touch) that empties the device's retained configs and states.
 * Resolves false when the broker could not be reached within `timeoutMs`.
 */
export async function forgetOnBroker(config: Config, env: NodeJS.ProcessEnv, deviceId: string, logger: Logger, timeoutMs = 5_000): Promise<boolean> {
  const url = config.mqtt.url;
  if (!url) return false;
  const entities = screenEntities({ id: deviceId, name: deviceId, mac: null }, namingOf(config));
  const topics = [...entities.map((e) => e.configTopic), ...entities.map((e) => e.stateTopic)];
  let connected!: () => void;
  const ready = new Promise<void>((resolve) => (connected = resolve));
  const link = new MqttLink({
    url,
    ...mqttCredentials(config, env),
    clientId: `nfmon_${nodeId(namingOf(config))}_cli_${randomBytes(4).toString('hex')}`,
    logger,
    onConnect: () => connected(),
    onMessage: () => undefined,
  });
  link.start();
  try {
    const timer = new Promise<false>((resolve) => setTimeout(() => resolve(false), timeoutMs).unref());
    if ((await Promise.race([ready.then(() => true as const), timer])) === false) return false;
    await Promise.all(topics.map((t) => link.publishAcked(t, '', { retain: true, qos: 1 })));
    return true;
  } finally {
    await link.stop();
  }
}

let version: string | undefined;

/** nfmon's version from package.json (src/notify/mqtt and dist/notify/mqtt are both three levels down). */
function packageVersion(): string {
  if (version === undefined) {
    try {
      const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version?: unknown };
      version = typeof pkg.version === 'string' ? pkg.version : 'unknown';
    } catch {
      version = 'unknown';
    }
  }
  return version;
}
