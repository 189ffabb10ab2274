// unusual_hour through the real pipeline: a tablet's Pi-hole log of 35 evenings, then an
// afternoon play appended and ingested on its own. The second ingest rebuilds only from the
// afternoon on, so the tablet's profile must come from the sessions already stored; a fresh
// database given the whole log at once must reach the same alert. Then dns_bypass on a real capture.
import { appendFileSync, existsSync, utimesSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CliSandbox } from '../helpers/cli.js';
import { fromWall } from '../../src/core/time.js';

const ZONE = 'Europe/Amsterdam';
const TABLET = { mac: '3c:22:fb:10:20:30', ip: '192.168.1.50' };
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const VIDEO = 'ipv4-c012-ams001-ix.1.oca.nflxvideo.net';

interface AlertJson {
  readonly at: string;
  readonly rule: string;
  readonly device: { readonly mac: string | null } | null;
  readonly session_id: number | null;
  readonly message: string;
}

/** A play as dnsmasq logs it, in local time (the log has no zone): the app's API, then the video name. */
function play(month: number, day: number, hour: number, minute: number): string {
  const stamp = (s: number) => `${MONTHS[month - 1]} ${String(day).padStart(2, ' ')} ${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}:${String(s).padStart(2, '0')}`;
  return [
    `${stamp(1)} dnsmasq[812]: query[A] api-global.netflix.com from ${TABLET.ip}`,
    `${stamp(1)} dnsmasq[812]: forwarded api-global.netflix.com to 9.9.9.9`,
    `${stamp(1)} dnsmasq[812]: reply api-global.netflix.com is 52.49.1.10`,
    `${stamp(20)} dnsmasq[812]: query[A] ${VIDEO} from ${TABLET.ip}`,
    `${stamp(20)} dnsmasq[812]: forwarded ${VIDEO} to 9.9.9.9`,
    `${stamp(20)} dnsmasq[812]: reply ${VIDEO} is 45.57.90.1`,
  ].join('\n') + '\n';
}

/** 35 evenings, 1 October - 4 November 2026, starting 19:00-21:50. */
function evenings(): string {
  let text = '';
  for (let i = 0; i < 35; i++) {
    const date = new Date(Date.UTC(2026, 9, 1 + i));
    text += play(date.getUTCMonth() + 1, date.getUTCDate(), 19 + (i % 3), (i * 17) % 50);
  }
  return text;
}

const afternoon = fromWall({ year: 2026, month: 11, day: 5, hour: 14, minute: 10, second: 1 }, ZONE);
const iso = (ts: number) => new Date(ts).toISOString().replace('.000Z', 'Z');

/** The sandbox with a config file of its own (written inside its directory, which exists only once it does). */
function withConfig(sb: CliSandbox, yaml: string): CliSandbox {
  return Object.assign(sb, { config: sb.write('config.yaml', yaml) });
}

function sandbox(): CliSandbox {
  return withConfig(new CliSandbox(), [
    `timezone: ${ZONE}`,
    'rules:',
    '  quiet_hours: "03:00-04:00"',
    'devices:',
    `  - { mac: "${TABLET.mac}", name: Kids tablet, trust: known, ip: ${TABLET.ip} }`,
  ].join('\n') + '\n');
}

describe('unusual_hour from stored history', () => {
  let stepwise: CliSandbox;
  let whole: CliSandbox;
  beforeAll(() => {
    stepwise = sandbox();
    whole = sandbox();
  });
  afterAll(() => {
    stepwise.dispose();
    whole.dispose();
  });

  it('the evenings alone raise nothing', () => {
    const log = stepwise.write('pihole.log', evenings(), new Date('2026-11-05T00:00:00Z'));
    const r = stepwise.run(['ingest', '--pihole-log', log]);
    expect(r.code, r.stderr).toBe(0);
    expect(stepwise.json<unknown[]>(['sessions', '--since', 'all'])).toHaveLength(35);
    expect(stepwise.json<AlertJson[]>(['alerts'])).toEqual([]);
  });

  it('the afternoon play ingested on its own alerts once, with the usual hours', () => {
    const log = stepwise.path('pihole.log');
    appendFileSync(log, play(11, 5, 14, 10));
    utimesSync(log, new Date('2026-11-05T15:00:00Z'), new Date('2026-11-05T15:00:00Z'));
    const r = stepwise.run(['ingest', '--pihole-log', log]);
    expect(r.code, r.stderr).toBe(0);
    const alerts = stepwise.json<AlertJson[]>(['alerts']);
    expect(alerts.map((a) => [a.rule, a.at, a.device?.mac])).toEqual([['unusual_hour', iso(afternoon), TABLET.mac]]);
    expect(alerts[0]?.session_id).not.toBeNull();
    expect(alerts[0]?.message).toBe(
      'Netflix playing on Kids tablet at Thu 14:10, an hour it does not usually watch: usually 19:00-22:00 (30 plays on 30 days in the last 30 days)',
    );
    // Ingesting again changes nothing.
    expect(stepwise.run(['ingest', '--pihole-log', log]).code).toBe(0);
    expect(stepwise.json<AlertJson[]>(['alerts'])).toEqual(alerts);
  });

  it('the whole log at once gives the same alert', () => {
    const log = whole.write('pihole.log', evenings() + play(11, 5, 14, 10), new Date('2026-11-05T15:00:00Z'));
    expect(whole.run(['ingest', '--pihole-log', log]).code).toBe(0);
    const strip = (a: AlertJson) => ({ rule: a.rule, at: a.at, mac: a.device?.mac, message: a.message });
    expect(whole.json<AlertJson[]>(['alerts']).map(strip)).toEqual(stepwise.json<AlertJson[]>(['alerts']).map(strip));
  });
});

// A real client's timing: nDPI's netflix.pcap (../shared/corpus/SOURCES.md) holds 90 s of the
// 2017 iOS app on a home LAN: it asked 192.168.1.1 for ios.nccp.netflix.com (A, AAAA) and
// ichnaea at 14:50:32 UTC and pulled video from Open Connect addresses 18 s later, with no
// video name. Taking 192.168.1.1 for Pi-hole, its log holds those lookups (written here as
// dnsmasq writes them, at the capture's times): no bypass. Without the log: one.
const NDPI = fileURLToPath(new URL('../../../shared/corpus/ndpi/netflix.pcap', import.meta.url));
const IPHONE = { ip: '192.168.1.7', mac: 'e4:98:d6:1f:bd:14' };

describe.skipIf(!existsSync(NDPI))(`dns_bypass on a real iOS capture${existsSync(NDPI) ? '' : ' (skipped: ../shared/corpus not found)'}`, () => {
  const written = new Date('2017-01-13T15:00:00Z');
  const ingest = (withLog: boolean): AlertJson[] => {
    const sb = withConfig(new CliSandbox(), 'timezone: UTC\nrules:\n  quiet_hours: "03:00-03:01"\n  unknown_device: false\n');
    try {
      const log = sb.write('pihole.log', [
        `Jan 13 14:50:32 dnsmasq[512]: query[A] ios.nccp.netflix.com from ${IPHONE.ip}`,
        'Jan 13 14:50:32 dnsmasq[512]: forwarded ios.nccp.netflix.com to 8.8.8.8',
        `Jan 13 14:50:32 dnsmasq[512]: query[AAAA] ios.nccp.netflix.com from ${IPHONE.ip}`,
        `Jan 13 14:50:32 dnsmasq[512]: query[A] ichnaea.us-west-2.prodaa.netflix.com from ${IPHONE.ip}`,
        '',
      ].join('\n'), written);
      const r = sb.run(['ingest', '--pcap', NDPI, ...(withLog ? ['--pihole-log', log] : [])]);
      if (r.code !== 0) throw new Error(`ingest exited ${r.code}: ${r.stderr}`);
      const sessions = sb.json<{ device: { mac: string }; evidence: string[] }[]>(['sessions', '--since', 'all']);
      expect(sessions.map((s) => [s.device.mac, s.evidence.includes('flows')])).toEqual([[IPHONE.mac, true]]);
      return sb.json<AlertJson[]>(['alerts']);
    } finally {
      sb.dispose();
    }
  };

  it('its lookups through the resolver explain the video: no alert', () => {
    expect(ingest(true).filter((a) => a.rule === 'dns_bypass')).toEqual([]);
  });

  it('with no log of them, the same capture alerts once', () => {
    expect(ingest(false).map((a) => `${a.rule} ${a.device?.mac ?? '-'} ${a.at}`)).toEqual([`dns_bypass ${IPHONE.mac} 2017-01-13T14:50:00Z`]);
  });
});
