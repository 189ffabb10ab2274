// A throw-away network lab for end-to-end tests with real programs: network namespaces joined
// by veth pairs and bridges, programs spawned inside them (tracked, killed at the end), and
// /etc/netns/<ns>/resolv.conf, which `ip netns exec` bind-mounts over /etc/resolv.conf (ip-netns(8)),
// so a client namespace resolves through the test's own DNS server.
//
// Every name carries the test process id and a random tag (`nfe<pid>x<tag>-<role>`): parallel runs
// cannot clash, and a lab left behind by a killed run (its pid is gone) is swept by the next one.
// Interfaces are created directly inside their namespaces, so nothing ever appears in the host's
// own namespace and interface names only need to be unique within a namespace.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { accessSync, constants, existsSync, mkdirSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { assertBuilt } from './daemon-process.js';

/** Debian package of each tool a lab may need (what `.ci/run` installs when it is missing). */
export const TOOL_PACKAGES: Readonly<Record<string, string>> = {
  ip: 'iproute2',
  dnsmasq: 'dnsmasq-base',
  tcpdump: 'tcpdump',
  openssl: 'openssl',
  curl: 'curl',
};

const NAME = /^nfe(\d+)x[0-9a-f]+-/;
const ETC_NETNS = '/etc/netns';
/** /etc/netns is removed again by the last lab of this process only if it was not there before. */
const etcNetnsExisted = existsSync(ETC_NETNS);
let liveLabs = 0;

/** Absolute path of `tool` on PATH (plus the sbin directories a root shell has), or undefined. */
export function findTool(tool: string): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/sbin', '/usr/bin', '/bin'];
  for (const dir of dirs) {
    if (!dir) continue;
    const full = join(dir, tool);
    try {
      accessSync(full, constants.X_OK);
      return full;
    } catch {
      continue; // not in this directory
    }
  }
  return undefined;
}

function ipTool(): string {
  const ip = findTool('ip');
  if (!ip) throw new Error('ip (iproute2) not found');
  return ip;
}

/** Runs `ip ...args` to its end; throws with its stderr when it fails. */
function ip(...args: string[]): string {
  const r = spawnSync(ipTool(), args, { encoding: 'utf8', timeout: 10_000 });
  if (r.error) throw new Error(`ip ${args.join(' ')}: ${r.error.message}`, { cause: r.error });
  if (r.status !== 0) throw new Error(`ip ${args.join(' ')} exited ${r.status}: ${r.stderr.trim()}`);
  return r.stdout;
}

/**
 * Why a lab cannot run here (not root, a tool missing, namespaces refused), or undefined. Tests
 * put it in their describe title so the skip is visible in the report.
 */
export function labSkipReason(tools: readonly string[] = Object.keys(TOOL_PACKAGES)): string | undefined {
  if (process.platform !== 'linux') return 'network namespaces need Linux';
  if (process.getuid?.() !== 0) return 'needs root for ip netns';
  const missing = tools.filter((t) => findTool(t) === undefined);
  if (missing.length > 0) return `missing ${missing.join(', ')} (apt-get install ${missing.map((t) => TOOL_PACKAGES[t] ?? t).join(' ')})`;
  const probe = `nfe${process.pid}x${randomBytes(3).toString('hex')}-probe`;
  try {
    ip('netns', 'add', probe);
    ip('netns', 'del', probe);
  } catch (err) {
    return `cannot create network namespaces: ${(err as Error).message}`;
  }
  return undefined;
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/** Pids of the processes inside namespace `ns` (`ip netns pids`). */
function pidsIn(ns: string): number[] {
  try {
    return ip('netns', 'pids', ns).split('\n').filter(Boolean).map(Number);
  } catch {
    return []; // the namespace is already gone
  }
}

/** Removes the labs of earlier runs whose test process is gone (killed before its afterAll). */
export function sweepStaleLabs(): string[] {
  const swept: string[] = [];
  for (const line of ip('netns', 'list').split('\n')) {
    const name = line.split(' ')[0] ?? '';
    const m = NAME.exec(name);
    if (!m || alive(Number(m[1]))) continue;
    for (const pid of pidsIn(name)) process.kill(pid, 'SIGKILL');
    ip('netns', 'del', name);
    rmSync(join(ETC_NETNS, name), { recursive: true, force: true });
    swept.push(name);
  }
  return swept;
}

export interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

const KEEP = 64 * 1024;

/** A program running inside a namespace. Output is kept (the last 64 KiB of each stream). */
export class LabProcess {
  private out = '';
  private err = '';
  readonly exited: Promise<Exit>;

  constructor(
    readonly ns: string,
    readonly argv: readonly string[],
    private readonly child: ChildProcess,
  ) {
    child.stdout?.setEncoding('utf8').on('data', (s: string) => (this.out = (this.out + s).slice(-KEEP)));
    child.stderr?.setEncoding('utf8').on('data', (s: string) => (this.err = (this.err + s).slice(-KEEP)));
    this.exited = new Promise((resolve) => child.once('close', (code, signal) => resolve({ code, signal })));
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  stdout(): string {
    return this.out;
  }

  stderr(): string {
    return this.err;
  }

  kill(signal: NodeJS.Signals = 'SIGTERM'): void {
    if (this.running) this.child.kill(signal);
  }

  /** SIGTERM, then SIGKILL if it has not exited after graceMs. */
  async stop(graceMs = 3_000): Promise<Exit> {
    this.kill('SIGTERM');
    const timer = setTimeout(() => this.kill('SIGKILL'), graceMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  describe(): string {
    return `[${this.ns}] ${this.argv.join(' ')} (pid ${this.pid})`;
  }
}

export interface SpawnOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  /** Resolve only once this appears on stdout or stderr (a program saying it listens). */
  readonly readyOn?: RegExp;
  readonly readyTimeoutMs?: number;
}

export interface RunResult extends Exit {
  readonly stdout: string;
  readonly stderr: string;
}

/** One end of a veth pair: its namespace, its name there, optional MAC and addresses (CIDR). */
export interface VethEnd {
  readonly ns: string;
  readonly name: string;
  readonly mac?: string;
  readonly addresses?: readonly string[];
}

/** Namespaces, links and processes of one test; `teardown()` removes all of it. */
export class Lab {
  readonly id = `nfe${process.pid}x${randomBytes(3).toString('hex')}`;
  private readonly namespaces: string[] = [];
  private readonly procs: LabProcess[] = [];
  private readonly etcDirs: string[] = [];
  private live = true;

  constructor() {
    liveLabs++;
  }

  /** A new namespace with loopback up; `role` is a short word (tv, router). */
  netns(role: string): string {
    const name = `${this.id}-${role}`;
    ip('netns', 'add', name);
    this.namespaces.push(name);
    this.ip(name, 'link', 'set', 'lo', 'up');
    return name;
  }

  /** `ip -n ns ...args`. */
  ip(ns: string, ...args: string[]): string {
    return ip('-n', ns, ...args);
  }

  /** A veth pair created straight into both namespaces, addressed and up. */
  veth(a: VethEnd, b: VethEnd): void {
    const end = (e: VethEnd): string[] => [e.name, 'netns', e.ns, ...(e.mac ? ['address', e.mac] : [])];
    ip('link', 'add', ...end(a), 'type', 'veth', 'peer', 'name', ...end(b));
    for (const e of [a, b]) {
      for (const cidr of e.addresses ?? []) this.ip(e.ns, 'addr', 'add', cidr, 'dev', e.name);
      this.ip(e.ns, 'link', 'set', e.name, 'up');
    }
  }

  /** A bridge in `ns` over `ports` (already there), with the router's addresses on it. */
  bridge(ns: string, name: string, ports: readonly string[], addresses: readonly string[]): void {
    this.ip(ns, 'link', 'add', name, 'type', 'bridge');
    for (const p of ports) this.ip(ns, 'link', 'set', p, 'master', name);
    for (const cidr of addresses) this.ip(ns, 'addr', 'add', cidr, 'dev', name);
    this.ip(ns, 'link', 'set', name, 'up');
  }

  /** Routes packets between the namespace's interfaces (a router). */
  forward(ns: string): void {
    this.runSync(ns, ['sysctl', '-qw', 'net.ipv4.ip_forward=1']);
  }

  /** /etc/netns/<ns>/resolv.conf: programs run in `ns` resolve through these servers only. */
  resolvConf(ns: string, servers: readonly string[]): void {
    const dir = join(ETC_NETNS, ns);
    mkdirSync(dir, { recursive: true });
    this.etcDirs.push(dir);
    writeFileSync(join(dir, 'resolv.conf'), servers.map((s) => `nameserver ${s}\n`).join('') + 'options timeout:2 attempts:2\n');
  }

  /** A short command inside `ns`, run to its end (blocks: setup only). */
  runSync(ns: string, argv: readonly string[]): string {
    return ip('netns', 'exec', ns, ...argv);
  }

  /** A program inside `ns`, tracked until teardown; with readyOn, resolves once it printed that. */
  async spawn(ns: string, argv: readonly string[], opts: SpawnOptions = {}): Promise<LabProcess> {
    const child = spawn(ipTool(), ['netns', 'exec', ns, ...argv], {
      env: { ...process.env, ...opts.env },
      cwd: opts.cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const proc = new LabProcess(ns, argv, child);
    this.procs.push(proc);
    if (opts.readyOn) await this.ready(proc, opts.readyOn, opts.readyTimeoutMs ?? 10_000);
    return proc;
  }

  /** A command inside `ns` run to its end without blocking the test's event loop; killed after timeoutMs. */
  async run(ns: string, argv: readonly string[], timeoutMs: number, opts: Omit<SpawnOptions, 'readyOn'> = {}): Promise<RunResult> {
    const proc = await this.spawn(ns, argv, opts);
    const timer = setTimeout(() => proc.kill('SIGKILL'), timeoutMs);
    try {
      const exit = await proc.exited;
      return { ...exit, stdout: proc.stdout(), stderr: proc.stderr() };
    } finally {
      clearTimeout(timer);
    }
  }

  private async ready(proc: LabProcess, pattern: RegExp, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!pattern.test(proc.stdout()) && !pattern.test(proc.stderr())) {
      if (!proc.running) throw new Error(`${proc.describe()} exited before ${pattern}: ${proc.stderr().slice(-500)}`);
      if (Date.now() > deadline) throw new Error(`${proc.describe()} not ready (${pattern}) after ${timeoutMs} ms: ${proc.stderr().slice(-500)}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /**
   * Stops every process this lab started (then any straggler still inside its namespaces, which
   * only this lab's programs can have started), deletes the namespaces (their veths and bridges
   * go with them) and the /etc/netns directories. Tries everything, then reports what failed.
   */
  async teardown(): Promise<void> {
    const errors: Error[] = [];
    await Promise.all(this.procs.map((p) => p.stop()));
    for (const ns of this.namespaces) {
      for (const pid of pidsIn(ns)) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'ESRCH') errors.push(err as Error);
        }
      }
    }
    for (const ns of this.namespaces.splice(0)) {
      try {
        ip('netns', 'del', ns);
      } catch (err) {
        errors.push(err as Error);
      }
    }
    for (const dir of this.etcDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
    if (this.live && --liveLabs === 0 && !etcNetnsExisted) {
      try {
        rmdirSync(ETC_NETNS);
      } catch (err) {
        // Another process's lab may be using it: then it stays.
        if (!['ENOTEMPTY', 'ENOENT', 'EEXIST'].includes((err as NodeJS.ErrnoException).code ?? '')) errors.push(err as Error);
      }
    }
    this.live = false;
    if (errors.length > 0) throw new AggregateError(errors, `lab ${this.id}: teardown incomplete: ${errors.map((e) => e.message).join('; ')}`);
  }

  /** Namespaces still present (for a test asserting the cleanup). */
  static present(id: string): string[] {
    return ip('netns', 'list')
      .split('\n')
      .map((l) => l.split(' ')[0] ?? '')
      .filter((n) => n.startsWith(`${id}-`));
  }
}


/**
 * The lifecycle of a test file that builds labs: the built CLI checked and namespaces left by
 * killed runs removed before its tests; afterwards every cleanup pushed run, newest first, each
 * even when an earlier one failed, and all failures thrown together.
 */
export function labLifecycle(name: string, skip: string | undefined): (() => Promise<unknown> | void)[] {
  const cleanups: (() => Promise<unknown> | void)[] = [];
  beforeAll(() => {
    if (skip) return;
    assertBuilt();
    const swept = sweepStaleLabs();
    if (swept.length > 0) console.warn(`removed namespaces left by killed runs: ${swept.join(', ')}`);
  });
  afterAll(async () => {
    const errors: unknown[] = [];
    for (const c of cleanups.splice(0).reverse()) {
      try {
        await c();
      } catch (err) {
        errors.push(err);
      }
    }
    if (errors.length > 0) throw new AggregateError(errors, `${name} cleanup failed`);
  }, 60_000);
  return cleanups;
}
