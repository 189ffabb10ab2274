// The README's configuration table and config/nfmon.example.yaml are rendered from the schema
// (src/config/docs.ts); this regenerates both in memory and fails when a committed copy differs.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { configFields, renderConfigTable, renderExampleYaml, spliceTable, TABLE_BEGIN, TABLE_END, type ConfigField } from '../../src/config/docs.js';
import { parseConfigText } from '../../src/config/load.js';
import { configSchema } from '../../src/config/schema.js';

const repoFile = (name: string): string => readFileSync(new URL(`../../${name}`, import.meta.url), 'utf8');
const stale = (name: string): string => `${name} differs from what src/config/schema.ts renders: run \`npm run docs:config\` and commit it`;
const leaves = (fields: readonly ConfigField[]): ConfigField[] => fields.flatMap((f) => (f.kind === 'section' ? leaves(f.children) : [f, ...leaves(f.children)]));

describe('generated configuration docs', () => {
  it("README.md's configuration table is the schema's", () => {
    const readme = repoFile('README.md');
    expect(spliceTable(readme, renderConfigTable(configSchema)), stale('README.md')).toBe(readme);
  });

  it('config/nfmon.example.yaml is the schema\'s', () => {
    expect(renderExampleYaml(configSchema), stale('config/nfmon.example.yaml')).toBe(repoFile('config/nfmon.example.yaml'));
  });

  it('says what the schema says, not what an older text said', () => {
    const table = renderConfigTable(configSchema);
    expect(table).toContain('| `sessions.gap` | `20m` |');
    expect(table).toContain('| `timezone` | the system zone |');
    expect(table).toContain('| `devices[].trust` | `known` | Trust level; only an unknown device raises the unknown_device alert (unknown \\| known \\| trusted) |');
    const yaml = renderExampleYaml(configSchema);
    expect(yaml).toMatch(/^ {2}gap: 20m$/m);
    expect(yaml).toMatch(/^# timezone: Europe\/Amsterdam$/m);
  });

  it('writes out exactly the defaults: the example parses to the config of an empty file', () => {
    const example = parseConfigText(renderExampleYaml(configSchema), 'nfmon.example.yaml');
    expect(example).toEqual(parseConfigText('', 'empty.yaml'));
  });

  it('gives every key help text, and every key without a default an example or its default in words', () => {
    for (const f of leaves(configFields(configSchema))) {
      expect(f.meta.description, `${f.path} has a description`).toMatch(/\S/);
      const required = !f.fallback && !f.optional;
      if (!f.fallback && !required && !f.path.includes('[]')) {
        expect(f.meta.examples ?? f.meta.defaultText, `${f.path} shows an example`).toBeDefined();
      }
    }
  });

  it('refuses a README without the table markers instead of appending a second table', () => {
    expect(() => spliceTable('# nfmon\n', '| key |\n')).toThrow(/markers/);
    const readme = `a\n${TABLE_BEGIN}\nold\n${TABLE_END}\nb\n`;
    expect(spliceTable(readme, 'new\n')).toBe(`a\n${TABLE_BEGIN}\nnew\n${TABLE_END}\nb\n`);
  });
});
