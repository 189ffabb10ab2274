// What a database says, row for row, in a form two runs can be compared by: the stored input
// (lookups, flows, served addresses, leases) and everything derived from it (sessions, alerts,
// devices as `nfmon devices` computes them), without the row ids and bookkeeping that differ
// between two correct runs. Issue 10: derived state is a function of the stored input, so after
// any crash, failed or concurrent command, or order of arrival it equals a clean run's.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { parse as parseYaml } from 'yaml';
import type { RawConfig } from '../../src/config/schema.js';
import { DeviceRepo } from '../../src/store/devices.js';
import { ROOT } from './cli.js';
import { MAIN, spawnNfmon, spawnProgram, type NfmonProcess } from './daemon-process.js';

export { random } from './random.js';

type Row = Record<string, unknown>;

export interface Snapshot {
  readonly events: Row[];
  readonly flows: Row[];
  readonly served: Row[];
  readonly leases: Row[];
  readonly sessions: Row[];
  /** Content of each alert, its session by start and end instead of by id. */
  readonly alerts: Row[];
  /** The de-duplication key of each alert, in the order of `alerts`. */
  readonly alertKeys: string[];
  readonly devices: Row[];
  /** The rebuild mark: set means stored input is not derived yet. */
  readonly pending: string | null;
  /** Answers a read appended and did not fold into served_addresses yet (none once a read completes). */
  readonly servedLog: number;
}

const all = (db: Database.Database, sql: string): Row[] => db.prepare(sql).all() as Row[];

/** Opens `file` read-only (it may be in WAL mode with its writer gone) and reads it whole. */
export function snapshot(file: string): Snapshot {
  if (!existsSync(file)) throw new Error(`snapshot: ${file} does not exist`);
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const alertRows = all(
      db,
      `SELECT a.key, a.rule, a.severity, a.device, a.service, a.at, a.message, s.start AS session_start, s.end AS session_end,
              o.delivered_at IS NOT NULL AS delivered, o.held
       FROM alerts a LEFT JOIN sessions s ON s.id = a.session_id LEFT JOIN outbox o ON o.alert_id = a.id
       ORDER BY a.at, a.rule, a.device, a.message`,
    );
    const pending = db.prepare("SELECT value FROM meta WHERE key = 'rebuild_from'").get() as { value: string } | undefined;
    return {
      events: all(db, 'SELECT ts, client_ip, device, name, qtype, service, role, blocked FROM dns_events ORDER BY ts, client_ip, name, qtype'),
      flows: all(
        db,
        `SELECT minute, local_ip, remote_ip, service, role, device, bytes_down, bytes_up, packets_down, packets_up
         FROM flows ORDER BY minute, local_ip, remote_ip, service, bytes_down`,
      ),
      served: all(db, 'SELECT ip, service, role, name, first_seen, last_seen FROM served_addresses ORDER BY ip, service'),
      leases: all(db, 'SELECT ip, mac, start, end, hostname, source FROM leases ORDER BY ip, mac, source, start'),
      sessions: all(
        db,
        `SELECT device, service, ip, start, end, first_video, bytes_down, bytes_up, avg_mbps, peak_mbps, quality, evidence
         FROM sessions ORDER BY device, service, start`,
      ),
      alerts: alertRows.map(({ key: _key, ...rest }) => rest),
      alertKeys: alertRows.map((r) => String(r.key)),
      devices: new DeviceRepo(db).list().map((d) => ({ ...d })),
      pending: pending?.value ?? null,
      servedLog: (db.prepare('SELECT count(*) AS n FROM served_log').get() as { n: number }).n,
    };
  } finally {
    db.close();
  }
}

const TABLES = ['events', 'flows', 'served', 'leases', 'sessions', 'alerts', 'devices'] as const;
export type Table = (typeof TABLES)[number];

/**
 * The differences of `actual` from `expected`, one readable line per table that differs (row
 * counts and the first rows missing or extra), empty when they agree. `skip` leaves tables out.
 */
export function differences(actual: Snapshot, expected: Snapshot, skip: readonly Table[] = []): string[] {
  const out: string[] = [];
  if (actual.pending !== null) out.push(`rebuild mark still set (${actual.pending}): stored input not derived`);
  for (const t of TABLES) {
    if (skip.includes(t)) continue;
    const a = actual[t].map((r) => JSON.stringify(r));
    const e = expected[t].map((r) => JSON.stringify(r));
    if (a.length === e.length && a.every((x, i) => x === e[i])) continue;
    const count = (xs: string[]): Map<string, number> => xs.reduce((m, x) => m.set(x, (m.get(x) ?? 0) + 1), new Map<string, number>());
    const ca = count(a);
    const ce = count(e);
    const missing = [...ce].filter(([x, n]) => (ca.get(x) ?? 0) < n).map(([x]) => x);
    const extra = [...ca].filter(([x, n]) => (ce.get(x) ?? 0) < n).map(([x]) => x);
    const show = (xs: string[]): string => xs.slice(0, 3).join(' | ') + (xs.length > 3 ? ` | ... ${xs.length - 3} more` : '');
    out.push(`${t}: ${a.length} rows, clean run ${e.length}; missing ${missing.length}: ${show(missing)}; extra ${extra.length}: ${show(extra)}`);
  }
  return out;
}

/** How many alert keys differ from the clean run's (when the alert contents agree). */
export function keyMismatches(actual: Snapshot, expected: Snapshot): number {
  if (actual.alertKeys.length !== expected.alertKeys.length) return Math.max(actual.alertKeys.length, expected.alertKeys.length);
  return actual.alertKeys.filter((k, i) => k !== expected.alertKeys[i]).length;
}

/** A positive integer from the environment (long local runs), else the CI default. */
export function envCount(name: string, fallback: number): number {
  const v = Number(process.env[name]);
  return Number.isInteger(v) && v > 0 ? v : fallback;
}

export interface Household {
  readonly dir: string;
  readonly log: string;
  readonly leases: string;
  readonly config: string;
  readonly captures: string[];
  readonly truth: { plays: { id: string; device_mac: string; resolves_video_name: boolean; capture?: string }[] };
}

/** bench/gen-household.mjs into `dir` (its truth, log, leases, config and, with pcap, captures). */
export function generateHousehold(dir: string, days: number, seed: number, pcap = false): Household {
  const r = spawnSync(process.execPath, [join(ROOT, 'bench', 'gen-household.mjs'), '--days', String(days), '--seed', String(seed), '--out', dir, ...(pcap ? ['--pcap'] : [])], {
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`gen-household failed: ${r.stderr}`);
  const truth = JSON.parse(readFileSync(join(dir, 'truth.json'), 'utf8')) as Household['truth'] & {
    files: { captures: string[] };
  };
  return {
    dir,
    log: join(dir, 'pihole.log'),
    leases: join(dir, 'dhcp.leases'),
    config: join(dir, 'config.yaml'),
    captures: truth.files.captures,
    truth,
  };
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** One value read from a database another process may be writing; undefined while it is not there. */
export function peek(db: string, sql: string): unknown {
  try {
    const conn = new Database(db, { readonly: true, fileMustExist: true });
    try {
      return conn.prepare(sql).pluck().get() ?? undefined;
    } finally {
      conn.close();
    }
  } catch {
    return undefined;
  }
}

/** Polls the database (one read-only connection, once it exists) until `sql` returns a row or the process ends. */
export async function waitForRow(db: string, sql: string, exited: Promise<unknown>): Promise<void> {
  let done = false;
  void exited.then(() => (done = true));
  let conn: Database.Database | undefined;
  try {
    while (!done) {
      try {
        conn ??= new Database(db, { readonly: true, fileMustExist: true });
        if (conn.prepare(sql).get() !== undefined) return;
      } catch {
        // Not created yet, or its tables not yet: look again.
      }
      await sleep(3);
    }
  } finally {
    conn?.close();
  }
}

export interface IngestFiles {
  /** One log or several; '' or [] for none. */
  readonly log?: string | readonly string[];
  readonly leases?: string;
  readonly pcaps?: readonly string[];
}

export interface ProcessRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

/**
 * A household (log, leases, two captures of direct-IP plays: one in quiet hours, one in the
 * first evening's three screens) in a temp directory, and `nfmon ingest` of it as a child process.
 */
export class IngestFixture {
  readonly captures: string[];

  private constructor(
    readonly dir: string,
    readonly h: Household,
  ) {
    const direct = h.truth.plays.filter((p) => !p.resolves_video_name);
    const night = direct.find((p) => (p as { in_quiet_hours?: boolean }).in_quiet_hours) ?? direct[1];
    this.captures = [direct[0], night].filter((p, i, xs) => p?.capture !== undefined && xs.indexOf(p) === i).map((p) => p!.capture!);
  }

  static create(dir: string, days: number, seed: number, pcap = true): IngestFixture {
    return new IngestFixture(dir, generateHousehold(join(dir, 'household'), days, seed, pcap));
  }

  path(name: string): string {
    return join(this.dir, name);
  }

  /** A database path with nothing at it (and no side files). */
  freshDb(name: string): string {
    const db = this.path(name);
    for (const f of [db, `${db}-wal`, `${db}-shm`, `${db}.lock`]) rmSync(f, { force: true });
    return db;
  }

  /** `--config C --db D ingest --leases L --pihole-log G --pcap P...`: everything in one call unless `files` says otherwise. */
  args(db: string, files: IngestFiles = {}): string[] {
    const args = ['--config', this.h.config, '--db', db, 'ingest'];
    const leases = files.leases ?? this.h.leases;
    const logs = files.log ?? this.h.log;
    if (leases) args.push('--leases', leases);
    for (const log of typeof logs === 'string' ? [logs] : logs) if (log) args.push('--pihole-log', log);
    for (const p of files.pcaps ?? this.captures) args.push('--pcap', p);
    return args;
  }

  spawn(db: string, files?: IngestFiles): NfmonProcess {
    return spawnNfmon(this.args(db, files));
  }

  async ingest(db: string, files?: IngestFiles, wrap?: readonly string[]): Promise<ProcessRun> {
    return runToEnd(wrap ? spawnWrapped(wrap, this.args(db, files)) : this.spawn(db, files));
  }
}

/** Waits for the process's end and collects what it printed. */
export async function runToEnd(p: NfmonProcess, timeoutMs = 120_000): Promise<ProcessRun> {
  const started = Date.now();
  const exit = await p.exit(timeoutMs);
  return { ...exit, stdout: p.stdout(), stderr: p.stderr(), ms: Date.now() - started };
}

/** nfmon under `bash -c SCRIPT` (limits, ignored signals); the script ends with `exec "$@"`. */
function spawnWrapped(script: readonly string[], args: readonly string[]): NfmonProcess {
  return spawnProgram('bash', ['-c', `${script.join('; ')}; exec "$@"`, 'nfmon', process.execPath, MAIN, ...args]);
}

/**
 * A config file for `nfmon run` on a household: its time zone, rules and devices, plus the
 * database, the log to tail, the lease files and `extra` (Home Assistant, rules). Written as JSON.
 */
export function daemonConfig(h: Household, file: string, fields: { database: string; log: string; leases?: string[] }, extra: RawConfig = {}): string {
  const base = parseYaml(readFileSync(h.config, 'utf8')) as RawConfig;
  const raw: RawConfig = {
    ...base,
    database: fields.database,
    pihole: { log: fields.log },
    leases: { files: fields.leases ?? [h.leases] },
    ...extra,
    rules: { ...base.rules, ...extra.rules },
  };
  writeFileSync(file, JSON.stringify(raw, null, 2));
  return file;
}
