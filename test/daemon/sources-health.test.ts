// Issue 16: the daemon says once, with the fix, that its Pi-hole log is missing or unreadable, and
// says again when that changes; it used to say nothing, even at debug.
import { appendFileSync, chmodSync, writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { checkPath, piholeLogAdvice } from '../../src/ingest/source-check.js';
import { otherLine, startInProcess, tempDir, testConfig, until, type InProcess, type TempDir } from '../helpers/daemon-harness.js';

let t: TempDir | undefined;
let d: InProcess | undefined;
afterEach(async () => {
  await d?.stop();
  t?.remove();
  d = t = undefined;
});

describe('a missing Pi-hole log', () => {
  it('is logged once with what to do, then once more when it appears', async () => {
    t = tempDir();
    const config = testConfig(t);
    d = await startInProcess(config, { logLevel: 'info' });
    const warned = (): string[] => d?.lines.filter((l) => l.includes('does not exist: check pihole.log')) ?? [];
    await until(() => warned().length > 0, 'the warning');
    expect(warned()[0]).toContain(`Pi-hole log ${config.pihole.log} does not exist`);
    expect(warned()[0]).toMatch(/^level=warn module=pihole /);
    writeFileSync(config.pihole.log, otherLine());
    appendFileSync(config.pihole.log, otherLine());
    await until(() => (d?.lines.some((l) => l.includes('Pi-hole log readable')) ?? false), 'the log to be read', 15_000);
    // Every pass in between (chokidar events, the 5 s poll) saw it missing: still one line.
    expect(warned()).toHaveLength(1);
  });
});

describe('checkPath and the advice', () => {
  it('tells missing, not a file and ok apart, and gives the fix for each', () => {
    t = tempDir();
    expect(checkPath(t.path('nope.log'))).toBe('missing');
    expect(checkPath(t.dir)).toBe('not a file');
    expect(checkPath(t.dir, 'dir')).toBe('ok');
    const log = t.path('pihole.log');
    writeFileSync(log, '');
    expect(checkPath(log)).toBe('ok');
    chmodSync(log, 0o000);
    // root reads anything; another user gets EACCES (test/cli/read-only.test.ts checks that case).
    expect(['ok', 'permission denied']).toContain(checkPath(log));
    expect(piholeLogAdvice(log, 'permission denied')).toBe(
      `cannot read the Pi-hole log ${log}: permission denied; add nfmon's user to the pihole group (sudo usermod -aG pihole nfmon) and restart nfmon`,
    );
    expect(piholeLogAdvice(log, 'ok')).toBeUndefined();
  });
});
