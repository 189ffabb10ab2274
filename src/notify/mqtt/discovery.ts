// Home Assistant MQTT discovery: topic names, device blocks and entity configs, as plain objects
// (no I/O). Keys are snake_case because this is the wire format.
//
// What Home Assistant expects, and where that is written down:
// - Config topic `<discovery_prefix>/<component>/[<node_id>/]<object_id>/config`; node_id and
//   object_id only [a-zA-Z0-9_-]; an empty retained payload deletes the entity; unknown keys in a
//   payload are "allowed but ignored", so one payload serves old and new Home Assistant versions.
//   (home-assistant/home-assistant.io source/_integrations/mqtt.markdown, "Discovery messages")
// - `default_entity_id` ("binary_sensor.netflix_active", domain included) replaced `object_id` in
//   HA 2025.10 (home-assistant/core#151775); `object_id` stopped working in 2026.4 (the
//   deprecation warning quoted in home-assistant/core#153612). With a `unique_id` it is used only
//   when the entity is first added (home-assistant/home-assistant.io#41045). Without the domain HA
//   makes `unnamed_device_N` (home-assistant/core#155819). Versions before 2025.10 drop the key
//   and build the id from device name + entity name (has_entity_name, HA 2023.8:
//   developers.home-assistant.io/blog/2023/07/21/change-naming-mqtt-entities), so the names
//   below are chosen to give the same ids there: device "Netflix" + "Active" -> netflix_active.
//   We send no `object_id`: HA 2025.10..2026.3 warns about it on every start.
// - Device blocks with `identifiers` and `connections: [["mac", ...]]`; at least one of the two
//   (homeassistant/components/mqtt/schemas.py MQTT_ENTITY_DEVICE_INFO_SCHEMA). A MAC connection
//   also lets HA merge our entities into a device another integration knows by the same MAC.
// - Availability topic with `online`/`offline` (HA's defaults), set `offline` by the client's
//   will; birth message `online` on `<discovery_prefix>/status`.
// - Sensor classes: `duration` allows `total_increasing`, `timestamp` takes no state class
//   (homeassistant/components/sensor/const.py DEVICE_CLASS_STATE_CLASSES); a total_increasing
//   value that drops is read as a reset, which is what minutes-today does at midnight.
// - Event entities (HA 2023.8) need `event_types` and a JSON payload with `event_type`; replayed
//   retained messages are discarded (home-assistant/core#106425), so alerts are not retained.
// zigbee2mqtt (Koenkk/zigbee2mqtt lib/extension/homeassistant.ts) does the same: unique_id from
// a stable id plus its base topic, `default_entity_id` as `<type>.<id>`, an `origin` block,
// availability on its own state topic, discovery retained at QoS 1, removal by an empty payload.
import { safeField } from '../../core/text.js';
import type { RuleName } from '../../core/types.js';

export interface Naming {
  readonly discoveryPrefix: string;
  readonly baseTopic: string;
  /** nfmon's version, shown in HA's device page. */
  readonly swVersion: string;
}

/** What discovery needs to know of a monitored device (a screen). */
export interface ScreenIdentity {
  /** nfmon's device id: a MAC (`aa:bb:cc:dd:ee:ff`) or `ip:<address>` when no MAC is known. */
  readonly id: string;
  readonly name: string;
  readonly mac: string | null;
}

export type Component = 'binary_sensor' | 'sensor' | 'event';

export interface EntityConfig {
  readonly component: Component;
  readonly uniqueId: string;
  /** `<discovery_prefix>/<component>/<node_id>/<object_id>/config` */
  readonly configTopic: string;
  readonly stateTopic: string;
  readonly payload: Readonly<Record<string, unknown>>;
}

export const PAYLOAD_ONLINE = 'online';
export const PAYLOAD_OFFLINE = 'offline';

/**
 * Every rule that can raise an alert, i.e. the event entity's `event_types`. A Record so that a
 * rule added to RuleName fails the type check here until it is listed: HA ignores an event whose
 * type is not announced.
 */
const RULES: Record<RuleName, true> = {
  quiet_hours: true,
  unknown_device: true,
  concurrent_streams: true,
  outside_home: true,
  daily_summary: true,
  unusual_hour: true,
  dns_bypass: true,
};
export const ALERT_EVENT_TYPES: readonly RuleName[] = Object.keys(RULES) as RuleName[];

/** A topic level HA accepts as node_id / object_id: [a-zA-Z0-9_-], anything else becomes `_`. */
export function topicId(s: string): string {
  return s.replace(/[^a-zA-Z0-9_-]/g, '_');
}

/** `aa:bb:cc:dd:ee:ff` -> `aabbccddeeff`; `ip:192.168.1.5` -> `ip_192_168_1_5`. */
export function deviceKey(id: string): string {
  const mac = /^([0-9a-f]{2}[:-]){5}[0-9a-f]{2}$/i.test(id);
  return mac ? id.replace(/[:-]/g, '').toLowerCase() : topicId(id.toLowerCase());
}

/**
 * An entity id's object part, as HA's `slugify` makes it: accents dropped, lower case, runs of
 * anything else as one `_`. HA transliterates other scripts; an empty result falls back to the key.
 */
export function slugify(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
}

/** The topics nfmon itself owns, under `base_topic`. */
export interface Topics {
  readonly availability: string;
  readonly active: string;
  readonly streams: string;
  readonly alert: string;
  /** Home Assistant's birth and will topic. */
  readonly haStatus: string;
  /** Every retained config of ours, for the start-up sweep of stale ones. */
  readonly ownConfigs: string;
  screen(key: string): { readonly playing: string; readonly minutesToday: string; readonly lastSessionStart: string };
}

export function topicsOf(naming: Naming): Topics {
  const base = naming.baseTopic.replace(/\/+$/, '');
  return {
    availability: `${base}/availability`,
    active: `${base}/netflix/active`,
    streams: `${base}/netflix/streams`,
    alert: `${base}/netflix/alert`,
    haStatus: `${naming.discoveryPrefix}/status`,
    ownConfigs: `${naming.discoveryPrefix}/+/${nodeId(naming)}/+/config`,
    screen: (key) => ({
      playing: `${base}/device/${key}/playing`,
      minutesToday: `${base}/device/${key}/minutes_today`,
      lastSessionStart: `${base}/device/${key}/last_session_start`,
    }),
  };
}

/** The node_id level of our config topics and the prefix of our unique ids. */
export function nodeId(naming: Naming): string {
  return topicId(naming.baseTopic.replace(/\/+$/, ''));
}

function origin(naming: Naming): Record<string, unknown> {
  return { name: 'nfmon', sw_version: naming.swVersion };
}

export function hubDevice(naming: Naming): Record<string, unknown> {
  return {
    identifiers: [`${nodeId(naming)}_hub`],
    name: 'Netflix',
    manufacturer: 'nfmon',
    model: 'Netflix monitor (Pi-hole, DHCP leases, captures)',
    sw_version: naming.swVersion,
  };
}

/**
 * No manufacturer, model or sw_version: through the MAC connection HA may merge this into the
 * device another integration (router, TV) already registered, and ours would overwrite its values.
 */
export function screenDevice(screen: ScreenIdentity, naming: Naming): Record<string, unknown> {
  return {
    identifiers: [`${nodeId(naming)}_${deviceKey(screen.id)}`],
    ...(screen.mac ? { connections: [['mac', screen.mac.toLowerCase()]] } : {}),
    // A host name from a lease: shown by Home Assistant as it is, so control and bidi characters escaped, cut at 64.
    name: safeField(screen.name, 64),
    via_device: `${nodeId(naming)}_hub`,
  };
}

interface EntityParts {
  readonly component: Component;
  /** Unique within nfmon: the object_id of the config topic and, after the node id, the unique_id. */
  readonly objectId: string;
  readonly defaultEntityId: string;
  readonly stateTopic: string;
  readonly device: Record<string, unknown>;
  /** Name, classes, units: the part that differs between entities. */
  readonly fields: Record<string, unknown>;
}

function entity(parts: EntityParts, naming: Naming): EntityConfig {
  const node = nodeId(naming);
  const uniqueId = `${node}_${parts.objectId}`;
  const topics = topicsOf(naming);
  return {
    component: parts.component,
    uniqueId,
    configTopic: `${naming.discoveryPrefix}/${parts.component}/${node}/${parts.objectId}/config`,
    stateTopic: parts.stateTopic,
    payload: {
      ...parts.fields,
      unique_id: uniqueId,
      default_entity_id: `${parts.component}.${parts.defaultEntityId}`,
      state_topic: parts.stateTopic,
      availability_topic: topics.availability,
      payload_available: PAYLOAD_ONLINE,
      payload_not_available: PAYLOAD_OFFLINE,
      device: parts.device,
      origin: origin(naming),
    },
  };
}

/** binary_sensor.netflix_active, sensor.netflix_streams, event.netflix_alert: nfmon's own device. */
export function hubEntities(naming: Naming): EntityConfig[] {
  const t = topicsOf(naming);
  const device = hubDevice(naming);
  return [
    entity({ component: 'binary_sensor', objectId: 'netflix_active', defaultEntityId: 'netflix_active', stateTopic: t.active, device,
      fields: { name: 'Active', device_class: 'running', payload_on: 'ON', payload_off: 'OFF', icon: 'mdi:netflix' } }, naming),
    entity({ component: 'sensor', objectId: 'netflix_streams', defaultEntityId: 'netflix_streams', stateTopic: t.streams, device,
      fields: { name: 'Streams', state_class: 'measurement', unit_of_measurement: 'streams', icon: 'mdi:television-play' } }, naming),
    entity({ component: 'event', objectId: 'netflix_alert', defaultEntityId: 'netflix_alert', stateTopic: t.alert, device,
      fields: { name: 'Alert', event_types: [...ALERT_EVENT_TYPES], icon: 'mdi:alert-circle-outline' } }, naming),
  ];
}

/** One HA device per screen: Netflix playing, minutes today, last session start. */
export function screenEntities(screen: ScreenIdentity, naming: Naming): EntityConfig[] {
  const key = deviceKey(screen.id);
  const t = topicsOf(naming).screen(key);
  const device = screenDevice(screen, naming);
  const slug = slugify(screen.name) || key;
  return [
    entity({ component: 'binary_sensor', objectId: `${key}_playing`, defaultEntityId: `${slug}_netflix_playing`, stateTopic: t.playing, device,
      fields: { name: 'Netflix playing', device_class: 'running', payload_on: 'ON', payload_off: 'OFF', icon: 'mdi:netflix' } }, naming),
    entity({ component: 'sensor', objectId: `${key}_minutes_today`, defaultEntityId: `${slug}_netflix_minutes_today`, stateTopic: t.minutesToday, device,
      fields: { name: 'Netflix minutes today', device_class: 'duration', state_class: 'total_increasing', unit_of_measurement: 'min',
        suggested_display_precision: 0 } }, naming),
    entity({ component: 'sensor', objectId: `${key}_last_session_start`, defaultEntityId: `${slug}_netflix_last_session_start`,
      stateTopic: t.lastSessionStart, device, fields: { name: 'Netflix last session start', device_class: 'timestamp' } }, naming),
  ];
}
