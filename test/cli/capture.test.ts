// Captures end to end through the binary: nDPI's netflix.pcap (an iPhone's Netflix app, video
// fetched from Open Connect addresses with no name at all) becomes one session with bytes.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CliSandbox, ROOT } from '../helpers/cli.js';

const CORPUS = join(ROOT, '..', 'shared', 'corpus');
const NETFLIX_PCAP = join(CORPUS, 'ndpi', 'netflix.pcap');
const IPHONE = 'e4:98:d6:1f:bd:14';

interface SessionJson {
  device: { mac: string | null; ip: string };
  start: string;
  end: string;
  bytes_down: number | null;
  bytes_up: number | null;
  avg_mbps: number | null;
  peak_mbps: number | null;
  quality: string | null;
  evidence: string[];
}
interface IngestJson {
  pcaps: { packets: number; service_bytes_by_device: Record<string, number>; already_ingested: boolean }[];
  errors: string[];
}

describe.skipIf(!existsSync(NETFLIX_PCAP))('netflix.pcap through nfmon ingest (skipped: ../shared/corpus not found)', () => {
  let sb: CliSandbox;
  let first: IngestJson;
  beforeAll(() => {
    sb = new CliSandbox();
    first = sb.json<IngestJson>(['ingest', '--pcap', NETFLIX_PCAP]);
  });
  afterAll(() => sb.dispose());

  it('reads every packet and names the one device by its own Ethernet address', () => {
    expect(first.errors).toEqual([]);
    expect(first.pcaps[0]?.packets).toBe(1793);
    expect(Object.keys(first.pcaps[0]?.service_bytes_by_device ?? {})).toEqual([IPHONE]);
    const devices = sb.json<{ mac: string; ips: string[]; vendor: string }[]>(['devices']);
    expect(devices).toEqual([expect.objectContaining({ mac: IPHONE, ips: ['192.168.1.7'], vendor: 'Apple, Inc.' })]);
  });

  it('gives the device one Netflix session that counts the Open Connect video bytes', () => {
    const sessions = sb.json<SessionJson[]>(['sessions', '--since', 'all']);
    expect(sessions).toHaveLength(1);
    const s = sessions[0]!;
    expect(s.device).toMatchObject({ mac: IPHONE, ip: '192.168.1.7' });
    expect(s.evidence).toEqual(['flows']);
    // nDPI: the 18 HTTP flows to 23.246.x.x carry 494,949 bytes; the session holds them plus the
    // app's named traffic (api-global, nccp, ichnaea, artwork) in the same minutes.
    expect(s.bytes_down).toBeGreaterThan(494_949 * 0.9);
    // All of the device's Netflix bytes but the app's API chatter after the video stopped.
    const total = (s.bytes_down ?? 0) + (s.bytes_up ?? 0);
    const all = first.pcaps[0]?.service_bytes_by_device[IPHONE] ?? 0;
    expect(total).toBeLessThanOrEqual(all);
    expect(total).toBeGreaterThan(all * 0.95);
    expect(s).toMatchObject({ start: '2017-01-13T14:50:00Z', quality: 'SD' });
    expect(s.avg_mbps).toBeGreaterThan(0);
    expect(s.peak_mbps).toBeGreaterThanOrEqual(s.avg_mbps ?? 0);
  });

  it('ingests a capture once: the same file again adds nothing', () => {
    const again = sb.json<IngestJson>(['ingest', '--pcap', NETFLIX_PCAP]);
    expect(again.pcaps[0]?.already_ingested).toBe(true);
    expect(sb.json<SessionJson[]>(['sessions', '--since', 'all'])).toHaveLength(1);
  });

  it('merges the Pi-hole log and the capture into one session with both evidences', () => {
    const both = new CliSandbox();
    try {
      // The same minutes as the capture, seen by Pi-hole: the app resolving an Open Connect name.
      const log = both.write(
        'pihole.log',
        [
          'Jan 13 14:50:30 dnsmasq[1]: query[A] ipv4-c001-sjc002-ix.1.oca.nflxvideo.net from 192.168.1.7',
          'Jan 13 14:50:30 dnsmasq[1]: reply ipv4-c001-sjc002-ix.1.oca.nflxvideo.net is 23.246.11.141',
          '',
        ].join('\n'),
        new Date('2017-01-13T15:00:00Z'),
      );
      const cfg = both.write('config.yaml', 'timezone: UTC\n');
      const r = both.run(['--config', cfg, 'ingest', '--pcap', NETFLIX_PCAP, '--pihole-log', log]);
      expect(r.code).toBe(0);
      const sessions = both.json<SessionJson[]>(['--config', cfg, 'sessions', '--since', 'all']);
      expect(sessions).toHaveLength(1);
      expect(sessions[0]?.evidence).toEqual(['dns', 'flows']);
      expect(sessions[0]?.device.mac).toBe(IPHONE);
    } finally {
      both.dispose();
    }
  });
});
