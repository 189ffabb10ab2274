import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { expiryToEnd, parseDnsmasqLeases } from '../../../src/sources/leases/dnsmasq.js';

const corpus = fileURLToPath(new URL('../../../../shared/corpus/dhcp-leases/', import.meta.url));
const REF = Date.UTC(2023, 1, 10, 12, 0, 0);

function parseCorpus(name: string): ReturnType<typeof parseDnsmasqLeases> {
  return parseDnsmasqLeases(readFileSync(corpus + name, 'utf8'), { referenceTs: REF, file: name });
}

describe.skipIf(!existsSync(corpus))('dnsmasq leases on the corpus (skipped: ../shared/corpus not found)', () => {
  it('dnsmasq_exporter: an epoch expiry and an infinite (0) one', () => {
    const r = parseCorpus('dnsmasq_exporter.collector-testdata.dnsmasq.leases');
    expect(r.leases).toEqual([
      { ip: '10.10.10.10', mac: '00:00:00:00:00:00', hostname: 'host-1', clientId: '00:00:00:00:00:00', end: 1625595932000, family: 4 },
      { ip: '10.10.10.11', mac: '00:00:00:00:00:01', hostname: 'host-2', clientId: '00:00:00:00:00:01', end: Infinity, family: 4 },
    ]);
    expect(r.skipped).toEqual({});
  });

  it('OpenWrt without RTC: lease lengths count from the reference time', () => {
    const r = parseCorpus('openwrt-issue12023.no-rtc-relative-expiry.tmp-dhcp.leases');
    expect(r.leases).toHaveLength(5);
    expect(r.leases.every((l) => l.end === REF + 43_200_000)).toBe(true);
    expect(r.leases[3]).toEqual({
      ip: '10.0.0.199',
      mac: '00:e0:4c:68:00:7f',
      hostname: 'DESKTOP-9BQHAMK',
      clientId: '01:00:e0:4c:68:00:7f',
      end: REF + 43_200_000,
      family: 4,
    });
    expect(r.leases[0]).not.toHaveProperty('hostname');
    expect(r.leases[0]?.mac).toBe('5a:f6:ee:96:d1:11');
  });

  it('Pi-hole issue 2551: the duid line and the DHCPv6 lease are skipped, redacted MACs are broken lines', () => {
    const r = parseCorpus('pihole-ftl-issue2551.etc-pihole-dhcp.leases');
    expect(r.leases).toEqual([]);
    expect(r.skipped).toEqual({ bad_mac: 3, duid: 1, ipv6_no_mac: 1 });
    expect(r.errors.map((e) => [e.line, e.reason])).toEqual([
      [1, 'bad_mac'],
      [2, 'bad_mac'],
      [3, 'bad_mac'],
    ]);
    expect(r.errors[0]?.detail).toContain('7c:b2:7d:88:0f:XX');
  });

  it('Pi-hole issue 2723: 12-octet hardware addresses stay identities, flagged non-Ethernet', () => {
    const r = parseCorpus('pihole-ftl-issue2723.long-hwaddr.dhcp.leases');
    expect(r.leases).toHaveLength(10);
    expect(r.leases[0]).toEqual({
      ip: '192.168.1.75',
      mac: '00:20:18:56:29:a5:ff:ee:dd:bb:cc:aa',
      end: 1763938818000,
      family: 4,
      nonEthernet: true,
    });
    expect(r.leases.filter((l) => l.nonEthernet)).toHaveLength(5);
    // `* *`: no hostname, no client id.
    expect(r.leases[5]).toEqual({ ip: '192.168.1.59', mac: '00:20:18:56:29:99', end: 1763938769000, family: 4 });
  });

  it('luci-wrtbwmon: every MAC redacted with ** is a counted, located skip, not a crash', () => {
    const r = parseCorpus('luci-wrtbwmon-issue13.tmp-dhcp.leases');
    expect(r.leases).toEqual([]);
    expect(r.skipped).toEqual({ bad_mac: 12 });
    expect(r.errors.map((e) => e.line)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(r.errors[6]?.detail).toBe('1513112938 f0:03:8c:1e:2f:** 192.168.1.217 Roomba-3117440C10325600 *');
  });
});

describe('dnsmasq lease lines', () => {
  const parse = (text: string): ReturnType<typeof parseDnsmasqLeases> => parseDnsmasqLeases(text, { referenceTs: REF, file: 't' });

  it.each([
    ['absolute epoch', 1_700_000_000, 1_700_000_000_000],
    ['0 is infinite', 0, Infinity],
    ['0xffffffff is infinite (no-RTC builds)', 4_294_967_295, Infinity],
    ['small value is a length from the reference', 600, REF + 600_000],
    ['just below a plausible epoch is still a length', 999_999_999, REF + 999_999_999_000],
  ])('expiry: %s', (_name, expiry, end) => {
    expect(expiryToEnd(expiry, REF)).toBe(end);
  });

  it('keeps a hardware-type prefixed address as a non-Ethernet identity', () => {
    const r = parse('1700000000 20-00:11:22:33:44:55:66:77 10.0.0.5 ib-host *\n');
    expect(r.leases).toEqual([{ ip: '10.0.0.5', mac: '00:11:22:33:44:55:66:77', hostname: 'ib-host', end: 1_700_000_000_000, family: 4, nonEthernet: true }]);
  });

  it('counts broken lines by reason with their line numbers and keeps the good ones', () => {
    const r = parse(
      [
        '# comment',
        '1700000000 aa:bb:cc:dd:ee:ff 10.0.0.1 tv *',
        'garbage',
        '1700000000 aa:bb:cc:dd:ee:ff 10.0.0.300 tv *',
        'soon aa:bb:cc:dd:ee:ff 10.0.0.2 tv *',
        '',
        '1700000000 AA-BB-CC-DD-EE-01 10.0.0.3 *',
      ].join('\n'),
    );
    expect(r.leases.map((l) => [l.ip, l.mac])).toEqual([
      ['10.0.0.1', 'aa:bb:cc:dd:ee:ff'],
      ['10.0.0.3', 'aa:bb:cc:dd:ee:01'],
    ]);
    expect(r.skipped).toEqual({ field_count: 1, bad_ip: 1, bad_expiry: 1 });
    expect(r.errors.map((e) => [e.line, e.reason])).toEqual([
      [3, 'field_count'],
      [4, 'bad_ip'],
      [5, 'bad_expiry'],
    ]);
  });
});
