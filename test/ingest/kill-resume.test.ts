// Issue 10, "A killed or failed ingest loses sessions and alerts": `nfmon ingest` of a household's
// log (4 days, ~100k lines), its leases and two captures is SIGKILLed, then resumed by a second ingest;
// the database must then equal a clean single run's, row for row: lookups, flows, leases,
// sessions, alerts (content; differing keys are counted and reported), devices.
// NFMON_KILL_POINTS (default 50), NFMON_KILL_DAYS (default 4, ~25k lines a day) and
// NFMON_KILL_SEED (repeat one run) are for longer local runs.
import { rmSync, statSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt } from '../helpers/daemon-process.js';
import { tempDir, type TempDir } from '../helpers/daemon-harness.js';
import { differences, envCount, IngestFixture, keyMismatches, peek, random, sleep, snapshot, waitForRow, type Snapshot } from '../helpers/derived-state.js';

const KILL_POINTS = envCount('NFMON_KILL_POINTS', 50);
const DAYS = envCount('NFMON_KILL_DAYS', 4);
const SEED = envCount('NFMON_KILL_SEED', Date.now() % 1_000_000_007);

let t: TempDir;
let fx: IngestFixture;
let clean: Snapshot;
/** Wall time of the clean run, spawn to exit: kill delays are drawn from it. */
let cleanMs: number;

const logOffset = "SELECT offset FROM sources WHERE kind = 'pihole' AND offset > 0";

/** Where in the ingest a kill landed, read from what the killed process left. */
function phaseOf(db: string): string {
  const offset = Number(peek(db, "SELECT coalesce(max(offset), 0) FROM sources WHERE kind = 'pihole'") ?? 0);
  if (offset === 0) return 'before the first commit';
  const captured = Number(peek(db, "SELECT count(*) FROM sources WHERE kind = 'capture'"));
  const pending = Number(peek(db, "SELECT count(*) FROM meta WHERE key = 'rebuild_from'"));
  if (offset < statSync(fx.h.log).size) return 'reading the log';
  if (pending === 0) return 'after the rebuild';
  return captured < fx.captures.length ? 'reading captures' : 'rebuilding';
}

type Trigger = 'after the first commit' | 'after the log is read' | 'from the start';

/** Starts an ingest and kills it `delayMs` after `trigger`; returns where it landed. */
async function killOnce(db: string, trigger: Trigger, delayMs: number): Promise<string> {
  const p = fx.spawn(db);
  if (trigger === 'after the first commit') await waitForRow(db, logOffset, p.exited);
  if (trigger === 'after the log is read') await waitForRow(db, "SELECT 1 FROM sources WHERE kind = 'pihole' AND offset = size AND complete = 1", p.exited);
  await Promise.race([sleep(delayMs), p.exited]);
  p.kill('SIGKILL');
  const exit = await p.exit(10_000);
  return exit.signal === 'SIGKILL' ? phaseOf(db) : 'exited before the kill';
}

/** Resume with a second ingest and compare with the clean run; returns the alert key mismatches. */
async function resumeAndCompare(db: string, what: string): Promise<number> {
  const r = await fx.ingest(db);
  expect(r.code, `${what}: resume exit; ${r.stderr}`).toBe(0);
  const s = snapshot(db);
  expect(differences(s, clean), what).toEqual([]);
  return keyMismatches(s, clean);
}

beforeAll(async () => {
  assertBuilt();
  t = tempDir('nfmon-kill-');
  fx = IngestFixture.create(t.dir, DAYS, 11);
  const r = await fx.ingest(fx.freshDb('clean.db'));
  expect(r.code, r.stderr).toBe(0);
  cleanMs = r.ms;
  clean = snapshot(fx.path('clean.db'));
  expect(clean.sessions.length, 'the clean run finds sessions').toBeGreaterThan(10);
  expect(clean.alerts.length, 'the clean run raises alerts').toBeGreaterThan(3);
  expect(clean.flows.length, 'the clean run stores flows').toBeGreaterThan(0);
}, 120_000);

afterAll(() => t?.remove());

describe('nfmon ingest killed and resumed equals a clean run', () => {
  it('killed as soon as its log offset is stored, then resumed', async () => {
    const db = fx.freshDb('first-offset.db');
    const p = fx.spawn(db);
    await waitForRow(db, logOffset, p.exited);
    p.kill('SIGKILL');
    expect((await p.exit(10_000)).signal, 'killed before it finished').toBe('SIGKILL');
    expect(Number(peek(db, 'SELECT count(*) FROM dns_events')), 'lookups stored before the kill').toBeGreaterThan(0);
    expect(peek(db, "SELECT value FROM meta WHERE key = 'rebuild_from'"), 'the rebuild mark was stored with them').toBeDefined();
    expect(Number(peek(db, 'SELECT count(*) FROM sessions')), 'nothing derived yet').toBe(0);
    const keys = await resumeAndCompare(db, 'killed at the first stored offset');
    console.log(`first-offset kill: resumed equal to the clean run; alert keys differing from the clean run: ${keys}`);
  }, 60_000);

  it(`SIGKILL at ${KILL_POINTS} seeded points (resumes killed too), each chain resumed: equal to a clean run`, async () => {
    const rand = random(SEED);
    const phases = new Map<string, number>();
    let keyDiffs = 0;
    let rounds = 0;
    const started = Date.now();
    for (let killed = 0; killed < KILL_POINTS; rounds++) {
      const db = fx.freshDb(`kill-${rounds}.db`);
      // One to three kills in a row: the later ones kill a resume, in its pending rebuild or its read.
      const chain = Math.min(KILL_POINTS - killed, 1 + (rand() < 0.7 ? 1 : 0) + (rand() < 0.4 ? 1 : 0) + (rand() < 0.2 ? 1 : 0));
      const landed: string[] = [];
      for (let k = 0; k < chain; k++) {
        const u = rand();
        const trigger: Trigger = u < 0.4 ? 'after the first commit' : u < 0.7 ? 'after the log is read' : 'from the start';
        const delay = Math.floor(rand() * cleanMs * (trigger === 'from the start' ? 1 : trigger === 'after the first commit' ? 0.1 : 0.4));
        const phase = await killOnce(db, trigger, delay);
        landed.push(`${phase} (${trigger} +${delay} ms)`);
        phases.set(phase, (phases.get(phase) ?? 0) + 1);
      }
      killed += chain;
      keyDiffs += await resumeAndCompare(db, `seed ${SEED}, round ${rounds}, kills: ${landed.join(' / ')}`);
      rmSync(db, { force: true });
    }
    console.log(
      `random kills (seed ${SEED}, clean run ${cleanMs} ms, ${Math.round((Date.now() - started) / 1000)} s): ${KILL_POINTS} kills in ${rounds} rounds; ` +
        `landed: ${[...phases].map(([p, n]) => `${p} ${n}`).join(', ')}; alert keys differing from the clean run: ${keyDiffs}`,
    );
    // The kills must have hit the ingest itself, not only its start or its end.
    expect((phases.get('reading the log') ?? 0) + (phases.get('reading captures') ?? 0) + (phases.get('rebuilding') ?? 0)).toBeGreaterThan(KILL_POINTS / 4);
  }, 600_000);
});
