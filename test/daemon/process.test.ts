// `nfmon run` as a process: SIGKILL at random moments while it ingests a large append, many times
// over, loses and repeats nothing; SIGTERM stops it cleanly; a bad Home Assistant section stops
// it at start with exit 2 and a line naming the key; the token may come from NFMON_HA_TOKEN.
import { appendFileSync, existsSync, writeFileSync } from 'node:fs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RawConfig } from '../../src/config/schema.js';
import { FakeHaServer } from '../helpers/fake-ha-server.js';
import { DbProbe, otherLine, queryBlock, queryLines, quietWindowAround, tempDir, until, type TempDir } from '../helpers/daemon-harness.js';
import { assertBuilt, runNfmon, spawnNfmon, writeConfig, type NfmonProcess } from '../helpers/daemon-process.js';
import { random } from '../helpers/random.js';

const cleanups: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

beforeAll(() => assertBuilt());

function dir(): TempDir {
  const t = tempDir('nfmon-proc-');
  cleanups.push(() => t.remove());
  return t;
}

/** Base config for a process test: the log, the database, no lease files, no alerts unless asked. */
function baseConfig(t: TempDir, extra: RawConfig = {}): RawConfig {
  return {
    timezone: 'UTC',
    database: t.path('nfmon.db'),
    pihole: { log: t.path('pihole.log') },
    leases: { files: [] },
    rules: { quiet_hours: quietWindowAround(Date.now() + 12 * 3_600_000), unknown_device: false, max_concurrent_streams: 50 },
    ...extra,
  };
}

function start(configFile: string, env: NodeJS.ProcessEnv = {}): NfmonProcess {
  const p = spawnNfmon(['run', '--config', configFile], env);
  cleanups.push(() => {
    p.kill('SIGKILL');
    return p.exited;
  });
  return p;
}

const running = (p: NfmonProcess): Promise<void> =>
  until(() => p.stdout().includes('msg="nfmon running"'), `nfmon (pid ${p.pid}) running`, 15_000, () => p.stderr().slice(-300));

describe('nfmon run as a process', () => {
  it('SIGKILL at random moments during a large append, eight times: every event stored exactly once', async () => {
    const t = dir();
    const config = writeConfig(t.path('config.yaml'), baseConfig(t));
    const log = t.path('pihole.log');
    writeFileSync(log, '');
    const probe = new DbProbe(t.path('nfmon.db'));
    cleanups.push(() => probe.close());
    const seed = Date.now() % 1_000_000_007;
    const rand = random(seed);
    const tag = `(seed ${seed})`;

    // 30,000 monitored queries, each answered, between queries of other clients as on a real Pi-hole.
    const PAIRS = 30_000;
    const parts: string[] = [];
    for (let i = 0; i < PAIRS; i++) parts.push(queryLines(i), otherLine());
    const text = Buffer.from(parts.join(''));
    // Eight writes cut at arbitrary bytes, mid-line included, as a buffered writer does.
    const PIECES = 8;
    const cuts = [0];
    for (let k = 1; k < PIECES; k++) cuts.push(Math.floor(((k + (rand() - 0.5) * 0.6) / PIECES) * text.length));
    cuts.push(text.length);

    let p = start(config);
    await running(p);
    const killedAt: number[] = [];
    for (let k = 0; k < PIECES; k++) {
      const before = probe.events().count;
      const live = k % 2 === 0;
      if (live) await running(p);
      appendFileSync(log, text.subarray(cuts[k], cuts[k + 1]));
      if (!live) p = start(config); // this piece is read by the catch-up at start
      await until(() => probe.events().count > before, `piece ${k} being ingested ${tag}`, 15_000, () => p.stderr().slice(-300));
      await new Promise((resolve) => setTimeout(resolve, Math.floor(rand() * 120))); // a random moment of the ingest
      p.kill('SIGKILL');
      expect((await p.exit(5_000)).signal).toBe('SIGKILL');
      const c = probe.events();
      expect(c.distinct, `no event twice after kill ${k + 1} ${tag}`).toBe(c.count);
      killedAt.push(c.count);
      if (k + 1 < PIECES && (k + 1) % 2 === 0) p = start(config);
    }
    // The kills fell inside the ingest, not only between pieces.
    expect(killedAt.filter((n) => n < PAIRS).length, `${tag} counts at the kills: ${killedAt.join(', ')}`).toBeGreaterThan(0);

    p = start(config);
    await running(p);
    appendFileSync(log, otherLine()); // closes the last answer of the live log
    await until(() => probe.events().count >= PAIRS, `all ${PAIRS} events ${tag}`, 20_000, () => probe.events());
    expect(probe.events(), `counts at the kills: ${killedAt.join(', ')} ${tag}`).toEqual({ count: PAIRS, distinct: PAIRS });

    // SIGTERM: a clean stop within 5 s, exit 0, the heartbeat gone.
    expect(probe.meta('daemon_heartbeat')).toBeDefined();
    p.kill('SIGTERM');
    expect(await p.exit(5_000)).toEqual({ code: 0, signal: null });
    expect(p.stdout()).toContain('msg="stopped"');
    expect(probe.meta('daemon_heartbeat')).toBeUndefined();
    expect(probe.events()).toEqual({ count: PAIRS, distinct: PAIRS });
  }, 90_000);

  const badHa: { name: string; ha: NonNullable<RawConfig['homeassistant']>; key: RegExp }[] = [
    { name: 'no token anywhere', ha: { url: 'http://127.0.0.1:8123', notify: 'notify.mobile_app_pixel' }, key: /homeassistant\.token\b/ },
    { name: 'a ws:// URL', ha: { url: 'ws://127.0.0.1:8123', token: 'x', notify: 'notify.mobile_app_pixel' }, key: /homeassistant\.url\b/ },
    { name: 'a token_file that does not exist', ha: { url: 'http://127.0.0.1:8123', token_file: '/nonexistent/ha-token', notify: 'notify.mobile_app_pixel' }, key: /homeassistant\.token_file\b/ },
  ];
  for (const c of badHa) {
    it(`refuses to start with ${c.name}: exit 2, one line naming the key`, async () => {
      const t = dir();
      const config = writeConfig(t.path('config.yaml'), baseConfig(t, { homeassistant: c.ha }));
      const r = await runNfmon(['run', '--config', config]);
      expect(r.code, r.stderr).toBe(2);
      const lines = r.stderr.trim().split('\n');
      expect(lines.filter((l) => c.key.test(l)), r.stderr).toHaveLength(1);
      expect(lines.every((l) => l.startsWith('nfmon: ')), r.stderr).toBe(true);
      expect(r.stdout).toBe('');
      expect(existsSync(t.path('nfmon.db'))).toBe(false);
    });
  }

  it('takes the token from NFMON_HA_TOKEN and delivers an alert with it', async () => {
    const t = dir();
    const token = 'llat-from-env-5551234';
    const ha = await FakeHaServer.start({ token, services: ['notify.mobile_app_pixel'] });
    cleanups.push(() => ha.stop());
    const config = writeConfig(
      t.path('config.yaml'),
      baseConfig(t, {
        rules: { quiet_hours: quietWindowAround(Date.now()), unknown_device: false },
        homeassistant: { url: ha.url, notify: 'notify.mobile_app_pixel' },
      }),
    );
    writeFileSync(t.path('pihole.log'), '');
    const p = start(config, { NFMON_HA_TOKEN: token });
    await running(p);
    appendFileSync(t.path('pihole.log'), queryBlock(0, 2));
    await ha.until(() => ha.knownCalls().length === 1 && ha.events.length === 1, 'the alert delivered', 10_000);
    expect(ha.auths).toEqual([{ conn: 1, ok: true }]);
    p.kill('SIGTERM');
    expect(await p.exit(5_000)).toEqual({ code: 0, signal: null });
    expect(ha.knownCalls()).toHaveLength(1);
    expect(`${p.stdout()}${p.stderr()}`).not.toContain(token);
  });
});
