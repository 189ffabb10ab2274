// The tailed Pi-hole log through every way it changes under the daemon: rotation by rename
// (logrotate), copytruncate, truncation, delete and recreate, missing at start, rotation while the
// daemon is down, restarts between appends. Each monitored query has a unique name, so after each
// step the stored events are counted against the queries written: none lost, none twice.
import { appendFileSync, copyFileSync, existsSync, readFileSync, renameSync, rmSync, truncateSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { DbProbe, queryBlock, startInProcess, tempDir, testConfig, until, type InProcess, type TempDir } from '../helpers/daemon-harness.js';

interface Scene {
  readonly t: TempDir;
  readonly log: string;
  readonly probe: DbProbe;
  /** Monitored queries written so far (numbered 0..written-1). */
  written: number;
  daemon: InProcess | undefined;
  start(): Promise<InProcess>;
  stop(): Promise<void>;
  /**
   * Append n new queries to `file` (default: the live log). `closed` false leaves out the line
   * that shows the last answer ended, so the live tail holds that query back.
   */
  write(n: number, file?: string, closed?: boolean): void;
  /** Wait until every query written is stored, then check none is stored twice. */
  caughtUp(what: string): Promise<void>;
  expectExact(): void;
}

const scenes: Scene[] = [];
afterEach(async () => {
  for (const s of scenes.splice(0)) {
    await s.stop();
    s.probe.close();
    s.t.remove();
  }
});

/** A test directory and config; the log exists (empty) unless `missingLog`. */
function scene(missingLog = false): Scene {
  const t = tempDir();
  const config = testConfig(t);
  if (!missingLog) writeFileSync(config.pihole.log, '');
  const s: Scene = {
    t,
    log: config.pihole.log,
    probe: new DbProbe(config.database),
    written: 0,
    daemon: undefined,
    async start() {
      s.daemon = await startInProcess(config);
      return s.daemon;
    },
    async stop() {
      const d = s.daemon;
      s.daemon = undefined;
      await d?.stop();
    },
    write(n, file = s.log, closed = true) {
      const block = queryBlock(s.written, s.written + n);
      appendFileSync(file, closed ? block : block.slice(0, block.lastIndexOf('\n', block.length - 2) + 1));
      s.written += n;
    },
    async caughtUp(what) {
      await until(() => s.probe.events().count >= s.written, `${s.written} events ${what}`, 12_000, () => ({
        ...s.probe.events(),
        log: s.daemon?.lines.filter((l) => !l.startsWith('level=debug')).slice(-5),
      }));
      s.expectExact();
    },
    expectExact() {
      expect(s.probe.events()).toEqual({ count: s.written, distinct: s.written });
    },
  };
  scenes.push(s);
  return s;
}

describe('nfmon run: following the Pi-hole log', () => {
  it('rotation by rename (logrotate): the rest of the old file is read from pihole.log.1, the new file from its start', async () => {
    const s = scene();
    await s.start();
    s.write(40);
    await s.caughtUp('before rotation');
    // Written just before the rename, not yet read: only pihole.log.1 has them afterwards; its
    // last answer is the file's last line.
    s.write(40, s.log, false);
    renameSync(s.log, `${s.log}.1`);
    s.write(40);
    await s.caughtUp('after rename rotation');
    // The writer has not reopened its log yet: lines still go to the renamed file.
    s.write(15, `${s.log}.1`);
    await s.caughtUp('lines written to pihole.log.1 after the rename');
    // A second rotation: .1 becomes .2, the live file .1.
    renameSync(`${s.log}.1`, `${s.log}.2`);
    s.write(10);
    renameSync(s.log, `${s.log}.1`);
    s.write(25);
    await s.caughtUp('after the second rotation');
    await s.stop();
    s.expectExact();
  });

  it('rotation by copytruncate: the copy supplies what was not read, the emptied file starts anew', async () => {
    const s = scene();
    await s.start();
    s.write(40);
    await s.caughtUp('before rotation');
    s.write(40, s.log, false);
    copyFileSync(s.log, `${s.log}.1`);
    truncateSync(s.log, 0);
    s.write(20);
    await s.caughtUp('after copytruncate');
    await s.stop();
    s.expectExact();
  });

  it('copytruncate followed at once by more lines than the old file held', async () => {
    const s = scene();
    await s.start();
    s.write(5);
    await s.caughtUp('before rotation');
    s.write(5);
    copyFileSync(s.log, `${s.log}.1`);
    truncateSync(s.log, 0);
    s.write(60); // the log is longer than before when the daemon next looks
    await s.caughtUp('after copytruncate and a burst');
    await s.stop();
    s.expectExact();
  });

  it('truncation alone, and delete and recreate: new content is read from its start', async () => {
    const s = scene();
    await s.start();
    s.write(30);
    await s.caughtUp('before truncation');
    truncateSync(s.log, 0);
    s.write(10);
    await s.caughtUp('after truncation');
    unlinkSync(s.log);
    s.write(15);
    await s.caughtUp('after delete and recreate');
    // Recreated with more than the deleted file held.
    unlinkSync(s.log);
    s.write(50);
    await s.caughtUp('after a second delete and recreate');
    await s.stop();
    s.expectExact();
  });

  it('the log missing at start is picked up when it appears', async () => {
    const s = scene(true);
    const d = await s.start();
    expect(existsSync(s.log)).toBe(false);
    expect(d.lines.some((l) => l.includes('nfmon running'))).toBe(true);
    s.write(20);
    await s.caughtUp('after the log appeared');
    await s.stop();
    s.expectExact();
  });

  it('restart between appends: resumes at the stored offset, catches up, repeats nothing', async () => {
    const s = scene();
    await s.start();
    s.write(25);
    await s.caughtUp('first run');
    for (let round = 0; round < 3; round++) {
      await s.stop();
      s.write(15 + round);
      await s.start(); // ready: the first pass is done
      s.expectExact();
      s.write(5);
      await s.caughtUp(`after restart ${round + 1}`);
    }
    await s.stop();
    s.expectExact();
  });

  it('rotation while the daemon is stopped: the start reads the rest of pihole.log.1, then the new log', async () => {
    const s = scene();
    await s.start();
    s.write(30);
    await s.caughtUp('first run');
    await s.stop();
    s.write(20);
    renameSync(s.log, `${s.log}.1`);
    s.write(20);
    await s.start();
    s.expectExact();
    s.write(5);
    await s.caughtUp('after the restart');
  });

  it('a fresh install does not import rotated logs older than its first run', async () => {
    const s = scene();
    // Weeks of history a new user did not ask for.
    appendFileSync(`${s.log}.1`, queryBlock(1_000, 1_010));
    const old = (Date.now() - 3 * 24 * 3_600_000) / 1000;
    utimesSync(`${s.log}.1`, old, old);
    s.write(5);
    await s.start();
    s.expectExact();
    s.write(5);
    await s.caughtUp('while running');
    await s.stop();
    // Nor on a later start: it is still older than the first run.
    await s.start();
    s.expectExact();
  });

  it('two rotations while stopped, the older one compressed: pihole.log.2.gz resumes, pihole.log.1 is read whole', async () => {
    const s = scene();
    await s.start();
    s.write(30);
    await s.caughtUp('first run');
    await s.stop();
    s.write(20);
    renameSync(s.log, `${s.log}.1`);
    s.write(20);
    writeFileSync(`${s.log}.2.gz`, gzipSync(readFileSync(`${s.log}.1`)));
    rmSync(`${s.log}.1`);
    renameSync(s.log, `${s.log}.1`);
    s.write(20);
    await s.start();
    s.expectExact();
  });
});
