import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { SourceError } from '../../../src/sources/errors.js';
import { parsePiholeApiLeases } from '../../../src/sources/leases/pihole-api.js';

const corpus = fileURLToPath(new URL('../../../../shared/corpus/dhcp-leases/', import.meta.url));
const fixtures = fileURLToPath(new URL('../../../fixtures/leases/', import.meta.url));

function caught(fn: () => unknown): SourceError {
  try {
    fn();
  } catch (err) {
    if (err instanceof SourceError) return err;
    throw err;
  }
  throw new Error('expected a SourceError');
}

describe.skipIf(!existsSync(corpus))('Pi-hole API leases on the corpus (skipped: ../shared/corpus not found)', () => {
  it('the response cut off in issue 2551 is a SourceError at its last line, not a crash', () => {
    const file = 'pihole-ftl-issue2551.api-dhcp-leases.response-excerpt.txt';
    const text = readFileSync(corpus + file, 'utf8');
    const err = caught(() => parsePiholeApiLeases(text, { referenceTs: 0, file }));
    expect(err.file).toBe(file);
    expect(err.line).toBe(13);
    expect(err.offset).toBe(text.trimEnd().length);
    expect(err.message).toMatch(/^pihole-ftl-issue2551\.api-dhcp-leases\.response-excerpt\.txt:13: truncated JSON/);
    expect(err.cause).toBeInstanceOf(SyntaxError);
  });
});

describe('Pi-hole API leases (fixtures/leases/pihole-api-leases.json)', () => {
  const r = parsePiholeApiLeases(readFileSync(fixtures + 'pihole-api-leases.json', 'utf8'), { referenceTs: 0, file: 'api.json' });

  it('maps entries as the dhcp.leases lines they come from', () => {
    expect(r.leases).toEqual([
      { ip: '192.168.0.20', mac: 'b8:27:eb:12:34:56', hostname: 'raspberrypi', clientId: '01:b8:27:eb:12:34:56', end: 1795603600_000, family: 4 },
      { ip: '192.168.0.21', mac: 'a4:c3:61:ab:cd:ef', end: Infinity, family: 4 },
      { ip: '192.168.0.75', mac: '00:20:18:56:29:a5:ff:ee:dd:bb:cc:aa', end: 1795603100_000, family: 4, nonEthernet: true },
    ]);
  });

  it('skips the DHCPv6 entry (IAID in hwaddr) and reports the malformed entry by position', () => {
    expect(r.skipped).toEqual({ ipv6_no_mac: 1, bad_entry: 1 });
    expect(r.errors).toEqual([{ line: 5, reason: 'bad_entry', detail: expect.stringContaining('"soon"') as unknown }]);
  });

  it.each([
    ['an API error body', '{"error":{"key":"unauthorized","message":"Unauthorized","hint":null},"took":0.0001}', /returned an error: unauthorized \(Unauthorized\)/],
    ['no leases array', '{"took":0.1}', /no "leases" array/],
    ['no JSON at all', 'Bad Gateway', /no JSON object/],
    ['invalid JSON', '\n{"leases" []}', /api\.json:2: invalid JSON/],
    ['invalid JSON where the engine gives no position', '{"leases": [}]}', /api\.json: invalid JSON/],
  ])('%s is a SourceError', (_name, text, message) => {
    const err = caught(() => parsePiholeApiLeases(text, { referenceTs: 0, file: 'api.json' }));
    expect(err.message).toMatch(message);
    expect(err.file).toBe('api.json');
  });
});
