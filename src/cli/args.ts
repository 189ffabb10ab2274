// Parsing of command-line values shared by commands: --since/--until (core/time-arg.ts, which the
// dashboard's API shares), trust levels.
import { UsageError } from '../core/time-arg.js';
import { TRUST_LEVELS, type Trust } from '../core/types.js';

export { parseTimeArg, UsageError } from '../core/time-arg.js';

export function parseTrust(text: string): Trust {
  if ((TRUST_LEVELS as readonly string[]).includes(text)) return text as Trust;
  throw new UsageError(`--trust: expected unknown, known or trusted, got "${text}"`);
}
