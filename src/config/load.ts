// Finding, reading and validating the config. A bad file is refused before anything starts,
// listing every bad key with its path and, for an unknown key, the closest known one.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { isPair, isScalar, parseDocument, visit, type Document } from 'yaml';
import { describeFsError, errnoOf } from '../core/errno.js';
import { describeIssue } from './messages.js';
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

/**
 * A config beyond this is not one: the documented example is 6 kB, and YAML parsing of hostile
 * text costs up to ~7 us a byte (npm run fuzz), so this also bounds a refusal to a fraction of a second.
 */
export const MAX_CONFIG_BYTES = 64 * 1024;
const MAX_YAML_ERRORS = 5;

/** 1-based line of a character offset. */
function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

export function loadConfig(explicit: string | undefined, env: NodeJS.ProcessEnv = process.env): LoadedConfig {
  const file = locateConfig(explicit, env);
  if (!file) return { config: validateConfig({}, 'defaults'), source: 'defaults' };
  return { config: parseConfigText(readConfigFile(file), file), source: file };
}

function readConfigFile(file: string): string {
  try {
    const info = statSync(file);
    if (info.isDirectory()) {
      throw new ConfigError(file, [`is a directory, not a config file (give the YAML file itself, e.g. ${SYSTEM_CONFIG})`]);
    }
    if (!info.isFile()) throw new ConfigError(file, ['is not a regular file (give the YAML config file)']);
    if (info.size > MAX_CONFIG_BYTES) throw new ConfigError(file, [`is ${info.size} bytes, too large for a config file (limit ${MAX_CONFIG_BYTES})`]);
    return readFileSync(file, 'utf8');
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    const code = errnoOf(err);
    const why = describeFsError(err, { ENOENT: 'file not found', EACCES: 'permission denied' });
    const said = why !== (err as Error).message ? why : `cannot read it (${code ?? why})`;
    throw new ConfigError(file, [said], { cause: err });
  }
}

export function parseConfigText(text: string, file: string): Config {
  if (text.length > MAX_CONFIG_BYTES) throw new ConfigError(file, [`is ${text.length} characters, too large for a config file (limit ${MAX_CONFIG_BYTES})`]);
  // No prettyErrors: it copies the whole line into every error, and one long line of errors
  // (a run of quotes) took minutes (found by npm run fuzz). The first few errors are enough.
  const doc = parseDocument(text, { prettyErrors: false });
  if (doc.errors.length > 0) {
    const shown = doc.errors.slice(0, MAX_YAML_ERRORS).map((e) => `line ${lineOf(text, e.pos[0])}: ${e.message.split('\n')[0] ?? ''}`);
    const more = doc.errors.length - shown.length;
    throw new ConfigError(file, more > 0 ? [...shown, `... and ${more} more YAML errors`] : shown);
  }
  const raw: unknown = toPlain(doc, text, file) ?? {};
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new ConfigError(file, ['the top level must be a mapping of keys']);
  return validateConfig(raw, file);
}

/**
 * The document as plain values. A value starting with `*` is a YAML alias (a reference to an
 * `&anchor`): an unquoted token such as `*abc...` fails here, and yaml's error quotes the alias,
 * that is the token. It is reported by key and line only, never with its text.
 */
function toPlain(doc: Document.Parsed, text: string, file: string): unknown {
  try {
    return doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    const problems: string[] = [];
    visit(doc, {
      Alias(_key, node, path) {
        if (node.resolve(doc) !== undefined) return; // a working alias, not the culprit
        const keys = path.flatMap((p) => (isPair(p) && isScalar(p.key) ? [String(p.key.value)] : []));
        const line = text.slice(0, node.range?.[0] ?? 0).split('\n').length;
        problems.push(`${keys.join('.') || '(top level)'}: line ${line}: a value starting with "*" is read as a YAML alias (a reference to an &anchor); put the value in quotes`);
      },
    });
    throw new ConfigError(file, problems.length > 0 ? problems.slice(0, 1) : ['cannot be read as YAML (too many or unresolved aliases)'], { cause: err });
  }
}

export function validateConfig(raw: unknown, file: string): Config {
  const result = configSchema.safeParse(raw, { reportInput: true });
  if (result.success) return result.data;
  throw new ConfigError(file, result.error.issues.flatMap((issue) => describeIssue(issue)));
}

export { editDistance, suggestKey } from './messages.js';
