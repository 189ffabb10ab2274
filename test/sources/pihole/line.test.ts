import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { normalizeQtype, parsePiholeLine, type PiholeAnswerLine, type PiholeQueryLine } from '../../../src/sources/pihole/line.js';

const corpus = fileURLToPath(new URL('../../../../shared/corpus/', import.meta.url));
const samples = `${corpus}pihole/pihole-log-samples.txt`;

function realLines(): string[] {
  return readFileSync(samples, 'utf8')
    .split('\n')
    .filter((l) => l !== '' && !l.startsWith('#'));
}

function query(line: string): PiholeQueryLine {
  const r = parsePiholeLine(line);
  if (r.kind !== 'query') throw new Error(`not a query: ${JSON.stringify(r)}`);
  return r;
}

function answer(line: string): PiholeAnswerLine {
  const r = parsePiholeLine(line);
  if (r.kind !== 'answer') throw new Error(`not an answer: ${JSON.stringify(r)}`);
  return r;
}

function skip(line: string): string {
  const r = parsePiholeLine(line);
  return r.kind === 'skip' ? r.reason : `parsed as ${r.kind}`;
}

describe.skipIf(!existsSync(samples))('parsePiholeLine on the corpus samples (skipped: ../shared/corpus not found)', () => {
  it('parses or deliberately skips every one of the 139 real lines, none malformed', () => {
    const tally: Record<string, number> = {};
    const lines = realLines();
    for (const line of lines) {
      const r = parsePiholeLine(line);
      const key = r.kind === 'skip' ? r.reason : r.kind === 'query' ? 'query' : `answer:${r.source}`;
      tally[key] = (tally[key] ?? 0) + 1;
      expect(r.kind === 'skip' ? r.reason : 'ok', line).not.toMatch(/malformed|binary/);
    }
    expect(lines).toHaveLength(139);
    // Counted by hand from the annotated blocks A-N.
    expect(tally).toEqual({
      query: 28,
      'answer:reply': 30,
      'answer:cached': 22,
      'answer:cached-stale': 1,
      'answer:config': 6,
      'answer:blocked': 4,
      'answer:hosts': 2,
      forwarded: 15,
      startup: 9,
      not_dns: 11,
      no_timestamp: 6,
      dhcp: 2,
      dnssec: 2,
      truncated: 1,
    });
  });

  it('[B] a v2-v4 list-file block with a blank-padded day', () => {
    const r = answer('Jan  1 00:46:21 dnsmasq[591]: /etc/pihole/gravity.list pubads.g.doubleclick.net is 192.168.1.100');
    expect(r).toMatchObject({
      stamp: { month: 1, day: 1, hour: 0, minute: 46, second: 21 },
      source: 'blocked',
      blocked: true,
      reason: '/etc/pihole/gravity.list',
      name: 'pubads.g.doubleclick.net',
      value: '192.168.1.100',
      valueKind: 'ipv4',
      ptr: false,
    });
    expect(r.stamp.year).toBeUndefined();
  });

  it('[B] hostname.list answers are local, not blocks; its PTR answer swaps sides', () => {
    expect(answer('Dec 19 11:45:30 dnsmasq[3072]: /etc/pihole/hostname.list pi.hole is 1.2.3.4')).toMatchObject({
      source: 'hosts',
      blocked: false,
      reason: '/etc/pihole/hostname.list',
      name: 'pi.hole',
      value: '1.2.3.4',
    });
    expect(answer('Dec 19 11:21:58 dnsmasq[2584]: /etc/pihole/hostname.list 1.2.3.4 is pi.hole')).toMatchObject({
      name: '1.2.3.4',
      value: 'pi.hole',
      ptr: true,
      valueKind: 'name',
    });
  });

  it('[A][B][F] IPv6 clients, CNAME, NODATA-IPv6 and NXDOMAIN answers', () => {
    expect(query('Apr 10 10:24:14 dnsmasq[600]: query[AAAA] www.google-analytics.com from 2601:49:4101:cee8:d94b:1e8e:77e:9890')).toEqual({
      kind: 'query',
      stamp: { month: 4, day: 10, hour: 10, minute: 24, second: 14 },
      qtype: 'AAAA',
      name: 'www.google-analytics.com',
      client: '2601:49:4101:cee8:d94b:1e8e:77e:9890',
    });
    expect(answer('Apr 10 10:24:14 dnsmasq[600]: cached www.google-analytics.com is <CNAME>')).toMatchObject({ source: 'cached', valueKind: 'cname' });
    expect(answer('Apr 10 10:24:14 dnsmasq[600]: reply www-google-analytics.l.google.com is 2607:f8b0:4006:806::200e')).toMatchObject({
      value: '2607:f8b0:4006:806::200e',
      valueKind: 'ipv6',
      ptr: false,
    });
    expect(answer('Jan  1 00:46:21 dnsmasq[591]: reply partnerad.l.doubleclick.net is NODATA-IPv6').valueKind).toBe('nodata');
    expect(answer('Dec 23 00:00:13 dnsmasq[212348]: cached lb1040.hubic.ovh.net.lan is NXDOMAIN')).toMatchObject({
      name: 'lb1040.hubic.ovh.net.lan',
      valueKind: 'nxdomain',
    });
  });

  it('[E] PTR answers from cache and upstream put the address first', () => {
    expect(answer('Dec  2 01:00:00 dnsmasq[6527]: cached 139.162.60.27 is li1473-27.members.linode.com')).toMatchObject({
      stamp: { month: 12, day: 2, hour: 1, minute: 0, second: 0 },
      name: '139.162.60.27',
      value: 'li1473-27.members.linode.com',
      ptr: true,
    });
    expect(query('Dec  2 01:00:00 dnsmasq[6527]: query[PTR] 9.64.73.184.in-addr.arpa from 127.0.0.1').qtype).toBe('PTR');
  });

  it('[G][K] config TXT answers and the truncated-reply notice', () => {
    expect(answer('Aug 14 14:47:53 dnsmasq[261]: config servers.bind is <TXT>')).toMatchObject({ source: 'config', valueKind: 'rr' });
    expect(skip('Jan 18 09:43:59 dnsmasq[2141]: reply is truncated')).toBe('truncated');
  });

  it('[B][C][H][M] skips translated status, startup, dhcp, dnssec and syslog noise with their reason', () => {
    expect(skip('Dec 19 11:25:14 dnsmasq[3072]: /etc/hosts gelesen - 5 Adressen')).toBe('not_dns');
    expect(skip('Mar 27 07:07:03 dnsmasq[19741]: started, version pi-hole-2.80 cachesize 10000')).toBe('startup');
    expect(skip('Mar 27 07:07:03 dnsmasq[19741]: failed to load names from /etc/pihole/local.list: No such file or directory')).toBe('startup');
    expect(skip('Mar  6 06:17:23 dnsmasq-dhcp[703]: DHCPACK(wlan0) 192.168.2.193 00:04:a3:3a:cf:a2')).toBe('dhcp');
    expect(skip('Mar  6 06:17:23 dnsmasq[703]: dnssec-query[DS] com to 84.200.69.80')).toBe('dnssec');
    expect(skip('Mar  6 06:17:23 dnsmasq[703]: forwarded A2.CF.3A.0004A3.keys.sensornet.info to 84.200.69.80')).toBe('forwarded');
    expect(skip('Mar 20 20:01:36 Monkeebutt dnsmasq[42427]: FAILED to start up')).toBe('startup');
    expect(skip('Mar 20 20:01:36 Monkeebutt pihole-FTL[42427]: dnsmasq: unknown interface eth0')).toBe('not_dns');
  });

  it('[I] log-queries=extra lines: serial and client/port (with the stamp the poster stripped)', () => {
    expect(skip('dnsmasq: 1712 10.0.78.42/60678 query[AAAA] registry.redhat.io from 10.0.78.42')).toBe('no_timestamp');
    const stamp = 'Nov 11 09:12:01 dnsmasq[703]: ';
    expect(query(`${stamp}1712 10.0.78.42/60678 query[AAAA] registry.redhat.io from 10.0.78.42`)).toMatchObject({
      extra: { serial: 1712, peer: '10.0.78.42', port: 60678 },
      qtype: 'AAAA',
      name: 'registry.redhat.io',
      client: '10.0.78.42',
    });
    expect(answer(`${stamp}1712 10.0.78.42/60678 reply registry.redhat.io.edgekey.net is <CNAME>`)).toMatchObject({
      extra: { serial: 1712, port: 60678 },
      name: 'registry.redhat.io.edgekey.net',
      valueKind: 'cname',
    });
    expect(answer(`${stamp}1713 10.0.78.42/33376 /etc/pihole/black.list registry.redhat.io is 172.18.124.15`)).toMatchObject({
      extra: { serial: 1713, port: 33376 },
      blocked: true,
      reason: '/etc/pihole/black.list',
    });
  });

  it('[J] v6 log-queries=proto prefix, and the hand-typed double space before the day', () => {
    expect(query('Dec  21 16:31:31 dnsmasq[2281585]: UDP 436 127.0.0.1/36363 query[PTR] 1.2.168.192.in-addr.arpa from 127.0.0.1')).toEqual({
      kind: 'query',
      stamp: { month: 12, day: 21, hour: 16, minute: 31, second: 31 },
      extra: { serial: 436, peer: '127.0.0.1', port: 36363, proto: 'UDP' },
      qtype: 'PTR',
      name: '1.2.168.192.in-addr.arpa',
      client: '127.0.0.1',
    });
  });

  it('[L] the web UI copy: ISO stamp with year and ms, link-local client, HTTPS query, cached-stale', () => {
    expect(query('2025-06-28 08:47:18.383 query[HTTPS] api.individual.githubcopilot.com from fe80::91aa:e39e:fe27:13bf')).toEqual({
      kind: 'query',
      stamp: { year: 2025, ms: 383, month: 6, day: 28, hour: 8, minute: 47, second: 18 },
      qtype: 'HTTPS',
      name: 'api.individual.githubcopilot.com',
      client: 'fe80::91aa:e39e:fe27:13bf',
    });
    expect(answer('2025-06-28 08:47:18.380 cached-stale github.com is 140.82.113.3')).toMatchObject({ source: 'cached-stale', value: '140.82.113.3' });
    expect(skip('2025-06-28 08:47:18.396 New cache record 3566 api.individual.githubcopilot.com')).toBe('not_dns');
  });
});

// The v5/v6 blocking verbs and rarer value forms as FTL's source writes them (the corpus has no
// verbatim v6 blocking line; see SOURCES.md section 4).
describe('parsePiholeLine on the grammar from FTL source', () => {
  const ts = 'Nov 22 05:56:33 dnsmasq[812]: ';

  it.each([
    ['gravity blocked ads.example.com is 0.0.0.0', 'gravity blocked', 'ads.example.com', '0.0.0.0'],
    ['gravity blocked (CNAME) www.example.com is ::', 'gravity blocked (CNAME)', 'www.example.com', '::'],
    ['regex blacklisted tracker.example.net is 0.0.0.0', 'regex blacklisted', 'tracker.example.net', '0.0.0.0'],
    ['exactly blacklisted bad.example.org is 0.0.0.0', 'exactly blacklisted', 'bad.example.org', '0.0.0.0'],
    ['exactly denied bad.example.org is NXDOMAIN', 'exactly denied', 'bad.example.org', 'NXDOMAIN'],
    ['regex denied (CNAME) a.example.org is 0.0.0.0', 'regex denied (CNAME)', 'a.example.org', '0.0.0.0'],
    ['special domain use-application-dns.net is NXDOMAIN', 'special domain', 'use-application-dns.net', 'NXDOMAIN'],
    ['Mozilla canary domain use-application-dns.net is NXDOMAIN', 'Mozilla canary domain', 'use-application-dns.net', 'NXDOMAIN'],
    ['blocked upstream with NULL address ads.example.com is 0.0.0.0', 'blocked upstream with NULL address', 'ads.example.com', '0.0.0.0'],
    ['blocked upstream with EDE15 ads.example.com is NXDOMAIN', 'blocked upstream with EDE15', 'ads.example.com', 'NXDOMAIN'],
  ])('%s', (message, reason, name, value) => {
    expect(answer(ts + message)).toMatchObject({ source: 'blocked', blocked: true, reason, name, value });
  });

  it('local answers are not blocks', () => {
    expect(answer(`${ts}Pi-hole hostname pi.hole is 192.168.1.2`)).toMatchObject({ source: 'pihole', blocked: false, name: 'pi.hole' });
    expect(answer(`${ts}DHCP tv.lan is 192.168.1.42`)).toMatchObject({ source: 'dhcp', name: 'tv.lan', value: '192.168.1.42' });
    expect(skip(`${ts}DHCP, IP range 192.168.1.100 -- 192.168.1.200, lease time 1d`)).toBe('dhcp');
  });

  it('EDE note, rcode text, numeric types, dnssec records, CRLF', () => {
    expect(answer(`${ts}reply ads.example.com is NXDOMAIN (EDE: blocked)`)).toMatchObject({ value: 'NXDOMAIN', note: 'EDE: blocked', valueKind: 'nxdomain' });
    expect(answer(`${ts}reply example.com is SERVFAIL`).valueKind).toBe('rcode');
    expect(query(`${ts}query[type=65] www.netflix.com from 192.168.1.42`).qtype).toBe('HTTPS');
    expect(normalizeQtype('type=99')).toBe('type=99');
    expect(skip(`${ts}reply com is DS keytag 19718, algo 13, digest 2`)).toBe('dnssec');
    expect(skip(`${ts}validation result is SECURE`)).toBe('dnssec');
    expect(query(`${ts}query[A] www.netflix.com from 192.168.1.42\r`).client).toBe('192.168.1.42');
  });

  it('names what it cannot use', () => {
    expect(skip('')).toBe('blank');
    expect(skip(`${ts}query[A] www.netflix.com`)).toBe('malformed');
    expect(skip(`${ts}reply www.netflix.com`)).toBe('malformed');
    expect(skip('Xyz 22 05:56:33 dnsmasq[812]: query[A] a.b from 1.2.3.4')).toBe('malformed');
    expect(skip('Nov 22 25:56:33 dnsmasq[812]: query[A] a.b from 1.2.3.4')).toBe('malformed');
    expect(skip('\u0000\u0001\u0002garbage\u0000')).toBe('binary');
    expect(skip('Nov 22 05:56:33 myhost kernel: [12.3] eth0 up')).toBe('other_program');
    expect(skip(`${ts}reply query is duplicate`)).toBe('duplicate');
  });
});
