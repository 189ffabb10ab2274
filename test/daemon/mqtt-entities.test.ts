// The daemon and a real mosquitto: binary_sensor.netflix_active and the screen's "Netflix
// playing" turn ON within 2 s of the log line that opens a session, and OFF by the daemon's own
// timer once the session gap has passed, with no new line.
import { writeFileSync } from 'node:fs';
import { afterEach, beforeAll, afterAll, describe, expect, it } from 'vitest';
import { MOSQUITTO_MISSING, startBroker, type Broker } from '../helpers/mosquitto.js';
import { appendQueries, startInProcess, tempDir, testConfig, type InProcess, type TempDir } from '../helpers/daemon-harness.js';
import { reader, type Reader } from '../notify/mqtt/support.js';

const PASSWORD = 'mqtt-secret-8c1e';

describe.skipIf(MOSQUITTO_MISSING !== '')(`nfmon run publishing Home Assistant entities over MQTT${MOSQUITTO_MISSING ? ` (skipped: ${MOSQUITTO_MISSING})` : ''}`, () => {
  let broker: Broker;
  let t: TempDir;
  let d: InProcess | undefined;
  let r: Reader | undefined;
  beforeAll(async () => {
    broker = await startBroker(PASSWORD);
  });
  afterAll(async () => {
    await broker.dispose();
  });
  afterEach(async () => {
    await r?.close();
    await d?.stop();
    t.remove();
  });

  it('ON within 2 s of the video lookup, OFF one gap after the last evidence, driven by a timer', async () => {
    t = tempDir();
    writeFileSync(t.path('pihole.log'), '');
    writeFileSync(t.path('mqtt-password'), `${PASSWORD}\n`, { mode: 0o600 });
    const config = testConfig(t, {
      sessions: { gap: '4s' },
      mqtt: { url: broker.url, username: broker.user, password_file: t.path('mqtt-password') },
    });
    d = await startInProcess(config);
    r = await reader(broker, ['nfmon/#']);
    await r.waitFor((m) => m.topic === 'nfmon/netflix/active' && m.payload === 'OFF', 5_000, 'active OFF before any play');
    const before = r.messages.length;

    const appended = Date.now();
    appendQueries(config.pihole.log, 1, 2);
    const on = await r.waitFor((m) => m.topic === 'nfmon/netflix/active' && m.payload === 'ON', 5_000, 'active ON');
    expect(on.at - appended).toBeLessThan(2_000);
    await r.waitFor((m) => /^nfmon\/device\/.+\/playing$/.test(m.topic) && m.payload === 'ON', 2_000, 'the screen playing');
    await r.waitFor((m) => m.topic === 'nfmon/netflix/streams' && m.payload === '1', 2_000, 'one stream');

    // No new line: the gap (4 s) after the lookup closes the session by the publisher's timer.
    const off = await r.waitFor((m, i = r!.messages.indexOf(m)) => i > before && m.topic === 'nfmon/netflix/active' && m.payload === 'OFF', 10_000, 'active OFF after the gap');
    // The log stamps whole seconds: the lookup's time is up to a second before the append.
    expect(off.at - appended).toBeGreaterThanOrEqual(2_900);
    expect(off.at - appended).toBeLessThan(8_000);
    expect(d.lines.join('\n')).not.toContain(PASSWORD);
  });
});
