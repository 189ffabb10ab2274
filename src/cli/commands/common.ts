// What every command needs: the config (from --config, $NFMON_CONFIG, /etc or defaults) and the
// app opened on the database (--db wins over the config's).
import type { Command } from 'commander';
import { cachedConfig, rememberConfig } from '../../config/cache.js';
import { locateConfig, readConfigFile } from '../../config/file.js';
import type { LoadedConfig } from '../../config/load.js';
import type { Config } from '../../config/schema.js';
import { openIngestDeps, type IngestDeps } from '../../ingest/deps.js';
import { namingDatabase } from '../../store/db.js';

export interface GlobalOptions {
  readonly config?: string;
  readonly db?: string;
}

export function globals(cmd: Command): GlobalOptions {
  return cmd.optsWithGlobals<GlobalOptions>();
}

export function configFor(cmd: Command): Config {
  return loadedConfigFor(cmd).config;
}

/** The config with --db applied, and the file it came from ('defaults' when none). */
export function loadedConfigFor(cmd: Command): LoadedConfig {
  const g = globals(cmd);
  const loaded = loadConfigCached(g.config);
  return g.db ? { ...loaded, config: { ...loaded.config, database: g.db } } : loaded;
}

/** YAML and schema validation (config/load.ts), loaded by prepareConfig when the cache cannot answer. */
let validator: typeof import('../../config/load.js') | undefined;

/** The config file's name and text as loadConfig finds them ('defaults', '' without a file). */
function configText(explicit: string | undefined): { file: string; text: string } {
  const file = locateConfig(explicit, process.env);
  return file ? { file, text: readConfigFile(file) } : { file: 'defaults', text: '' };
}

/**
 * Before a command runs (commander's preAction hook): load the YAML and schema libraries only
 * when the config cache cannot answer. A config that cannot be read is left for the command to
 * report, as it always did, so that a command that needs no config still runs.
 */
export async function prepareConfig(cmd: Command): Promise<void> {
  try {
    const { file, text } = configText(globals(cmd).config);
    if (cachedConfig(file, text) !== undefined) return;
  } catch {
    // Reported by loadedConfigFor when the command asks for its config.
  }
  validator ??= await import('../../config/load.js');
}

function loadConfigCached(explicit: string | undefined): LoadedConfig {
  const { file, text } = configText(explicit);
  const hit = cachedConfig(file, text);
  if (hit) return { config: hit, source: file };
  if (!validator) throw new Error('the config validator was not loaded (prepareConfig did not run before the command)');
  // What loadConfig does, on the text read here: the cache keeps what was validated.
  const config = file === 'defaults' ? validator.validateConfig({}, file) : validator.parseConfigText(text, file);
  rememberConfig(file, text, config);
  return { config, source: file };
}

export interface AppOptions {
  /** A query: open the database read-only, never create it (NoDatabaseError when missing). */
  readonly readonly?: boolean;
  /** The config, when the command loaded it already (default: loaded here). */
  readonly config?: Config;
}

export const READ_ONLY: AppOptions = { readonly: true };

/** Open the app for a command and close it whatever happens. */
export async function withApp<T>(cmd: Command, fn: (app: IngestDeps) => Promise<T> | T, opts: AppOptions = {}): Promise<T> {
  const config = opts.config ?? configFor(cmd);
  const app = openIngestDeps(config, config.database, { readonly: opts.readonly === true });
  try {
    return await fn(app);
  } catch (err) {
    throw namingDatabase(err, config.database);
  } finally {
    app.close();
  }
}

/** Collect a repeatable option into an array. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
