// The CLI caches validated configs under $XDG_CACHE_HOME/nfmon (src/config/cache.ts): one file
// per config path, and the tests write hundreds of temporary configs. They go to a directory of
// this run, removed at the end, not to the home of whoever runs the tests.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export default function setup(): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'nfmon-test-cache-'));
  process.env.XDG_CACHE_HOME = dir;
  return () => rmSync(dir, { recursive: true, force: true });
}
