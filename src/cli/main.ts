#!/usr/bin/env node
// nfmon's command line. Parses arguments, calls the same functions the daemon calls, prints.
// Errors end as one line on stderr and exit 2 (bad usage, bad config) or 1 (runtime failure).
import { Command, CommanderError, Option } from 'commander';
import { ConfigError } from '../config/load.js';
import { SourceError } from '../sources/errors.js';
import { StoreError } from '../store/db.js';
import { UsageError } from './args.js';
import { registerDeviceCommands } from './commands/device.js';
import { registerIngest } from './commands/ingest.js';
import { registerQueries } from './commands/query.js';
import { registerStatus } from './commands/status.js';
import { registerRun } from './commands/run.js';
import { registerReconcile } from './commands/reconcile.js';
import { registerActivity } from './commands/activity.js';
import { registerPasswd } from './commands/passwd.js';
import { registerReport } from './commands/report.js';

export function buildProgram(): Command {
  const program = new Command('nfmon')
    .description('Home-network Netflix monitor: which device watches when, for how long and how much')
    .version('0.1.0')
    .addOption(new Option('--config <file>', 'config file (default: $NFMON_CONFIG, else /etc/nfmon/config.yaml if present)'))
    .addOption(new Option('--db <file>', "database file (overrides the config's database)"))
    .exitOverride()
    // One line per error: commander's message, its "Did you mean" hint and where to look, joined
    // (showHelpAfterError would write the hint as a second line).
    .configureOutput({ outputError: (s, write) => write(`${oneLine(s)} (run nfmon --help for usage)\n`) });
  registerIngest(program);
  registerQueries(program);
  registerActivity(program);
  registerReport(program);
  registerDeviceCommands(program);
  registerStatus(program);
  registerRun(program);
  registerReconcile(program);
  registerPasswd(program);
  for (const c of program.commands) c.exitOverride();
  return program;
}

const oneLine = (s: string): string =>
  s
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .join(' ');

export function exitCodeFor(err: unknown): number {
  if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
  if (err instanceof UsageError || err instanceof ConfigError) return 2;
  return 1;
}

export function reportError(err: unknown): void {
  if (err instanceof CommanderError) return; // commander already printed its one line
  if (err instanceof ConfigError) {
    for (const p of err.problems) process.stderr.write(`nfmon: config ${err.file}: ${p}\n`);
    return;
  }
  if (err instanceof UsageError || err instanceof SourceError || err instanceof StoreError) {
    process.stderr.write(`nfmon: ${err.message}\n`);
    return;
  }
  const e = err as Error;
  process.stderr.write(`nfmon: ${e.message ?? String(err)}\n`);
  if (process.env.NFMON_DEBUG) process.stderr.write(`${e.stack ?? ''}\n`);
}

export async function main(argv: readonly string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    reportError(err);
    return exitCodeFor(err);
  }
}

// An EPIPE on stdout (nfmon ... | head) is not an error worth a stack trace.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    reportError(err);
    process.exitCode = 1;
  },
);
