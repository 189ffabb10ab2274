// Parsing of command-line values shared by commands: --since/--until (core/time-arg.ts, which the
// dashboard's API shares), trust levels.
import { UsageError } from '../core/time-arg.js';

export { parseTimeArg, UsageError } from '../core/time-arg.js';

export function parseTrust(text: string): 'unknown' | 'known' | 'trusted' {
  if (text === 'unknown' || text === 'known' || text === 'trusted') return text;
  throw new UsageError(`--trust: expected unknown, known or trusted, got "${text}"`);
}
