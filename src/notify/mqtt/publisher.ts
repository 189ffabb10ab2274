// Keeps the broker's retained messages equal to what nfmon knows: asks the daemon's provider for
// a snapshot whenever told something changed (refresh), when a session is due to close or the
// day to roll over (its own timer), on every (re)connection and on Home Assistant's birth
// message, and publishes only what differs from what it already sent on this connection.
// Every entry point catches and logs: a broken broker or provider never takes the daemon down.
import type { Logger } from '../../core/log.js';
import { deviceKey, PAYLOAD_OFFLINE, PAYLOAD_ONLINE, screenEntities, topicsOf, type Naming, type Topics } from './discovery.js';
import type { Link } from './link.js';
import { alertEventPayload, nextStateChangeAt, planPublish, retainedSet, type Message, type MqttSnapshot, type TimingOptions } from './model.js';

export type SnapshotProvider = () => MqttSnapshot | Promise<MqttSnapshot>;

export interface PublisherOptions {
  readonly naming: Naming;
  readonly timing: TimingOptions;
  readonly provider: SnapshotProvider;
  readonly logger: Logger;
  /** Longest wait between two snapshots even when nothing is due (clock jumps, a device forgotten by the CLI). */
  readonly maxPollMs?: number;
  /** Start-up sweep: the broker's retained configs have all arrived once it is quiet this long. */
  readonly sweepQuietMs?: number;
}

const RETAINED = { retain: true, qos: 1 } as const;
/** After a failed pass (provider threw, subscribe refused): the next try, without waiting for input. */
const RETRY_MS = 10_000;

export class MqttPublisher {
  /** topic -> payload of every retained message sent on the current connection. */
  private readonly held = new Map<string, string>();
  private readonly topics: Topics;
  private link: Link | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private fullPending = false;
  /** Alerts up to this id were fired (or predate this process); undefined until the first snapshot. */
  private alertsUpTo: number | undefined;
  private sweep: { readonly seen: Map<string, string>; lastAt: number } | undefined;
  private stopped = false;

  constructor(private readonly options: PublisherOptions) {
    this.topics = topicsOf(options.naming);
  }

  /** The will and the link are the caller's (start.ts builds both); the link calls back here. */
  attach(link: Link): void {
    this.link = link;
  }

  /** The daemon's "something changed": publishes what differs, within milliseconds. */
  refresh(): void {
    this.request(false);
  }

  /** (Re)connected: announce ourselves online and republish everything. */
  onConnect(): void {
    this.held.clear();
    this.link?.publish(this.topics.availability, PAYLOAD_ONLINE, RETAINED);
    this.request(true);
  }

  onMessage(topic: string, payload: Buffer, retained: boolean): void {
    if (topic === this.topics.haStatus) {
      // A birth sent live reaches us with the retain flag clear even when HA is set to retain it
      // (MQTT 3.1.1, 3.3.1.3); a flagged one is a replay at our own (re)subscription, already
      // covered by the full publish every connection starts with.
      if (retained || payload.toString() !== 'online') return;
      this.options.logger.info('Home Assistant came online; announcing every entity again');
      this.held.clear();
      this.link?.publish(this.topics.availability, PAYLOAD_ONLINE, RETAINED);
      this.request(false);
      return;
    }
    if (this.sweep) {
      this.sweep.lastAt = Date.now();
      if (payload.length > 0) this.sweep.seen.set(topic, payload.toString());
    }
  }

  /** Removes a device's entities from HA at once (empty retained configs, then emptied states). */
  async forget(deviceId: string): Promise<void> {
    const entities = screenEntities({ id: deviceId, name: deviceId, mac: null }, this.options.naming);
    const topics = [...entities.map((e) => e.configTopic), ...entities.map((e) => e.stateTopic)];
    for (const t of topics) {
      this.held.delete(t);
      this.link?.publish(t, '', RETAINED);
    }
    this.options.logger.info('removed the device from Home Assistant', { device: deviceKey(deviceId), sent: this.link?.connected === true });
    await this.idle();
  }

  /** Resolves when no snapshot is being published. */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  /** Marks nfmon offline (retained), then disconnects cleanly. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await withTimeout(this.idle(), 2_000).catch((err: Error) => this.options.logger.warn(`stopping with a publish in flight: ${err.message}`));
    const link = this.link;
    if (!link) return;
    if (link.connected) {
      try {
        await withTimeout(link.publishAcked(this.topics.availability, PAYLOAD_OFFLINE, RETAINED), 1_000);
      } catch (err) {
        this.options.logger.warn(`could not mark nfmon offline on the MQTT broker: ${(err as Error).message}`);
      }
    }
    await link.stop();
  }

  private request(full: boolean): void {
    if (this.stopped) return;
    if (full) this.fullPending = true;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.loop().finally(() => {
      this.running = undefined;
    });
  }

  private async loop(): Promise<void> {
    do {
      this.again = false;
      const full = this.fullPending;
      this.fullPending = false;
      try {
        await this.sync(full);
      } catch (err) {
        this.options.logger.error(`MQTT publish failed: ${(err as Error).message}; trying again in ${RETRY_MS / 1000} s`, { error: (err as Error).name });
        // A failed full pass (after a reconnect) stays full, so nothing announced is skipped.
        this.fullPending ||= full;
        this.arm(RETRY_MS);
      }
    } while (this.again && !this.stopped);
  }

  /** One pass: snapshot -> changed retained messages -> the alert event -> the next timer. */
  private async sync(full: boolean): Promise<void> {
    const link = this.link;
    if (!link?.connected) return;
    const stale = full ? await this.sweepStale() : new Map<string, string>();
    const snapshot = await this.options.provider();
    const desired = retainedSet(snapshot, this.options.naming);
    const plan = planPublish(this.held, desired, this.options.naming.discoveryPrefix);
    for (const t of plan.clear) this.clear(link, t);
    for (const m of plan.publish) this.send(link, m);
    const wanted = new Set(desired.configs.map((m) => m.topic));
    for (const [topic, payload] of stale) if (!wanted.has(topic)) this.clearStaleConfig(link, topic, payload);
    if (plan.publish.length > 0 || plan.clear.length > 0) {
      this.options.logger.debug('MQTT states published', { sent: plan.publish.length, cleared: plan.clear.length });
    }
    this.fireAlert(link, snapshot);
    this.schedule(snapshot);
  }

  private send(link: Link, m: Message): void {
    if (link.publish(m.topic, m.payload, RETAINED)) this.held.set(m.topic, m.payload);
  }

  private clear(link: Link, topic: string): void {
    if (link.publish(topic, '', RETAINED)) this.held.delete(topic);
  }

  /** A config left on the broker by an earlier run for a device that is gone: remove it and its state. */
  private clearStaleConfig(link: Link, topic: string, payload: string): void {
    this.clear(link, topic);
    try {
      const stateTopic = (JSON.parse(payload) as { state_topic?: unknown }).state_topic;
      if (typeof stateTopic === 'string') this.clear(link, stateTopic);
    } catch (err) {
      this.options.logger.debug('stale MQTT config was not JSON', { topic, error: (err as Error).message });
    }
    this.options.logger.info('removed a stale Home Assistant entity', { topic });
  }

  /**
   * The retained configs under our node id that the broker holds: subscribed for a moment, read
   * until the broker is quiet, unsubscribed (so our own publishes do not echo back).
   */
  private async sweepStale(): Promise<Map<string, string>> {
    const link = this.link;
    if (!link) return new Map();
    const sweep = { seen: new Map<string, string>(), lastAt: Date.now() };
    this.sweep = sweep;
    try {
      await link.subscribe(this.topics.ownConfigs);
      await link.subscribe(this.topics.haStatus);
      const quiet = this.options.sweepQuietMs ?? 300;
      const giveUpAt = Date.now() + 10 * quiet;
      while (Date.now() - sweep.lastAt < quiet && Date.now() < giveUpAt) await sleep(quiet / 3);
      await link.unsubscribe(this.topics.ownConfigs);
      return sweep.seen;
    } finally {
      this.sweep = undefined;
    }
  }

  /** The event entity fires once per new alert; the alert in the first snapshot is only the baseline. */
  private fireAlert(link: Link, snapshot: MqttSnapshot): void {
    const alert = snapshot.lastAlert;
    if (this.alertsUpTo === undefined) {
      this.alertsUpTo = alert?.id ?? 0;
      return;
    }
    if (alert === null || alert.id <= this.alertsUpTo) return;
    if (link.publish(this.topics.alert, alertEventPayload(alert), { retain: false, qos: 1 })) this.alertsUpTo = alert.id;
  }

  private schedule(snapshot: MqttSnapshot): void {
    const maxPoll = this.options.maxPollMs ?? 5 * 60_000;
    const at = nextStateChangeAt(snapshot, this.options.timing);
    // A little past the instant: the provider's `now - last evidence < gap` must already be false.
    this.arm(at === null ? maxPoll : Math.min(maxPoll, Math.max(0, at - snapshot.now) + 50));
  }

  private arm(delayMs: number): void {
    clearTimeout(this.timer);
    if (this.stopped) return;
    this.timer = setTimeout(() => this.request(false), delayMs);
    this.timer.unref();
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no acknowledgement within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
