// Issue 10, "Two writers": one `nfmon run` or `nfmon ingest` writes at a time. Two ingests of the
// same log: the second waits, saying for whom, both exit 0, nothing stored twice. An ingest beside
// the daemon hands its files over and prints the daemon's report; if the daemon dies first, it
// ingests itself. A second daemon is refused naming the first. Each ends equal to a clean run,
// and "database is locked" appears nowhere.
import { readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, spawnNfmon, type NfmonProcess } from '../helpers/daemon-process.js';
import { tempDir, until, type TempDir } from '../helpers/daemon-harness.js';
import { daemonConfig, differences, IngestFixture, peek, runToEnd, sleep, snapshot, type Snapshot } from '../helpers/derived-state.js';

let t: TempDir;
let fx: IngestFixture;
/** The household log split in two at a line: an older part to import, the newer one the daemon tails. */
let oldLog: string;
let liveLog: string;
/** Clean runs: the whole log; both parts in one call. */
let cleanWhole: Snapshot;
let cleanParts: Snapshot;

const procs: NfmonProcess[] = [];
afterEach(async () => {
  for (const p of procs.splice(0)) {
    p.kill('SIGKILL');
    await p.exited;
  }
});

function start(args: readonly string[]): NfmonProcess {
  const p = spawnNfmon(args);
  procs.push(p);
  return p;
}

const LOCKED = /database is locked|SQLITE_BUSY/i;
const writerPid = (db: string): number | undefined => {
  const v = peek(db, "SELECT value FROM meta WHERE key = 'writer'");
  return typeof v === 'string' ? (JSON.parse(v) as { pid: number }).pid : undefined;
};
const holds = (db: string, p: NfmonProcess): Promise<void> => until(() => writerPid(db) === p.pid, `pid ${p.pid} holding the writer lock`, 20_000);
const running = (p: NfmonProcess): Promise<void> =>
  until(() => p.stdout().includes('msg="nfmon running"'), `nfmon run (pid ${p.pid}) running`, 30_000, () => p.stderr().slice(-400));

beforeAll(async () => {
  assertBuilt();
  t = tempDir('nfmon-writers-');
  fx = IngestFixture.create(t.dir, 4, 5, false);
  const lines = readFileSync(fx.h.log, 'utf8').split('\n');
  const cut = Math.floor(lines.length * 0.6);
  const mtime = (file: string, at: Date): void => utimesSync(file, at, at);
  oldLog = fx.path('old.log');
  liveLog = fx.path('live.log');
  writeFileSync(oldLog, `${lines.slice(0, cut).join('\n')}\n`);
  writeFileSync(liveLog, lines.slice(cut).join('\n'));
  const end = statSync(fx.h.log).mtime;
  mtime(oldLog, end);
  mtime(liveLog, end);
  const whole = fx.freshDb('clean-whole.db');
  const a = await fx.ingest(whole, { pcaps: [] });
  expect(a.code, a.stderr).toBe(0);
  cleanWhole = snapshot(whole);
  const parts = fx.freshDb('clean-parts.db');
  const b = await runToEnd(spawnNfmon(['--config', fx.h.config, '--db', parts, 'ingest', '--leases', fx.h.leases, '--pihole-log', oldLog, '--pihole-log', liveLog]));
  expect(b.code, b.stderr).toBe(0);
  cleanParts = snapshot(parts);
  expect(cleanWhole.sessions.length).toBeGreaterThan(10);
}, 120_000);

afterAll(() => t?.remove());

describe('two nfmon ingest of the same log into one database', () => {
  it('the second waits for the first, saying so; both exit 0; nothing stored twice', async () => {
    const db = fx.freshDb('two-ingests.db');
    const first = start(fx.args(db, { pcaps: [] }));
    await holds(db, first);
    // Held still while it holds the lock, so the second surely finds it taken.
    first.kill('SIGSTOP');
    const second = start(fx.args(db, { pcaps: [] }));
    await until(() => second.stderr().includes('waiting for'), 'the second ingest waiting', 20_000, () => second.stderr());
    expect(second.child.exitCode, 'the second still waits').toBeNull();
    first.kill('SIGCONT');
    const [a, b] = await Promise.all([runToEnd(first), runToEnd(second)]);
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    expect(b.stderr).toContain(`waiting for nfmon ingest (pid ${first.pid}) to finish writing`);
    expect(`${a.stderr}${b.stderr}`).not.toMatch(LOCKED);
    expect(b.stdout, 'the second found the log read').toMatch(/0 lines \(resumed at byte \d+\)/);
    expect(differences(snapshot(db), cleanWhole)).toEqual([]);
  }, 60_000);

  it('started at the same instant, five times: both exit 0, equal to a clean run', async () => {
    for (let i = 0; i < 5; i++) {
      const db = fx.freshDb(`same-instant-${i}.db`);
      const [a, b] = await Promise.all([runToEnd(start(fx.args(db, { pcaps: [] }))), runToEnd(start(fx.args(db, { pcaps: [] })))]);
      expect([a.code, b.code], `${a.stderr}\n${b.stderr}`).toEqual([0, 0]);
      expect(`${a.stderr}${b.stderr}`).not.toMatch(LOCKED);
      expect(differences(snapshot(db), cleanWhole), `round ${i}`).toEqual([]);
    }
  }, 90_000);
});

describe('the daemon and nfmon ingest', () => {
  const config = (db: string): string => daemonConfig(fx.h, fx.path(`${db}.json`), { database: fx.path(db), log: liveLog });

  it('an ingest beside the daemon (during its catch-up) is handed over: its report printed, equal to a clean run, never "database is locked"', async () => {
    const cfg = config('handover.db');
    const daemon = start(['run', '--config', cfg]);
    await holds(fx.path('handover.db'), daemon);
    const ing = await runToEnd(start(['--config', cfg, 'ingest', '--pihole-log', oldLog]));
    expect(ing.code, ing.stderr).toBe(0);
    expect(ing.stderr).toContain(`handing the files to the running daemon (nfmon run (pid ${daemon.pid}))`);
    expect(ing.stdout, "the daemon's report").toMatch(new RegExp(`${oldLog}: \\d+ lines, \\d+ monitored lookups`));
    expect(ing.stdout).toMatch(/sessions rebuilt: \d+; new alerts: \d+/);
    await running(daemon);
    await sleep(1500); // a last rebuild after the catch-up
    daemon.kill('SIGTERM');
    expect(await daemon.exit(10_000)).toEqual({ code: 0, signal: null });
    expect(`${ing.stderr}${daemon.stdout()}${daemon.stderr()}`).not.toMatch(LOCKED);
    expect(differences(snapshot(fx.path('handover.db')), cleanParts)).toEqual([]);
  }, 90_000);

  it('the daemon killed while it holds a handed-over ingest: the ingest takes it back and ends equal to a clean run', async () => {
    const cfg = config('taken-back.db');
    const db = fx.path('taken-back.db');
    const daemon = start(['run', '--config', cfg]);
    await holds(db, daemon);
    const ing = start(['--config', cfg, 'ingest', '--pihole-log', oldLog]);
    await until(() => peek(db, 'SELECT count(*) FROM ingest_requests') === 1, 'the request posted', 20_000);
    daemon.kill('SIGKILL');
    await daemon.exited;
    const r = await runToEnd(ing);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('the daemon stopped before it was done; ingesting here');
    // The daemon's log read resumes at the next start; then everything agrees with the clean run.
    const again = start(['run', '--config', cfg]);
    await running(again);
    await sleep(1500);
    again.kill('SIGTERM');
    expect(await again.exit(10_000)).toEqual({ code: 0, signal: null });
    expect(`${r.stderr}${again.stdout()}${again.stderr()}`).not.toMatch(LOCKED);
    expect(differences(snapshot(db), cleanParts)).toEqual([]);
  }, 90_000);

  it('a second nfmon run on the same database is refused: exit 1, naming the running pid', async () => {
    const cfg = config('second-run.db');
    const first = start(['run', '--config', cfg]);
    await holds(fx.path('second-run.db'), first);
    const second = await runToEnd(start(['run', '--config', cfg]), 20_000);
    expect(second.code, second.stderr).toBe(1);
    expect(second.stderr).toContain(`pid ${first.pid}`);
    expect(second.stderr.trim().split('\n').filter((l) => l.startsWith('nfmon: ')).length, second.stderr).toBeGreaterThan(0);
    await running(first);
    first.kill('SIGTERM');
    expect(await first.exit(10_000)).toEqual({ code: 0, signal: null });
  }, 60_000);

  it('nfmon device set and read commands during the catch-up: "database is locked" nowhere, equal to a clean run', async () => {
    const cfg = daemonConfig(fx.h, fx.path('cli-beside.json'), { database: fx.path('cli-beside.db'), log: fx.h.log });
    const daemon = start(['run', '--config', cfg]);
    // Read commands never create the database (they answer "no database", exit 2): start once the
    // daemon has made it, which it does before its catch-up.
    await until(() => writerPid(fx.path('cli-beside.db')) === daemon.pid, 'the daemon holding the writer lock', 20_000);
    const cli: string[] = [];
    const commands = [['device', 'set', '3c:d9:2b:11:22:08', '--name', 'Printer'], ['status', '--json'], ['sessions', '--since', 'all', '--json'], ['device', 'set', '54:2a:1b:33:44:09', '--name', 'Kitchen']];
    let n = 0;
    // Two at a time, until a second after the daemon says it runs.
    const loop = async (): Promise<void> => {
      let after: number | undefined;
      while (after === undefined || Date.now() - after < 1000) {
        const r = await runToEnd(start(['--config', cfg, ...commands[n++ % commands.length]!]));
        cli.push(`${r.code} ${r.stderr}`);
        if (after === undefined && daemon.stdout().includes('msg="nfmon running"')) after = Date.now();
        if (daemon.child.exitCode !== null) break;
      }
    };
    await Promise.all([loop(), loop()]);
    await running(daemon);
    daemon.kill('SIGTERM');
    expect(await daemon.exit(10_000)).toEqual({ code: 0, signal: null });
    expect(daemon.stderr(), 'the daemon logged no error').not.toMatch(/level=error/);
    expect(`${cli.join('\n')}${daemon.stdout()}`).not.toMatch(LOCKED);
    expect(cli.filter((l) => !l.startsWith('0 ')), 'every command succeeded').toEqual([]);
    console.log(`${cli.length} CLI commands beside the daemon's catch-up, none failed`);
    expect(differences(snapshot(fx.path('cli-beside.db')), cleanWhole, ['devices'])).toEqual([]);
  }, 90_000);

  it('nfmon run started during an ingest waits for it, then runs', async () => {
    const cfg = config('run-waits.db');
    const db = fx.path('run-waits.db');
    const ing = start(['--config', cfg, 'ingest', '--pihole-log', oldLog, '--leases', fx.h.leases]);
    await holds(db, ing);
    ing.kill('SIGSTOP');
    const daemon = start(['run', '--config', cfg]);
    await until(() => daemon.stdout().includes('waiting for'), 'the daemon waiting', 20_000, () => daemon.stdout() + daemon.stderr());
    expect(daemon.stdout()).toContain(`waiting for nfmon ingest (pid ${ing.pid}) to finish writing`);
    ing.kill('SIGCONT');
    expect((await runToEnd(ing)).code).toBe(0);
    await running(daemon);
    await sleep(1500);
    daemon.kill('SIGTERM');
    expect(await daemon.exit(10_000)).toEqual({ code: 0, signal: null });
    expect(`${daemon.stdout()}${daemon.stderr()}`).not.toMatch(LOCKED);
    expect(differences(snapshot(db), cleanParts)).toEqual([]);
  }, 60_000);
});
