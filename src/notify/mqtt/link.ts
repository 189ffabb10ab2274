// The one MQTT connection (MQTT.js): a last will that marks nfmon offline, and our own reconnect
// loop with exponential backoff. MQTT.js's built-in reconnect retries at a fixed period forever
// (reconnectPeriod, a setInterval), which hammers a broker that is down or refusing our password;
// so its reconnect is off (reconnectPeriod 0) and `close` schedules the next attempt here.
// Nothing here logs the password: it only travels inside the CONNECT packet.
import { connect, type IClientOptions, type MqttClient } from 'mqtt';
import type { Logger } from '../../core/log.js';

export interface LinkOptions {
  /** mqtt://host:port or mqtts://host:port, no credentials (the config refuses them). */
  readonly url: string;
  readonly username?: string;
  readonly password?: string;
  readonly clientId: string;
  /** Published by the broker when we vanish without a DISCONNECT (crash, SIGKILL, network loss). */
  readonly will?: { readonly topic: string; readonly payload: string };
  readonly minBackoffMs?: number;
  readonly maxBackoffMs?: number;
  readonly connectTimeoutMs?: number;
  readonly keepaliveS?: number;
  readonly logger: Logger;
  /** Every (re)connection, after CONNACK. */
  readonly onConnect: () => void;
  readonly onMessage: (topic: string, payload: Buffer, retained: boolean) => void;
}

export interface PublishOptions {
  readonly retain: boolean;
  readonly qos: 0 | 1;
}

/** What the publisher needs of a connection (the tests' seam, and the daemon's). */
export interface Link {
  readonly connected: boolean;
  /** Sends if connected (else false); delivery is not awaited: a reconnect republishes everything. */
  publish(topic: string, payload: string, options: PublishOptions): boolean;
  /** Resolves once the broker acknowledged it (QoS 1), or rejects. */
  publishAcked(topic: string, payload: string, options: PublishOptions): Promise<void>;
  subscribe(filter: string): Promise<void>;
  unsubscribe(filter: string): Promise<void>;
  start(): void;
  /** Disconnects cleanly (no will) and stops reconnecting. */
  stop(): Promise<void>;
}

export class MqttLink implements Link {
  private client: MqttClient | undefined;
  private retry: NodeJS.Timeout | undefined;
  private failures = 0;
  private lastProblem = '';
  private wasConnected = false;
  private stopped = false;

  constructor(private readonly options: LinkOptions) {}

  get connected(): boolean {
    return this.client?.connected === true;
  }

  start(): void {
    const o = this.options;
    const clientOptions: IClientOptions = {
      clientId: o.clientId,
      clean: true,
      reconnectPeriod: 0,
      connectTimeout: o.connectTimeoutMs ?? 10_000,
      keepalive: o.keepaliveS ?? 30,
      ...(o.will ? { will: { topic: o.will.topic, payload: Buffer.from(o.will.payload), qos: 1, retain: true } } : {}),
      ...(o.username !== undefined ? { username: o.username } : {}),
      ...(o.password !== undefined ? { password: o.password } : {}),
    };
    const client = connect(o.url, clientOptions);
    this.client = client;
    client.on('connect', () => {
      if (this.failures > 0) o.logger.info('MQTT broker reachable again', { url: o.url, attempts: this.failures });
      else o.logger.info('connected to the MQTT broker', { url: o.url, user: o.username });
      this.failures = 0;
      this.lastProblem = '';
      this.wasConnected = true;
      o.onConnect();
    });
    client.on('message', (topic, payload, packet) => o.onMessage(topic, payload, packet.retain));
    // Without a listener an 'error' event would throw and take the daemon down.
    client.on('error', (err) => this.problem(err.message));
    client.on('close', () => this.scheduleReconnect());
  }

  publish(topic: string, payload: string, options: PublishOptions): boolean {
    const client = this.client;
    if (!client?.connected) return false;
    client.publish(topic, payload, options, (err) => {
      if (err) this.options.logger.debug('MQTT publish not acknowledged', { topic, error: err.message });
    });
    return true;
  }

  async publishAcked(topic: string, payload: string, options: PublishOptions): Promise<void> {
    const client = this.client;
    if (!client?.connected) throw new Error('not connected to the MQTT broker');
    await client.publishAsync(topic, payload, options);
  }

  async subscribe(filter: string): Promise<void> {
    if (!this.client?.connected) throw new Error('not connected to the MQTT broker');
    await this.client.subscribeAsync(filter, { qos: 1 });
  }

  async unsubscribe(filter: string): Promise<void> {
    if (!this.client?.connected) return;
    await this.client.unsubscribeAsync(filter);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retry);
    const client = this.client;
    if (!client) return;
    // A clean DISCONNECT; forced after a second so a dead broker cannot hold up a systemd stop.
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => client.end(true, {}, () => resolve()), 1_000);
      client.end(false, {}, () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /** One warning per distinct problem; the same one again (every retry) only at debug. */
  private problem(message: string): void {
    const { logger, url } = this.options;
    if (message === this.lastProblem) logger.debug(`MQTT: ${message}`, { url });
    else logger.warn(`MQTT: ${message}; retrying with backoff`, { url });
    this.lastProblem = message;
  }

  private scheduleReconnect(): void {
    if (this.stopped || this.retry !== undefined) return;
    const { minBackoffMs = 1_000, maxBackoffMs = 60_000, logger } = this.options;
    if (this.wasConnected) logger.warn('lost the connection to the MQTT broker; reconnecting with backoff', { url: this.options.url });
    this.wasConnected = false;
    this.failures += 1;
    const base = Math.min(maxBackoffMs, minBackoffMs * 2 ** Math.min(this.failures - 1, 20));
    // Jitter, so that nfmon and other clients do not all retry in step after a broker restart.
    const delay = Math.round(base * (0.8 + Math.random() * 0.4));
    logger.debug('MQTT connection closed; reconnecting', { in_ms: delay, attempt: this.failures });
    this.retry = setTimeout(() => {
      this.retry = undefined;
      if (!this.stopped) this.client?.reconnect();
    }, delay);
  }
}
