// The entity state model: a snapshot of what nfmon knows now -> the retained messages that make
// Home Assistant show it, what to send given what the broker already holds, and when the states
// change next with no new input (a session closing by its gap, minutes-today resetting at local
// midnight). Pure: time comes in the snapshot.
import { fromWall, isoUtc, toWall } from '../../core/time.js';
import type { OutgoingAlert } from '../notifier.js';
import { deviceKey, hubEntities, screenEntities, topicsOf, type EntityConfig, type Naming, type ScreenIdentity } from './discovery.js';

export interface DeviceSnapshot extends ScreenIdentity {
  /** A session is open: now - lastEvidenceAt < sessions.gap. */
  readonly playing: boolean;
  /** Minutes watched since local midnight (in the configured time zone) of `now`. */
  readonly minutesToday: number;
  /** Start of the latest session (epoch ms), open or closed. */
  readonly lastSessionStart: number | null;
  /** Latest evidence of playing (epoch ms): the open session closes at lastEvidenceAt + gap. */
  readonly lastEvidenceAt: number | null;
}

/** What the daemon's provider returns; `devices` is every device that should have entities. */
export interface MqttSnapshot {
  /** Epoch ms at which the snapshot was taken. */
  readonly now: number;
  readonly devices: readonly DeviceSnapshot[];
  /** Devices playing now. */
  readonly streams: number;
  /** Any session open. */
  readonly active: boolean;
  readonly lastAlert: OutgoingAlert | null;
}

export interface Message {
  readonly topic: string;
  readonly payload: string;
}

export interface RetainedSet {
  /** Discovery configs, hub first. */
  readonly configs: readonly Message[];
  readonly states: readonly Message[];
}

const onOff = (on: boolean): string => (on ? 'ON' : 'OFF');

/** HA's MQTT sensor reads the payload `None` as unknown (home-assistant/core#117813, #126694). */
const timestamp = (ms: number | null): string => (ms === null ? 'None' : isoUtc(ms));

/** Whole minutes: a total_increasing sensor that only moves once a minute, never backwards within a day. */
const minutes = (m: number): string => String(Math.max(0, Math.floor(m)));

export function entitiesOf(snapshot: MqttSnapshot, naming: Naming): EntityConfig[] {
  return [...hubEntities(naming), ...snapshot.devices.flatMap((d) => screenEntities(d, naming))];
}

/** Every retained message describing the snapshot: the configs and the states. */
export function retainedSet(snapshot: MqttSnapshot, naming: Naming): RetainedSet {
  const configs = entitiesOf(snapshot, naming).map((e) => ({ topic: e.configTopic, payload: JSON.stringify(e.payload) }));
  const t = topicsOf(naming);
  const states: Message[] = [
    { topic: t.active, payload: onOff(snapshot.active) },
    { topic: t.streams, payload: String(snapshot.streams) },
  ];
  for (const d of snapshot.devices) {
    const s = t.screen(deviceKey(d.id));
    states.push(
      { topic: s.playing, payload: onOff(d.playing) },
      { topic: s.minutesToday, payload: minutes(d.minutesToday) },
      { topic: s.lastSessionStart, payload: timestamp(d.lastSessionStart) },
    );
  }
  return { configs, states };
}

export interface Plan {
  /** Messages whose payload differs from what the broker holds. */
  readonly publish: readonly Message[];
  /** Retained topics to empty: configs first (HA deletes the entity), then their states. */
  readonly clear: readonly string[];
}

/**
 * What to send so the broker holds `desired`, given `held` (topic -> payload we published since
 * the connection opened). A topic held but no longer desired belongs to a device that is gone.
 */
export function planPublish(held: ReadonlyMap<string, string>, desired: RetainedSet, discoveryPrefix: string): Plan {
  const all = [...desired.configs, ...desired.states];
  const wanted = new Set(all.map((m) => m.topic));
  const publish = all.filter((m) => held.get(m.topic) !== m.payload);
  const gone = [...held.keys()].filter((t) => !wanted.has(t));
  const isConfig = (t: string): boolean => t.startsWith(`${discoveryPrefix}/`);
  return { publish, clear: [...gone.filter(isConfig), ...gone.filter((t) => !isConfig(t))] };
}

/** The event entity's payload for an alert: `event_type` plus the alert's fields as attributes. */
export function alertEventPayload(alert: OutgoingAlert): string {
  return JSON.stringify({
    event_type: alert.rule,
    alert_id: alert.id,
    at: alert.at,
    severity: alert.severity,
    message: alert.message,
    device_mac: alert.device?.mac ?? null,
    device_name: alert.device?.name ?? null,
    session_id: alert.session_id,
  });
}

/** The first instant after `now` at which clocks in `zone` show 00:00:00. */
export function nextLocalMidnight(now: number, zone: string): number {
  const w = toWall(now, zone);
  const tomorrow = new Date(Date.UTC(w.year, w.month - 1, w.day + 1));
  return fromWall({ year: tomorrow.getUTCFullYear(), month: tomorrow.getUTCMonth() + 1, day: tomorrow.getUTCDate(), hour: 0, minute: 0, second: 0 }, zone);
}

export interface TimingOptions {
  /** sessions.gap in ms. */
  readonly gapMs: number;
  /** The configured IANA time zone (minutes-today resets at its midnight). */
  readonly timeZone: string;
}

/**
 * The next instant after `snapshot.now` at which the published states change with no new input:
 * a playing device's session closes at lastEvidenceAt + gap, and minutes-today falls to 0 at the
 * next local midnight. null when nothing will change by itself.
 */
export function nextStateChangeAt(snapshot: MqttSnapshot, options: TimingOptions): number | null {
  const { now } = snapshot;
  let next = Infinity;
  for (const d of snapshot.devices) {
    if (d.playing && d.lastEvidenceAt !== null && d.lastEvidenceAt + options.gapMs > now) {
      next = Math.min(next, d.lastEvidenceAt + options.gapMs);
    }
  }
  if (snapshot.devices.some((d) => Math.floor(d.minutesToday) > 0)) next = Math.min(next, nextLocalMidnight(now, options.timeZone));
  return Number.isFinite(next) ? next : null;
}
