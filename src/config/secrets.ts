// Secrets lying in files every user of the machine can read: the Home Assistant token file, the
// Pi-hole app password, the MQTT and web passwords, or a config holding a token inline. nfmon
// still starts (refusing would break a working install over a mode bit), but says so at start,
// naming the file and the fix. Only the file's mode is looked at, never its content.
import { statSync } from 'node:fs';
import type { Config } from './schema.js';

/** Config keys naming a file that holds a secret (keys of later features included: absent is fine). */
export const SECRET_FILE_KEYS = ['homeassistant.token_file', 'leases.password_file', 'mqtt.password_file', 'http.password_file'] as const;
/** Config keys that hold a secret inline. */
export const INLINE_SECRET_KEYS = ['homeassistant.token', 'mqtt.password'] as const;

/** S_IROTH: readable by users neither owner nor in the file's group. */
const OTHERS_READ = 0o004;

function valueAt(config: unknown, dotted: string): unknown {
  let v: unknown = config;
  for (const part of dotted.split('.')) {
    if (typeof v !== 'object' || v === null) return undefined;
    v = (v as Record<string, unknown>)[part];
  }
  return v;
}

export type ModeOf = (file: string) => number | undefined;

const modeOf: ModeOf = (file) => {
  try {
    return statSync(file).mode;
  } catch {
    return undefined; // a missing file is reported where it is read
  }
};

/** One warning per secret readable by others; `configFile` is where the config came from ('defaults': none). */
export function secretWarnings(config: Config, configFile: string, mode: ModeOf = modeOf): string[] {
  const warnings: string[] = [];
  for (const key of SECRET_FILE_KEYS) {
    const file = valueAt(config, key);
    if (typeof file !== 'string' || file === '') continue;
    const m = mode(file);
    if (m !== undefined && (m & OTHERS_READ) !== 0) {
      warnings.push(`${file} (${key}) is readable by every user of this machine: chmod 640 ${file}`);
    }
  }
  const inline = INLINE_SECRET_KEYS.filter((key) => typeof valueAt(config, key) === 'string');
  if (inline.length > 0 && configFile !== 'defaults') {
    const m = mode(configFile);
    if (m !== undefined && (m & OTHERS_READ) !== 0) {
      warnings.push(
        `${configFile} holds ${inline.join(' and ')} and is readable by every user of this machine: chmod 640 ${configFile} (or move the secret to a file: ${inline[0]}_file)`,
      );
    }
  }
  return warnings;
}
