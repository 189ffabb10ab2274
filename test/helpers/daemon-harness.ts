// Shared pieces of the daemon integration tests: a temp directory per test, configs built through
// the real schema, Pi-hole lines stamped "now" in the config's zone (UTC), the daemon started
// in-process with a logger that keeps its lines, a read-only look at the database from outside,
// and polling with a deadline instead of sleeps.
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { validateConfig } from '../../src/config/load.js';
import type { Config, RawConfig } from '../../src/config/schema.js';
import { openIngestDeps, type IngestDeps } from '../../src/ingest/deps.js';
import { startDaemon, type Daemon, type DaemonDeps } from '../../src/daemon/daemon.js';
import { createLogger, type LogLevel } from '../../src/daemon/logger.js';

export interface TempDir {
  readonly dir: string;
  path(name: string): string;
  remove(): void;
}

export function tempDir(prefix = 'nfmon-daemon-'): TempDir {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return {
    dir,
    path: (name) => join(dir, name),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/**
 * A config for a test directory: the log, no FTL database, no lease files, quiet hours far from now (no alert
 * unless a test asks for one), no unknown-device alerts and room for many screens.
 */
export function testConfig(t: TempDir, raw: RawConfig = {}): Config {
  return validateConfig(
    {
      timezone: 'UTC',
      database: t.path('nfmon.db'),
      ...raw,
      // Never the host's own Pi-hole database (pihole.database unset reads /etc/pihole/pihole-FTL.db).
      pihole: { log: t.path('pihole.log'), database: false, ...raw.pihole },
      leases: { files: [], ...raw.leases },
      rules: { quiet_hours: quietWindowAround(Date.now() + 12 * 3_600_000), unknown_device: false, max_concurrent_streams: 50, ...raw.rules },
    },
    'test',
  );
}

const pad2 = (n: number): string => String(n).padStart(2, '0');

/** "HH:MM-HH:MM" (UTC) from 15 minutes before `ts` to an hour after. */
export function quietWindowAround(ts: number): string {
  const hm = (t: number): string => {
    const d = new Date(t);
    return `${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}`;
  };
  return `${hm(ts - 15 * 60_000)}-${hm(ts + 60 * 60_000)}`;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** dnsmasq's stamp in UTC: `Nov  2 05:56:33` (day padded with a space). */
export function stamp(ts: number): string {
  const d = new Date(ts);
  return `${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, ' ')} ${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}`;
}

/** The unique video name of query number i: a duplicate event shows as a repeated name. */
export const videoName = (i: number): string => `ipv4-c${i}-ams001-ix.1.oca.nflxvideo.net`;

/** A monitored query and its answer. */
export function queryLines(i: number, client = '192.168.1.50', ts = Date.now()): string {
  const s = stamp(ts);
  const name = videoName(i);
  return `${s} dnsmasq[1]: query[A] ${name} from ${client}\n${s} dnsmasq[1]: reply ${name} is 45.57.90.1\n`;
}

/**
 * An unmonitored query. A live log's last answer may still be followed by more records of the
 * same response, so the daemon stores it only once a later line shows the response ended; a
 * busy Pi-hole always writes one, a test appends this.
 */
export function otherLine(ts = Date.now()): string {
  return `${stamp(ts)} dnsmasq[1]: query[A] example.org from 192.168.1.2\n`;
}

/** Queries from..to-1 (plus the closing unmonitored line) as one string. */
export function queryBlock(from: number, to: number, client = '192.168.1.50', ts = Date.now()): string {
  const parts: string[] = [];
  for (let i = from; i < to; i++) parts.push(queryLines(i, client, ts));
  parts.push(otherLine(ts));
  return parts.join('');
}

export function appendQueries(file: string, from: number, to: number, client?: string): void {
  appendFileSync(file, queryBlock(from, to, client));
}

export interface EventCounts {
  readonly count: number;
  readonly distinct: number;
}

/** A read-only look at the database, as another process would have. */
export class DbProbe {
  private db: Database.Database | undefined;

  constructor(readonly file: string) {}

  private open(): Database.Database {
    this.db ??= new Database(this.file, { readonly: true, fileMustExist: true });
    return this.db;
  }

  events(): EventCounts {
    try {
      return this.open().prepare('SELECT count(*) AS count, count(DISTINCT name) AS "distinct" FROM dns_events').get() as EventCounts;
    } catch (err) {
      // Not created yet by the daemon (first start): nothing stored.
      if (/unable to open|no such table/.test((err as Error).message)) return { count: 0, distinct: 0 };
      throw err;
    }
  }

  meta(key: string): string | undefined {
    const row = this.open().prepare('SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined;
    return row?.value;
  }

  all<T>(sql: string, ...args: unknown[]): T[] {
    return this.open().prepare(sql).all(...args) as T[];
  }

  close(): void {
    this.db?.close();
    this.db = undefined;
  }
}

/** Polls `predicate` every 10 ms until true; after `timeoutMs` fails naming `what` and the last `detail()`. */
export async function until(predicate: () => boolean, what: string, timeoutMs = 10_000, detail?: () => unknown): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${detail ? `; last: ${JSON.stringify(detail())}` : ''}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export interface InProcess {
  readonly app: IngestDeps;
  readonly daemon: Daemon;
  /** Every log line, formatted as for journald. */
  readonly lines: string[];
  stop(): Promise<void>;
}

export type InProcessDeps = Partial<Omit<DaemonDeps, 'app' | 'logger'>> & { readonly logLevel?: LogLevel };

/** openIngestDeps + startDaemon, as `nfmon run` does, with the log lines kept; resolves once ready. */
export async function startInProcess(config: Config, deps: InProcessDeps = {}, lines: string[] = []): Promise<InProcess> {
  const app = openIngestDeps(config, config.database);
  const logger = createLogger(deps.logLevel ?? 'debug', 'nfmon', (_level, line) => lines.push(line));
  const daemon = startDaemon({ env: {}, ...deps, app, logger });
  await daemon.ready;
  return { app, daemon, lines, stop: () => daemon.stop() };
}
