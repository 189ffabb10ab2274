// Issue 10, "History is recorded, not pushed": the first `nfmon run` on a log holding a long
// history of a 10-device home (bench/gen-history.mjs, ending now) sends Home Assistant nothing
// about events older than rules.notify_max_age; those alerts are stored and listed as not
// delivered. A play of a new device 25 minutes ago (while the daemon was down, within the age)
// is delivered by the catch-up; a play appended now is notified within 2 s.
// CI runs a month; NFMON_HISTORY_DAYS=360 runs a year (the figures go to the report).
import { appendFileSync, readFileSync, utimesSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeHaServer } from '../helpers/fake-ha-server.js';
import { assertBuilt, MAIN, spawnNfmon, type NfmonProcess } from '../helpers/daemon-process.js';
import { otherLine, stamp, tempDir, until, type TempDir } from '../helpers/daemon-harness.js';
import { ROOT } from '../helpers/cli.js';
import { daemonConfig, envCount, peek, type Household } from '../helpers/derived-state.js';

const DAYS = envCount('NFMON_HISTORY_DAYS', 30);
const MAX_AGE_MS = 3_600_000; // rules.notify_max_age default: 1h
const MINUTE = 60_000;

let t: TempDir;
let ha: FakeHaServer;
let daemon: NfmonProcess | undefined;
let h: Household;
let config: string;
let db: string;
let truth: { generator: { lines: number }; plays: unknown[]; expected_alerts: unknown[] };

/** A play of `ip`: a video lookup and its answer every 2 minutes over [from, to], then an unmonitored line. */
function playLines(ip: string, from: number, to: number): string {
  const parts: string[] = [];
  for (let ts = from, i = 0; ts <= to; ts += 2 * MINUTE, i++) {
    const name = `ipv4-c${String(40 + (i % 9)).padStart(3, '0')}-ams001-ix.1.oca.nflxvideo.net`;
    parts.push(`${stamp(ts)} dnsmasq[812]: query[A] ${name} from ${ip}\n${stamp(ts)} dnsmasq[812]: reply ${name} is 45.57.90.${10 + (i % 9)}\n`);
  }
  parts.push(otherLine(to));
  return parts.join('');
}

beforeAll(async () => {
  assertBuilt();
  t = tempDir('nfmon-history-');
  const dir = t.path('history');
  const started = Date.now();
  const gen = spawnSync(process.execPath, [join(ROOT, 'bench', 'gen-history.mjs'), '--days', String(DAYS), '--seed', '3', '--out', dir, '--end', new Date(Date.now() - 30 * MINUTE).toISOString()], {
    encoding: 'utf8',
  });
  expect(gen.status, gen.stderr).toBe(0);
  console.log(`history: ${gen.stdout.trim()} (generated in ${Date.now() - started} ms)`);
  truth = JSON.parse(readFileSync(join(dir, 'truth.json'), 'utf8')) as typeof truth;
  h = { dir, log: join(dir, 'pihole.log'), leases: join(dir, 'dhcp.leases'), config: join(dir, 'config.yaml'), captures: [], truth: { plays: [] } };
  // A new device played 25 to 10 minutes ago, while the daemon was down: within notify_max_age.
  appendFileSync(h.log, playLines('192.168.1.77', Date.now() - 25 * MINUTE, Date.now() - 10 * MINUTE));
  const now = new Date();
  utimesSync(h.log, now, now);
  ha = await FakeHaServer.start();
  db = t.path('nfmon.db');
  config = daemonConfig(h, t.path('config.json'), { database: db, log: h.log }, {
    homeassistant: { url: ha.url, token: 'test-token', notify: 'notify.mobile_app_pixel' },
  });
}, 240_000);

afterAll(async () => {
  daemon?.kill('SIGKILL');
  await daemon?.exited;
  await ha?.stop();
  t?.remove();
});

const tagOf = (data: Record<string, unknown>): string => String((data.data as Record<string, unknown> | undefined)?.tag);

describe(`first nfmon run on ${DAYS} days of history`, () => {
  it('notifies nothing older than notify_max_age, lists the history as not delivered, delivers the recent play, then a new play within 2 s', async () => {
    const startedAt = Date.now();
    daemon = spawnNfmon(['run', '--config', config]);
    const p = daemon;
    await until(() => p.stdout().includes('msg="nfmon running"'), 'nfmon running', 600_000, () => p.stderr().slice(-400));
    const catchUpMs = Date.now() - startedAt;
    await until(() => peek(db, 'SELECT count(*) FROM outbox WHERE delivered_at IS NULL AND held IS NULL') === 0 && ha.calls.length > 0, 'the outbox drained', 30_000);

    // Nothing about an event older than the limit at the moment it was derived (the daemon's start at the latest).
    const stale = ha.calls.filter((c) => Date.parse(String((c.service_data.data as Record<string, unknown>).at)) < startedAt - MAX_AGE_MS);
    expect(stale.map((c) => c.service_data.message), 'notifications about history').toEqual([]);
    expect(ha.calls.map((c) => c.service_data.message).join('\n'), 'the play of 25 minutes ago is delivered').toMatch(/192\.168\.1\.77/);

    const cli = spawnSync(process.execPath, [MAIN, '--config', config, 'alerts', '--json', '--since', 'all'], { encoding: 'utf8', env: { ...process.env, TZ: 'UTC' } });
    expect(cli.status, cli.stderr).toBe(0);
    const alerts = JSON.parse(cli.stdout) as { at: string; rule: string; delivered: boolean; device: { mac: string } | null; message: string }[];
    const history = alerts.filter((a) => Date.parse(a.at) < startedAt - MAX_AGE_MS);
    expect(history.length, 'history alerts are stored and listed').toBeGreaterThan(10);
    expect(history.filter((a) => a.delivered), 'history alerts are listed as not delivered').toEqual([]);
    const table = spawnSync(process.execPath, [MAIN, '--config', config, 'alerts', '--since', 'all'], { encoding: 'utf8', env: { ...process.env, TZ: 'UTC' } });
    expect(table.stdout.split('\n').filter((l) => /\shistory\s/.test(l)), 'the table says why they were not sent').toHaveLength(history.length);
    const held = Number(peek(db, "SELECT count(*) FROM outbox WHERE held = 'history'"));
    expect(held, 'every history alert is held as history').toBe(history.length);

    // A play now, of another new device: notified within 2 s of the line being written.
    const before = ha.calls.length;
    const appendedAt = Date.now();
    appendFileSync(h.log, playLines('192.168.1.78', appendedAt, appendedAt));
    await until(() => ha.calls.slice(before).some((c) => String(c.service_data.message).includes('192.168.1.78')), 'the new play notified', 10_000);
    const latency = Date.now() - appendedAt;
    const byRule = alerts.reduce<Record<string, number>>((m, a) => ({ ...m, [a.rule]: (m[a.rule] ?? 0) + 1 }), {});
    console.log(
      `first start on ${DAYS} days (${truth.generator.lines} lines, ${truth.plays.length} plays, ${truth.expected_alerts.length} expected alerts): ` +
        `running after ${catchUpMs} ms; ${alerts.length} alerts stored (${JSON.stringify(byRule)}), ${history.length} older than notify_max_age, all held; ` +
        `Home Assistant got ${before} notification(s) at start (${stale.length} stale): ${ha.calls.slice(0, before).map((c) => c.service_data.message).join(' | ')}; ` +
        `a play appended now notified in ${latency} ms`,
    );
    expect(latency, 'a play appended now is notified within 2 s').toBeLessThan(2000);
    // One delivery per alert: as many notify calls as events, per key.
    const calls = ha.calls.map((c) => tagOf(c.service_data));
    const events = ha.events.map((e) => String(e.event_data.key));
    expect(calls.sort()).toEqual(events.sort());
    p.kill('SIGTERM');
    expect(await p.exit(15_000)).toEqual({ code: 0, signal: null });
  }, 900_000);
});
