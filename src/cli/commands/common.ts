// What every command needs: the config (from --config, $NFMON_CONFIG, /etc or defaults) and the
// app opened on the database (--db wins over the config's).
import type { Command } from 'commander';
import { loadConfig, type LoadedConfig } from '../../config/load.js';
import type { Config } from '../../config/schema.js';
import { openApp, type App } from '../../ingest/deps.js';

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
  const loaded = loadConfig(g.config);
  return g.db ? { ...loaded, config: { ...loaded.config, database: g.db } } : loaded;
}

export interface AppOptions {
  /** A query: open the database read-only, never create it (NoDatabaseError when missing). */
  readonly readonly?: boolean;
  /** The config, when the command loaded it already (default: loaded here). */
  readonly config?: Config;
}

export const READ_ONLY: AppOptions = { readonly: true };

/** Open the app for a command and close it whatever happens. */
export async function withApp<T>(cmd: Command, fn: (app: App) => Promise<T> | T, opts: AppOptions = {}): Promise<T> {
  const config = opts.config ?? configFor(cmd);
  const app = openApp(config, config.database, { readonly: opts.readonly === true });
  try {
    return await fn(app);
  } finally {
    app.close();
  }
}

/** Collect a repeatable option into an array. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
