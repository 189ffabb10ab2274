// Running the built CLI (dist/cli/main.js) as a user would: a child process in a temp directory
// with its own --db. End-to-end tests go through here, never through an in-process import, so
// exit codes, stdout/stderr separation and start-up failures are what a shell would see.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BIN = join(ROOT, 'dist', 'cli', 'main.js');
export const HOUSEHOLD = join(ROOT, 'fixtures', 'household');
export const HOUSEHOLD_CONFIG = join(HOUSEHOLD, 'config.yaml');
export const BAD = join(ROOT, 'fixtures', 'bad');

/** When the demo household's log was "written": its year-less timestamps then fall in 2026. */
export const HOUSEHOLD_WRITTEN = new Date('2026-11-21T23:00:00Z');

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunOptions {
  /** Extra environment variables (NFMON_CONFIG, NFMON_HA_TOKEN, ...), on top of a clean env. */
  readonly env?: Record<string, string>;
  /** Pass no --db (the test gives its own, or checks what happens without one). */
  readonly noDb?: boolean;
  /** Pass no --config even if the sandbox has one. */
  readonly noConfig?: boolean;
}

/** Fails with a clear message instead of a confusing spawn error when the CLI is not built. */
export function assertBuilt(): void {
  if (!existsSync(BIN)) {
    throw new Error(`${BIN} is missing: run \`npm run build\` first (\`npm test\` builds before running vitest)`);
  }
  warnIfStale();
}

/** The environment every run starts from: no nfmon variables of the developer's shell, UTC. */
function baseEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && !k.startsWith('NFMON_')) env[k] = v;
  }
  env.TZ = 'UTC';
  return env;
}

/** A temp directory holding a database and whatever files a test writes, and the CLI run in it. */
export class CliSandbox {
  readonly dir: string;
  db: string;

  constructor(readonly config?: string) {
    assertBuilt();
    this.dir = mkdtempSync(join(tmpdir(), 'nfmon-cli-'));
    this.db = join(this.dir, 'nfmon.db');
  }

  path(name: string): string {
    return join(this.dir, name);
  }

  /** Run `nfmon [--config C] [--db D] ...args` and collect what it printed. */
  run(args: readonly string[], opts: RunOptions = {}): CliResult {
    const globals = [
      ...(this.config && !opts.noConfig ? ['--config', this.config] : []),
      ...(opts.noDb ? [] : ['--db', this.db]),
    ];
    const r = spawnSync(process.execPath, [BIN, ...globals, ...args], {
      cwd: this.dir,
      env: { ...baseEnv(), ...opts.env },
      encoding: 'utf8',
      timeout: 60_000,
    });
    if (r.error) throw r.error;
    return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
  }

  /** Run a command that must succeed and print one JSON document on stdout; return it parsed. */
  json<T = unknown>(args: readonly string[], opts: RunOptions = {}): T {
    const r = this.run([...args, '--json'], opts);
    if (r.code !== 0) throw new Error(`nfmon ${args.join(' ')} exited ${r.code}: ${r.stderr.trim()}`);
    return JSON.parse(r.stdout) as T;
  }

  write(name: string, content: string | Buffer, mtime?: Date): string {
    const file = this.path(name);
    writeFileSync(file, content);
    if (mtime) utimesSync(file, mtime, mtime);
    return file;
  }

  copy(from: string, name: string, mtime?: Date): string {
    const file = this.path(name);
    copyFileSync(from, file);
    if (mtime) utimesSync(file, mtime, mtime);
    return file;
  }

  /** Copy this sandbox's database into `other` (after the CLI closed it, the WAL is checkpointed). */
  cloneDbInto(other: CliSandbox): void {
    copyFileSync(this.db, other.db);
    if (existsSync(`${this.db}-wal`)) copyFileSync(`${this.db}-wal`, `${other.db}-wal`);
  }

  dispose(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export interface HouseholdFiles {
  readonly log: string;
  readonly leases: string;
  readonly viewing: string;
}

/** The demo household's files copied into the sandbox, stamped as scripts/demo.mjs does. */
export function copyHousehold(sb: CliSandbox): HouseholdFiles {
  return {
    log: sb.copy(join(HOUSEHOLD, 'pihole.log'), 'pihole.log', HOUSEHOLD_WRITTEN),
    leases: sb.copy(join(HOUSEHOLD, 'dhcp.leases'), 'dhcp.leases', HOUSEHOLD_WRITTEN),
    viewing: sb.copy(join(ROOT, 'fixtures', 'viewing', 'ViewingActivity.csv'), 'ViewingActivity.csv', HOUSEHOLD_WRITTEN),
  };
}

/** `nfmon ingest` of the whole household (leases, log, export), as `npm run demo` does it. */
export function ingestHousehold(sb: CliSandbox, files: HouseholdFiles, withViewing = true): CliResult {
  const args = ['ingest', '--leases', files.leases, '--pihole-log', files.log];
  if (withViewing) args.push('--viewing-activity', files.viewing);
  const r = sb.run(args);
  if (r.code !== 0) throw new Error(`household ingest exited ${r.code}: ${r.stderr.trim()}`);
  return r;
}

/** stderr split into its lines (without the trailing empty one). */
export function stderrLines(r: CliResult): string[] {
  return r.stderr.split('\n').filter((l) => l.length > 0);
}

/** The newest modification time of any file under dir. */
function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : statSync(full).mtimeMs);
  }
  return newest;
}

let staleChecked = false;

/** Say so (once per test file) when src/ changed after the last build: the tests would run old code. */
function warnIfStale(): void {
  if (staleChecked) return;
  staleChecked = true;
  if (newestMtime(join(ROOT, 'src')) > statSync(BIN).mtimeMs) {
    process.stderr.write(`note: src/ is newer than ${BIN}: run npm run build to test the current code\n`);
  }
}

export const readText = (file: string): string => readFileSync(file, 'utf8');
