// Issue 10, "An alert is one delivery": the notify call and the nfmon_alert event of an alert go
// to Home Assistant as one execute_script, so however often the daemon is SIGKILLed while it
// delivers, Home Assistant receives them in whole pairs: for every alert as many notify calls as
// events. Repeats are allowed (at-least-once) only as whole pairs; the test reports how many and
// how many kills it took. NFMON_DELIVERY_ALERTS (default 80) and NFMON_DELIVERY_KILLS (default 20)
// for longer runs.
import { writeFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FakeHaServer } from '../helpers/fake-ha-server.js';
import { assertBuilt, spawnNfmon, writeConfig, type NfmonProcess } from '../helpers/daemon-process.js';
import { otherLine, quietWindowAround, stamp, tempDir, until, type TempDir } from '../helpers/daemon-harness.js';
import { envCount, peek, random, sleep } from '../helpers/derived-state.js';

const ALERTS = envCount('NFMON_DELIVERY_ALERTS', 80);
const KILLS = envCount('NFMON_DELIVERY_KILLS', 20);
const SEED = envCount('NFMON_KILL_SEED', Date.now() % 1_000_000_007);

let t: TempDir;
const procs: NfmonProcess[] = [];
afterEach(async () => {
  for (const p of procs.splice(0)) {
    p.kill('SIGKILL');
    await p.exited;
  }
});
beforeAll(() => {
  assertBuilt();
  t = tempDir('nfmon-delivery-');
});
afterAll(() => t?.remove());

/** `n` devices nobody registered, each playing a few minutes in the last half hour: one unknown_device alert each. */
function unknownPlays(n: number): string {
  const parts: { ts: number; text: string }[] = [];
  const base = Date.now() - 30 * 60_000;
  for (let i = 0; i < n; i++) {
    const ip = `192.168.${10 + Math.floor(i / 200)}.${1 + (i % 200)}`;
    for (let k = 0; k < 2; k++) {
      const ts = base + i * 10_000 + k * 60_000;
      const name = `ipv4-c${String(k + 1).padStart(3, '0')}-ams001-ix.1.oca.nflxvideo.net`;
      parts.push({ ts, text: `${stamp(ts)} dnsmasq[1]: query[A] ${name} from ${ip}\n${stamp(ts)} dnsmasq[1]: reply ${name} is 45.57.90.${k + 1}\n` });
    }
  }
  return parts.sort((a, b) => a.ts - b.ts).map((x) => x.text).join('') + otherLine(base + n * 10_000 + 120_000);
}

interface Pairs {
  readonly keys: number;
  readonly calls: number;
  readonly events: number;
  /** Keys whose notify calls and events differ in number. */
  readonly unequal: string[];
  /** Deliveries beyond the first, counted in pairs. */
  readonly repeats: number;
}

function pairs(ha: FakeHaServer): Pairs {
  const count = new Map<string, { calls: number; events: number }>();
  const at = (k: string): { calls: number; events: number } => count.get(k) ?? count.set(k, { calls: 0, events: 0 }).get(k)!;
  for (const c of ha.calls) at(String((c.service_data.data as Record<string, unknown>).tag)).calls++;
  for (const e of ha.events) at(String(e.event_data.key)).events++;
  const unequal = [...count].filter(([, v]) => v.calls !== v.events).map(([k, v]) => `${k}: ${v.calls} calls, ${v.events} events`);
  return {
    keys: count.size,
    calls: ha.calls.length,
    events: ha.events.length,
    unequal,
    repeats: [...count.values()].reduce((s, v) => s + Math.max(0, Math.min(v.calls, v.events) - 1), 0),
  };
}

describe('SIGKILL while alerts are being delivered', () => {
  for (const answerDelayMs of [0, 40]) {
    it(`every alert reaches Home Assistant as whole pairs (answers ${answerDelayMs} ms after Home Assistant acted)`, async () => {
      const ha = await FakeHaServer.start();
      try {
        ha.delayResults(answerDelayMs);
        const dir = `d${answerDelayMs}`;
        const db = t.path(`${dir}.db`);
        const log = t.path(`${dir}.log`);
        writeFileSync(log, unknownPlays(ALERTS));
        const config = writeConfig(t.path(`${dir}.json`), {
          timezone: 'UTC',
          database: db,
          pihole: { log },
          leases: { files: [] },
          rules: { quiet_hours: quietWindowAround(Date.now() + 12 * 3_600_000), unknown_device: true, max_concurrent_streams: 10_000 },
          homeassistant: { url: ha.url, token: 'test-token', notify: 'notify.mobile_app_pixel' },
        });
        const rand = random(SEED + answerDelayMs);
        const pending = (): number => Number(peek(db, 'SELECT count(*) FROM outbox WHERE delivered_at IS NULL AND held IS NULL') ?? ALERTS);
        let kills = 0;
        let runs = 0;
        const started = Date.now();
        while (runs < 200) {
          runs++;
          const p = spawnNfmon(['run', '--config', config]);
          procs.push(p);
          const before = ha.calls.length;
          // Kill once this run has delivered something, a random moment later; after KILLS kills, or
          // when it finds nothing left, the run delivers the rest and ends with SIGTERM.
          const drained = (): boolean => p.stdout().includes('msg="nfmon running"') && pending() === 0;
          await until(() => (kills < KILLS && ha.calls.length > before) || drained(), 'a delivery or an empty outbox', 60_000, () => p.stderr().slice(-300));
          if (drained()) {
            p.kill('SIGTERM');
            expect(await p.exit(15_000)).toEqual({ code: 0, signal: null });
            break;
          }
          // Within a few milliseconds when Home Assistant answers at once: a run delivers ~25 alerts in 15 ms.
          await sleep(Math.floor(rand() * (answerDelayMs + 2) * 3));
          p.kill('SIGKILL');
          await p.exit(10_000);
          kills++;
        }
        const r = pairs(ha);
        const alerts = Number(peek(db, "SELECT count(*) FROM alerts WHERE rule = 'unknown_device'"));
        console.log(
          `delivery under SIGKILL (seed ${SEED}, answer delay ${answerDelayMs} ms): ${alerts} alerts, ${kills} kills in ${runs} runs (${Math.round((Date.now() - started) / 1000)} s); ` +
            `Home Assistant got ${r.calls} notify calls and ${r.events} events for ${r.keys} keys; repeated pairs ${r.repeats} ` +
            `(${((100 * r.repeats) / Math.max(1, r.keys)).toFixed(1)}% of alerts, ${(r.repeats / Math.max(1, kills)).toFixed(2)} per kill); unequal: ${r.unequal.length}`,
        );
        expect(alerts).toBe(ALERTS);
        expect(kills, 'the daemon was killed while delivering').toBeGreaterThanOrEqual(Math.min(3, KILLS));
        expect(r.unequal, 'each alert as whole pairs: notify calls = events').toEqual([]);
        expect(r.keys, 'every alert delivered').toBe(ALERTS);
        expect(pending()).toBe(0);
        expect(ha.calls.every((c) => c.script !== undefined), 'both parts in one execute_script').toBe(true);
        // At-least-once: a repeat needs a kill between Home Assistant acting and the delivery being stored.
        expect(r.repeats).toBeLessThanOrEqual(kills);
      } finally {
        await ha.stop();
      }
    }, 180_000);
  }
});
