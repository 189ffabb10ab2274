// Running the built CLI (dist/cli/main.js) as a child process, as systemd does: spawn, read its
// output, signal it, wait for its exit. `npm test` builds before vitest; run alone, the tests
// refuse to exercise a binary that is missing or older than the source.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RawConfig } from '../../src/config/schema.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const MAIN = join(ROOT, 'dist', 'cli', 'main.js');

/** Throws a clear message when dist/ is missing or older than a src/ file it is built from. */
export function assertBuilt(): void {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run \`npm run build\` first (npm test builds before vitest)`);
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
  for (const src of walk(join(ROOT, 'src'))) {
    const out = join(ROOT, 'dist', src.slice(join(ROOT, 'src').length).replace(/\.ts$/, '.js'));
    if (!existsSync(out) || statSync(out).mtimeMs < statSync(src).mtimeMs) {
      throw new Error(`dist/ is older than ${src.slice(ROOT.length)}: run \`npm run build\` first (npm test builds before vitest)`);
    }
  }
}

/** YAML is a superset of JSON: the config file is written as JSON. */
export function writeConfig(file: string, raw: RawConfig): string {
  writeFileSync(file, JSON.stringify(raw, null, 2));
  return file;
}

export interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface NfmonProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  /** Everything written so far. */
  stdout(): string;
  stderr(): string;
  readonly exited: Promise<Exit>;
  /** Resolves with the exit, or rejects after timeoutMs naming what was awaited. */
  exit(timeoutMs: number): Promise<Exit>;
  kill(signal: NodeJS.Signals): void;
}

/** The environment of the test run without nfmon's own variables, plus `env`. */
function childEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('NFMON_')));
  return { ...base, ...env };
}

export function spawnNfmon(args: readonly string[], env: NodeJS.ProcessEnv = {}): NfmonProcess {
  return spawnProgram(process.execPath, [MAIN, ...args], env);
}

/** Any program (nfmon under a wrapper such as bash with limits) as an NfmonProcess. */
export function spawnProgram(command: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): NfmonProcess {
  const child = spawn(command, args, { env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  if (child.pid === undefined) throw new Error(`could not start ${command}`);
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (s: string) => (out += s));
  child.stderr.setEncoding('utf8').on('data', (s: string) => (err += s));
  const exited = new Promise<Exit>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const pid = child.pid;
  return {
    child,
    pid,
    stdout: () => out,
    stderr: () => err,
    exited,
    exit: (timeoutMs) => {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`nfmon (pid ${pid}) did not exit within ${timeoutMs} ms; stderr: ${err.slice(-500)}`)), timeoutMs);
      });
      return Promise.race([exited, timeout]).finally(() => clearTimeout(timer));
    },
    kill: (signal) => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    },
  };
}

/** Runs nfmon to its end (a command that must exit by itself). */
export async function runNfmon(args: readonly string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 10_000): Promise<Exit & { stdout: string; stderr: string }> {
  const p = spawnNfmon(args, env);
  try {
    const exit = await p.exit(timeoutMs);
    return { ...exit, stdout: p.stdout(), stderr: p.stderr() };
  } finally {
    p.kill('SIGKILL');
  }
}
