// The config file itself: where it is, reading it within bounds, and the error that refuses it.
// Kept apart from parsing and validation (load.ts), which load the YAML and schema libraries:
// whatever only needs to recognise a ConfigError or find the file need not pay for those.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { describeFsError, errnoOf } from '../core/errno.js';

export const SYSTEM_CONFIG = '/etc/nfmon/config.yaml';

export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly problems: readonly string[],
    options?: { cause?: unknown },
  ) {
    super(`Refusing to start because configuration is not valid (${file}): ${problems.join('; ')}`, options);
    this.name = 'ConfigError';
  }
}

/** --config, else $NFMON_CONFIG, else /etc/nfmon/config.yaml if it exists, else the defaults. */
export function locateConfig(explicit: string | undefined, env: NodeJS.ProcessEnv): string | undefined {
  if (explicit) return explicit;
  if (env.NFMON_CONFIG) return env.NFMON_CONFIG;
  return existsSync(SYSTEM_CONFIG) ? SYSTEM_CONFIG : undefined;
}

/**
 * A config beyond this is not one: the documented example is 6 kB, and YAML parsing of hostile
 * text costs up to ~7 us a byte (npm run fuzz), so this also bounds a refusal to a fraction of a second.
 */
export const MAX_CONFIG_BYTES = 64 * 1024;

/** The file's text, or a ConfigError saying why it cannot be a config. */
export function readConfigFile(file: string): string {
  try {
    const info = statSync(file);
    if (info.isDirectory()) {
      throw new ConfigError(file, [`is a directory, not a config file (give the YAML file itself, e.g. ${SYSTEM_CONFIG})`]);
    }
    if (!info.isFile()) throw new ConfigError(file, ['is not a regular file (give the YAML config file)']);
    if (info.size > MAX_CONFIG_BYTES) throw new ConfigError(file, [`is ${info.size} bytes, too large for a config file (limit ${MAX_CONFIG_BYTES})`]);
    return readFileSync(file, 'utf8');
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    const code = errnoOf(err);
    const why = describeFsError(err, { ENOENT: 'file not found', EACCES: 'permission denied' });
    const said = why !== (err as Error).message ? why : `cannot read it (${code ?? why})`;
    throw new ConfigError(file, [said], { cause: err });
  }
}
