// Issue 17: a rebuild reads its history a window at a time and holds only one window and the
// sessions still open at its end. Its answer must be the whole-range rebuild's, row for row and
// id for id: windows of ten minutes, an hour and a day cut through sessions, lead-ins, bursts,
// inferred plays, overlapping screens, unusual_hour's history and dns_bypass's look-back, and
// each must give the derived tables a single window over everything gives.
import { spawnSync } from 'node:child_process';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { openIngestDeps } from '../../src/ingest/deps.js';
import { ingestAll } from '../../src/ingest/ingest.js';
import { rebuildFrom } from '../../src/ingest/rebuild.js';
import { ROOT } from '../helpers/cli.js';
import { tempDir, type TempDir } from '../helpers/daemon-harness.js';
import { generateHousehold, type Household } from '../helpers/derived-state.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
interface Window {
  readonly windowMs: number;
  readonly windowRows: number;
}
/** By time, and by lookups (a window cut short where a day holds more than that many). */
const WINDOWS: Window[] = [
  { windowMs: 10 * MINUTE, windowRows: Infinity },
  { windowMs: HOUR, windowRows: Infinity },
  { windowMs: 24 * HOUR, windowRows: Infinity },
  { windowMs: 24 * HOUR, windowRows: 7 },
  { windowMs: Infinity, windowRows: 200 },
];

type Row = Record<string, unknown>;

/** Every derived table whole, ids and delivery state included, and the attributions of the input. */
function derived(file: string): Record<string, Row[]> {
  const db = new Database(file, { readonly: true });
  const all = (sql: string): Row[] => db.prepare(sql).all() as Row[];
  try {
    return {
      sessions: all('SELECT * FROM sessions ORDER BY id'),
      alerts: all('SELECT * FROM alerts ORDER BY id'),
      outbox: all('SELECT * FROM outbox ORDER BY alert_id'),
      devices: all('SELECT * FROM devices ORDER BY 1'),
      lookups: all('SELECT id, device FROM dns_events ORDER BY id'),
      flows: all('SELECT minute, local_ip, remote_ip, service, source_id, device FROM flows ORDER BY minute, local_ip, remote_ip, service, source_id'),
    };
  } finally {
    db.close();
  }
}

interface Input {
  readonly name: string;
  readonly config: string;
  /** The database after ingesting everything. */
  readonly db: string;
  readonly start: number;
  readonly end: number;
}

let t: TempDir;
const inputs: Input[] = [];
/** The rules whose alerts the cases derived. */
const seen: string[] = [];

async function ingest(name: string, config: string, files: { log: string; leases: string; pcaps?: string[] }): Promise<Input> {
  const db = t.path(`${name}.db`);
  const app = openIngestDeps(loadConfig(config).config, db);
  try {
    const r = await ingestAll(app, { logs: [files.log], leases: [files.leases], pcaps: files.pcaps ?? [], viewingActivity: [] }, { now: Date.now() });
    if (r.errors.length > 0) throw new Error(`${name}: ${r.errors.join('; ')}`);
  } finally {
    app.close();
  }
  const conn = new Database(db, { readonly: true });
  const span = conn.prepare('SELECT min(ts) AS start, max(ts) AS end FROM dns_events').get() as { start: number; end: number };
  conn.close();
  return { name, config, db, ...span };
}

/** A copy of the input's database, changed by `prepare`, rebuilt from `from` with windows of `window`. */
function rebuildCopy(input: Input, label: string, window: Window, from: (i: Input) => number, prepare: (db: Database.Database) => void, gapMs?: number): Record<string, Row[]> {
  const file = t.path(`${input.name}-${label}-${window.windowMs}-${window.windowRows}.db`);
  copyFileSync(input.db, file);
  const raw = new Database(file);
  prepare(raw);
  raw.close();
  const { config } = loadConfig(input.config);
  const app = openIngestDeps(gapMs ? { ...config, sessions: { ...config.sessions, gap: gapMs } } : config, file);
  try {
    rebuildFrom(app.rebuildContext(), from(input), input.end + HOUR, window);
  } finally {
    app.close();
  }
  return derived(file);
}

/** What the rebuild starts from in each case, and what it finds stored. */
const CASES: {
  label: string;
  from: (i: Input) => number;
  prepare: (db: Database.Database) => void;
  gapMs?: number;
}[] = [
  {
    // A first import: nothing derived, no lookup attributed.
    // Every other two hours without lookups: plays there stream (flows) without asking Pi-hole.
    // Every ninth day eleven hours late: plays at hours the device does not usually watch.
    label: 'first import',
    from: () => 0,
    prepare: (db) =>
      db.exec(`DELETE FROM outbox; DELETE FROM alerts; DELETE FROM sessions; DELETE FROM devices; UPDATE dns_events SET device = NULL;
        UPDATE flows SET device = NULL; DELETE FROM dns_events WHERE (ts / 7200000) % 2 = 0;
        UPDATE dns_events SET ts = ts + 39600000 WHERE (ts / 86400000) % 9 = 0`),
  },
  {
    // Sessions and alerts stored under another gap, some delivered, some attributions wrong:
    // stored sessions are taken over, merged or dropped, alerts matched, retracted or kept.
    label: 'other gap, from the middle',
    from: (i) => i.start + Math.floor((i.end - i.start) / 3),
    prepare: (db) => {
      db.exec("UPDATE outbox SET delivered_at = 1 WHERE alert_id % 3 = 0; UPDATE dns_events SET device = 'ip:stale' WHERE id % 5 = 0");
    },
    gapMs: 12 * MINUTE,
  },
];

beforeAll(async () => {
  t = tempDir('nfmon-rebuild-windows-');
  // Four days of the household with a capture of every play (flows: dns_bypass, flow-proven starts).
  const h: Household = generateHousehold(t.path('household'), 4, 11, true);
  inputs.push(await ingest('household', h.config, { log: h.log, leases: h.leases, pcaps: h.captures }));
  // Seven weeks of a 10-device home: unusual_hour's 30-day profile, dates and DST-free weeks of play.
  const dir = t.path('history');
  const gen = spawnSync(process.execPath, [join(ROOT, 'bench', 'gen-history.mjs'), '--days', '50', '--seed', '4', '--out', dir, '--end', '2025-03-20T12:00:00Z', '--tz', 'Europe/Amsterdam'], {
    encoding: 'utf8',
  });
  if (gen.status !== 0) throw new Error(`gen-history failed: ${gen.stderr}`);
  inputs.push(await ingest('history', join(dir, 'config.yaml'), { log: join(dir, 'pihole.log'), leases: join(dir, 'dhcp.leases') }));
}, 120_000);

afterAll(() => t?.remove());

describe('a rebuild a window at a time', () => {
  for (const c of CASES) {
    for (const inputName of ['household', 'history']) {
      it(`${inputName}, ${c.label}: every window size gives the whole-range tables`, () => {
        const input = inputs.find((i) => i.name === inputName)!;
        const whole = rebuildCopy(input, c.label, { windowMs: Infinity, windowRows: Infinity }, c.from, c.prepare, c.gapMs);
        expect(whole.sessions?.length).toBeGreaterThan(10);
        seen.push(...(whole.alerts ?? []).map((a) => String(a.rule)));
        for (const w of WINDOWS) {
          const got = rebuildCopy(input, c.label, w, c.from, c.prepare, c.gapMs);
          for (const table of Object.keys(whole)) {
            expect(got[table], `${table} with windows of ${w.windowMs / MINUTE} min, ${w.windowRows} lookups`).toEqual(whole[table]);
          }
        }
      }, 60_000);
    }
  }

  it('had alerts of every rule that looks across sessions or back in time to get right', () => {
    expect([...new Set(seen)].sort()).toEqual(['concurrent_streams', 'dns_bypass', 'quiet_hours', 'unknown_device', 'unusual_hour']);
  });
});
