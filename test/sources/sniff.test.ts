// sniff.ts: what a file looks like from its first bytes, on files made by real programs
// (../shared/corpus) and on hand-made ones.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { refusal, sniffContent, type ContentKind } from '../../src/sources/sniff.js';

const corpus = fileURLToPath(new URL('../../../shared/corpus/', import.meta.url));
const fixtures = fileURLToPath(new URL('../../fixtures/', import.meta.url));
const head = (path: string): Buffer => readFileSync(path).subarray(0, 16 * 1024);

describe('hand-made and fixture files', () => {
  it.each<[string, Buffer | string, ContentKind]>([
    ['empty', '', 'empty'],
    ['the demo log', head(join(fixtures, 'household', 'pihole.log')), 'pihole-log'],
    ['the demo leases', head(join(fixtures, 'household', 'dhcp.leases')), 'dnsmasq-leases'],
    ['Kea CSV', head(join(fixtures, 'leases', 'kea-journal.csv')), 'kea-leases'],
    ['ISC dhcpd', head(join(fixtures, 'leases', 'isc-journal.leases')), 'isc-leases'],
    ['Pi-hole API JSON', head(join(fixtures, 'leases', 'pihole-api-leases.json')), 'pihole-api-leases'],
    ['ViewingActivity.csv', head(join(fixtures, 'viewing', 'ViewingActivity.csv')), 'viewing-activity'],
    ['NetflixViewingHistory.csv', head(join(fixtures, 'viewing', 'NetflixViewingHistory-nl.csv')), 'viewing-history'],
    ['an ELF program', head(join(fixtures, 'bad', 'binary.log')), 'executable'],
    ['gzip', gzipSync('x'), 'gzip'],
    ['SQLite', Buffer.from('SQLite format 3\u0000rest'), 'sqlite'],
    ['UTF-16 with BOM', Buffer.from('\ufeffProfile Name,Start Time', 'utf16le'), 'utf16'],
    ['random bytes', Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 256)), 'binary'],
    ['a NUL run before log lines (power cut)', Buffer.concat([Buffer.alloc(5000), head(join(fixtures, 'household', 'pihole.log'))]), 'pihole-log'],
    ['nothing but NUL bytes', Buffer.alloc(4096), 'text'],
    ['a log with a Latin-1 byte', Buffer.from('Nov 22 20:15:01 dnsmasq[812]: query[A] caf\u00e9.com from 192.168.1.2\n'.repeat(5), 'latin1'), 'pihole-log'],
    ['syslog of another program', 'Nov 22 20:15:01 host sshd[812]: Accepted key\n'.repeat(3), 'pihole-log'],
    ['prose', 'Dear diary,\ntoday I watched Netflix.\n', 'text'],
  ])('%s', (_name, bytes, kind) => {
    expect(sniffContent(typeof bytes === 'string' ? Buffer.from(bytes) : bytes)).toBe(kind);
  });

  it('refuses only what clearly is another kind, naming it and the option that reads it', () => {
    const leases = head(join(fixtures, 'household', 'dhcp.leases'));
    expect(refusal('f', leases, ['pihole-log'], 'a Pi-hole query log')).toBe('f: this looks like a dnsmasq lease file, not a Pi-hole query log (give it with --leases)');
    expect(refusal('f', gzipSync('x'), ['viewing-activity'], 'a Netflix export')).toBe('f: this looks like gzip-compressed data, not a Netflix export (decompress it first)');
    expect(refusal('f', Buffer.from('Dear diary,\n'), ['pihole-log'], 'a log')).toBeUndefined();
    expect(refusal('f', Buffer.alloc(0), ['pihole-log'], 'a log')).toBeUndefined();
  });
});

describe.skipIf(!existsSync(corpus))('files made by real programs (skipped: ../shared/corpus not found)', () => {
  const files = (dir: string, pattern: RegExp): string[] =>
    existsSync(join(corpus, dir)) ? readdirSync(join(corpus, dir)).filter((f) => pattern.test(f)).map((f) => join(corpus, dir, f)) : [];

  it('every capture of tcpdump, nDPI and Zeek is a capture', () => {
    const caps = [...files('ndpi', /\.(pcap|pcapng|cap)$/), ...files('tcpdump', /\.(pcap|pcapng)$/), ...files('zeek', /\.(pcap|pcapng)$/)];
    expect(caps.length).toBeGreaterThan(10);
    for (const f of caps) expect(['pcap', 'pcapng'], f).toContain(sniffContent(head(f)));
  });

  it('every lease file is a lease file of its server', () => {
    const expected: [RegExp, ContentKind][] = [[/isc-dhcpd/, 'isc-leases'], [/^kea/, 'kea-leases'], [/dhcp.leases$|dnsmasq.leases$/, 'dnsmasq-leases']];
    for (const f of files('dhcp-leases', /./)) {
      const name = f.split('/').at(-1) ?? '';
      const want = expected.find(([re]) => re.test(name))?.[1];
      if (want) expect(sniffContent(head(f)), name).toBe(want);
    }
  });
});
