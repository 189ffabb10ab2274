// Ingesting the same content again adds nothing: the same files twice, a gzip copy of a log
// already read (recognised by content, not name), and a log read in two halves gives what one
// read of the whole file gives.
import { appendFileSync, readFileSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CliSandbox, copyHousehold, HOUSEHOLD, HOUSEHOLD_CONFIG, HOUSEHOLD_WRITTEN, ingestHousehold, type HouseholdFiles,
} from '../helpers/cli.js';

interface Snapshot {
  devices: unknown;
  sessions: unknown;
  alerts: unknown;
  counters: Record<string, number>;
}

interface IngestJson {
  logs: { path: string; lines_read: number; dns_events: number; resumed_from: number; end_offset: number }[];
  viewing_activity: { plays: number; added: number }[];
  sessions: number;
  new_alerts: number;
  errors: string[];
}

function snapshot(sb: CliSandbox): Snapshot {
  return {
    devices: sb.json(['devices']),
    sessions: sb.json(['sessions', '--since', 'all']),
    alerts: sb.json(['alerts']),
    counters: sb.json<{ counters: Record<string, number> }>(['status']).counters,
  };
}

describe('ingesting the same household twice', () => {
  let sb: CliSandbox;
  let files: HouseholdFiles;
  let first: Snapshot;
  beforeAll(() => {
    sb = new CliSandbox(HOUSEHOLD_CONFIG);
    files = copyHousehold(sb);
    ingestHousehold(sb, files);
    first = snapshot(sb);
  });
  afterAll(() => sb.dispose());

  it('stores the household once', () => {
    expect(first.counters).toEqual({ devices: 6, dns_events: 467, sessions: 8, alerts: 5 });
  });

  it('a second ingest of the same files reads nothing new and changes nothing', () => {
    const again = sb.json<IngestJson>(['ingest', '--leases', files.leases, '--pihole-log', files.log, '--viewing-activity', files.viewing]);
    const size = readFileSync(files.log).length;
    expect(again.logs).toMatchObject([{ lines_read: 0, dns_events: 0, resumed_from: size, end_offset: size }]);
    expect(again.viewing_activity).toMatchObject([{ plays: 14, added: 0 }]);
    expect(again.new_alerts).toBe(0);
    expect(again.errors).toEqual([]);
    expect(snapshot(sb)).toEqual(first);
  });

  it('a gzip copy of the log already read (as logrotate leaves it) adds nothing', () => {
    const gz = sb.write('pihole.log.2.gz', gzipSync(readFileSync(files.log)), HOUSEHOLD_WRITTEN);
    const r = sb.json<IngestJson>(['ingest', '--pihole-log', gz]);
    expect(r.logs).toMatchObject([{ path: gz, lines_read: 0, dns_events: 0 }]);
    expect(r.new_alerts).toBe(0);
    expect(snapshot(sb)).toEqual(first);
    const status = sb.json<{ sources: { kind: string }[] }>(['status']);
    expect(status.sources.filter((s) => s.kind === 'pihole')).toHaveLength(1);
  });
});

describe('a log ingested in two halves', () => {
  const whole = readFileSync(join(HOUSEHOLD, 'pihole.log'));
  // Cut at the end of the line nearest the middle, as a log being written looks between two reads.
  const cut = whole.indexOf(0x0a, Math.floor(whole.length / 2)) + 1;
  let once: CliSandbox;
  let twice: CliSandbox;
  let secondRead: IngestJson;

  /** Sessions and alerts without row ids (which depend on insertion order); alerts name their session by start. */
  function comparable(sb: CliSandbox): unknown {
    const sessions = sb.json<{ id: number; start: string }[]>(['sessions', '--since', 'all']);
    const startOf = new Map(sessions.map((s) => [s.id, s.start]));
    const alerts = sb.json<{ id: number; session_id: number | null }[]>(['alerts']);
    return {
      sessions: sessions.map(({ id: _id, ...rest }) => rest),
      alerts: alerts.map(({ id: _id, session_id, ...rest }) => ({ ...rest, session_start: session_id === null ? null : startOf.get(session_id) })),
    };
  }

  beforeAll(() => {
    once = new CliSandbox(HOUSEHOLD_CONFIG);
    ingestHousehold(once, copyHousehold(once), false);

    twice = new CliSandbox(HOUSEHOLD_CONFIG);
    const files = copyHousehold(twice);
    const log = twice.write('pihole.log', whole.subarray(0, cut), HOUSEHOLD_WRITTEN);
    ingestHousehold(twice, files, false);
    appendFileSync(log, whole.subarray(cut));
    utimesSync(log, HOUSEHOLD_WRITTEN, HOUSEHOLD_WRITTEN);
    secondRead = twice.json<IngestJson>(['ingest', '--leases', files.leases, '--pihole-log', log]);
  });
  afterAll(() => {
    once.dispose();
    twice.dispose();
  });

  it('the second read resumes where the first stopped', () => {
    expect(cut).toBeGreaterThan(600_000);
    expect(secondRead.logs).toMatchObject([{ resumed_from: cut, end_offset: whole.length }]);
    expect(secondRead.errors).toEqual([]);
  });

  it('gives the same sessions and alerts as one read of the whole file', () => {
    const a = comparable(once);
    expect(comparable(twice)).toEqual(a);
    expect((a as { sessions: unknown[] }).sessions).toHaveLength(8);
  });

  it('stores each lookup once', () => {
    const counters = (sb: CliSandbox): Record<string, number> => sb.json<{ counters: Record<string, number> }>(['status']).counters;
    expect(counters(twice)).toEqual(counters(once));
    expect(counters(twice).dns_events).toBe(467);
  });
});
