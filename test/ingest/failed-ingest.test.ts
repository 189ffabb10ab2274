// Issue 10, failed ingests: input cut short (a truncated .gz log, a capture cut short) and then
// given complete, and a write error in the middle of an ingest (the database's disk full, a file
// size limit), then a resume with room: the database equals a clean single run's, row for row.
import { copyFileSync, mkdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt } from '../helpers/daemon-process.js';
import { tempDir, type TempDir } from '../helpers/daemon-harness.js';
import { differences, IngestFixture, keyMismatches, peek, snapshot, type Snapshot } from '../helpers/derived-state.js';

let t: TempDir;
let fx: IngestFixture;
let clean: Snapshot;
let cleanBytes: number;
const mounts: string[] = [];

beforeAll(async () => {
  assertBuilt();
  t = tempDir('nfmon-failed-');
  fx = IngestFixture.create(t.dir, 5, 11);
  const db = fx.freshDb('clean.db');
  const r = await fx.ingest(db);
  expect(r.code, r.stderr).toBe(0);
  clean = snapshot(db);
  cleanBytes = statSync(db).size;
  expect(clean.sessions.length).toBeGreaterThan(10);
}, 120_000);

afterAll(() => {
  for (const m of mounts) spawnSync('umount', ['-l', m]);
  t?.remove();
});

/** A tmpfs of `bytes` at a new directory, or a reason why none can be mounted here. */
function smallDisk(name: string, bytes: number): string | { skip: string } {
  const dir = fx.path(name);
  mkdirSync(dir, { recursive: true });
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${bytes}`, 'tmpfs', dir], { encoding: 'utf8' });
  if (r.status !== 0) return { skip: `cannot mount a tmpfs (${(r.stderr || r.error?.message || '').trim()}): needs root with CAP_SYS_ADMIN` };
  mounts.push(dir);
  return dir;
}

describe('input cut short, then complete', () => {
  it('a truncated .gz log, then the complete file: equal to a clean run', async () => {
    const gz = gzipSync(readFileSync(fx.h.log));
    const mtime = statSync(fx.h.log).mtime;
    const file = fx.path('pihole.log.gz');
    writeFileSync(file, gz.subarray(0, Math.floor(gz.length * 0.45)));
    utimesSync(file, mtime, mtime);
    const db = fx.freshDb('gz.db');
    const cut = await fx.ingest(db, { log: file });
    expect(cut.code, `a cut .gz is an error: ${cut.stderr}`).toBe(1);
    expect(cut.stderr).toContain(file);
    expect(Number(peek(db, 'SELECT count(*) FROM sessions')), 'what was read before the cut is derived').toBeGreaterThan(0);
    writeFileSync(file, gz);
    utimesSync(file, mtime, mtime);
    const r = await fx.ingest(db, { log: file });
    expect(r.code, r.stderr).toBe(0);
    expect(differences(snapshot(db), clean)).toEqual([]);
  }, 60_000);

  // Cut inside the first 64 KiB (the fingerprint then covers less than a complete file's) and later.
  for (const cutAt of [40_000, 0.5]) {
    it(`a capture cut short (at ${cutAt < 1 ? `${cutAt * 100}%` : `${cutAt} bytes`}), then complete: equal to a clean run`, async () => {
      const full = readFileSync(fx.captures[0]!);
      const file = fx.path('cut.pcap');
      writeFileSync(file, full.subarray(0, cutAt < 1 ? Math.floor(full.length * cutAt) : cutAt));
      const db = fx.freshDb('cut-capture.db');
      const pcaps = [file, ...fx.captures.slice(1)];
      const first = await fx.ingest(db, { pcaps });
      expect([0, 1], first.stderr).toContain(first.code);
      expect(Number(peek(db, 'SELECT count(*) FROM flows')), 'the flows before the cut are stored').toBeGreaterThan(0);
      copyFileSync(fx.captures[0]!, file);
      const r = await fx.ingest(db, { pcaps });
      expect(r.code, r.stderr).toBe(0);
      const line = r.stdout.split('\n').find((l) => l.startsWith(`${file}:`));
      expect(line, 'the complete file is read, not "already ingested"').not.toContain('already ingested');
      expect(differences(snapshot(db), clean)).toEqual([]);
    }, 60_000);
  }
});

describe('a write error in the middle, then a resume with room', () => {
  it('the database disk fills up (disks of 0.2 to 2.6 times the clean database), then has room: equal to a clean run', async (ctx) => {
    const failures: string[] = [];
    let keys = 0;
    for (const [i, factor] of [0.2, 0.5, 0.8, 1.2, 1.6, 2.0, 2.6].entries()) {
      const size = Math.ceil((cleanBytes * factor) / 4096) * 4096;
      const disk = smallDisk(`disk-${i}`, size);
      if (typeof disk !== 'string') return ctx.skip(disk.skip);
      const db = `${disk}/nfmon.db`;
      const full = await fx.ingest(db);
      const stored = Number(peek(db, 'SELECT count(*) FROM dns_events') ?? 0);
      const sessions = Number(peek(db, 'SELECT count(*) FROM sessions') ?? 0);
      failures.push(`${size >> 10} KiB: exit ${full.code}, ${stored} lookups and ${sessions} sessions stored, "${full.stderr.trim().split('\n').at(-1)}"`);
      if (full.code === 0) continue; // the disk was big enough: nothing to resume
      expect(full.code, `a full disk is a runtime failure (exit 1), not a crash: ${full.stderr}`).toBe(1);
      expect(full.stderr).toMatch(/disk is full|SQLITE_FULL|ENOSPC|no space/i);
      expect(full.stderr, 'the message names the database').toContain(db);
      const pending = peek(db, "SELECT value FROM meta WHERE key = 'rebuild_from'") !== undefined;
      expect(spawnSync('mount', ['-o', 'remount,size=256m', disk]).status).toBe(0);
      const r = await fx.ingest(db);
      expect(r.code, r.stderr).toBe(0);
      if (pending) expect(r.stdout, 'the resume says it derived what the failed run left').toContain('completed the sessions and alerts an interrupted earlier run left underived');
      const s = snapshot(db);
      expect(differences(s, clean), `disk of ${size} bytes`).toEqual([]);
      keys += keyMismatches(s, clean);
    }
    console.log(`full disk (clean database ${cleanBytes} bytes): ${failures.join('; ')}; alert keys differing after the resumes: ${keys}`);
    expect(failures.filter((f) => !f.includes('exit 0')).length, 'the disk filled up in most runs').toBeGreaterThanOrEqual(4);
    expect(failures.some((f) => f.includes(`exit 1, ${clean.events.length} lookups and 0 sessions`)), 'one failure hit the rebuild after the whole log was stored').toBe(true);
  }, 120_000);

  it('a file size limit (ulimit -f, EFBIG) cuts the writes, then a run without it: equal to a clean run', async () => {
    const seen: string[] = [];
    for (const kib of [200, 500]) {
      const db = fx.freshDb(`fsize-${kib}.db`);
      // SIGXFSZ ignored: the write fails with EFBIG instead of killing the process.
      const cut = await fx.ingest(db, undefined, ['trap "" XFSZ', `ulimit -f ${kib}`]);
      seen.push(`${kib} KiB: exit ${cut.code}${cut.signal ? ` (${cut.signal})` : ''}, "${cut.stderr.trim().split('\n').at(-1)}"`);
      expect(cut.code, `the limit must make the ingest fail: ${cut.stderr}`).not.toBe(0);
      const r = await fx.ingest(db);
      expect(r.code, r.stderr).toBe(0);
      expect(differences(snapshot(db), clean), `limit ${kib} KiB`).toEqual([]);
    }
    console.log(`file size limit: ${seen.join('; ')}`);
  }, 90_000);
});
