import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError, locateConfig, parseConfigText, suggestKey } from '../../src/config/load.js';
import { parseDuration } from '../../src/core/duration.js';

function problemsOf(yaml: string): readonly string[] {
  try {
    parseConfigText(yaml, 'test.yaml');
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

describe('config', () => {
  it('gives every default on an empty file', () => {
    const c = parseConfigText('', 'empty.yaml');
    expect(c.rules.quiet_hours).toBe('00:00-06:00');
    expect(c.rules.max_concurrent_streams).toBe(2);
    expect(c.sessions.gap).toBe(20 * 60_000); // durations leave the schema in milliseconds
    expect(c.rules.notify_max_age).toBe(3_600_000);
    expect(c.pihole.log).toBe('/var/log/pihole/pihole.log');
    expect(c.pihole.database).toBeUndefined();
    expect(c.devices).toEqual([]);
    expect(c.homeassistant).toBeUndefined();
    expect(c.mqtt).toEqual({ discovery_prefix: 'homeassistant', base_topic: 'nfmon' });
  });

  it('gives the anomaly rules their defaults, with or without a rules section, and checks their keys', () => {
    const defaults = { unusual_hour: { enabled: true, window: 30 * 86_400_000, min_days: 14, min_sessions: 10 }, dns_bypass: { enabled: true, lookback: 10 * 60_000 } };
    expect(parseConfigText('', 'empty.yaml').rules).toMatchObject(defaults);
    expect(parseConfigText('rules:\n  quiet_hours: "01:00-05:00"\n', 'r.yaml').rules).toMatchObject(defaults);
    const c = parseConfigText('rules:\n  unusual_hour:\n    enabled: false\n  dns_bypass:\n    lookback: 6m\n', 'r.yaml');
    expect(c.rules.unusual_hour).toEqual({ ...defaults.unusual_hour, enabled: false });
    expect(c.rules.dns_bypass).toEqual({ enabled: true, lookback: 6 * 60_000 });
    expect(problemsOf('rules:\n  unusual_hour:\n    min_days: 0\n')).toEqual([expect.stringContaining('rules.unusual_hour.min_days')]);
    expect(problemsOf('rules:\n  dns_bypass:\n    lookback: soon\n')).toEqual([expect.stringContaining('rules.dns_bypass.lookback')]);
    expect(problemsOf('rules:\n  unusual_hour:\n    windw: 7d\n')).toEqual([expect.stringMatching(/rules\.unusual_hour\.windw.*window/)]);
  });

  it('accepts an MQTT broker with its defaults', () => {
    const c = parseConfigText('mqtt:\n  url: mqtts://broker.lan:8883\n  username: nfmon\n  password_file: /etc/nfmon/mqtt\n', 'mqtt.yaml');
    expect(c.mqtt).toEqual({
      url: 'mqtts://broker.lan:8883',
      username: 'nfmon',
      password_file: '/etc/nfmon/mqtt',
      discovery_prefix: 'homeassistant',
      base_topic: 'nfmon',
    });
  });

  it.each([
    ['timezon: UTC', 'timezon: unknown key (did you mean "timezone"?)'],
    ['rules:\n  quiet_hour: "00:00-06:00"', 'rules.quiet_hour: unknown key (did you mean "quiet_hours"?)'],
    ['rules:\n  quiet_hours: "25:00-06:00"', 'rules.quiet_hours: expected "HH:MM-HH:MM", e.g. "00:00-06:00"'],
    ['rules:\n  max_concurrent_streams: 0', 'rules.max_concurrent_streams: must be at least 1, such as 2; got the number 0'],
    ['timezone: Mars/Olympus', 'timezone: expected an IANA time zone such as Europe/Amsterdam'],
    ['homeassistant:\n  url: ws://ha:8123', 'homeassistant.url: expected the base URL as in the browser, http(s)://host:8123'],
    ['homeassistant:\n  notify: mobile_app_x', 'homeassistant.notify: expected a notify service such as notify.mobile_app_pixel'],
    ['devices:\n  - mac: aa:bb:cc:dd:ee:ff\n    nmae: TV', 'devices.0.nmae: unknown key (did you mean "name"?)'],
    ['devices:\n  - mac: nonsense', 'devices.0.mac: expected a MAC address like aa:bb:cc:dd:ee:ff'],
    ['sessions:\n  gap: soon', 'sessions.gap: expected a duration such as 90s, 10m, 24h or 7d'],
    ['frobnicate: 1', 'frobnicate: unknown key'],
    ['pihole:\n  database: true', 'pihole.database: expected the path of pihole-FTL.db, or false to turn it off'],
    ['pihole:\n  databse: /etc/pihole/pihole-FTL.db', 'pihole.databse: unknown key (did you mean "database"?)'],
    ['mqtt:\n  url: http://broker:1883', 'mqtt.url: expected mqtt://host:1883 or mqtts://host:8883 (user and password go in username and password_file)'],
    ['mqtt:\n  url: mqtt://nfmon:secret@broker:1883', 'mqtt.url: expected mqtt://host:1883 or mqtts://host:8883 (user and password go in username and password_file)'],
    ['mqtt:\n  base_topic: homeassistant', 'mqtt.base_topic: must differ from discovery_prefix'],
    ['mqtt:\n  discovery_prefix: ha/#', 'mqtt.discovery_prefix: expected a topic prefix without wildcards, e.g. homeassistant'],
    ['mqtt:\n  pasword_file: x', 'mqtt.pasword_file: unknown key (did you mean "password_file"?)'],
    ['- a\n- b', 'the top level must be a mapping of keys'],
  ])('refuses %j', (yaml, problem) => {
    expect(problemsOf(yaml)).toContain(problem);
  });

  it('lists every bad key at once', () => {
    const problems = problemsOf('timezon: UTC\nrules:\n  quiet_hours: bad\n  max_concurrent_streams: x\n');
    expect(problems).toHaveLength(3);
  });

  it('reports YAML syntax errors with a line number', () => {
    const problems = problemsOf('rules:\n  quiet_hours: "00:00\n  x: [');
    expect(problems[0]).toMatch(/^line \d+: /);
  });

  it('suggests keys only when close', () => {
    expect(suggestKey([], 'databse')).toBe('database');
    expect(suggestKey(['homeassistant'], 'tokn')).toBe('token');
    expect(suggestKey([], 'zzzzzzzz')).toBeUndefined();
  });

  it('validates the documented example and documents every key', () => {
    const url = new URL('../../config/nfmon.example.yaml', import.meta.url);
    const text = readFileSync(url, 'utf8');
    const c = parseConfigText(text, 'nfmon.example.yaml');
    expect(c.rules.max_concurrent_streams).toBeGreaterThan(0);
    const keys = ['timezone', 'database', 'log_level', 'pihole', 'log', 'leases', 'files', 'urls', 'password_file', 'poll',
      'lease_time', 'captures', 'dir', 'keep', 'idle', 'prefixes_file', 'sessions', 'gap', 'hd_mbps', 'uhd_mbps',
      'min_video_bytes', 'rules', 'quiet_hours', 'max_concurrent_streams', 'unknown_device', 'daily_summary', 'unusual_hour', 'enabled',
      'window', 'min_days', 'min_sessions', 'dns_bypass', 'lookback', 'devices',
      'mac', 'name', 'trust', 'ip', 'services', 'domains', 'video_domains', 'video_prefixes', 'retention', 'events',
      'homeassistant', 'url', 'token', 'token_file', 'notify', 'event', 'viewing_activity', 'store_titles',
      'tolerance', 'home_country', 'http', 'listen', 'mqtt', 'username', 'discovery_prefix', 'base_topic'];
    for (const k of keys) expect(text, `example documents ${k}`).toMatch(new RegExp(`^\\s*#?\\s*-?\\s*${k}:`, 'm'));
    expect(text, 'example documents pihole.database').toMatch(/^ {2}# database: \/etc\/pihole\/pihole-FTL\.db$/m);
  });

  it('locates the config from flag, env, or nothing', () => {
    expect(locateConfig('a.yaml', { NFMON_CONFIG: 'b.yaml' })).toBe('a.yaml');
    expect(locateConfig(undefined, { NFMON_CONFIG: 'b.yaml' })).toBe('b.yaml');
  });

  it.each([
    ['90s', 90_000],
    ['10m', 600_000],
    ['24h', 86_400_000],
    ['7d', 604_800_000],
    ['1.5h', 5_400_000],
    ['10', undefined],
    ['m', undefined],
  ])('parses duration %s', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });
});
