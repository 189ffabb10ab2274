// nfmon notify-test: one test notification, and exactly what Home Assistant answered.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FakeHaServer } from '../helpers/fake-ha-server.js';
import { tempDir, type TempDir } from '../helpers/daemon-harness.js';
import { assertBuilt, runNfmon, writeConfig } from '../helpers/daemon-process.js';

const cleanups: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
beforeAll(() => assertBuilt());

async function setup(notify: string, token = 'test-token'): Promise<{ ha: FakeHaServer; t: TempDir; config: string }> {
  const ha = await FakeHaServer.start({ token: 'test-token', services: ['notify.mobile_app_pixel'] });
  cleanups.push(() => ha.stop());
  const t = tempDir('nfmon-notify-test-');
  cleanups.push(() => t.remove());
  const config = writeConfig(t.path('config.yaml'), {
    database: t.path('nfmon.db'),
    homeassistant: { url: ha.url, token, notify },
  });
  return { ha, t, config };
}

describe('nfmon notify-test', () => {
  it('sends one notification and prints that Home Assistant accepted it', async () => {
    const { ha, config } = await setup('notify.mobile_app_pixel');
    const r = await runNfmon(['--config', config, 'notify-test']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Home Assistant accepted the test notification: /);
    expect(ha.knownCalls().map((c) => `${c.domain}.${c.service}`)).toEqual(['notify.mobile_app_pixel']);
  });

  it('prints Home Assistant\'s own answer for an unknown service, and exits 1', async () => {
    const { config } = await setup('notify.mobile_app_gone');
    const r = await runNfmon(['--config', config, 'notify-test', '--json']);
    expect(r.code).toBe(1);
    const answer = JSON.parse(r.stdout) as { ok: boolean; code: string; message: string };
    expect(answer).toMatchObject({ ok: false, code: 'not_found' });
    expect(answer.message).toContain('notify.mobile_app_gone');
  });

  it('reports a rejected token without printing it', async () => {
    const { config } = await setup('notify.mobile_app_pixel', 'wrong-secret-token');
    const r = await runNfmon(['--config', config, 'notify-test']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^Home Assistant answered auth_invalid: /);
    expect(r.stdout + r.stderr).not.toContain('wrong-secret-token');
  });
});
