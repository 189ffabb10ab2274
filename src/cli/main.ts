#!/usr/bin/env node
// nfmon's command line. Parses arguments, calls the same functions the daemon calls, prints.
// Errors end as one line on stderr and exit 2 (bad usage, bad config), 1 (runtime failure) or 70
// (a bug): see exit.ts.
import { Command, Option } from 'commander';
import { registerDeviceCommands } from './commands/device.js';
import { registerIngest } from './commands/ingest.js';
import { registerQueries } from './commands/query.js';
import { registerStatus } from './commands/status.js';
import { registerRun } from './commands/run.js';
import { registerReconcile } from './commands/reconcile.js';
import { registerActivity } from './commands/activity.js';
import { registerPasswd } from './commands/passwd.js';
import { registerReport } from './commands/report.js';
import { EXIT_SOFTWARE, exitCodeFor, reportError } from './exit.js';

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

export async function main(argv: readonly string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    reportError(err);
    return exitCodeFor(err);
  }
}

// Whatever escapes every handler is a bug: one line, exit 70 (the stack with NFMON_DEBUG=1).
process.on('uncaughtException', (err) => {
  reportError(err);
  process.exit(EXIT_SOFTWARE);
});

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
    process.exitCode = EXIT_SOFTWARE;
  },
);
