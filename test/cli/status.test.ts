// nfmon status: the daemon's state, each source's progress and lag, counters, outbox, database.
import { join } from 'node:path';
import { existsSync, statSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BAD, CliSandbox, copyHousehold, HOUSEHOLD_CONFIG, ingestHousehold, type HouseholdFiles } from '../helpers/cli.js';

interface SourceJson {
  kind: string;
  path: string;
  offset: number;
  size: number | null;
  lag_bytes: number;
  complete: boolean;
  lines: number;
  parsed: number;
  skipped: Record<string, number>;
  first_event: string | null;
  last_event: string | null;
  last_error: string | null;
  updated_at: string;
}
interface StatusJson {
  daemon: { running: boolean; pid: number | null; started_at: string | null; uptime_s: number | null; heartbeat_at: string | null };
  sources: SourceJson[];
  configured: { kind: string; path: string; state: string; advice: string | null }[];
  counters: Record<string, number>;
  outbox: { pending: number; last_error: string | null };
  database: { path: string; bytes: number };
}

let sb: CliSandbox;
let files: HouseholdFiles;
beforeAll(() => {
  sb = new CliSandbox(HOUSEHOLD_CONFIG);
  files = copyHousehold(sb);
});
afterAll(() => sb.dispose());

describe('nfmon status --json', () => {
  it('without a database: exit 2, one line saying how to make one, and nothing created', () => {
    const r = sb.run(['status']);
    expect([r.code, r.stdout]).toEqual([2, '']);
    expect(r.stderr).toBe(`nfmon: no database at ${sb.db} (run nfmon ingest or nfmon run first)\n`);
    expect(existsSync(sb.db)).toBe(false);
  });

  it('on a new database: daemon not running, no sources, zero counters, the configured sources missing', () => {
    expect(sb.run(['forget', '--viewing-activity']).code).toBe(0); // makes the database, erases nothing
    expect(sb.json<StatusJson>(['status'])).toEqual({
      daemon: { running: false, pid: null, started_at: null, uptime_s: null, heartbeat_at: null },
      sources: [],
      configured: [
        { kind: 'pihole', path: '/var/log/pihole/pihole.log', state: 'missing', advice: expect.stringContaining('does not exist: check pihole.log') as string },
        { kind: 'leases', path: '/etc/pihole/dhcp.leases', state: 'missing', advice: expect.stringContaining('does not exist') as string },
      ],
      counters: { devices: 0, dns_events: 0, sessions: 0, alerts: 0 },
      outbox: { pending: 0, last_error: null },
      database: { path: sb.db, bytes: expect.any(Number) as number },
    });
  });

  it('after the household ingest: the log read to its end, counters and queued alerts', () => {
    ingestHousehold(sb, files);
    const s = sb.json<StatusJson>(['status']);
    expect(Object.keys(s)).toEqual(['daemon', 'sources', 'configured', 'counters', 'outbox', 'database']);
    expect(s.daemon.running).toBe(false);
    const size = statSync(files.log).size;
    expect(s.sources).toHaveLength(1);
    const log = s.sources[0];
    expect(Object.keys(log ?? {}).sort()).toEqual(
      ['complete', 'first_event', 'kind', 'lag_bytes', 'last_error', 'last_event', 'lines', 'offset', 'parsed', 'path', 'size', 'skipped', 'updated_at'],
    );
    expect(log).toMatchObject({
      kind: 'pihole', path: files.log, offset: size, size, lag_bytes: 0, complete: true, lines: 18050, last_error: null,
      // The first line of the log (Nov 20 00:00:04 local) and the last (Nov 21 23:57:19 local).
      first_event: '2026-11-19T23:00:04Z', last_event: '2026-11-21T22:57:19Z',
    });
    // Every line is either parsed or skipped for a counted reason.
    const skipped = Object.values(log?.skipped ?? {}).reduce((a, b) => a + b, 0);
    expect((log?.parsed ?? 0) + skipped).toBe(18050);
    // The lines that name no monitored service (the restart's banner, DHCP chatter, other lookups)
    // are passed over unread (issue 17), so their reasons are not counted.
    expect(log?.skipped).toMatchObject({ unrelated: expect.any(Number) as number });
    // 467 Netflix lookups, 8 plays; alerts: concurrent_streams, two quiet_hours, unknown_device and
    // the export's outside_home.
    expect(s.counters).toEqual({ devices: 6, dns_events: 467, sessions: 8, alerts: 5 });
    // The four alerts about the story (two weeks old when imported, more than rules.notify_max_age)
    // are history, never pushed; the account report of the import waits in the outbox (no Home
    // Assistant configured).
    expect(s.outbox).toEqual({ pending: 1, last_error: null });
    expect(s.database.path).toBe(sb.db);
    expect(s.database.bytes).toBeGreaterThan(50_000);
  });

  it('a source that failed shows its error and the bytes not read', () => {
    const bin = sb.copy(join(BAD, 'binary.log'), 'binary.log');
    expect(sb.run(['ingest', '--pihole-log', bin]).code).toBe(1);
    const failed = sb.json<StatusJson>(['status']).sources.find((x) => x.path === bin);
    expect(failed).toMatchObject({
      kind: 'pihole', offset: 0, size: 1024, lag_bytes: 1024, complete: false, lines: 0,
      last_error: `${bin}: this looks like a program (executable), not a Pi-hole query log`,
    });
  });

  it('without --json prints a readable summary', () => {
    const r = sb.run(['status']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^daemon: +not running$/m);
    expect(r.stdout).toContain(`database: ${sb.db}`);
    expect(r.stdout).toMatch(/^outbox: +1 alerts waiting$/m);
    expect(r.stdout).toContain(files.log);
  });
});
