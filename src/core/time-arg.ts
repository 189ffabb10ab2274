// A time bound as people write it on the command line and in the dashboard's query string:
// `all`, `today`, a duration back from now or an ISO time. Pure: `now` is an argument.
import { parseDuration } from './duration.js';
import { localDay } from './local-days.js';

/** Bad input from a person (a flag, a query parameter): the CLI exits 2, the API answers 400. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/**
 * `all` -> undefined (no bound), a duration (`90m`, `24h`, `7d`) -> that long before now,
 * `today` -> the last local midnight in `zone` (when a zone is given), else an ISO 8601 time
 * (a time without zone is UTC, as in our JSON).
 */
export function parseTimeArg(flag: string, text: string, now: number, zone?: string): number | undefined {
  const t = text.trim();
  if (t === 'all') return undefined;
  if (t === 'today' && zone !== undefined) return localDay(now, zone).start;
  const d = parseDuration(t);
  if (d !== undefined) return now - d;
  if (/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$/.test(t)) {
    const hasZone = /(Z|[+-]\d{2}:?\d{2})$/.test(t) && t.length > 10;
    const ms = Date.parse(hasZone ? t : `${t.length === 10 ? `${t}T00:00:00` : t.replace(' ', 'T')}Z`);
    if (Number.isFinite(ms)) return ms;
  }
  const words = zone !== undefined ? '"all", "today"' : '"all"';
  throw new UsageError(`${flag}: expected ${words}, a duration such as 90m, 24h or 7d, or an ISO time, got "${text}"`);
}
