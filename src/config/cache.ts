// A validated config remembered between CLI calls. Parsing YAML and validating it against the
// schema is cheap, but loading the two libraries is not: together ~2x Node's own start, more
// than a query's whole work (issue 17). A call whose config file holds the same text as when it
// was last validated, by the same nfmon, takes the validated result from the user's cache
// directory instead. Anything else (no cache, another text, a newer nfmon) validates as before,
// so a bad config is refused exactly as without the cache.
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import type { Config } from './schema.js';

interface Entry {
  readonly file: string;
  readonly text: string;
  readonly stamp: string;
  /** The system's zone when the config's is the same (it may be the default): it must still be. */
  readonly zone: string | null;
  readonly config: Config;
}

/** $XDG_CACHE_HOME/nfmon, else ~/.cache/nfmon; none without either (a system user without home). */
export function cacheDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.NFMON_NO_CACHE === '1') return undefined;
  if (env.XDG_CACHE_HOME) return join(env.XDG_CACHE_HOME, 'nfmon');
  return env.HOME ? join(env.HOME, '.cache', 'nfmon') : undefined;
}

/**
 * What else a validation result depends on: the schema's code (its compiled files here, by size
 * and time, which an upgrade changes).
 */
function stamp(): string {
  const ext = import.meta.url.slice(import.meta.url.lastIndexOf('.')); // .js when built, .ts under the tests
  // Every module whose code decides what a config validates to (a missing one throws: no caching).
  return ['schema', 'http', 'load', '../core/duration', '../core/types']
    .map((f) => {
      const s = statSync(new URL(f + ext, import.meta.url));
      return `${s.size}:${s.mtimeMs}`;
    })
    .join(' ');
}

/** The zone a config without `timezone` gets (asking Intl costs ~15 ms: only when it matters). */
const systemZone = (): string => Intl.DateTimeFormat().resolvedOptions().timeZone;

/** One cache file per config file: a short hash of its absolute path (FNV-1a). */
function entryPath(dir: string, file: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < file.length; i++) h = Math.imul(h ^ file.charCodeAt(i), 0x01000193) >>> 0;
  return join(dir, `config-${h.toString(16).padStart(8, '0')}.json`);
}

/** The config validated earlier from exactly `text` of `file` ('defaults': no file), if cached. */
export function cachedConfig(file: string, text: string, env: NodeJS.ProcessEnv = process.env): Config | undefined {
  const dir = cacheDir(env);
  if (!dir) return undefined;
  const abs = file === 'defaults' ? file : resolve(file);
  try {
    const e = JSON.parse(readFileSync(entryPath(dir, abs), 'utf8')) as Partial<Entry>;
    if (e.file !== abs || e.text !== text || e.stamp !== stamp() || typeof e.config !== 'object') return undefined;
    return e.zone === null || e.zone === systemZone() ? e.config : undefined;
  } catch {
    return undefined; // no entry yet, or one that cannot be read: validate as without a cache
  }
}

/** An inline secret (homeassistant.token) is never copied out of the config file. */
function holdsSecret(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  return Object.entries(value).some(([k, v]) => (k === 'token' && v !== undefined) || holdsSecret(v));
}

/**
 * Remember a validated config. Only a config that JSON keeps exactly and that holds no inline
 * secret is cached; a failure to
 * write (read-only home, full disk) only means the next call validates again, so it is ignored.
 */
export function rememberConfig(file: string, text: string, config: Config, env: NodeJS.ProcessEnv = process.env): void {
  const dir = cacheDir(env);
  if (!dir || holdsSecret(config)) return;
  const abs = file === 'defaults' ? file : resolve(file);
  try {
    const zone = systemZone();
    const entry: Entry = { file: abs, text, stamp: stamp(), zone: config.timezone === zone ? zone : null, config };
    const json = JSON.stringify(entry);
    if (!isDeepStrictEqual((JSON.parse(json) as Entry).config, config)) return;
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const target = entryPath(dir, abs);
    const tmp = `${target}.${process.pid}.tmp`;
    writeFileSync(tmp, json, { mode: 0o600 });
    renameSync(tmp, target);
  } catch {
    // The cache only saves time; nothing depends on it being written.
  }
}
