import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, validateConfig } from '../../../src/config/load.js';
import { createLogger } from '../../../src/daemon/logger.js';
import { mqttPassword } from '../../../src/notify/mqtt/credentials.js';
import { namingOf, startMqtt } from '../../../src/notify/mqtt/start.js';

const dir = mkdtempSync(join(tmpdir(), 'nfmon-mqtt-start-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const config = (mqtt: Record<string, unknown>) => validateConfig({ mqtt }, 'test');
const problems = (fn: () => unknown): readonly string[] => {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
};

describe('startMqtt and its configuration', () => {
  it('is off without mqtt.url', () => {
    const handle = startMqtt({ config: config({}), env: {}, provider: () => { throw new Error('not called'); }, logger: createLogger('error') });
    expect(handle).toBeUndefined();
  });

  it('reads the password from password_file before $NFMON_MQTT_PASSWORD, trimmed', () => {
    const file = join(dir, 'pw');
    writeFileSync(file, 'from-file\n');
    expect(mqttPassword(config({ password_file: file }), { NFMON_MQTT_PASSWORD: 'from-env' })).toBe('from-file');
    expect(mqttPassword(config({}), { NFMON_MQTT_PASSWORD: ' from-env ' })).toBe('from-env');
    expect(mqttPassword(config({}), {})).toBeUndefined();
  });

  it('names an unreadable password file, without its content', () => {
    expect(problems(() => mqttPassword(config({ password_file: join(dir, 'missing') }), {}))).toEqual([
      `mqtt.password_file: cannot read ${join(dir, 'missing')}: ENOENT`,
    ]);
  });

  it('refuses a password without a user name', () => {
    const c = config({ url: 'mqtt://127.0.0.1:1' });
    expect(problems(() => startMqtt({ config: c, env: { NFMON_MQTT_PASSWORD: 'x' }, provider: () => { throw new Error('not called'); }, logger: createLogger('error') })))
      .toEqual(['mqtt.username: a password is set (mqtt.password_file or NFMON_MQTT_PASSWORD) but no user name']);
  });

  it("takes prefix and base topic from the config and the version from package.json", () => {
    const n = namingOf(config({ discovery_prefix: 'ha', base_topic: 'home/nfmon' }));
    expect(n.discoveryPrefix).toBe('ha');
    expect(n.baseTopic).toBe('home/nfmon');
    expect(n.swVersion).toMatch(/^\d+\.\d+\.\d+/);
  });
});
