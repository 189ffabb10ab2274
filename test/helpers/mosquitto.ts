// A real mosquitto broker for a test: its own loopback port, a password file written by
// mosquitto_passwd, a config file and its log in a temp dir. Stopped (and restartable on the
// same port) by the test. The Debian package puts the broker in /usr/sbin, often not in PATH.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';

function which(name: string, extra: readonly string[]): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(':'), ...extra].filter(Boolean);
  return dirs.map((d) => join(d, name)).find((p) => existsSync(p));
}

export const MOSQUITTO = which('mosquitto', ['/usr/sbin', '/usr/local/sbin']);
export const MOSQUITTO_PASSWD = which('mosquitto_passwd', ['/usr/bin']);
export const MOSQUITTO_PUB = which('mosquitto_pub', ['/usr/bin']);
export const MOSQUITTO_SUB = which('mosquitto_sub', ['/usr/bin']);
/** Empty when the broker can run here; else why the tests are skipped. */
export const MOSQUITTO_MISSING = !MOSQUITTO || !MOSQUITTO_PASSWD || !MOSQUITTO_PUB || !MOSQUITTO_SUB
  ? 'mosquitto or mosquitto-clients not installed (apt-get install mosquitto mosquitto-clients)'
  : '';

export interface Broker {
  readonly url: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  readonly dir: string;
  /** Everything the broker logged (its own log, not the clients'). */
  log(): string;
  stop(): Promise<void>;
  /** Starts it again on the same port (retained messages are gone: persistence is off). */
  restart(): Promise<void>;
  /** Stops it and removes the temp dir. */
  dispose(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = createConnection({ host: '127.0.0.1', port });
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > until) throw new Error(`mosquitto did not listen on 127.0.0.1:${port} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function startBroker(password: string, user = 'nfmon'): Promise<Broker> {
  if (!MOSQUITTO || !MOSQUITTO_PASSWD) throw new Error(MOSQUITTO_MISSING);
  const dir = mkdtempSync(join(tmpdir(), 'nfmon-mosquitto-'));
  const passwd = join(dir, 'passwd');
  const made = spawnSync(MOSQUITTO_PASSWD, ['-b', '-c', passwd, user, password], { encoding: 'utf8' });
  if (made.status !== 0) throw new Error(`mosquitto_passwd failed: ${made.stderr}`);
  const port = await freePort();
  const conf = join(dir, 'mosquitto.conf');
  writeFileSync(conf, [
    `listener ${port} 127.0.0.1`,
    'allow_anonymous false',
    `password_file ${passwd}`,
    'persistence false',
    // As root, mosquitto drops to user "mosquitto", which could not read the temp dir.
    `user ${userInfo().username}`,
    'log_dest stderr',
    'log_type error',
    'log_type warning',
    'log_type notice',
    'log_type information',
    'connection_messages true',
    '',
  ].join('\n'));
  let child: ChildProcess | undefined;
  let log = '';
  const launch = async (): Promise<void> => {
    const c = spawn(MOSQUITTO, ['-c', conf], { stdio: ['ignore', 'pipe', 'pipe'] });
    c.stdout?.setEncoding('utf8').on('data', (s: string) => (log += s));
    c.stderr?.setEncoding('utf8').on('data', (s: string) => (log += s));
    child = c;
    await waitForPort(port, 5_000);
  };
  const stop = async (): Promise<void> => {
    const c = child;
    child = undefined;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => c.once('exit', () => resolve()));
    c.kill('SIGTERM');
    const timer = setTimeout(() => c.kill('SIGKILL'), 3_000);
    await exited;
    clearTimeout(timer);
  };
  await launch();
  return {
    url: `mqtt://127.0.0.1:${port}`,
    port,
    user,
    password,
    dir,
    log: () => log,
    stop,
    restart: launch,
    dispose: async () => {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
