// Finding, reading and validating the config. A bad file is refused before anything starts,
// listing every bad key with its path and, for an unknown key, the closest known one.
import { existsSync, readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import { z } from 'zod';
import { configSchema, type Config } from './schema.js';

export const SYSTEM_CONFIG = '/etc/nfmon/config.yaml';

export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly problems: readonly string[],
    options?: { cause?: unknown },
  ) {
    super(`Refusing to start because configuration is not valid (${file}): ${problems.join('; ')}`, options);
    this.name = 'ConfigError';
  }
}

export interface LoadedConfig {
  readonly config: Config;
  /** The file read, or 'defaults' when none was. */
  readonly source: string;
}

/** --config, else $NFMON_CONFIG, else /etc/nfmon/config.yaml if it exists, else the defaults. */
export function locateConfig(explicit: string | undefined, env: NodeJS.ProcessEnv): string | undefined {
  if (explicit) return explicit;
  if (env.NFMON_CONFIG) return env.NFMON_CONFIG;
  return existsSync(SYSTEM_CONFIG) ? SYSTEM_CONFIG : undefined;
}

export function loadConfig(explicit: string | undefined, env: NodeJS.ProcessEnv = process.env): LoadedConfig {
  const file = locateConfig(explicit, env);
  if (!file) return { config: validateConfig({}, 'defaults'), source: 'defaults' };
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'file not found' : code === 'EACCES' ? 'permission denied' : String(err);
    throw new ConfigError(file, [why], { cause: err });
  }
  return { config: parseConfigText(text, file), source: file };
}

export function parseConfigText(text: string, file: string): Config {
  const doc = parseDocument(text, { prettyErrors: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      file,
      doc.errors.map((e) => `line ${e.linePos?.[0]?.line ?? '?'}: ${(e.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '')}`),
    );
  }
  const raw: unknown = doc.toJS() ?? {};
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new ConfigError(file, ['the top level must be a mapping of keys']);
  return validateConfig(raw, file);
}

export function validateConfig(raw: unknown, file: string): Config {
  const result = configSchema.safeParse(raw);
  if (result.success) return result.data;
  throw new ConfigError(file, result.error.issues.flatMap(describeIssue));
}

function describeIssue(issue: z.core.$ZodIssue): string[] {
  const at = issue.path.map(String).join('.');
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => {
      const full = at ? `${at}.${key}` : key;
      const hint = suggestKey(issue.path.map(String), key);
      return `${full}: unknown key${hint ? ` (did you mean "${hint}"?)` : ''}`;
    });
  }
  return [`${at || '(top level)'}: ${issue.message}`];
}

interface JsonSchemaNode {
  properties?: Record<string, JsonSchemaNode>;
  items?: JsonSchemaNode;
  anyOf?: JsonSchemaNode[];
}

let jsonSchema: JsonSchemaNode | undefined;

/** The known key closest to `key` at `path`, if it is close enough to be a typo. */
export function suggestKey(path: readonly string[], key: string): string | undefined {
  jsonSchema ??= z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any' }) as JsonSchemaNode;
  let node: JsonSchemaNode | undefined = jsonSchema;
  for (const part of path) {
    node = unwrap(node);
    node = /^\d+$/.test(part) ? node?.items : node?.properties?.[part];
  }
  const known = Object.keys(unwrap(node)?.properties ?? {});
  if (known.length === 0) return undefined;
  const scored = known.map((k) => ({ k, d: editDistance(key.toLowerCase(), k) })).sort((a, b) => a.d - b.d);
  const best = scored[0];
  return best && best.d <= Math.max(2, Math.floor(best.k.length / 3)) ? best.k : undefined;
}

/** Optimal string alignment distance: a swapped pair of letters counts as one typo. */
export function editDistance(a: string, b: string): number {
  const rows: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i]);
  for (let j = 1; j <= b.length; j++) (rows[0] as number[])[j] = j;
  const at = (i: number, j: number): number => rows[i]?.[j] ?? Number.MAX_SAFE_INTEGER;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, at(i - 2, j - 2) + 1);
      (rows[i] as number[])[j] = d;
    }
  }
  return at(a.length, b.length);
}

function unwrap(node: JsonSchemaNode | undefined): JsonSchemaNode | undefined {
  if (node?.properties || !node?.anyOf) return node;
  return node.anyOf.find((n) => n.properties) ?? node;
}
