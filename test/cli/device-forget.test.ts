// nfmon device set (the user's word on a device) and nfmon forget (erasing one device, or every
// imported play), through the built binary on a copy of the ingested demo household.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CliSandbox, copyHousehold, HOUSEHOLD_CONFIG, ingestHousehold, stderrLines } from '../helpers/cli.js';

interface DeviceJson {
  mac: string | null;
  name: string | null;
  trust: string;
}
interface SessionJson {
  id: number;
  device: { mac: string | null };
  start: string;
}
interface AlertJson {
  id: number;
  rule: string;
  device: { mac: string | null } | null;
  message: string;
}
interface Counters {
  devices: number;
  dns_events: number;
  sessions: number;
  alerts: number;
}

const IPAD = '10:29:59:7a:22:02';
const GUEST = '18:59:36:bb:77:06';
const TV = '10:30:47:3c:5a:01';

let seeded: CliSandbox;
let sb: CliSandbox;
beforeAll(() => {
  seeded = new CliSandbox(HOUSEHOLD_CONFIG);
  ingestHousehold(seeded, copyHousehold(seeded));
});
afterAll(() => seeded.dispose());
// Each test mutates its own copy of the ingested database.
beforeEach(() => {
  sb = new CliSandbox(HOUSEHOLD_CONFIG);
  seeded.cloneDbInto(sb);
  return () => sb.dispose();
});

const device = (mac: string): DeviceJson | undefined => sb.json<DeviceJson[]>(['devices']).find((d) => d.mac === mac);
const counters = (): Counters => sb.json<{ counters: Counters }>(['status']).counters;

describe('nfmon device set', () => {
  it('names a device and marks it known; devices --json shows it', () => {
    expect(device(GUEST)).toMatchObject({ name: null, trust: 'unknown' });
    const r = sb.run(['device', 'set', '18:59:36:BB:77:06', '--name', 'Guest phone', '--trust', 'known']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(`${GUEST}: name "Guest phone", trust known\n`);
    expect(device(GUEST)).toMatchObject({ mac: GUEST, name: 'Guest phone', trust: 'known' });
    // Sessions and alerts show the new name too.
    const sessions = sb.json<{ device: { mac: string; name: string } }[]>(['sessions', '--since', 'all']);
    expect(sessions.filter((s) => s.device.mac === GUEST).map((s) => s.device.name)).toEqual(['Guest phone']);
    // Known from now on, as if known all along: its unknown_device alert (never sent: history)
    // is derived again and is no more; a clean import with the device known gives the same.
    expect(sb.json<AlertJson[]>(['alerts']).filter((a) => a.rule === 'unknown_device')).toEqual([]);
  });

  it('a new name alone keeps the alert and shows the name in it', () => {
    expect(sb.run(['device', 'set', GUEST, '--name', 'Guest phone']).code).toBe(0);
    const alert = sb.json<AlertJson[]>(['alerts']).find((a) => a.rule === 'unknown_device');
    expect(alert?.device).toEqual({ mac: GUEST, name: 'Guest phone' });
    expect(alert?.message).toContain('Guest phone');
  });

  it('--trust alone keeps the name; the device can then be found by its new name', () => {
    expect(sb.run(['device', 'set', GUEST, '--name', 'Guest phone']).code).toBe(0);
    expect(sb.run(['device', 'set', GUEST, '--trust', 'trusted']).code).toBe(0);
    expect(device(GUEST)).toMatchObject({ name: 'Guest phone', trust: 'trusted' });
    expect(sb.json<SessionJson[]>(['sessions', '--since', 'all', '--device', 'guest phone']).map((s) => s.start)).toEqual(['2026-11-21T12:58:06Z']);
  });

  it('says that the config wins for a device the config lists', () => {
    const r = sb.run(['device', 'set', TV, '--name', 'Telly']);
    expect(r.code).toBe(0);
    expect(stderrLines(r)).toEqual([`nfmon: note: ${TV} is listed under devices in the config, whose name and trust take precedence`]);
    expect(device(TV)).toMatchObject({ name: 'Living room TV', trust: 'trusted' });
  });

  it.each([
    [['device', 'set', 'zz:zz', '--name', 'X'], 'nfmon: device set: "zz:zz" is not a MAC address (aa:bb:cc:dd:ee:ff)'],
    [['device', 'set', '18:59:36:bb:77', '--trust', 'known'], 'nfmon: device set: "18:59:36:bb:77" is not a MAC address (aa:bb:cc:dd:ee:ff)'],
    [['device', 'set', GUEST, '--trust', 'friend'], 'nfmon: --trust: expected unknown, known or trusted, got "friend"'],
    [['device', 'set', GUEST], 'nfmon: device set: give --name and/or --trust'],
  ])('%j is a usage error (exit 2, one line) and changes nothing', (args, message) => {
    const r = sb.run(args);
    expect(r.code).toBe(2);
    expect(stderrLines(r)).toEqual([message]);
    expect(device(GUEST)).toMatchObject({ name: null, trust: 'unknown' });
  });
});

describe('nfmon forget', () => {
  it('"Kids iPad" erases its sessions, alerts, events and row; what depended on it is derived again', () => {
    const before = {
      sessions: sb.json<SessionJson[]>(['sessions', '--since', 'all']),
      alerts: sb.json<AlertJson[]>(['alerts']),
      devices: sb.json<DeviceJson[]>(['devices']),
      counters: counters(),
    };
    expect(before.sessions.filter((s) => s.device.mac === IPAD)).toHaveLength(2);
    expect(before.alerts.filter((a) => a.device?.mac === IPAD)).toHaveLength(1);

    const r = sb.run(['forget', 'Kids iPad', '--json']);
    expect(r.code).toBe(0);
    const erased = JSON.parse(r.stdout) as { devices: { device: string; sessions: number; alerts: number; events: number }[] };
    expect(erased.devices).toMatchObject([{ device: IPAD, sessions: 2, alerts: 1 }]);
    const events = erased.devices[0]?.events ?? 0;
    expect(events).toBeGreaterThan(0);

    expect(sb.json<SessionJson[]>(['sessions', '--since', 'all'])).toEqual(before.sessions.filter((s) => s.device.mac !== IPAD));
    // The third screen of the evening's concurrent_streams was the iPad: without it two screens
    // played, so that alert (never sent) is no more either.
    expect(sb.json<AlertJson[]>(['alerts'])).toEqual(before.alerts.filter((a) => a.device?.mac !== IPAD && a.rule !== 'concurrent_streams'));
    expect(sb.json<DeviceJson[]>(['devices'])).toEqual(before.devices.filter((d) => d.mac !== IPAD));
    expect(counters()).toEqual({
      devices: before.counters.devices - 1,
      dns_events: before.counters.dns_events - events,
      sessions: before.counters.sessions - 2,
      alerts: before.counters.alerts - 2,
    });
    expect(sb.run(['sessions', '--since', 'all', '--device', IPAD]).code).toBe(2);
  });

  it('takes a MAC or an IP as well as a name', () => {
    expect(sb.run(['forget', GUEST]).code).toBe(0);
    expect(sb.run(['forget', '192.168.1.20']).code).toBe(0);
    const left = sb.json<SessionJson[]>(['sessions', '--since', 'all']).map((s) => s.device.mac);
    expect(left).not.toContain(GUEST);
    expect(left).not.toContain(TV);
    expect(left).toHaveLength(5);
  });

  it('an unknown device is a usage error and erases nothing', () => {
    const before = counters();
    const r = sb.run(['forget', 'Nobody']);
    expect(r.code).toBe(2);
    // Named as it was given (not "--device"), with the devices there are to choose from.
    const [line] = stderrLines(r);
    expect(line).toMatch(/^nfmon: forget: no device matches "Nobody" \(known devices: .+; nfmon devices lists them all\)$/);
    expect(line).toContain('Kids iPad');
    expect(counters()).toEqual(before);
  });

  it('with neither a device nor --viewing-activity is a usage error', () => {
    const r = sb.run(['forget']);
    expect(r.code).toBe(2);
    expect(stderrLines(r)).toHaveLength(1);
  });

  it('--viewing-activity erases every play: reconcile then reports none', () => {
    expect(sb.json<{ plays: unknown[] }>(['reconcile']).plays).toHaveLength(14);
    const before = counters();
    const r = sb.run(['forget', '--viewing-activity', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ plays: 14 });
    const report = sb.json<{ plays: unknown[]; profiles: unknown[] }>(['reconcile']);
    expect(report.plays).toEqual([]);
    expect(report.profiles).toEqual([]);
    expect(sb.run(['reconcile']).stdout).toBe('No plays imported yet: nfmon ingest --viewing-activity ViewingActivity.csv\n');
    // Devices, sessions and alerts stay.
    expect(counters()).toEqual(before);
  });
});
