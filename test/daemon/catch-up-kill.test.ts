// Issue 10: `nfmon run` started on an existing log (days of history, leases, a capture directory)
// and SIGKILLed during its catch-up at seeded random points, restarted (killed again, sometimes),
// then left to finish: the database equals a clean daemon run's, row for row. Before the fix, a
// daemon killed in its catch-up kept 79 of 155 alerts. NFMON_DAEMON_KILL_POINTS (default 50),
// NFMON_KILL_DAYS (default 4) and NFMON_KILL_SEED are for longer local runs.
import { copyFileSync, mkdirSync, rmSync, statSync, utimesSync } from 'node:fs';
import { basename } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, spawnNfmon, type NfmonProcess } from '../helpers/daemon-process.js';
import { tempDir, until, type TempDir } from '../helpers/daemon-harness.js';
import { daemonConfig, differences, envCount, IngestFixture, keyMismatches, peek, random, sleep, snapshot, waitForRow, type Snapshot } from '../helpers/derived-state.js';

const KILL_POINTS = envCount('NFMON_DAEMON_KILL_POINTS', 50);
const DAYS = envCount('NFMON_KILL_DAYS', 4);
const SEED = envCount('NFMON_KILL_SEED', Date.now() % 1_000_000_007);

let t: TempDir;
let fx: IngestFixture;
let captureDir: string;
let clean: Snapshot;
/** A clean run's start, spawn to "nfmon running": kill delays are drawn from it. */
let readyMs: number;
let logSize: number;

const procs: NfmonProcess[] = [];
afterEach(async () => {
  for (const p of procs.splice(0)) {
    p.kill('SIGKILL');
    await p.exited;
  }
});

function config(db: string): string {
  return daemonConfig(fx.h, fx.path(`${basename(db)}.json`), { database: db, log: fx.h.log }, { captures: { dir: captureDir, keep: true } });
}

function start(db: string): NfmonProcess {
  const p = spawnNfmon(['run', '--config', config(db)]);
  procs.push(p);
  return p;
}

const isRunning = (p: NfmonProcess): boolean => p.stdout().includes('msg="nfmon running"');

/** Start, wait until the catch-up is done and derived, stop with SIGTERM; returns the time to running. */
async function runToReady(db: string): Promise<number> {
  const started = Date.now();
  const p = start(db);
  await until(() => isRunning(p), `nfmon run (pid ${p.pid}) running`, 60_000, () => p.stderr().slice(-400));
  const ms = Date.now() - started;
  // Captures are read after the log; their rebuild is part of the start too. Wait for the mark to clear.
  await until(() => peek(db, "SELECT count(*) FROM meta WHERE key = 'rebuild_from'") === 0, 'nothing left to derive', 20_000);
  p.kill('SIGTERM');
  expect(await p.exit(15_000), p.stderr().slice(-400)).toEqual({ code: 0, signal: null });
  expect(p.stderr(), 'no error in a clean start').not.toMatch(/level=error/);
  return ms;
}

function phaseOf(db: string): string {
  const offset = Number(peek(db, "SELECT coalesce(max(offset), 0) FROM sources WHERE kind = 'pihole'") ?? 0);
  if (offset === 0) return 'before the first commit';
  const pending = Number(peek(db, "SELECT count(*) FROM meta WHERE key = 'rebuild_from'"));
  const captured = Number(peek(db, "SELECT count(*) FROM sources WHERE kind = 'capture'"));
  if (pending === 0) return captured < fx.captures.length ? 'between rebuilds' : 'after the catch-up';
  return captured === 0 ? 'reading the log' : 'reading captures or rebuilding';
}

beforeAll(async () => {
  assertBuilt();
  t = tempDir('nfmon-catchup-');
  fx = IngestFixture.create(t.dir, DAYS, 11);
  captureDir = fx.path('captures');
  mkdirSync(captureDir);
  // Written long ago, as the log: finished files (a fresh mtime would keep the newest one waiting for captures.idle).
  const mtime = statSync(fx.h.log).mtime;
  logSize = statSync(fx.h.log).size;
  for (const c of fx.captures) {
    copyFileSync(c, `${captureDir}/${basename(c)}`);
    utimesSync(`${captureDir}/${basename(c)}`, mtime, mtime);
  }
  const db = fx.freshDb('clean.db');
  readyMs = await runToReady(db);
  clean = snapshot(db);
  expect(clean.sessions.length).toBeGreaterThan(10);
  expect(clean.flows.length, 'the capture directory was read').toBeGreaterThan(0);
  expect(clean.alerts.length).toBeGreaterThan(3);
}, 120_000);

afterAll(() => t?.remove());

describe("nfmon run killed during its catch-up, restarted: equal to a clean daemon run", () => {
  it('the clean daemon run equals a clean nfmon ingest of the same files', async () => {
    const db = fx.freshDb('ingest.db');
    const r = await fx.ingest(db);
    expect(r.code, r.stderr).toBe(0);
    expect(differences(snapshot(db), clean)).toEqual([]);
  }, 60_000);

  it(`SIGKILL at ${KILL_POINTS} seeded points of the catch-up (restarts killed too)`, async () => {
    const rand = random(SEED);
    const phases = new Map<string, number>();
    let keyDiffs = 0;
    let rounds = 0;
    const started = Date.now();
    for (let killed = 0; killed < KILL_POINTS; rounds++) {
      const db = fx.freshDb(`kill-${rounds}.db`);
      const chain = Math.min(KILL_POINTS - killed, 1 + (rand() < 0.7 ? 1 : 0) + (rand() < 0.5 ? 1 : 0) + (rand() < 0.3 ? 1 : 0));
      const landed: string[] = [];
      for (let k = 0; k < chain; k++) {
        const u = rand();
        const trigger = u < 0.35 ? 'after the first commit' : u < 0.7 ? 'after the log is read' : 'from the start';
        // A restart has less to do than the first start: its kill comes sooner.
        const span = trigger === 'from the start' ? (k === 0 ? 0.9 : 0.6) : trigger === 'after the first commit' ? 0.2 : 0.3;
        const delay = Math.floor(rand() * span * readyMs);
        const p = start(db);
        if (trigger === 'after the first commit') await waitForRow(db, "SELECT 1 FROM sources WHERE kind = 'pihole' AND offset > 0", p.exited);
        if (trigger === 'after the log is read') await waitForRow(db, `SELECT 1 FROM sources WHERE kind = 'pihole' AND offset >= ${logSize - 4096}`, p.exited);
        await Promise.race([sleep(delay), p.exited]);
        const wasRunning = isRunning(p);
        p.kill('SIGKILL');
        await p.exit(10_000);
        const phase = wasRunning ? 'after the catch-up' : phaseOf(db);
        landed.push(`${phase} (${trigger} +${delay} ms)`);
        phases.set(phase, (phases.get(phase) ?? 0) + 1);
      }
      killed += chain;
      await runToReady(db);
      const s = snapshot(db);
      expect(differences(s, clean), `seed ${SEED}, round ${rounds}: ${landed.join(' / ')}`).toEqual([]);
      keyDiffs += keyMismatches(s, clean);
      rmSync(db, { force: true });
    }
    console.log(
      `daemon catch-up kills (seed ${SEED}, clean start ${readyMs} ms, ${Math.round((Date.now() - started) / 1000)} s): ${KILL_POINTS} kills in ${rounds} rounds; ` +
        `landed: ${[...phases].map(([p, n]) => `${p} ${n}`).join(', ')}; alert keys differing from the clean run: ${keyDiffs}`,
    );
    expect(KILL_POINTS - (phases.get('after the catch-up') ?? 0) - (phases.get('before the first commit') ?? 0)).toBeGreaterThan(KILL_POINTS / 4);
  }, 600_000);
});
