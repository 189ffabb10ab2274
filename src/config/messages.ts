// Config problems in the user's words: every kind of schema issue becomes one line naming the
// key, the form it must have with an example, and what was given (never a secret's value, and
// never zod's own wording, which speaks of "input" and "received object"). Examples come from
// the schema's defaults, or from EXAMPLES for keys without one.
import { z } from 'zod';
import { safeField } from '../core/text.js';
import { configSchema } from './schema.js';

/** Examples for keys that have no default to show (`*` stands for a list position). */
const EXAMPLES: Record<string, string> = {
  timezone: 'Europe/Amsterdam',
  'pihole.log': '/var/log/pihole/pihole.log',
  'leases.urls.*': 'http://pi.hole/api/dhcp/leases',
  'leases.password_file': '/etc/nfmon/pihole-password',
  'captures.dir': '/var/lib/nfmon/captures',
  'captures.prefixes_file': '/etc/nfmon/netflix-prefixes.txt',
  'rules.daily_summary': '"0 8 * * *"',
  'devices.*': '{mac: aa:bb:cc:dd:ee:ff, name: Kids iPad, trust: known}',
  'devices.*.mac': 'aa:bb:cc:dd:ee:ff',
  'devices.*.name': 'Kids iPad',
  'devices.*.quiet_hours': '"21:00-07:00"',
  'devices.*.ip': '192.168.1.50',
  'services.*': '{name: disney_plus, domains: [disneyplus.com]}',
  'services.*.name': 'disney_plus',
  'services.*.domains': '[disneyplus.com, bamgrid.com]',
  'homeassistant.url': 'http://homeassistant.local:8123',
  'homeassistant.token_file': '/etc/nfmon/ha-token',
  'homeassistant.notify': 'notify.mobile_app_pixel',
  'viewing_activity.home_country': 'NL',
};

/** Keys whose value is never repeated in a message. */
const SECRET = /(^|\.)(token|password)$/;

interface JsonSchemaNode {
  properties?: Record<string, JsonSchemaNode>;
  items?: JsonSchemaNode;
  anyOf?: JsonSchemaNode[];
  default?: unknown;
}

let jsonSchema: JsonSchemaNode | undefined;

function unwrap(node: JsonSchemaNode | undefined): JsonSchemaNode | undefined {
  if (node?.properties || !node?.anyOf) return node;
  return node.anyOf.find((n) => n.properties) ?? node;
}

/** The schema node (as JSON Schema) at a config path; list positions are digits. */
export function schemaNode(path: readonly string[]): JsonSchemaNode | undefined {
  jsonSchema ??= z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any' }) as JsonSchemaNode;
  let node: JsonSchemaNode | undefined = jsonSchema;
  for (const part of path) {
    node = unwrap(node);
    node = /^\d+$/.test(part) ? node?.items : node?.properties?.[part];
  }
  return unwrap(node);
}

function exampleFor(path: readonly string[]): string | undefined {
  const pattern = path.map((p) => (/^\d+$/.test(p) ? '*' : p)).join('.');
  if (EXAMPLES[pattern]) return EXAMPLES[pattern];
  const d = schemaNode(path)?.default;
  if (d === undefined || (typeof d === 'object' && d !== null && !Array.isArray(d))) return undefined;
  if (Array.isArray(d)) return d.length > 0 ? `[${d.map((x) => JSON.stringify(x).replace(/^"|"$/g, '')).join(', ')}]` : undefined;
  if (typeof d === 'string') return /[:#{}[\],&*!|>'"%@`]|^\s|\s$/.test(d) ? JSON.stringify(d) : d;
  return JSON.stringify(d);
}

const such = (path: readonly string[]): string => {
  const ex = exampleFor(path);
  return ex === undefined ? '' : `, such as ${ex}`;
};

/** What was given, in words; a secret's value stays out. */
function given(input: unknown, secret: boolean): string {
  if (input === undefined) return 'nothing';
  if (input === null) return 'an empty value';
  if (Array.isArray(input)) return 'a list';
  if (typeof input === 'object') return 'a mapping of keys';
  if (secret) return typeof input === 'string' ? 'text' : `a ${typeof input}`;
  if (typeof input === 'string') return `text ("${safeField(input, 40)}")`;
  return `${typeof input === 'number' ? 'the number' : 'the value'} ${JSON.stringify(input) ?? typeof input}`;
}

const FORMS: Record<string, string> = {
  number: 'a number',
  int: 'a whole number',
  string: 'text',
  boolean: 'true or false',
  array: 'a list ([a, b], or one "- item" per line)',
  object: 'a mapping of keys (one "key: value" per line, indented)',
};

function typeProblem(issue: z.core.$ZodIssueInvalidType, path: readonly string[], secret: boolean): string {
  const input = (issue as { input?: unknown }).input;
  if (input === undefined) return `missing: give ${FORMS[issue.expected] ?? issue.expected}${such(path)}`;
  if (input === null && issue.expected === 'object') return 'is empty: give its keys, or remove the line';
  const form = FORMS[issue.expected] ?? issue.expected;
  const quote = issue.expected === 'string' && (typeof input === 'number' || typeof input === 'boolean') ? ' (put it in quotes)' : '';
  const unquote = (issue.expected === 'number' || issue.expected === 'int') && typeof input === 'string' ? ' (write it without quotes)' : '';
  return `expected ${form}${such(path)}; got ${given(input, secret)}${quote}${unquote}`;
}

function sizeProblem(issue: z.core.$ZodIssueTooSmall | z.core.$ZodIssueTooBig, path: readonly string[]): string {
  const small = issue.code === 'too_small';
  const limit = Number(issue.code === 'too_small' ? issue.minimum : issue.maximum);
  const inclusive = issue.inclusive !== false;
  const input = (issue as { input?: unknown }).input;
  if (issue.origin === 'string') {
    if (small && limit <= 1) return `must not be empty${such(path)}`;
    return `must be ${small ? 'at least' : 'at most'} ${limit} characters long${such(path)}`;
  }
  if (issue.origin === 'array' || issue.origin === 'set') {
    if (small && limit <= 1) return `needs at least one entry${such(path)}`;
    return `needs ${small ? 'at least' : 'at most'} ${limit} entries${such(path)}`;
  }
  const bound = small ? (inclusive ? `at least ${limit}` : `more than ${limit}`) : inclusive ? `at most ${limit}` : `less than ${limit}`;
  return `must be ${bound}${such(path)}; got ${given(input, SECRET.test(path.join('.')))}`;
}

function formatProblem(issue: z.core.$ZodIssueInvalidStringFormat, path: readonly string[]): string {
  // Every pattern in schema.ts carries its own message (config.test.ts checks that it does).
  if (issue.format === 'regex') return issue.message;
  if (issue.format === 'url') return `expected a URL${such(path) || ', such as http://pi.hole/api/dhcp/leases'}`;
  return `expected ${issue.format}${such(path)}`;
}

/** The candidate closest to `word`, if it is close enough to be a typo. */
function closest(word: string, candidates: readonly string[]): string | undefined {
  const scored = candidates.map((k) => ({ k, d: editDistance(word.toLowerCase(), k) })).sort((a, b) => a.d - b.d);
  const best = scored[0];
  return best && best.d <= Math.max(2, Math.floor(best.k.length / 3)) ? best.k : undefined;
}

/** The known key closest to `key` at `path`, if it is close enough to be a typo. */
export function suggestKey(path: readonly string[], key: string): string | undefined {
  return closest(key, Object.keys(schemaNode(path)?.properties ?? {}));
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

/** One line per problem (an unknown-keys issue may name several keys). */
export function describeIssue(issue: z.core.$ZodIssue): string[] {
  const path = issue.path.map(String);
  const at = path.join('.') || '(top level)';
  const secret = SECRET.test(path.join('.'));
  // YAML reads an unquoted value starting with `!` or `&` as a tag or an anchor, and leaves the key empty.
  const yamlHint = secret ? ' (a value starting with !, & or * means something else in YAML: put it in quotes)' : '';
  const line = (text: string): string[] => [`${at}: ${text}`];
  switch (issue.code) {
    case 'unrecognized_keys':
      return issue.keys.map((key) => {
        const hint = key.length <= 60 ? suggestKey(path, key) : undefined;
        return `${path.length > 0 ? `${at}.` : ''}${safeField(key, 60)}: unknown key${hint ? ` (did you mean "${hint}"?)` : ''}`;
      });
    case 'invalid_type':
      return line(typeProblem(issue, path, secret) + ((issue as { input?: unknown }).input === null ? yamlHint : ''));
    case 'too_small':
    case 'too_big':
      return line(sizeProblem(issue, path) + (issue.origin === 'string' ? yamlHint : ''));
    case 'invalid_value': {
      const input = (issue as { input?: unknown }).input;
      const values = issue.values.map(String);
      const hint = typeof input === 'string' && input.length <= 60 ? closest(input, values) : undefined;
      return line(`expected one of ${values.join(', ')}; got ${given(input, secret)}${hint ? ` (did you mean "${hint}"?)` : ''}`);
    }
    case 'invalid_format':
      return line(formatProblem(issue, path));
    case 'custom':
      // Our refinements (schema.ts) say what they expect in words already.
      return line(issue.message);
    case 'invalid_union':
      // A union given its own error in schema.ts says what it expects; zod's default says nothing.
      return line(issue.message && !/^Invalid input/.test(issue.message) ? issue.message : `is not in the expected form${such(path)}`);
    default:
      return line(`is not in the expected form${such(path)}`);
  }
}
