// Writes README.md's configuration table (between its BEGIN/END config table markers) and
// config/nfmon.example.yaml from the built schema in dist/: `npm run docs:config` builds first.
// Run it after changing src/config/schema.ts; test/config/docs.test.ts fails until you do.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { configSchema } from '../dist/config/schema.js';
import { renderConfigTable, renderExampleYaml, spliceTable } from '../dist/config/docs.js';

const repo = fileURLToPath(new URL('..', import.meta.url));

/** Writes `text` to the repository file `name` unless it already holds it; says which. */
function update(name, text) {
  const file = `${repo}${name}`;
  const before = readFileSync(file, 'utf8');
  if (before === text) {
    console.log(`${name}: up to date`);
    return;
  }
  writeFileSync(file, text);
  console.log(`${name}: written`);
}

update('README.md', spliceTable(readFileSync(`${repo}README.md`, 'utf8'), renderConfigTable(configSchema)));
update('config/nfmon.example.yaml', renderExampleYaml(configSchema));
