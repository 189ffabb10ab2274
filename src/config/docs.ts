// The README's configuration table and config/nfmon.example.yaml, rendered from the schema so that
// a setting is written once: its key, default and help text come from configSchema. A field's
// `.describe()` is its one-line help; `.meta()` adds what one line cannot carry: `details` (more
// prose for the YAML comment), `examples` (a value shown commented out, for a key without a
// default) and `defaultText` (how to show a default that is computed at start, e.g. the system
// time zone, so that the rendered files do not depend on the machine that renders them).
// scripts/gen-config-docs.mjs writes both files; test/config/docs.test.ts fails when one is stale.
import { z } from 'zod';
import { stringify } from 'yaml';

declare module 'zod/v4/core' {
  interface GlobalMeta {
    /** More prose for the YAML comment, after the description. */
    details?: string;
    /** Example values; the first is shown commented out. */
    examples?: unknown[];
    /** The default as words, for a default computed at start or implied by another setting. */
    defaultText?: string;
  }
}

type Schema = z.core.$ZodType;

/** One key of the config, with the wrappers (default, optional, transform) taken off. */
export interface ConfigField {
  /** `rules.unusual_hour.enabled`; an item of a list of objects is `devices[].mac`. */
  readonly path: string;
  readonly key: string;
  /** section: an object; list: an array of objects; value: anything else. */
  readonly kind: 'section' | 'list' | 'value';
  /** The default as written in YAML (a duration stays `20m`); absent: none. */
  readonly fallback?: { readonly value: unknown };
  /** May be left out although it has no default. */
  readonly optional: boolean;
  readonly meta: z.GlobalMeta;
  /** Allowed values of an enum. */
  readonly values?: readonly string[];
  /** A section's keys, or the keys of a list's items. */
  readonly children: readonly ConfigField[];
}

export class ConfigDocsError extends Error {
  override name = 'ConfigDocsError';
}

/** The keys of an object schema, in the order the schema writes them. */
export function configFields(schema: Schema, prefix = ''): ConfigField[] {
  const { base } = unwrap(schema);
  if (base._zod.def.type !== 'object') throw new ConfigDocsError(`${prefix || 'the schema'}: not an object`);
  const shape = (base._zod.def as z.core.$ZodObjectDef).shape;
  return Object.entries(shape).map(([key, field]) => describeField(key, prefix ? `${prefix}.${key}` : key, field));
}

function describeField(key: string, path: string, schema: Schema): ConfigField {
  const { base, fallback, optional, meta } = unwrap(schema);
  const def = base._zod.def;
  const common = { path, key, optional: optional && !fallback, meta, ...(fallback ? { fallback } : {}) };
  if (def.type === 'object') return { ...common, kind: 'section', children: configFields(base, path) };
  if (def.type === 'array') {
    const element = unwrap((def as z.core.$ZodArrayDef).element).base;
    if (element._zod.def.type === 'object') return { ...common, kind: 'list', children: configFields(element, `${path}[]`) };
  }
  const values = def.type === 'enum' ? Object.values((def as z.core.$ZodEnumDef).entries).map(String) : undefined;
  return { ...common, kind: 'value', children: [], ...(values ? { values } : {}) };
}

/** Takes off default, prefault, optional and transform; the outermost metadata wins. */
function unwrap(schema: Schema): { base: Schema; fallback?: { value: unknown }; optional: boolean; meta: z.GlobalMeta } {
  let s = schema;
  let fallback: { value: unknown } | undefined;
  let optional = false;
  let meta: z.GlobalMeta = {};
  for (;;) {
    meta = { ...z.globalRegistry.get(s), ...meta };
    const def = s._zod.def;
    if (def.type === 'default' || def.type === 'prefault') {
      // The outermost default is the one that applies; a getter (a computed default) runs here,
      // which is why such a field carries `defaultText`.
      fallback ??= { value: (def as z.core.$ZodDefaultDef).defaultValue };
      s = (def as z.core.$ZodDefaultDef).innerType;
    } else if (def.type === 'optional') {
      optional = true;
      s = (def as z.core.$ZodOptionalDef).innerType;
    } else if (def.type === 'pipe') {
      s = (def as z.core.$ZodPipeDef).in;
    } else {
      return { base: s, optional, meta, ...(fallback ? { fallback } : {}) };
    }
  }
}

/** The one-line help: the description, and the allowed values of an enum. */
function help(field: ConfigField): string {
  const text = field.meta.description ?? '';
  return field.values ? `${text} (${field.values.join(' | ')})` : text;
}

const sentence = (text: string): string => (text === '' || /[.!?:]$/.test(text) ? text : `${text}.`);

// ---------------------------------------------------------------- README table

export const TABLE_BEGIN = '<!-- BEGIN config table: generated from src/config/schema.ts by `npm run docs:config`; edit the schema, not this table -->';
export const TABLE_END = '<!-- END config table -->';

/** The Markdown table of every key: key, default, meaning. */
export function renderConfigTable(schema: Schema): string {
  const rows = ['| key | default | meaning |', '|---|---|---|'];
  const walk = (fields: readonly ConfigField[]): void => {
    for (const f of fields) {
      if (f.kind !== 'section' || f.meta.description !== undefined) rows.push(`| \`${f.path}\` | ${defaultCell(f)} | ${cell(help(f))} |`);
      walk(f.children);
    }
  };
  walk(configFields(schema));
  return `${rows.join('\n')}\n`;
}

function defaultCell(f: ConfigField): string {
  if (f.meta.defaultText !== undefined) return cell(f.meta.defaultText);
  if (f.kind === 'section') return '—';
  if (f.fallback) return `\`${cell(inline(f.fallback.value))}\``;
  return f.optional ? '—' : 'required';
}

function inline(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(inline).join(', ')}]`;
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** Text for a table cell: `|` would end the cell and `<x>` would be read as an HTML tag. */
const cell = (text: string): string => text.replaceAll('|', '\\|').replaceAll('<', '&lt;').replaceAll('\n', ' ');

/** The README with the text between the table markers replaced by `table`. */
export function spliceTable(readme: string, table: string): string {
  const begin = readme.indexOf(TABLE_BEGIN);
  const end = readme.indexOf(TABLE_END);
  if (begin < 0 || end < begin) throw new ConfigDocsError(`README.md: no "${TABLE_BEGIN}" ... "${TABLE_END}" markers around the configuration table`);
  return `${readme.slice(0, begin + TABLE_BEGIN.length)}\n${table}${readme.slice(end)}`;
}

// ---------------------------------------------------------------- example YAML

const WIDTH = 100;
const HEADER = [
  '# nfmon configuration, installed as /etc/nfmon/config.yaml (another file: --config FILE or $NFMON_CONFIG).',
  '# Every key is optional. A key written out shows its default; a commented-out key has no default (or',
  '# one computed at start) and shows an example. Unknown keys and bad values stop nfmon at start with',
  '# a message naming the key. Durations are written 90s, 10m, 24h or 7d.',
  '# Generated from src/config/schema.ts by `npm run docs:config`: edit the schema, not this file.',
];

/** config/nfmon.example.yaml: every key with its help as a comment, its default or an example. */
export function renderExampleYaml(schema: Schema): string {
  const lines = [...HEADER];
  for (const f of configFields(schema)) lines.push('', ...yamlField(f, '', false));
  return `${lines.join('\n')}\n`;
}

function yamlField(f: ConfigField, pad: string, commented: boolean): string[] {
  const text = [sentence(help(f)), f.meta.details ?? ''].filter(Boolean).join(' ');
  const out = wrap(text, `${pad}# `, `${pad}# `);
  if (f.kind === 'section') {
    const hidden = commented || (f.optional && !f.fallback);
    const children = f.children.flatMap((c) => yamlField(c, `${pad}  `, hidden));
    // A section with nothing but commented keys is commented too: `http:` alone is null, not {}.
    const empty = children.every((l) => l.trimStart().startsWith('#'));
    return [...out, `${pad}${hidden || empty ? '# ' : ''}${f.key}:`, ...children];
  }
  if (f.kind === 'list') out.push(...f.children.flatMap((c) => itemDoc(c, pad)));
  const example = f.meta.examples?.[0];
  const shown = f.fallback && f.meta.defaultText === undefined ? f.fallback.value : example;
  const hide = commented || shown !== f.fallback?.value || shown === undefined;
  const block = shown === undefined ? `${f.key}:` : stringify({ [f.key]: shown }).trimEnd();
  out.push(...block.split('\n').map((l) => `${pad}${hide ? '# ' : ''}${l}`));
  // An empty list by default: its example follows, commented out.
  if (!hide && Array.isArray(shown) && shown.length === 0 && Array.isArray(example)) {
    out.push(...stringify(example).trimEnd().split('\n').map((l) => `${pad}# ${l}`));
  }
  return out;
}

/** One key of a list's items, as a comment line above the list. */
function itemDoc(c: ConfigField, pad: string): string[] {
  const fallback = c.fallback ? ` (default ${inline(c.fallback.value)})` : c.optional ? '' : ' (required)';
  const head = `${pad}#   ${c.key.padEnd(18)} `;
  return wrap(`${sentence(help(c) + fallback)}`, head, `${pad}#   ${' '.repeat(19)}`);
}

/** Words wrapped to WIDTH columns, the first line after `first`, the others after `rest`. */
function wrap(text: string, first: string, rest: string): string[] {
  if (text === '') return [];
  const lines: string[] = [];
  let line = first;
  for (const word of text.split(/\s+/)) {
    const fresh = line === first || line === rest;
    if (!fresh && line.length + 1 + word.length > WIDTH) {
      lines.push(line);
      line = rest + word;
    } else {
      line += fresh ? word : ` ${word}`;
    }
  }
  lines.push(line);
  return lines;
}
