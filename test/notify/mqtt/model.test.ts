import { describe, expect, it } from 'vitest';
import type { Naming } from '../../../src/notify/mqtt/discovery.js';
import {
  alertEventPayload,
  nextLocalMidnight,
  nextStateChangeAt,
  planPublish,
  retainedSet,
  type DeviceSnapshot,
  type MqttSnapshot,
} from '../../../src/notify/mqtt/model.js';
import type { OutgoingAlert } from '../../../src/notify/notifier.js';

const naming: Naming = { discoveryPrefix: 'homeassistant', baseTopic: 'nfmon', swVersion: '1' };
const T = Date.parse('2026-11-22T20:00:00Z');
const MIN = 60_000;
const GAP = 10 * MIN;

function device(over: Partial<DeviceSnapshot> = {}): DeviceSnapshot {
  return { id: 'aa:bb:cc:dd:ee:01', name: 'TV', mac: 'aa:bb:cc:dd:ee:01', playing: false, minutesToday: 0, lastSessionStart: null, lastEvidenceAt: null, ...over };
}

function snapshot(devices: DeviceSnapshot[], over: Partial<MqttSnapshot> = {}): MqttSnapshot {
  const streams = devices.filter((d) => d.playing).length;
  return { now: T, devices, streams, active: streams > 0, lastAlert: null, ...over };
}

const stateOf = (s: MqttSnapshot): Record<string, string> => Object.fromEntries(retainedSet(s, naming).states.map((m) => [m.topic, m.payload]));

describe('MQTT entity states', () => {
  it('is OFF with nothing playing, unknown start, zero minutes', () => {
    expect(stateOf(snapshot([device()]))).toEqual({
      'nfmon/netflix/active': 'OFF',
      'nfmon/netflix/streams': '0',
      'nfmon/device/aabbccddee01/playing': 'OFF',
      'nfmon/device/aabbccddee01/minutes_today': '0',
      'nfmon/device/aabbccddee01/last_session_start': 'None',
    });
  });

  it('is ON with a playing device, whole minutes and an ISO start', () => {
    const s = stateOf(snapshot([device({ playing: true, minutesToday: 42.9, lastSessionStart: T - 43 * MIN + 500, lastEvidenceAt: T })]));
    expect(s['nfmon/netflix/active']).toBe('ON');
    expect(s['nfmon/netflix/streams']).toBe('1');
    expect(s['nfmon/device/aabbccddee01/playing']).toBe('ON');
    expect(s['nfmon/device/aabbccddee01/minutes_today']).toBe('42');
    expect(s['nfmon/device/aabbccddee01/last_session_start']).toBe('2026-11-22T19:17:00Z');
  });

  it('announces the hub entities even with no device', () => {
    const set = retainedSet(snapshot([]), naming);
    expect(set.configs.map((m) => m.topic)).toEqual([
      'homeassistant/binary_sensor/nfmon/netflix_active/config',
      'homeassistant/sensor/nfmon/netflix_streams/config',
      'homeassistant/event/nfmon/netflix_alert/config',
    ]);
  });
});

describe('planPublish', () => {
  const prefix = 'homeassistant';
  const full = retainedSet(snapshot([device()]), naming);
  const heldAll = new Map([...full.configs, ...full.states].map((m) => [m.topic, m.payload]));

  it('sends everything to an empty broker', () => {
    const plan = planPublish(new Map(), full, prefix);
    expect(plan.publish).toHaveLength(full.configs.length + full.states.length);
    expect(plan.clear).toEqual([]);
  });

  it('sends nothing when nothing changed', () => {
    expect(planPublish(heldAll, full, prefix)).toEqual({ publish: [], clear: [] });
  });

  it('sends only the changed states', () => {
    const next = retainedSet(snapshot([device({ playing: true, lastEvidenceAt: T })]), naming);
    expect(planPublish(heldAll, next, prefix).publish.map((m) => `${m.topic}=${m.payload}`)).toEqual([
      'nfmon/netflix/active=ON',
      'nfmon/netflix/streams=1',
      'nfmon/device/aabbccddee01/playing=ON',
    ]);
  });

  it('re-sends a config when the device is renamed', () => {
    const next = retainedSet(snapshot([device({ name: 'Living room TV' })]), naming);
    expect(planPublish(heldAll, next, prefix).publish.map((m) => m.topic)).toEqual([
      'homeassistant/binary_sensor/nfmon/aabbccddee01_playing/config',
      'homeassistant/sensor/nfmon/aabbccddee01_minutes_today/config',
      'homeassistant/sensor/nfmon/aabbccddee01_last_session_start/config',
    ]);
  });

  it('empties a gone device, configs before states', () => {
    const plan = planPublish(heldAll, retainedSet(snapshot([]), naming), prefix);
    expect(plan.publish).toEqual([]);
    expect(plan.clear).toEqual([
      'homeassistant/binary_sensor/nfmon/aabbccddee01_playing/config',
      'homeassistant/sensor/nfmon/aabbccddee01_minutes_today/config',
      'homeassistant/sensor/nfmon/aabbccddee01_last_session_start/config',
      'nfmon/device/aabbccddee01/playing',
      'nfmon/device/aabbccddee01/minutes_today',
      'nfmon/device/aabbccddee01/last_session_start',
    ]);
  });
});

describe('nextStateChangeAt', () => {
  const zone = 'Europe/Amsterdam';
  const midnight = Date.parse('2026-11-22T23:00:00Z'); // 00:00 CET on the 23rd
  it.each<[string, DeviceSnapshot[], number | null]>([
    ['no device', [], null],
    ['nothing played today', [device()], null],
    ['a session open, no minutes yet', [device({ playing: true, lastEvidenceAt: T - 3 * MIN })], T + 7 * MIN],
    ['two sessions: the first to close', [
      device({ playing: true, lastEvidenceAt: T - 3 * MIN }),
      device({ id: 'aa:bb:cc:dd:ee:02', playing: true, lastEvidenceAt: T - 8 * MIN }),
    ], T + 2 * MIN],
    ['a stale playing flag past the gap', [device({ playing: true, lastEvidenceAt: T - GAP })], null],
    ['not playing: recent evidence is no session', [device({ playing: false, lastEvidenceAt: T - MIN })], null],
    ['minutes today reset at local midnight', [device({ minutesToday: 30 })], midnight],
    ['the session closes before midnight', [device({ playing: true, minutesToday: 30, lastEvidenceAt: T })], T + GAP],
  ])('%s', (_, devices, expected) => {
    expect(nextStateChangeAt(snapshot(devices), { gapMs: GAP, timeZone: zone })).toBe(expected);
  });

  it.each([
    // The night of the spring-forward in Amsterdam: midnight itself is unaffected.
    ['Europe/Amsterdam', '2026-03-28T12:00:00Z', '2026-03-28T23:00:00Z'],
    ['Europe/Amsterdam', '2026-03-29T12:00:00Z', '2026-03-29T22:00:00Z'],
    ['Europe/Amsterdam', '2026-03-29T21:59:59Z', '2026-03-29T22:00:00Z'],
    ['Europe/Amsterdam', '2026-03-29T22:00:00Z', '2026-03-30T22:00:00Z'],
    ['UTC', '2026-11-22T23:59:59Z', '2026-11-23T00:00:00Z'],
    // Sao Paulo sprang forward at midnight in 2018: 00:00 never happened, the day began at 01:00 -02.
    ['America/Sao_Paulo', '2018-11-03T12:00:00Z', '2018-11-04T03:00:00Z'],
  ])('next midnight in %s after %s is %s', (zone, now, expected) => {
    expect(new Date(nextLocalMidnight(Date.parse(now), zone)).toISOString().replace('.000Z', 'Z')).toBe(expected);
  });
});

describe('alertEventPayload', () => {
  it('carries the rule as event_type and the alert as attributes', () => {
    const alert: OutgoingAlert = {
      id: 7, key: 'k', at: '2026-11-22T01:47:10Z', rule: 'quiet_hours', severity: 'warning',
      device: { mac: 'aa:bb:cc:dd:ee:01', name: 'TV' }, session_id: 3, message: 'Netflix on TV at 01:47',
    };
    expect(JSON.parse(alertEventPayload(alert))).toEqual({
      event_type: 'quiet_hours', alert_id: 7, at: '2026-11-22T01:47:10Z', severity: 'warning',
      message: 'Netflix on TV at 01:47', device_mac: 'aa:bb:cc:dd:ee:01', device_name: 'TV', session_id: 3,
    });
  });
});
