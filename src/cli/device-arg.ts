// A device named on the command line (MAC, name, hostname or IP) to the devices it means, or a
// usage error that lists the known ones. Shared by the commands that take --device or a device.
import { safeField } from '../core/text.js';
import type { IngestDeps } from '../ingest/deps.js';
import { deviceFacts } from '../ingest/rebuild.js';
import { resolveDevices as matchDevices } from '../ingest/views.js';
import { UsageError } from './args.js';

const MAX_CHOICES = 8;

/**
 * The devices `query` names (MAC, name, hostname or IP). `what` is how the user gave it
 * (`--device`, `forget`): the refusal names that and lists some devices there are.
 */
export function resolveDevices(app: IngestDeps, query: string, what = '--device'): string[] {
  const found = matchDevices(app, query);
  if (found.length > 0) return found;
  const labels = [...new Set([...deviceFacts(app).values()].map((f) => f.label))].sort();
  const shown = labels.slice(0, MAX_CHOICES).map((l) => safeField(l, 40)).join(', ');
  const more = labels.length > MAX_CHOICES ? `, and ${labels.length - MAX_CHOICES} more` : '';
  const choices = labels.length === 0 ? 'no devices are known yet' : `known devices: ${shown}${more}; nfmon devices lists them all`;
  throw new UsageError(`${what}: no device matches "${query}" (${choices})`);
}
