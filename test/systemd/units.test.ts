// The systemd units and install.sh: what they must and must not say, the offline exposure score
// (systemd-analyze, when installed), and a real install.sh run into a throwaway root (as root).
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const repo = fileURLToPath(new URL('../../', import.meta.url)).replace(/\/$/, '');
const systemdDir = join(repo, 'systemd');
const MAX_EXPOSURE = 2.0;

interface Directive {
  readonly section: string;
  readonly key: string;
  readonly value: string;
  /** 1-based line number. */
  readonly line: number;
}

interface Unit {
  readonly lines: readonly string[];
  readonly directives: readonly Directive[];
  readonly sections: readonly string[];
}

/** Parses a unit file as systemd does (no line continuations used here), failing on anything else. */
function parseUnit(text: string): Unit {
  const lines = text.split('\n');
  const directives: Directive[] = [];
  const sections: string[] = [];
  let section = '';
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) return;
    if (line.endsWith('\\')) throw new Error(`line ${i + 1}: continuation lines are not used in these units`);
    const head = /^\[([A-Za-z]+)\]$/.exec(line);
    if (head?.[1]) {
      section = head[1];
      sections.push(section);
      return;
    }
    const kv = /^([A-Za-z][A-Za-z0-9]*)=(.*)$/.exec(line);
    if (!kv?.[1] || kv[2] === undefined) throw new Error(`line ${i + 1}: not "Key=value": ${raw}`);
    if (!section) throw new Error(`line ${i + 1}: directive before any [Section]`);
    directives.push({ section, key: kv[1], value: kv[2], line: i + 1 });
  });
  return { lines, directives, sections };
}

const loadUnit = (name: string): Unit => parseUnit(readFileSync(join(systemdDir, name), 'utf8'));
const values = (u: Unit, section: string, key: string): string[] =>
  u.directives.filter((d) => d.section === section && d.key === key).map((d) => d.value);
const service = (u: Unit, key: string): string[] => values(u, 'Service', key);

/** Directives after the "# --- Hardening" marker of [Service], each with the line before it. */
function hardeningBlock(u: Unit): { d: Directive; before: string }[] {
  const marker = u.lines.findIndex((l) => l.startsWith('# --- Hardening'));
  if (marker < 0) throw new Error('no "# --- Hardening" marker');
  return u.directives
    .filter((d) => d.section === 'Service' && d.line - 1 > marker)
    .map((d) => ({ d, before: (u.lines[d.line - 2] ?? '').trim() }));
}

function run(cmd: string, args: readonly string[], env: NodeJS.ProcessEnv = process.env) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', env, timeout: 60_000 });
  return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '', error: r.error };
}

const hasSystemdAnalyze = run('systemd-analyze', ['--version']).status === 0;
const tcpdumpPath = ['/usr/bin/tcpdump', '/usr/sbin/tcpdump'].find((p) => existsSync(p));
const isRoot = process.getuid?.() === 0;

describe.each(['nfmon.service', 'nfmon-capture.service'])('%s', (name) => {
  const unit = loadUnit(name);

  it('parses as [Unit] [Service] [Install]', () => {
    expect(unit.sections).toEqual(['Unit', 'Service', 'Install']);
  });

  it('runs as the real system user nfmon, never root or DynamicUser', () => {
    expect(service(unit, 'User')).toEqual(['nfmon']);
    expect(service(unit, 'DynamicUser')).toEqual([]);
  });

  it('comments every hardening line (the line before each directive is a # comment)', () => {
    const block = hardeningBlock(unit);
    expect(block.length).toBeGreaterThanOrEqual(25);
    const uncommented = block.filter(({ before }) => !before.startsWith('#')).map(({ d }) => `${d.line}: ${d.key}=${d.value}`);
    expect(uncommented).toEqual([]);
  });

  it('turns on the hardening both units share', () => {
    for (const [key, value] of [
      ['NoNewPrivileges', 'yes'], ['ProtectSystem', 'strict'], ['ProtectHome', 'yes'], ['PrivateTmp', 'yes'],
      ['PrivateDevices', 'yes'], ['ProtectKernelTunables', 'yes'], ['ProtectKernelModules', 'yes'],
      ['ProtectKernelLogs', 'yes'], ['ProtectControlGroups', 'yes'], ['ProtectClock', 'yes'],
      ['ProtectHostname', 'yes'], ['ProtectProc', 'invisible'], ['ProcSubset', 'pid'], ['RestrictNamespaces', 'yes'],
      ['RestrictRealtime', 'yes'], ['RestrictSUIDSGID', 'yes'], ['LockPersonality', 'yes'],
      ['SystemCallArchitectures', 'native'], ['DevicePolicy', 'closed'], ['RemoveIPC', 'yes'], ['KeyringMode', 'private'],
    ] as const) {
      expect(service(unit, key), key).toEqual([value]);
    }
    expect(service(unit, 'SystemCallFilter')).toEqual(['@system-service', '~@privileged @resources']);
    // Without it a syscall outside the list kills the process (V8 probes pkey_alloc at start).
    expect(service(unit, 'SystemCallErrorNumber')).toEqual(['EPERM']);
    expect(service(unit, 'UMask')).toEqual(['0077']);
    expect(service(unit, 'KillSignal')).toEqual(['SIGTERM']);
    expect(service(unit, 'Restart')).toEqual(['on-failure']);
  });
});

describe('nfmon.service', () => {
  const unit = loadUnit('nfmon.service');

  it('starts the compiled daemon with a small heap, never TypeScript', () => {
    const [exec, ...more] = service(unit, 'ExecStart');
    expect(more).toEqual([]);
    expect(exec).toMatch(/^\/\S*\/node --max-old-space-size=\d+ --max-semi-space-size=\d+ --single-threaded \/opt\/nfmon\/dist\/cli\/main\.js run$/);
    expect(service(unit, 'Environment')).toContain('NODE_ENV=production');
    // The config cache (src/config/cache.ts) in a directory systemd makes writable under ProtectSystem=strict.
    expect(service(unit, 'CacheDirectory')).toEqual(['nfmon']);
    expect(service(unit, 'Environment')).toContain('XDG_CACHE_HOME=/var/cache');
  });

  it('keeps its state in /var/lib/nfmon and reads the Pi-hole log through group pihole', () => {
    expect(service(unit, 'StateDirectory')).toEqual(['nfmon']);
    expect(service(unit, 'SupplementaryGroups')).toEqual(['pihole']);
    expect(service(unit, 'ReadOnlyPaths').join(' ')).toContain('/var/log/pihole');
    expect(service(unit, 'PrivateUsers')).toEqual(['yes']);
  });

  it('has no capabilities at all', () => {
    expect(service(unit, 'CapabilityBoundingSet')).toEqual(['']);
    expect(service(unit, 'AmbientCapabilities')).toEqual(['']);
  });

  it('does not set MemoryDenyWriteExecute (V8 JIT needs W+X pages)', () => {
    expect(unit.directives.filter((d) => d.key === 'MemoryDenyWriteExecute')).toEqual([]);
  });

  it('allows only the socket families the daemon uses (no packet or netlink sockets)', () => {
    expect(service(unit, 'RestrictAddressFamilies')).toEqual(['AF_UNIX AF_INET AF_INET6']);
  });

  it('stops within 15 s and does not restart on a bad config (exit 2)', () => {
    expect(service(unit, 'TimeoutStopSec')).toEqual(['15']);
    expect(service(unit, 'RestartPreventExitStatus')).toEqual(['2']);
  });
});

describe('nfmon-capture.service', () => {
  const unit = loadUnit('nfmon-capture.service');
  const exec = service(unit, 'ExecStart');
  const defaultFilter = /^"FILTER=(.*)"$/.exec(service(unit, 'Environment').find((e) => e.startsWith('"FILTER=')) ?? '')?.[1];

  it('has CAP_NET_RAW and nothing else', () => {
    expect(service(unit, 'CapabilityBoundingSet')).toEqual(['CAP_NET_RAW']);
    expect(service(unit, 'AmbientCapabilities')).toEqual(['CAP_NET_RAW']);
    // PrivateUsers=yes would make CAP_NET_RAW useless in the host's network namespace.
    expect(service(unit, 'PrivateUsers')).toEqual(['no']);
    expect(service(unit, 'RestrictAddressFamilies')).toEqual(['AF_PACKET AF_UNIX']);
  });

  it('runs tcpdump as nfmon (no -Z), rotating UTC-named files into the capture directory', () => {
    expect(exec).toHaveLength(1);
    const cmd = exec[0] ?? '';
    expect(cmd).toMatch(/^\/usr\/bin\/tcpdump -n -i \$\{IFACE\} -s \$\{SNAPLEN\} -G \$\{ROTATE\} -w \/var\/lib\/nfmon\/captures\/\S+ \$\{FILTER\}$/);
    expect(cmd).toContain('nfmon-%%Y%%m%%d-%%H%%M%%S.pcap');
    expect(cmd).not.toMatch(/ -Z /);
    expect(service(unit, 'Environment')).toEqual(expect.arrayContaining(['IFACE=eth0', 'SNAPLEN=128', 'ROTATE=300', 'TZ=UTC']));
    expect(service(unit, 'EnvironmentFile')).toEqual(['-/etc/nfmon/capture.env']);
    expect(service(unit, 'StateDirectory')).toEqual(['nfmon/captures']);
  });

  it('only runs while the daemon runs (nobody else deletes the files)', () => {
    expect(values(unit, 'Unit', 'BindsTo')).toEqual(['nfmon.service']);
    expect(values(unit, 'Install', 'WantedBy')).toEqual(['nfmon.service']);
  });

  it('ships the same default filter in the unit and in the capture.env that install.sh writes', () => {
    const script = readFileSync(join(systemdDir, 'install.sh'), 'utf8');
    expect(defaultFilter).toBeTruthy();
    expect(script).toContain(`#FILTER="${defaultFilter}"`);
  });

  it('has a default filter that tcpdump compiles', ({ skip }) => {
    skip(!tcpdumpPath, 'tcpdump is not installed (apt-get install tcpdump)');
    const dir = mkdtempSync(join(tmpdir(), 'nfmon-bpf-'));
    try {
      // An empty Ethernet capture gives tcpdump a link type without opening an interface (no root).
      const header = Buffer.alloc(24);
      header.writeUInt32LE(0xa1b2c3d4, 0);
      header.writeUInt16LE(2, 4);
      header.writeUInt16LE(4, 6);
      header.writeUInt32LE(65535, 16);
      header.writeUInt32LE(1, 20);
      writeFileSync(join(dir, 'empty.pcap'), header);
      const r = run(tcpdumpPath ?? 'tcpdump', ['-d', '-r', join(dir, 'empty.pcap'), defaultFilter ?? '']);
      expect(r.stderr).not.toMatch(/error/i);
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(/ret\s+#\d+/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('systemd-analyze', () => {
  const exposure = (name: string): number => {
    const r = run('systemd-analyze', ['security', '--offline=yes', join(systemdDir, name)]);
    const m = /Overall exposure level for \S+: (\d+(?:\.\d+)?)/.exec(r.stdout);
    if (!m?.[1]) throw new Error(`no exposure level in systemd-analyze output: ${r.stdout}${r.stderr}`);
    return Number(m[1]);
  };

  it.for(['nfmon.service', 'nfmon-capture.service'])(`%s has an offline exposure score <= ${MAX_EXPOSURE}`, (name, { skip }) => {
    skip(!hasSystemdAnalyze, 'systemd-analyze is not installed (Debian: apt-get install systemd)');
    expect(exposure(name)).toBeLessThanOrEqual(MAX_EXPOSURE);
  });

  it.for([
    ['nfmon.service', '/usr/bin/node'],
    ['nfmon-capture.service', '/usr/bin/tcpdump'],
  ] as const)('%s passes systemd-analyze verify', ([name, binary], { skip }) => {
    skip(!hasSystemdAnalyze, 'systemd-analyze is not installed (Debian: apt-get install systemd)');
    skip(!existsSync(binary), `${binary} is missing: verify checks that ExecStart is executable`);
    const r = run('systemd-analyze', ['verify', join(systemdDir, name)]);
    expect(r.stderr.trim()).toBe('');
    expect(r.status).toBe(0);
  });
});

describe('install.sh', () => {
  const script = join(systemdDir, 'install.sh');

  it('passes bash -n', () => {
    const r = run('bash', ['-n', script]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  describe('into a throwaway root (DESTDIR)', () => {
    const roots: string[] = [];
    afterAll(() => {
      for (const root of roots) rmSync(root, { recursive: true, force: true });
    });

    /** A fake install dir (dist/ and node_modules/ present) and an empty DESTDIR, optionally with group pihole. */
    function sandbox(withPihole: boolean): { root: string; dest: string; app: string } {
      const root = mkdtempSync(join(tmpdir(), 'nfmon-install-'));
      roots.push(root);
      const app = join(root, 'opt', 'nfmon');
      const dest = join(root, 'dest');
      mkdirSync(join(app, 'dist', 'cli'), { recursive: true });
      mkdirSync(join(app, 'node_modules', 'better-sqlite3'), { recursive: true });
      mkdirSync(join(app, 'config'), { recursive: true });
      writeFileSync(join(app, 'dist', 'cli', 'main.js'), '');
      copyFileSync(join(repo, 'config', 'nfmon.example.yaml'), join(app, 'config', 'nfmon.example.yaml'));
      mkdirSync(join(dest, 'etc'), { recursive: true });
      if (withPihole) {
        writeFileSync(join(dest, 'etc', 'group'), 'pihole:x:999:\n');
        writeFileSync(join(dest, 'etc', 'gshadow'), 'pihole:!::\n', { mode: 0o600 });
      }
      return { root, dest, app };
    }

    const install = (s: { dest: string; app: string }, ...args: string[]) =>
      run('bash', [script, ...args], { ...process.env, DESTDIR: s.dest, NFMON_DIR: s.app, NFMON_NODE: process.execPath });

    const mode = (p: string): string => (statSync(p).mode & 0o7777).toString(8);
    const owner = (p: string): string => `${statSync(p).uid}:${statSync(p).gid}`;
    const field = (file: string, name: string, index: number): string =>
      readFileSync(file, 'utf8').split('\n').find((l) => l.startsWith(`${name}:`))?.split(':')[index] ?? '';

    it('creates the user, directories, config and units, idempotently', ({ skip }) => {
      skip(!isRoot, 'needs root (useradd --prefix, chown); run the suite as root to include it');
      const s = sandbox(true);
      const first = install(s, '--no-start');
      expect(first.stderr).toBe('');
      expect(first.status).toBe(0);
      expect(first.stdout).toContain('not calling systemctl');

      const passwd = join(s.dest, 'etc', 'passwd');
      const group = join(s.dest, 'etc', 'group');
      expect(field(passwd, 'nfmon', 5)).toBe('/var/lib/nfmon');
      expect(field(passwd, 'nfmon', 6)).toBe('/usr/sbin/nologin');
      expect(Number(field(passwd, 'nfmon', 2))).toBeLessThan(1000);
      expect(field(group, 'pihole', 3).split(',')).toContain('nfmon');
      const uid = field(passwd, 'nfmon', 2);
      const gid = field(group, 'nfmon', 2);

      const etc = join(s.dest, 'etc', 'nfmon');
      expect([mode(etc), owner(etc)]).toEqual(['750', `0:${gid}`]);
      expect([mode(join(etc, 'config.yaml')), owner(join(etc, 'config.yaml'))]).toEqual(['640', `0:${gid}`]);
      expect(readFileSync(join(etc, 'config.yaml'), 'utf8')).toBe(readFileSync(join(repo, 'config', 'nfmon.example.yaml'), 'utf8'));
      expect(mode(join(etc, 'capture.env'))).toBe('640');
      for (const dir of ['var/lib/nfmon', 'var/lib/nfmon/captures']) {
        expect([mode(join(s.dest, dir)), owner(join(s.dest, dir))]).toEqual(['750', `${uid}:${gid}`]);
      }

      const daemon = parseUnit(readFileSync(join(s.dest, 'etc/systemd/system/nfmon.service'), 'utf8'));
      expect(service(daemon, 'ExecStart')).toEqual([`${process.execPath} --max-old-space-size=96 --max-semi-space-size=1 --single-threaded ${s.app}/dist/cli/main.js run`]);
      expect(service(daemon, 'SupplementaryGroups')).toEqual(['pihole']);
      expect(existsSync(join(s.dest, 'etc/systemd/system/nfmon-capture.service'))).toBe(true);

      // Again: nothing duplicated, the user's config kept.
      writeFileSync(join(etc, 'config.yaml'), 'timezone: UTC\n');
      const second = install(s, '--no-start');
      expect(second.status).toBe(0);
      expect(readFileSync(passwd, 'utf8').match(/^nfmon:/gm)).toHaveLength(1);
      expect(readFileSync(join(etc, 'config.yaml'), 'utf8')).toBe('timezone: UTC\n');

      // --uninstall keeps config and data; --purge removes them and the user.
      expect(install(s, '--uninstall').status).toBe(0);
      expect(existsSync(join(s.dest, 'etc/systemd/system/nfmon.service'))).toBe(false);
      expect(existsSync(join(etc, 'config.yaml'))).toBe(true);
      expect(field(passwd, 'nfmon', 0)).toBe('nfmon');
      expect(install(s, '--uninstall', '--purge').status).toBe(0);
      expect(existsSync(etc)).toBe(false);
      expect(existsSync(join(s.dest, 'var/lib/nfmon'))).toBe(false);
      expect(field(passwd, 'nfmon', 0)).toBe('');
      expect(field(group, 'nfmon', 0)).toBe('');
    });

    it('drops SupplementaryGroups=pihole when the group does not exist', ({ skip }) => {
      skip(!isRoot, 'needs root (useradd --prefix, chown); run the suite as root to include it');
      const s = sandbox(false);
      const r = install(s, '--no-start');
      expect(r.status).toBe(0);
      expect(r.stdout).toContain('no group pihole');
      const daemon = parseUnit(readFileSync(join(s.dest, 'etc/systemd/system/nfmon.service'), 'utf8'));
      expect(service(daemon, 'SupplementaryGroups')).toEqual([]);
    });

    it('refuses an install dir that ProtectHome= hides, and a missing build', ({ skip }) => {
      skip(!isRoot, 'needs root: install.sh stops non-root users first');
      const s = sandbox(false);
      const home = run('bash', [script, '--no-start'], { ...process.env, DESTDIR: s.dest, NFMON_DIR: '/home/pi/nfmon' });
      expect(home.status).toBe(1);
      expect(home.stderr).toContain('ProtectHome');
      rmSync(join(s.app, 'dist'), { recursive: true });
      const unbuilt = install(s, '--no-start');
      expect(unbuilt.status).toBe(1);
      expect(unbuilt.stderr).toContain('npm ci && npm run build');
      expect(existsSync(join(s.dest, 'etc', 'nfmon'))).toBe(false);
    });
  });
});
