// The logging contract every layer shares: a structured Logger (injected, never global), the
// journald line format, and the one catch-and-log wrapper for async entry points. Pure: where the
// lines go (stdout/stderr for journald) is a sink the composition root passes in (daemon/logger.ts).
import { safeText } from './text.js';

export type LogFields = Record<string, unknown>;

/** Structured logger, injected; the daemon's implementation writes lines for journald. */
export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
}

export interface ModuleLogger extends Logger {
  child(module: string): ModuleLogger;
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export const LOG_ORDER: Readonly<Record<LogLevel, number>> = { debug: 10, info: 20, warn: 30, error: 40 };

export type Sink = (level: LogLevel, line: string) => void;

function value(v: unknown): string {
  if (v instanceof Error) return JSON.stringify(v.message);
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  return s !== undefined && /^[\w.:/@+-]+$/.test(s) ? s : JSON.stringify(s ?? String(v));
}

/** `level=... module=... msg="..." key=value`: one line per event that matters. */
export function formatLine(level: LogLevel, module: string, msg: string, fields: LogFields = {}): string {
  const extra = Object.entries(fields)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => ` ${k}=${value(v)}`)
    .join('');
  // JSON.stringify escapes C0 controls but not DEL, C1 or bidi overrides: safeText does the rest.
  return safeText(`level=${level} module=${module} msg=${JSON.stringify(msg)}${extra}`);
}

/** A logger that hands every line at or above `minLevel` to `sink`. */
export function loggerTo(sink: Sink, minLevel: LogLevel, module = 'nfmon'): ModuleLogger {
  const log = (level: LogLevel) => (msg: string, fields?: LogFields) => {
    if (LOG_ORDER[level] >= LOG_ORDER[minLevel]) sink(level, formatLine(level, module, msg, fields));
  };
  return {
    debug: log('debug'),
    info: log('info'),
    warn: log('warn'),
    error: log('error'),
    child: (m: string) => loggerTo(sink, minLevel, m),
  };
}

/** How a failure of an entry point is logged (one format for jobs, watchers and serial runners). */
export function logFailure(logger: Logger, what: string, err: unknown): void {
  logger.error(`${what} failed: ${(err as Error).message}`, { error: (err as Error).name });
}

/**
 * The one wrapper for every async entry point (watcher event, cron job, timer): errors are
 * logged with the module's name and never escape to crash the daemon.
 */
export function guarded(logger: Logger, what: string, fn: () => Promise<void> | void): () => Promise<void> {
  return async () => {
    try {
      await fn();
    } catch (err) {
      logFailure(logger, what, err);
    }
  };
}
