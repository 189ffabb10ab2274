// The folders are the architecture (STYLE.md "Layout"): this keeps them honest. No import circle
// among src/ files, and no arrow against the layers: core imports nothing outside core; a source
// knows one format (core and the shared helpers at sources/ root, never another source folder);
// the CLI reaches daemon/ only from `nfmon run`; features never import each other.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { circles, importGraph, type ImportGraph } from './import-graph.js';

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));
const top = (file: string): string => file.split('/')[0] ?? file;

/** Arrows that break a rule, as `from -> to (rule)`. */
function forbiddenArrows(graph: ImportGraph): string[] {
  const bad: string[] = [];
  for (const [from, targets] of graph.edges) {
    for (const to of targets) {
      const why = rule(from, to);
      if (why) bad.push(`${from} -> ${to} (${why})`);
    }
  }
  return bad.sort();
}

const LAYERS: Record<string, readonly string[]> = {
  core: ['core'],
  sources: ['sources', 'core'],
  store: ['store', 'core'],
  config: ['config', 'core'],
  notify: ['notify', 'core', 'config'],
  ingest: ['ingest', 'core', 'sources', 'store', 'config'],
  web: ['web', 'core', 'ingest', 'store', 'config'],
  daemon: ['daemon', 'core', 'sources', 'store', 'config', 'ingest', 'notify', 'web'],
  cli: ['cli', 'core', 'sources', 'store', 'config', 'ingest', 'notify', 'web', 'daemon'],
};

/** Steps of the pipeline that read one input each (shared helpers of ingest/ are not listed). */
const INGEST_STEPS = new Set(['ingest/pihole-log.ts', 'ingest/pihole-db.ts', 'ingest/capture.ts', 'ingest/viewing.ts']);
/** The daemon's watchers, one per input. */
const WATCHERS = new Set(['daemon/log-tail.ts', 'daemon/lease-watch.ts', 'daemon/capture-dir.ts', 'daemon/ftl-watch.ts']);

function rule(from: string, to: string): string | undefined {
  const allowed = LAYERS[top(from)];
  if (allowed && !allowed.includes(top(to))) return `${top(from)} may import ${allowed.join(', ')}`;
  if (top(from) === 'cli' && top(to) === 'daemon' && from !== 'cli/commands/run.ts') return 'the CLI reaches daemon/ only from its run command';
  const srcFolder = (f: string): string | undefined => (f.startsWith('sources/') && f.split('/').length > 2 ? f.split('/')[1] : undefined);
  if (srcFolder(from) && srcFolder(to) && srcFolder(from) !== srcFolder(to)) return 'a source never imports another source';
  if (from.startsWith('cli/commands/') && to.startsWith('cli/commands/') && to !== 'cli/commands/common.ts') return 'commands never import each other';
  if (INGEST_STEPS.has(from) && INGEST_STEPS.has(to)) return 'ingest steps never import each other';
  if (WATCHERS.has(from) && WATCHERS.has(to)) return 'watchers never import each other';
  return undefined;
}

describe('the import graph of src/', () => {
  const graph = importGraph(SRC);

  it('is read whole (every folder of the layout, dynamic imports too)', () => {
    expect(new Set([...graph.edges.keys()].map(top))).toEqual(new Set(Object.keys(LAYERS)));
    expect(graph.edges.get('cli/commands/run.ts')).toContain('daemon/run.ts');
  });

  it('has no circle', () => {
    expect(circles(graph)).toEqual([]);
  });

  it('has no arrow against the layers', () => {
    expect(forbiddenArrows(graph)).toEqual([]);
  });

  it('finds a circle and a forbidden arrow when there is one', () => {
    const edges = new Map<string, string[]>([
      ['sources/pihole/reader.ts', ['sources/pihole/feeder.ts', 'store/index.ts']],
      ['sources/pihole/feeder.ts', ['sources/pihole/reader.ts', 'sources/leases/read.ts']],
      ['core/rules.ts', ['core/rules.ts', 'config/schema.ts']],
      ['cli/commands/device.ts', ['daemon/logger.ts', 'cli/commands/query.ts']],
    ]);
    const fake = { edges };
    expect(circles(fake)).toEqual([['core/rules.ts'], ['sources/pihole/feeder.ts', 'sources/pihole/reader.ts']]);
    expect(forbiddenArrows(fake)).toEqual([
      'cli/commands/device.ts -> cli/commands/query.ts (commands never import each other)',
      'cli/commands/device.ts -> daemon/logger.ts (the CLI reaches daemon/ only from its run command)',
      'core/rules.ts -> config/schema.ts (core may import core)',
      'sources/pihole/feeder.ts -> sources/leases/read.ts (a source never imports another source)',
      'sources/pihole/reader.ts -> store/index.ts (sources may import sources, core)',
    ]);
  });
});
