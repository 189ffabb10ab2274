// Pi-hole v6 lease polling: POST /api/auth with the app password for a session id, then
// GET /api/dhcp/leases with it; a 401 or a refused password is one clear log line.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openApp } from '../../src/ingest/deps.js';
import { LeaseWatch } from '../../src/daemon/lease-watch.js';
import { tempDir, testConfig, type TempDir } from '../helpers/daemon-harness.js';

const PASSWORD = 'app-password';
const SID = 'sid-123';

interface FakePihole {
  readonly url: string;
  readonly requests: { method: string; path: string; sid: string | undefined }[];
  close(): Promise<void>;
}

async function fakePihole(leases: object[]): Promise<FakePihole> {
  const requests: FakePihole['requests'] = [];
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const sid = req.headers.sid as string | undefined;
      requests.push({ method: req.method ?? '', path: req.url ?? '', sid });
      res.setHeader('content-type', 'application/json');
      if (req.method === 'POST' && req.url === '/api/auth') {
        const ok = (JSON.parse(body) as { password?: string }).password === PASSWORD;
        res.statusCode = ok ? 200 : 401;
        res.end(JSON.stringify(ok ? { session: { valid: true, sid: SID } } : { session: { valid: false } }));
      } else if (req.url === '/api/dhcp/leases') {
        res.statusCode = sid === SID ? 200 : 401;
        res.end(JSON.stringify(sid === SID ? { leases, took: 0.001 } : { error: { key: 'unauthorized' } }));
      } else {
        res.statusCode = 404;
        res.end('{}');
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/api/dhcp/leases`, requests, close: () => new Promise((r) => server.close(() => r())) };
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function setup(t: TempDir, url: string, password: string): { watch: LeaseWatch; logs: string[]; app: ReturnType<typeof openApp> } {
  const pwFile = join(t.dir, 'pihole-password');
  writeFileSync(pwFile, `${password}\n`);
  const config = testConfig(t, { leases: { files: [], urls: [url], password_file: pwFile } });
  const app = openApp(config, config.database);
  const logs: string[] = [];
  const log = (m: string): void => void logs.push(m);
  const watch = new LeaseWatch(app, { now: Date.now, onChanged: () => undefined, logger: { debug: log, info: log, warn: log, error: log } });
  cleanups.push(() => app.close());
  return { watch, logs, app };
}

describe('Pi-hole v6 lease URLs', () => {
  it('signs in with the app password and stores the leases', async () => {
    const expires = Math.floor(Date.now() / 1000) + 3600;
    const pihole = await fakePihole([
      { expires, hwaddr: 'aa:bb:cc:00:00:01', ip: '192.168.1.50', name: 'tv', clientid: '*' },
      { expires: 0, hwaddr: 'aa:bb:cc:00:00:02', ip: '192.168.1.51', name: '*', clientid: '*' },
    ]);
    cleanups.push(() => pihole.close());
    const t = tempDir();
    cleanups.push(() => t.remove());
    const { watch, logs, app } = setup(t, pihole.url, PASSWORD);
    await watch.pollUrls();
    expect(logs).toEqual([]);
    expect(pihole.requests.map((r) => `${r.method} ${r.path} ${r.sid ?? '-'}`)).toEqual(['POST /api/auth -', `GET /api/dhcp/leases ${SID}`]);
    const rows = app.store.leases.all().map((l) => [l.ip, l.mac, l.hostname ?? null, Number.isFinite(l.end)]);
    expect(rows.sort()).toEqual([
      ['192.168.1.50', 'aa:bb:cc:00:00:01', 'tv', true],
      ['192.168.1.51', 'aa:bb:cc:00:00:02', null, false],
    ]);
  });

  it('a wrong password is one clear line naming the setting, and stores nothing', async () => {
    const pihole = await fakePihole([]);
    cleanups.push(() => pihole.close());
    const t = tempDir();
    cleanups.push(() => t.remove());
    const { watch, logs, app } = setup(t, pihole.url, 'wrong');
    await watch.pollUrls();
    expect(logs).toEqual(['lease URL failed: Pi-hole refused the password (leases.password_file): HTTP 401']);
    expect(app.store.leases.all()).toEqual([]);
  });

  it('an unreachable Pi-hole is logged, not thrown', async () => {
    const pihole = await fakePihole([]);
    await pihole.close();
    const t = tempDir();
    cleanups.push(() => t.remove());
    const { watch, logs } = setup(t, pihole.url, PASSWORD);
    await watch.pollUrls();
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatch(/^lease URL failed: /);
  });
});
