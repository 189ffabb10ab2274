// Finding, reading and validating the config. A bad file is refused before anything starts,
// listing every bad key with its path and, for an unknown key, the closest known one.
import { isPair, isScalar, parseDocument, visit, type Document } from 'yaml';
import { ConfigError, locateConfig, MAX_CONFIG_BYTES, readConfigFile } from './file.js';
import { describeIssue } from './messages.js';
import { configSchema, type Config } from './schema.js';

export interface LoadedConfig {
  readonly config: Config;
  /** The file read, or 'defaults' when none was. */
  readonly source: string;
}

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
// Where they were first: importers of ConfigError and the file rules keep working.
export { ConfigError, locateConfig, MAX_CONFIG_BYTES, SYSTEM_CONFIG } from './file.js';
