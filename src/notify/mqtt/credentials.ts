// The MQTT credentials from the config, checked without loading MQTT.js, so the daemon can
// refuse a bad mqtt section at start-up (exit 2) before it imports the publisher. The password
// comes from mqtt.password_file or $NFMON_MQTT_PASSWORD and goes only to MQTT.js, never to a log.
import { readFileSync } from 'node:fs';
import { ConfigError } from '../../config/file.js';
import type { Config } from '../../config/schema.js';

/** The MQTT password from mqtt.password_file, else $NFMON_MQTT_PASSWORD; undefined when neither. */
export function mqttPassword(config: Config, env: NodeJS.ProcessEnv): string | undefined {
  const file = config.mqtt.password_file;
  if (file) {
    try {
      return readFileSync(file, 'utf8').trim() || undefined;
    } catch (err) {
      throw new ConfigError('config', [`mqtt.password_file: cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`], { cause: err });
    }
  }
  return env.NFMON_MQTT_PASSWORD?.trim() || undefined;
}

/** User name and password for the CONNECT packet; throws ConfigError naming the key at fault. */
export function mqttCredentials(config: Config, env: NodeJS.ProcessEnv): { username?: string; password?: string } {
  const password = mqttPassword(config, env);
  const username = config.mqtt.username;
  if (password !== undefined && username === undefined) {
    throw new ConfigError('config', ['mqtt.username: a password is set (mqtt.password_file or NFMON_MQTT_PASSWORD) but no user name']);
  }
  return { ...(username !== undefined ? { username } : {}), ...(password !== undefined ? { password } : {}) };
}
