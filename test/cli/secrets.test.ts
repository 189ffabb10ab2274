// Issue 16: a secret in a file every user can read is named at start, with the fix.
import { chmodSync } from 'node:fs';
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CliSandbox, stderrLines } from '../helpers/cli.js';

/** A loopback port nothing listens on: the connection is refused at once. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('secrets readable by every user', () => {
  let sb: CliSandbox;
  let port: number;
  beforeAll(async () => {
    sb = new CliSandbox();
    port = await closedPort();
  });
  afterAll(() => sb.dispose());

  it('notify-test warns about a 0644 token file and a world-readable config with an inline token', () => {
    const token = sb.write('ha-token', 'abc.def.ghi\n');
    chmodSync(token, 0o644);
    const config = sb.write('config.yaml', `homeassistant:\n  url: http://127.0.0.1:${port}\n  token_file: ${token}\n  token: inline.secret.value\n  notify: notify.mobile_app_x\n`);
    chmodSync(config, 0o644);
    const r = sb.run(['--config', config, 'notify-test']);
    const warnings = stderrLines(r).filter((l) => l.startsWith('nfmon: warning: '));
    expect(warnings).toEqual([
      `nfmon: warning: ${token} (homeassistant.token_file) is readable by every user of this machine: chmod 640 ${token}`,
      `nfmon: warning: ${config} holds homeassistant.token and is readable by every user of this machine: chmod 640 ${config} (or move the secret to a file: homeassistant.token_file)`,
    ]);
    expect(r.stderr + r.stdout).not.toContain('inline.secret.value');
    expect(r.stderr + r.stdout).not.toContain('abc.def.ghi');
  });

  it('says nothing once the files are 0640', () => {
    const token = sb.write('ha-token2', 'abc.def.ghi\n');
    chmodSync(token, 0o640);
    const config = sb.write('config2.yaml', `homeassistant:\n  url: http://127.0.0.1:${port}\n  token_file: ${token}\n  notify: notify.mobile_app_x\n`);
    chmodSync(config, 0o644);
    const r = sb.run(['--config', config, 'notify-test']);
    expect(r.stderr).not.toContain('warning');
  });
});
