import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseIscLeases } from '../../../src/sources/leases/isc.js';

const corpus = fileURLToPath(new URL('../../../../shared/corpus/dhcp-leases/', import.meta.url));
const fixtures = fileURLToPath(new URL('../../../fixtures/leases/', import.meta.url));
const opts = { referenceTs: 0, file: 't' };
const utc = (s: string): number => Date.parse(`${s}Z`);

function parseFile(path: string): ReturnType<typeof parseIscLeases> {
  return parseIscLeases(readFileSync(path, 'utf8'), opts);
}

describe.skipIf(!existsSync(corpus))('ISC dhcpd leases on the corpus (skipped: ../shared/corpus not found)', () => {
  it('pfSense: two active leases with hostnames and uid as colon hex', () => {
    const r = parseFile(corpus + 'isc-dhcpd.pfsense.leases');
    expect(r.leases).toEqual([
      {
        ip: '10.0.10.72',
        mac: '64:5a:04:6a:07:a2',
        hostname: 'Satellite-C700',
        clientId: '01:64:5a:04:6a:07:a2',
        start: utc('2015-07-06T07:50:42'),
        end: utc('2015-07-06T08:20:42'),
        state: 'active',
        family: 4,
      },
      {
        ip: '10.0.0.36',
        mac: '14:da:e9:04:c8:a3',
        hostname: 'Gebruiker-PC',
        clientId: '01:14:da:e9:04:c8:a3',
        start: utc('2015-07-06T07:38:46'),
        end: utc('2015-07-06T08:38:46'),
        state: 'active',
        family: 4,
      },
    ]);
    expect(r.skipped).toEqual({});
  });

  it('debian7: free leases keep the binding they record, the abandoned one without hardware is skipped', () => {
    const r = parseFile(corpus + 'isc-dhcpd.debian7.leases');
    expect(r.leases.map((l) => [l.ip, l.mac, l.state])).toEqual([
      ['10.0.0.10', '60:a4:4c:b5:6a:dd', 'free'],
      ['10.0.0.15', 'bc:f5:ac:fe:d1:7d', 'free'],
      ['10.0.0.18', 'e0:c9:7a:89:c9:2e', 'free'],
      ['10.0.0.21', '9c:2a:70:7c:43:6a', 'free'],
      ['10.0.0.16', '6c:71:d9:21:55:71', 'free'],
    ]);
    expect(r.leases[0]).toMatchObject({
      start: utc('2013-12-10T12:57:04'),
      end: utc('2013-12-10T13:07:04'),
      clientId: 'ff:00:00:00:02:00:01:00:01:1a:31:c1:c0:00:23:8b:f0:46:e8',
    });
    // `uid "\001\274\365\254\376\321}"`: octal escapes and a printable `}` inside the string.
    expect(r.leases[1]?.clientId).toBe('01:bc:f5:ac:fe:d1:7d');
    expect(r.skipped).toEqual({ abandoned: 1 });
  });

  it('epoch format (db-time-format local) with comments, backup state, a block without hardware', () => {
    const r = parseFile(corpus + 'isc-dhcpd.epoch.leases');
    expect(r.leases).toEqual([
      {
        ip: '10.0.0.1',
        mac: '2a:b2:2a:b2:2a:b2',
        clientId: '01:00:21:cc:06:94:e9',
        start: 1507216949000,
        end: 1508141363000,
        state: 'backup',
        family: 4,
      },
    ]);
    expect(r.skipped).toEqual({ no_mac: 1 });
  });

  it('options: no indentation, relay-agent options are ignored', () => {
    const r = parseFile(corpus + 'isc-dhcpd.options.leases');
    expect(r.leases).toEqual([
      {
        ip: '10.10.10.10',
        mac: '24:65:11:d9:a6:b3',
        hostname: 'KRONOS',
        clientId: 'ff:11:d9:a6:b3:00:03:00:01:24:65:11:d9:a6:b3',
        start: utc('2016-02-27T07:11:41'),
        end: utc('2016-02-27T09:11:41'),
        state: 'active',
        family: 4,
      },
    ]);
  });

  it('dhcpd6: ia-na addresses and ia-pd prefixes map to no MAC', () => {
    const r = parseFile(corpus + 'isc-dhcpd6.4.3.3.leases');
    expect(r.leases).toEqual([]);
    expect(r.skipped).toEqual({ duid: 1, ipv6_no_mac: 2, ipv6_prefix: 2 });
    expect(r.errors).toEqual([]);
  });
});

describe('ISC journal semantics (fixtures/leases/isc-journal.leases)', () => {
  const r = parseFile(fixtures + 'isc-journal.leases');
  const of = (ip: string): unknown[] => r.leases.filter((l) => l.ip === ip);

  it('renewal and release of one client fold into one binding; the next client starts after it', () => {
    expect(of('192.168.1.50')).toEqual([
      {
        ip: '192.168.1.50',
        mac: 'b8:27:eb:00:00:01',
        hostname: 'pi',
        start: utc('2026-11-21T08:00:00'),
        end: utc('2026-11-21T16:30:00'),
        state: 'free',
        family: 4,
      },
      {
        ip: '192.168.1.50',
        mac: 'a4:c3:61:00:00:02',
        hostname: 'iPad',
        clientId: '01:a4:c3:61:00:00:02',
        start: utc('2026-11-21T17:00:00'),
        end: utc('2026-11-22T05:00:00'),
        state: 'active',
        family: 4,
      },
    ]);
  });

  it('`ends never` is an infinite lease; octal-escaped UTF-8 hostnames decode', () => {
    expect(of('192.168.1.60')).toEqual([
      { ip: '192.168.1.60', mac: '00:1a:11:00:00:03', hostname: 'café', start: utc('2026-11-21T09:00:00'), end: Infinity, state: 'active', family: 4 },
    ]);
  });

  it('an abandoned block (the hardware is the client that declined) ends the binding before it', () => {
    expect(of('192.168.1.70')).toEqual([
      { ip: '192.168.1.70', mac: '00:1a:11:00:00:04', start: utc('2026-11-21T10:00:00'), end: utc('2026-11-21T12:00:00'), state: 'active', family: 4 },
    ]);
  });

  it('broken blocks are skipped with the line of their `lease` statement', () => {
    expect(of('192.168.1.80')).toEqual([]);
    expect(of('192.168.1.90')).toEqual([]);
    expect(of('192.168.1.99')).toEqual([]);
    expect(r.errors.map((e) => [e.line, e.reason])).toEqual([
      [51, 'bad_mac'],
      [57, 'bad_time'],
      [63, 'truncated'],
    ]);
    expect(r.skipped).toEqual({ other: 1, abandoned: 1, bad_mac: 1, bad_time: 1, truncated: 1 });
  });
});

describe('hostile files stay bounded (found by npm run fuzz)', () => {
  it('a block of four million empty strings, and braces nested ten thousand deep, are counted, not held', () => {
    const quotes = `lease 10.0.0.1 {\n  starts 2 2013/12/10 12:57:04;\n  st${'"'.repeat(8_000_000)}\n}\n`;
    const r = parseIscLeases(quotes, { referenceTs: 0, file: 'x' });
    expect(r.skipped.too_long).toBeGreaterThan(0);
    const deep = `${'lease 10.0.0.2 {'.repeat(10_000)}${'}'.repeat(10_000)}lease 10.0.0.3 {\n  starts epoch 1507216949;\n  ends epoch 1507220549;\n  hardware ethernet 2a:b2:2a:b2:2a:b2;\n}\n`;
    const d = parseIscLeases(deep, { referenceTs: 0, file: 'x' });
    expect(d.skipped.too_long).toBe(1);
    expect(d.leases.map((l) => l.ip)).toEqual(['10.0.0.3']);
  });
});
