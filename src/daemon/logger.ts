// Structured log lines for journald: one line per event that matters, `level=... module=...
// msg="..." key=value`. Info and debug go to stdout, warnings and errors to stderr. No files.
import { safeText } from '../core/text.js';
import type { LogFields, Logger } from '../notify/notifier.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export type Sink = (level: LogLevel, line: string) => void;

const defaultSink: Sink = (level, line) => {
  (ORDER[level] >= ORDER.warn ? process.stderr : process.stdout).write(`${line}\n`);
};

function value(v: unknown): string {
  if (v instanceof Error) return JSON.stringify(v.message);
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  return s !== undefined && /^[\w.:/@+-]+$/.test(s) ? s : JSON.stringify(s ?? String(v));
}

export function formatLine(level: LogLevel, module: string, msg: string, fields: LogFields = {}): string {
  const extra = Object.entries(fields)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => ` ${k}=${value(v)}`)
    .join('');
  // JSON.stringify escapes C0 controls but not DEL, C1 or bidi overrides: safeText does the rest.
  return safeText(`level=${level} module=${module} msg=${JSON.stringify(msg)}${extra}`);
}

export interface ModuleLogger extends Logger {
  child(module: string): ModuleLogger;
}

export function createLogger(minLevel: LogLevel, module = 'nfmon', sink: Sink = defaultSink): ModuleLogger {
  const log = (level: LogLevel) => (msg: string, fields?: LogFields) => {
    if (ORDER[level] >= ORDER[minLevel]) sink(level, formatLine(level, module, msg, fields));
  };
  return {
    debug: log('debug'),
    info: log('info'),
    warn: log('warn'),
    error: log('error'),
    child: (m: string) => createLogger(minLevel, m, sink),
  };
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
      logger.error(`${what} failed: ${(err as Error).message}`, { error: (err as Error).name });
    }
  };
}
