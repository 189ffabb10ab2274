// Where the daemon's log lines go: info and debug to stdout, warnings and errors to stderr, for
// journald. No files. The format and the Logger contract are core/log.ts.
import { LOG_ORDER, loggerTo, type LogLevel, type ModuleLogger, type Sink } from '../core/log.js';

export type { LogLevel, ModuleLogger, Sink } from '../core/log.js';

export const stdioSink: Sink = (level, line) => {
  (LOG_ORDER[level] >= LOG_ORDER.warn ? process.stderr : process.stdout).write(`${line}\n`);
};

export function createLogger(minLevel: LogLevel, module = 'nfmon', sink: Sink = stdioSink): ModuleLogger {
  return loggerTo(sink, minLevel, module);
}
