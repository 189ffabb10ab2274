import { describe, expect, it } from 'vitest';
import {
  ALERT_EVENT_TYPES,
  deviceKey,
  hubEntities,
  screenEntities,
  slugify,
  topicId,
  topicsOf,
  type Naming,
} from '../../../src/notify/mqtt/discovery.js';

const naming: Naming = { discoveryPrefix: 'homeassistant', baseTopic: 'nfmon', swVersion: '1.2.3' };
const tablet = { id: 'AA:BB:CC:DD:EE:01', name: 'Kids tablet', mac: 'AA:BB:CC:DD:EE:01' };
const byIp = { id: 'ip:192.168.1.50', name: 'Télé du salon', mac: null };

describe('MQTT discovery naming', () => {
  it.each([
    ['aa:bb:cc:dd:ee:ff', 'aabbccddeeff'],
    ['AA-BB-CC-DD-EE-FF', 'aabbccddeeff'],
    ['ip:192.168.1.50', 'ip_192_168_1_50'],
    ['ip:fe80::1%eth0', 'ip_fe80__1_eth0'],
  ])('deviceKey(%s) = %s', (id, key) => {
    expect(deviceKey(id)).toBe(key);
  });

  it.each([
    ['Kids tablet', 'kids_tablet'],
    ['Télé du salon', 'tele_du_salon'],
    ['  TV (living room)!! ', 'tv_living_room'],
    ['Ärger-Box 2', 'arger_box_2'],
    ['电视', ''],
  ])('slugify(%j) = %j', (name, slug) => {
    expect(slugify(name)).toBe(slug);
  });

  it.each([
    ['nfmon', 'nfmon'],
    ['home/nfmon', 'home_nfmon'],
    ['nf mon+x', 'nf_mon_x'],
  ])('topicId(%j) = %j', (s, id) => {
    expect(topicId(s)).toBe(id);
  });
});

describe('MQTT discovery payloads', () => {
  it('announces binary_sensor.netflix_active on the hub device', () => {
    const [active] = hubEntities(naming);
    expect(active?.configTopic).toBe('homeassistant/binary_sensor/nfmon/netflix_active/config');
    expect(active?.payload).toEqual({
      name: 'Active',
      device_class: 'running',
      payload_on: 'ON',
      payload_off: 'OFF',
      icon: 'mdi:netflix',
      unique_id: 'nfmon_netflix_active',
      default_entity_id: 'binary_sensor.netflix_active',
      state_topic: 'nfmon/netflix/active',
      availability_topic: 'nfmon/availability',
      payload_available: 'online',
      payload_not_available: 'offline',
      device: {
        identifiers: ['nfmon_hub'],
        name: 'Netflix',
        manufacturer: 'nfmon',
        model: 'Netflix monitor (Pi-hole, DHCP leases, captures)',
        sw_version: '1.2.3',
      },
      origin: { name: 'nfmon', sw_version: '1.2.3' },
    });
  });

  it.each([
    ['sensor', 'netflix_streams', 'sensor.netflix_streams', 'nfmon/netflix/streams', { state_class: 'measurement' }],
    ['event', 'netflix_alert', 'event.netflix_alert', 'nfmon/netflix/alert', { event_types: [...ALERT_EVENT_TYPES] }],
  ])('announces the hub %s %s', (component, objectId, entityId, stateTopic, extra) => {
    const e = hubEntities(naming).find((x) => x.uniqueId === `nfmon_${objectId}`);
    expect(e?.configTopic).toBe(`homeassistant/${component}/nfmon/${objectId}/config`);
    expect(e?.payload).toMatchObject({ default_entity_id: entityId, state_topic: stateTopic, ...extra });
  });

  it.each([
    ['binary_sensor', 'aabbccddee01_playing', 'binary_sensor.kids_tablet_netflix_playing', 'nfmon/device/aabbccddee01/playing',
      { name: 'Netflix playing', device_class: 'running' }],
    ['sensor', 'aabbccddee01_minutes_today', 'sensor.kids_tablet_netflix_minutes_today', 'nfmon/device/aabbccddee01/minutes_today',
      { device_class: 'duration', state_class: 'total_increasing', unit_of_measurement: 'min' }],
    ['sensor', 'aabbccddee01_last_session_start', 'sensor.kids_tablet_netflix_last_session_start', 'nfmon/device/aabbccddee01/last_session_start',
      { device_class: 'timestamp' }],
  ])('announces the screen %s %s', (component, objectId, entityId, stateTopic, extra) => {
    const e = screenEntities(tablet, naming).find((x) => x.uniqueId === `nfmon_${objectId}`);
    expect(e?.configTopic).toBe(`homeassistant/${component}/nfmon/${objectId}/config`);
    expect(e?.payload).toMatchObject({ default_entity_id: entityId, state_topic: stateTopic, ...extra });
  });

  it('gives the timestamp sensor no state class (HA allows none for timestamps)', () => {
    const start = screenEntities(tablet, naming).find((x) => x.uniqueId.endsWith('_last_session_start'));
    expect(start?.payload).not.toHaveProperty('state_class');
  });

  it('identifies a screen by its MAC and hangs it under the hub', () => {
    const [playing] = screenEntities(tablet, naming);
    expect(playing?.payload.device).toEqual({
      identifiers: ['nfmon_aabbccddee01'],
      connections: [['mac', 'aa:bb:cc:dd:ee:01']],
      name: 'Kids tablet',
      via_device: 'nfmon_hub',
    });
  });

  it('gives a device known only by IP identifiers but no MAC connection', () => {
    const [playing] = screenEntities(byIp, naming);
    expect(playing?.payload.device).toEqual({ identifiers: ['nfmon_ip_192_168_1_50'], name: 'Télé du salon', via_device: 'nfmon_hub' });
    expect(playing?.payload.default_entity_id).toBe('binary_sensor.tele_du_salon_netflix_playing');
  });

  it('escapes control and bidi characters of a host name and cuts it at 64 characters', () => {
    const hostile = { id: 'AA:BB:CC:DD:EE:02', name: `tv\u001b]0;owned\u0007\u202e${'x'.repeat(100)}`, mac: 'AA:BB:CC:DD:EE:02' };
    const name = (screenEntities(hostile, naming)[0]?.payload.device as { name: string }).name;
    expect(name.startsWith('tv\\x1b]0;owned\\x07\\u202e')).toBe(true);
    expect([...name].length).toBe(64);
    expect([...name].some((c) => c.charCodeAt(0) < 0x20 || c === '\u202e')).toBe(false);
  });

  it('falls back to the device key when the name has no latin letters', () => {
    const [playing] = screenEntities({ id: 'aa:bb:cc:dd:ee:02', name: '电视', mac: 'aa:bb:cc:dd:ee:02' }, naming);
    expect(playing?.payload.default_entity_id).toBe('binary_sensor.aabbccddee02_netflix_playing');
  });

  it('keeps every config well-formed for Home Assistant', () => {
    const all = [...hubEntities(naming), ...screenEntities(tablet, naming), ...screenEntities(byIp, naming)];
    expect(new Set(all.map((e) => e.uniqueId)).size).toBe(all.length);
    expect(new Set(all.map((e) => e.configTopic)).size).toBe(all.length);
    for (const e of all) {
      expect(e.configTopic).toMatch(/^homeassistant\/(binary_sensor|sensor|event)\/[a-zA-Z0-9_-]+\/[a-zA-Z0-9_-]+\/config$/);
      expect(e.payload.default_entity_id).toMatch(new RegExp(`^${e.component}\\.[a-z0-9]+(_[a-z0-9]+)*$`));
      expect(e.payload).not.toHaveProperty('object_id');
      expect(e.payload.availability_topic).toBe('nfmon/availability');
      const device = e.payload.device as { identifiers?: string[]; name?: string };
      expect(device.identifiers?.length).toBe(1);
      expect(device.name).toBeTruthy();
      expect(JSON.parse(JSON.stringify(e.payload))).toEqual(e.payload);
    }
  });

  it('moves every topic with base_topic and discovery_prefix', () => {
    const other: Naming = { discoveryPrefix: 'ha', baseTopic: 'home/nfmon', swVersion: '1' };
    const t = topicsOf(other);
    expect([t.availability, t.active, t.haStatus, t.ownConfigs]).toEqual([
      'home/nfmon/availability', 'home/nfmon/netflix/active', 'ha/status', 'ha/+/home_nfmon/+/config',
    ]);
    const [playing] = screenEntities(tablet, other);
    expect(playing?.configTopic).toBe('ha/binary_sensor/home_nfmon/aabbccddee01_playing/config');
    expect(playing?.uniqueId).toBe('home_nfmon_aabbccddee01_playing');
    expect(playing?.stateTopic).toBe('home/nfmon/device/aabbccddee01/playing');
  });

  it('lists every alert rule as an event type', () => {
    expect([...ALERT_EVENT_TYPES].sort()).toEqual([
      'concurrent_streams', 'daily_summary', 'dns_bypass', 'outside_home', 'quiet_hours', 'unknown_device', 'unusual_hour',
    ]);
  });
});
