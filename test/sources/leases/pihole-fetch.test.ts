// Pi-hole v6 lease URLs, fetched against a loopback server that answers as FTL does
// (test/helpers/fake-pihole.ts): sign-in with the app password, the session id in the `sid`
// header, and every failure a SourceError that names the URL.
import { afterEach, describe, expect, it } from 'vitest';
import { SourceError } from '../../../src/sources/errors.js';
import { fetchPiholeLeases, fetchPiholeLeaseText } from '../../../src/sources/leases/pihole-fetch.js';
import { fakePihole, PIHOLE_PASSWORD, PIHOLE_SID, type FakePihole } from '../../helpers/fake-pihole.js';

const servers: FakePihole[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});
async function serve(leases: object[], body?: string): Promise<FakePihole> {
  const s = await fakePihole(leases, body);
  servers.push(s);
  return s;
}
const NOW = Date.UTC(2026, 10, 21, 20, 0, 0);

describe('fetchPiholeLeases', () => {
  it('signs in, sends the session id and parses the leases', async () => {
    const expires = NOW / 1000 + 3600;
    const pihole = await serve([
      { expires, hwaddr: 'aa:bb:cc:00:00:01', ip: '192.168.1.50', name: 'tv', clientid: '*' },
      { expires: 0, hwaddr: 'aa:bb:cc:00:00:02', ip: '192.168.1.51', name: '*', clientid: '*' },
    ]);
    const r = await fetchPiholeLeases(pihole.url, { password: PIHOLE_PASSWORD, referenceTs: NOW });
    expect(pihole.requests.map((q) => `${q.method} ${q.path} ${q.sid ?? '-'}`)).toEqual(['POST /api/auth -', `GET /api/dhcp/leases ${PIHOLE_SID}`]);
    expect(r.leases.map((l) => [l.ip, l.mac, l.hostname ?? null, l.end])).toEqual([
      ['192.168.1.50', 'aa:bb:cc:00:00:01', 'tv', expires * 1000],
      ['192.168.1.51', 'aa:bb:cc:00:00:02', null, Number.POSITIVE_INFINITY],
    ]);
  });

  it.each([
    ['a wrong password', 'wrong', 'Pi-hole refused the password (leases.password_file): HTTP 401'],
    ['no password where one is needed', undefined, 'Pi-hole wants a password (set leases.password_file)'],
  ])('%s is a SourceError naming the setting', async (_what, password, message) => {
    const pihole = await serve([]);
    const err = await fetchPiholeLeaseText(pihole.url, password === undefined ? {} : { password }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SourceError);
    expect(err).toMatchObject({ message, file: pihole.url });
  });

  it('an unreachable Pi-hole is a SourceError with the reason, not "fetch failed"', async () => {
    const pihole = await fakePihole([]);
    await pihole.close();
    const err = await fetchPiholeLeaseText(pihole.url, { password: PIHOLE_PASSWORD }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SourceError);
    expect((err as SourceError).message).toMatch(/ECONNREFUSED/);
    expect((err as SourceError).cause).toBeInstanceOf(Error);
  });

  it('a truncated answer is the parser\'s SourceError naming the URL', async () => {
    const pihole = await serve([], '{"leases":[{"expires":0,"hwaddr":"aa:bb');
    const err = await fetchPiholeLeases(pihole.url, { password: PIHOLE_PASSWORD, referenceTs: NOW }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SourceError);
    expect((err as SourceError).message).toContain(`${pihole.url}`);
    expect((err as SourceError).message).toMatch(/truncated JSON/);
  });
});
