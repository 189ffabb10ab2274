import { existsSync, mkdtempSync, readFileSync, rmSync, truncateSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { SourceError } from '../../../src/sources/errors.js';
import { MAX_LEASE_FILE_BYTES, detectLeaseFormat, parseLeases, readLeaseFile } from '../../../src/sources/leases/read.js';

const corpus = fileURLToPath(new URL('../../../../shared/corpus/dhcp-leases/', import.meta.url));
const fixtures = fileURLToPath(new URL('../../../fixtures/leases/', import.meta.url));

describe.skipIf(!existsSync(corpus))('format detection on the corpus (skipped: ../shared/corpus not found)', () => {
  it.each([
    ['dnsmasq_exporter.collector-testdata.dnsmasq.leases', 'dnsmasq'],
    ['isc-dhcpd.debian7.leases', 'isc'],
    ['isc-dhcpd.epoch.leases', 'isc'],
    ['isc-dhcpd.options.leases', 'isc'],
    ['isc-dhcpd.pfsense.leases', 'isc'],
    ['isc-dhcpd6.4.3.3.leases', 'isc'],
    ['kea.lease4_dump_test.reference.csv', 'kea'],
    ['kea.lease6_dump_test.reference.csv', 'kea'],
    ['luci-wrtbwmon-issue13.tmp-dhcp.leases', 'dnsmasq'],
    ['openwrt-issue12023.no-rtc-relative-expiry.tmp-dhcp.leases', 'dnsmasq'],
    ['pihole-ftl-issue2551.api-dhcp-leases.response-excerpt.txt', 'pihole-api'],
    ['pihole-ftl-issue2551.etc-pihole-dhcp.leases', 'dnsmasq'],
    ['pihole-ftl-issue2723.long-hwaddr.dhcp.leases', 'dnsmasq'],
  ])('%s -> %s', (file, format) => {
    expect(detectLeaseFormat(readFileSync(corpus + file, 'utf8'))).toBe(format);
  });

  it('readLeaseFile detects and parses a real file', async () => {
    const r = await readLeaseFile(corpus + 'isc-dhcpd.pfsense.leases');
    expect(r.format).toBe('isc');
    expect(r.leases.map((l) => l.mac)).toEqual(['64:5a:04:6a:07:a2', '14:da:e9:04:c8:a3']);
    expect(r.size).toBe(724);
  });

  it('readLeaseFile turns the truncated API excerpt into a SourceError naming the file', async () => {
    const file = corpus + 'pihole-ftl-issue2551.api-dhcp-leases.response-excerpt.txt';
    await expect(readLeaseFile(file)).rejects.toMatchObject({ name: 'SourceError', file, line: 13 });
  });
});

describe('detection and dispatch', () => {
  it.each([
    ['', undefined],
    ['# nothing yet\n', undefined],
    ['hello world\n', undefined],
    ['duid 00:01:00:01:2f:2e:7d:71\n', 'dnsmasq'],
    ['1700000000 aa:bb:cc:dd:ee:ff 10.0.0.1 * *\n', 'dnsmasq'],
    ['address,hwaddr,client_id,valid_lifetime,expire,subnet_id,fqdn_fwd,fqdn_rev,hostname,state\n', 'kea'],
    ['lease 10.0.0.1 {\n}\n', 'isc'],
    ['{"leases":[],"took":0.1}', 'pihole-api'],
  ])('%j -> %s', (text, format) => {
    expect(detectLeaseFormat(text)).toBe(format);
  });

  it('an empty file is an empty lease list; an unknown one is a SourceError', () => {
    expect(parseLeases('\n\n', { referenceTs: 0, file: 'x' })).toEqual({ format: undefined, leases: [], skipped: {}, errors: [] });
    expect(() => parseLeases('hello world\n', { referenceTs: 0, file: 'x.txt' })).toThrow(/x\.txt: not a lease file/);
  });

  it('an explicit format skips detection', () => {
    const r = parseLeases('{"leases":[]}', { format: 'dnsmasq', referenceTs: 0, file: 'x' });
    expect(r.format).toBe('dnsmasq');
    expect(r.skipped).toEqual({ field_count: 1 });
  });

  it('dispatches the fixtures to their parsers', () => {
    const api = parseLeases(readFileSync(fixtures + 'pihole-api-leases.json', 'utf8'), { referenceTs: 0, file: 'a' });
    expect([api.format, api.leases.length]).toEqual(['pihole-api', 3]);
    const kea = parseLeases(readFileSync(fixtures + 'kea-journal.csv', 'utf8'), { referenceTs: 0, file: 'k' });
    expect([kea.format, kea.leases.length]).toEqual(['kea', 4]);
  });
});

describe('readLeaseFile on bad files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nfmon-leases-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('a missing file is a SourceError naming it', async () => {
    const path = join(dir, 'nope.leases');
    const err = await readLeaseFile(path).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SourceError);
    expect(err).toMatchObject({ file: path, message: `${path}: lease file not found` });
  });

  it('binary data is refused, saying what it looks like', async () => {
    const path = join(dir, 'garbage.leases');
    writeFileSync(path, Buffer.from([0x31, 0x37, 0x00, 0xff, 0xd4, 0xc3, 0xb2, 0xa1]));
    await expect(readLeaseFile(path)).rejects.toMatchObject({ name: 'SourceError', file: path, message: `${path}: this looks like binary data, not a lease file` });
    const log = join(dir, 'pihole.log');
    writeFileSync(log, 'Nov 22 20:15:01 dnsmasq[812]: query[A] www.netflix.com from 192.168.1.42\n'.repeat(3));
    await expect(readLeaseFile(log)).rejects.toThrow(`${log}: this looks like a Pi-hole query log, not a lease file (give it with --pihole-log)`);
  });

  it('a Latin-1 host name keeps its lease, and a line with a NUL costs only that line', async () => {
    const path = join(dir, 'latin.leases');
    const lines = [
      Buffer.from('1732312800 aa:bb:cc:dd:ee:01 192.168.1.42 caf'), Buffer.from([0xe9]), Buffer.from(' *\n'),
      Buffer.from('1732312800 aa:bb:cc:dd:ee:02 192.168.1.43 k\u00fcche *\n'),
      Buffer.from('1732312800 aa:bb:cc:dd:ee:03 192.168.1.44 nul\0host *\n'),
      Buffer.from('1732312800 aa:bb:cc:dd:ee:04 192.168.1.45 tv *\n'),
    ];
    writeFileSync(path, Buffer.concat(lines));
    const r = await readLeaseFile(path);
    expect(r.leases.map((l) => [l.mac, l.hostname])).toEqual([
      ['aa:bb:cc:dd:ee:01', 'caf\u00e9'],
      ['aa:bb:cc:dd:ee:02', 'k\u00fcche'],
      ['aa:bb:cc:dd:ee:04', 'tv'],
    ]);
    expect(r.skipped).toEqual({ binary: 1 });
    expect(r.errors).toEqual([{ line: 3, reason: 'binary', detail: 'NUL byte in the line' }]);
  });

  it('a file above the size cap is refused without reading it', async () => {
    const path = join(dir, 'huge.leases');
    writeFileSync(path, '');
    truncateSync(path, MAX_LEASE_FILE_BYTES + 1);
    await expect(readLeaseFile(path)).rejects.toThrow(/too big for a lease file/);
  });

  it('a directory is refused', async () => {
    await expect(readLeaseFile(dir)).rejects.toThrow(/not a regular file/);
  });

  it('relative expiries count from the file mtime unless told otherwise', async () => {
    const path = join(dir, 'dhcp.leases');
    writeFileSync(path, '43200 5a:f6:ee:96:d1:11 10.0.0.168 * *\n');
    const mtime = Date.UTC(2026, 10, 22, 1, 0, 0);
    utimesSync(path, mtime / 1000, mtime / 1000);
    const byMtime = await readLeaseFile(path);
    expect(byMtime.mtimeMs).toBe(mtime);
    expect(byMtime.leases[0]?.end).toBe(mtime + 43_200_000);
    const byRef = await readLeaseFile(path, { referenceTs: 5_000 });
    expect(byRef.leases[0]?.end).toBe(5_000 + 43_200_000);
  });
});

describe('time bounds (found by npm run fuzz)', () => {
  it('telling the format of 60,000 empty lines takes milliseconds, not seconds', () => {
    const started = performance.now();
    expect(detectLeaseFormat('\n'.repeat(60_000))).toBeUndefined();
    expect(detectLeaseFormat(`${'\n'.repeat(60_000)}lease 10.0.0.1 {\n}\n`)).toBe('isc');
    expect(performance.now() - started).toBeLessThan(500);
  });
});
