import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { SourceError } from '../../../src/sources/errors.js';
import { parseKeaLeases } from '../../../src/sources/leases/kea.js';

const corpus = fileURLToPath(new URL('../../../../shared/corpus/dhcp-leases/', import.meta.url));
const fixtures = fileURLToPath(new URL('../../../fixtures/leases/', import.meta.url));
const opts = { referenceTs: 0, file: 'kea.csv' };

function parseFile(path: string): ReturnType<typeof parseKeaLeases> {
  return parseKeaLeases(readFileSync(path, 'utf8'), opts);
}

describe.skipIf(!existsSync(corpus))('Kea lease CSV on the corpus (skipped: ../shared/corpus not found)', () => {
  it('lease4 dump: states, &#x2c escapes, a declined row without hwaddr', () => {
    const r = parseFile(corpus + 'kea.lease4_dump_test.reference.csv');
    expect(r.leases).toEqual([
      {
        ip: '0.0.0.10',
        // Kea's test data uses 2-octet hardware addresses: kept, but not as Ethernet MACs.
        mac: '32:30',
        hostname: 'one.example.com',
        clientId: '33:30',
        start: (1642000000 - 40) * 1000,
        end: 1642000000 * 1000,
        state: 'default',
        family: 4,
        nonEthernet: true,
      },
      {
        ip: '0.0.0.12',
        mac: '32:32',
        hostname: 'three,example,com',
        start: (1643212345 - 40) * 1000,
        end: 1643212345 * 1000,
        state: 'expired-reclaimed',
        family: 4,
        nonEthernet: true,
      },
    ]);
    expect(r.skipped).toEqual({ declined: 1 });
    expect(r.errors).toEqual([]);
  });

  it('lease6 dump: columns found by name, duid as client id, a row with only a DUID', () => {
    const r = parseFile(corpus + 'kea.lease6_dump_test.reference.csv');
    expect(r.leases.map((l) => [l.ip, l.mac, l.clientId, l.state, l.family])).toEqual([
      ['::10', '38:30', '32:30:33', 'default', 6],
      ['::12', '38:30', '32:32:33', 'expired-reclaimed', 6],
    ]);
    expect(r.leases[1]?.hostname).toBe('three,example,com');
    expect(r.skipped).toEqual({ declined: 1, ipv6_no_mac: 1 });
  });
});

describe('Kea journal semantics (fixtures/leases/kea-journal.csv, header without user_context/pool_id)', () => {
  const r = parseFile(fixtures + 'kea-journal.csv');
  const of = (ip: string): unknown[] => r.leases.filter((l) => l.ip === ip);

  it('renewal extends, a valid_lifetime 0 row deletes back to the last renewal, the next client follows', () => {
    expect(of('192.168.2.10')).toEqual([
      {
        ip: '192.168.2.10',
        mac: 'b8:27:eb:00:00:11',
        hostname: 'living,room',
        clientId: '01:b8:27:eb:00:00:11',
        start: 1795600000_000,
        end: 1795601800_000,
        state: 'default',
        family: 4,
      },
      { ip: '192.168.2.10', mac: 'a4:c3:61:00:00:12', start: 1795603600_000, end: 1795607200_000, state: 'default', family: 4 },
    ]);
  });

  it('infinite valid lifetime, expired-reclaimed kept, declined and broken rows skipped', () => {
    expect(of('192.168.2.30')).toMatchObject([{ mac: '00:1a:11:00:00:13', start: 1795600000_000, end: Infinity, hostname: 'nas' }]);
    expect(of('192.168.2.40')).toMatchObject([{ mac: '00:1a:11:00:00:14', state: 'expired-reclaimed' }]);
    expect(of('192.168.2.20')).toEqual([]);
    expect(r.skipped).toEqual({ deleted: 1, declined: 1, bad_mac: 1, field_count: 1 });
    expect(r.errors.map((e) => [e.line, e.reason])).toEqual([
      [9, 'bad_mac'],
      [10, 'field_count'],
    ]);
  });

  it('a file without the needed columns is a SourceError naming it', () => {
    expect(() => parseKeaLeases('address,duid,expire\n::1,00:01,5\n', opts)).toThrow(SourceError);
    expect(() => parseKeaLeases('address,duid,expire\n', opts)).toThrow(/kea\.csv:1: not a Kea lease file: header lacks hwaddr, valid_lifetime/);
  });
});

describe('hostile files stay bounded (found by npm run fuzz)', () => {
  it('a header or a row of eight million commas is not split into eight million strings', () => {
    const header = 'address,hwaddr,client_id,valid_lifetime,expire,subnet_id,fqdn_fwd,fqdn_rev,hostname,state,user_context';
    const text = `${header}${','.repeat(8_000_000)}\n192.168.0.2,aa:bb:cc:dd:ee:ff${','.repeat(8_000_000)}\n`;
    const before = process.memoryUsage().heapUsed;
    const r = parseKeaLeases(text, { referenceTs: 0, file: 'x' });
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(100 * 1024 * 1024);
    expect(r.skipped).toEqual({ field_count: 1 });
    expect(r.errors[0]?.detail?.length).toBeLessThanOrEqual(201);
  });
});
