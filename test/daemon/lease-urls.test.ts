// The daemon's side of Pi-hole v6 lease URLs: the leases fetched (sources/leases/pihole-fetch.ts)
// are stored as intervals, and a failing URL is one clear log line, never a crash.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openIngestDeps } from '../../src/ingest/deps.js';
import { LeaseWatch } from '../../src/daemon/lease-watch.js';
import { tempDir, testConfig, type TempDir } from '../helpers/daemon-harness.js';
import { fakePihole, PIHOLE_PASSWORD as PASSWORD, PIHOLE_SID as SID } from '../helpers/fake-pihole.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function setup(t: TempDir, url: string, password: string): { watch: LeaseWatch; logs: string[]; app: ReturnType<typeof openIngestDeps> } {
  const pwFile = join(t.dir, 'pihole-password');
  writeFileSync(pwFile, `${password}\n`);
  const config = testConfig(t, { leases: { files: [], urls: [url], password_file: pwFile } });
  const app = openIngestDeps(config, config.database);
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
