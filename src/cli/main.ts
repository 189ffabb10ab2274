#!/usr/bin/env node
// nfmon's command line. Parses arguments, calls the same functions the daemon calls, prints.
// Errors end as one line on stderr and exit 2 (bad usage, bad config), 1 (runtime failure) or 70
// (a bug): see exit.ts.
import { Command, Option } from 'commander';
import { commandName } from './command-name.js';
import { prepareConfig } from './commands/common.js';
import { EXIT_SOFTWARE, exitCodeFor, reportError } from './exit.js';
import { enableCompileCache } from './startup.js';

type Register = (program: Command) => void;

/**
 * Each command's module, loaded only when it runs: a query need not load the daemon, the web
 * server, capture decoding or the config schema library (issue 17: a query paid ~3x Node's own
 * start for modules it never used). Help, a version request, a mistyped or missing command load
 * them all, in this order, so help and "Did you mean" hints see every command.
 */
const COMMANDS: readonly (readonly [readonly string[], () => Promise<Register>])[] = [
  [['ingest'], async () => (await import('./commands/ingest.js')).registerIngest],
  [['devices', 'sessions', 'alerts'], async () => (await import('./commands/query.js')).registerQueries],
  [['activity'], async () => (await import('./commands/activity.js')).registerActivity],
  [['report'], async () => (await import('./commands/report.js')).registerReport],
  [['device'], async () => (await import('./commands/device.js')).registerDeviceCommands],
  [['status'], async () => (await import('./commands/status.js')).registerStatus],
  [['run', 'notify-test'], async () => (await import('./commands/run.js')).registerRun],
  [['reconcile'], async () => (await import('./commands/reconcile.js')).registerReconcile],
  [['passwd'], async () => (await import('./commands/passwd.js')).registerPasswd],
];

/** The registrations argv needs: its command's alone, or all of them. */
export async function registrationsFor(argv: readonly string[] | undefined): Promise<Register[]> {
  const name = argv === undefined ? undefined : commandName(argv);
  const one = name === undefined ? undefined : COMMANDS.find(([names]) => names.includes(name));
  return Promise.all((one ? [one] : COMMANDS).map(([, load]) => load()));
}

/** The program with the commands argv needs (all of them without argv). */
export async function buildProgram(argv?: readonly string[]): Promise<Command> {
  const registrations = await registrationsFor(argv);
  const program = new Command('nfmon')
    .description('Home-network Netflix monitor: which device watches when, for how long and how much')
    .version('0.1.0')
    .addOption(new Option('--config <file>', 'config file (default: $NFMON_CONFIG, else /etc/nfmon/config.yaml if present)'))
    .addOption(new Option('--db <file>', "database file (overrides the config's database)"))
    .exitOverride()
    // One line per error: commander's message, its "Did you mean" hint and where to look, joined
    // (showHelpAfterError would write the hint as a second line).
    .configureOutput({ outputError: (s, write) => write(`${oneLine(s)} (run nfmon --help for usage)\n`) });
  for (const register of registrations) register(program);
  program.hook('preAction', (_program, action) => prepareConfig(action));
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
    await (await buildProgram(argv)).parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    reportError(err);
    return exitCodeFor(err);
  }
}

enableCompileCache();

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
