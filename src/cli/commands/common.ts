// What every command needs: the config (from --config, $NFMON_CONFIG, /etc or defaults) and the
// app opened on the database (--db wins over the config's).
import type { Command } from 'commander';
import { loadConfig } from '../../config/load.js';
import type { Config } from '../../config/schema.js';
import { openApp, type App } from '../../daemon/app.js';

export interface GlobalOptions {
  readonly config?: string;
  readonly db?: string;
}

export function globals(cmd: Command): GlobalOptions {
  return cmd.optsWithGlobals<GlobalOptions>();
}

export function configFor(cmd: Command): Config {
  const g = globals(cmd);
  const { config } = loadConfig(g.config);
  return g.db ? { ...config, database: g.db } : config;
}

/** Open the app for a command (on `config` if it was loaded already) and close it whatever happens. */
export async function withApp<T>(cmd: Command, fn: (app: App) => Promise<T> | T, config: Config = configFor(cmd)): Promise<T> {
  const app = openApp(config, config.database);
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
