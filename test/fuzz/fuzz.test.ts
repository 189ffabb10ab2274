// A short pass of the fuzz harness (npm run fuzz): 2,000 mutants per parser of real inputs
// (fixtures, and ../shared/corpus when present) must each end without an exception past the
// source API, in time, with memory bounded. The long passes are run by hand (README, issue 16).
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { assertBuilt, ROOT } from '../helpers/cli.js';

interface FuzzResult {
  parser: string;
  cases: number;
  crashes: number;
  hangs: number;
  memory: number;
  peak_rss_mb: number;
  failures: unknown[];
}

describe('npm run fuzz, short pass', () => {
  it('2,000 cases per parser: no crash, no hang, memory bounded', () => {
    assertBuilt();
    const r = spawnSync(process.execPath, [join(ROOT, 'fuzz', 'run.mjs'), '--cases', '2000', '--seed', '16', '--json', '--case-ms', '5000'], {
      encoding: 'utf8',
      timeout: 240_000,
      maxBuffer: 1 << 24,
    });
    expect(r.stderr).toBe('');
    const { results } = JSON.parse(r.stdout) as { results: FuzzResult[] };
    expect(results.map((x) => x.parser)).toEqual(['pihole', 'leases', 'pcap', 'viewing', 'config']);
    for (const x of results) {
      expect({ parser: x.parser, crashes: x.crashes, hangs: x.hangs, memory: x.memory, failures: x.failures }).toEqual({
        parser: x.parser, crashes: 0, hangs: 0, memory: 0, failures: [],
      });
      expect(x.cases).toBe(2000);
      expect(x.peak_rss_mb).toBeLessThan(400);
    }
    expect(r.status).toBe(0);
  }, 300_000);
});
