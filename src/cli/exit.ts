// How an error ends the CLI: exit 2 for bad usage or bad config, 1 for a runtime failure (a bad
// file, I/O, the database, Home Assistant), 70 (EX_SOFTWARE, sysexits.h) for a bug. A bug must
// not pass for a bad file: it says "internal error, please report", and the stack trace comes
// with NFMON_DEBUG=1. Every message is one line, with what it quotes from the input escaped.
import { CommanderError } from 'commander';
import { ConfigError } from '../config/file.js';
import { safeText } from '../core/text.js';
import { NotifyError } from '../notify/notifier.js';
import { SourceError } from '../sources/errors.js';
import { NoDatabaseError, StoreError } from '../store/db.js';
import { WriterBusyError } from '../ingest/writer.js';
import { WebServerError } from '../web/errors.js';
import { UsageError } from './args.js';
import { ReportWriteError } from './errors.js';

export const EXIT_RUNTIME = 1;
export const EXIT_USAGE = 2;
/** sysexits.h EX_SOFTWARE: "an internal software error has been detected". */
export const EXIT_SOFTWARE = 70;

/** Errors the environment causes: a system call's errno (ENOENT, ENOSPC, EIO) or SQLite's code (SQLITE_BUSY, SQLITE_FULL). */
function isEnvironmental(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^(E[A-Z0-9]+|SQLITE_[A-Z_]+)$/.test(code);
}

/** Not one of ours and not the environment's: a bug. */
export function isInternal(err: unknown): boolean {
  if (err instanceof CommanderError || err instanceof UsageError || err instanceof ConfigError) return false;
  if (err instanceof SourceError || err instanceof StoreError || err instanceof NotifyError) return false;
  if (err instanceof WriterBusyError || err instanceof WebServerError || err instanceof ReportWriteError) return false;
  return !isEnvironmental(err);
}

export function exitCodeFor(err: unknown): number {
  if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : EXIT_USAGE;
  if (err instanceof UsageError || err instanceof ConfigError || err instanceof NoDatabaseError) return EXIT_USAGE;
  return isInternal(err) ? EXIT_SOFTWARE : EXIT_RUNTIME;
}

const line = (text: string): string => `nfmon: ${safeText(text)}\n`;

export function reportError(err: unknown, env: NodeJS.ProcessEnv = process.env, write = (s: string): void => void process.stderr.write(s)): void {
  if (err instanceof CommanderError) return; // commander already printed its one line
  if (err instanceof ConfigError) {
    for (const p of err.problems) write(line(`config ${err.file}: ${p}`));
    return;
  }
  const e = err instanceof Error ? err : new Error(String(err));
  if (isInternal(err)) {
    write(line(`internal error, please report (with NFMON_DEBUG=1 for the details): ${e.name}: ${e.message}`));
  } else {
    write(line(e.message));
  }
  if (env.NFMON_DEBUG === '1' && e.stack) write(`${e.stack}\n`);
}
