import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { SourceError } from '../../../src/sources/errors.js';
import { OuiDatabase, lookupVendor, lookupVendors, vendorKeys } from '../../../src/sources/oui/vendors.js';

const mini = fileURLToPath(new URL('../../../fixtures/oui/mini-oui.json', import.meta.url));

describe('vendor lookup on the installed IEEE list (oui-data)', () => {
  it.each([
    ['b8:27:eb:12:34:56', 'Raspberry Pi Foundation'],
    ['DC-A6-32-00-00-01', 'Raspberry Pi Trading Ltd'],
    ['a4c3.6111.2233', 'Apple, Inc.'],
    ['d8:68:c3:00:00:01', 'Samsung Electronics Co.,Ltd'],
    ['3c:5a:b4:00:00:01', 'Google, Inc.'],
    // MA-M (7 hex digits) and MA-S (9) blocks win over the IEEE's own MA-L parent.
    ['10:06:48:0a:bc:de', 'FLEXTRONICS TECHNOLOGIES (INDIA) PVT LTD'],
    ['00:1b:c5:00:1a:bc', 'OpenRB.com, Direct SIA'],
    ['00:1b:c5:ff:fa:bc', 'IEEE Registration Authority'],
    // An escaped backslash and non-ASCII names decode.
    ['5c:f8:38:d0:00:01', 'Watts A\\S'],
    ['20:32:33:00:00:01', 'SHENZHEN BILIAN ELECTRONIC CO.，LTD'],
    // Randomized (locally administered), multicast, malformed, non-Ethernet: no vendor.
    ['da:a1:19:00:00:01', undefined],
    ['5a:f6:ee:96:d1:11', undefined],
    ['01:00:5e:00:00:fb', undefined],
    ['b8:27:eb:12:34:**', undefined],
    ['00:20:18:56:29:a5:ff:ee:dd:bb:cc:aa', undefined],
  ])('%s -> %s', (mac, vendor) => {
    expect(lookupVendor(mac)).toBe(vendor);
  });

  it('lookupVendors answers a batch in one pass, keyed by the MACs as given', () => {
    const out = lookupVendors(['b8:27:eb:00:00:01', 'A4:C3:61:11:22:33', 'da:a1:19:00:00:01', 'nonsense']);
    expect([...out]).toEqual([
      ['b8:27:eb:00:00:01', 'Raspberry Pi Foundation'],
      ['A4:C3:61:11:22:33', 'Apple, Inc.'],
      ['da:a1:19:00:00:01', undefined],
      ['nonsense', undefined],
    ]);
  });
});

describe('OuiDatabase on a small list (fixtures/oui/mini-oui.json)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nfmon-oui-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('loads lazily, decodes escapes, prefers the longest prefix, and can release', () => {
    const db = new OuiDatabase(mini);
    expect(db.loaded).toBe(false);
    expect(db.lookup('b8:27:eb:00:00:01')).toBe('Raspberry Pi Foundation');
    expect(db.loaded).toBe(true);
    expect(db.lookup('70:b3:d5:ab:c1:23')).toBe('Small "Quoted" Maker');
    expect(db.lookup('70:b3:d5:00:00:01')).toBe('IEEE Registration Authority');
    expect(db.lookup('5c:f8:38:d0:00:01')).toBe('Watts A\\S');
    expect(db.lookup('f0:f0:f0:00:00:01')).toBe('Café Devices');
    expect(db.lookup('00:00:01:00:00:01')).toBeUndefined();
    db.release();
    expect(db.loaded).toBe(false);
  });

  it('load() reads ahead asynchronously', async () => {
    const db = new OuiDatabase(mini);
    await db.load();
    expect(db.loaded).toBe(true);
    expect(db.lookup('B8:27:EB:00:00:01')).toBe('Raspberry Pi Foundation');
  });

  it('lookupVendors on a given file', () => {
    expect(lookupVendors(['70:b3:d5:ab:c0:00', '70:b3:d5:ab:d0:00'], mini)).toEqual(
      new Map([
        ['70:b3:d5:ab:c0:00', 'Small "Quoted" Maker'],
        ['70:b3:d5:ab:d0:00', 'IEEE Registration Authority'],
      ]),
    );
  });

  it('a missing or malformed list is a SourceError, not a crash at a random place', async () => {
    const missing = join(dir, 'missing.json');
    expect(() => new OuiDatabase(missing).lookup('b8:27:eb:00:00:01')).toThrow(SourceError);
    await expect(new OuiDatabase(missing).load()).rejects.toBeInstanceOf(SourceError);
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{"B827EB": 42, "A4C361": "Apple"}');
    expect(() => lookupVendors(['b8:27:eb:00:00:01'], bad)).toThrow(/unexpected oui-data layout at offset 1/);
    // No lookup needed: the file is not even read.
    expect(lookupVendors(['da:a1:19:00:00:01'], missing)).toEqual(new Map([['da:a1:19:00:00:01', undefined]]));
  });

  it('vendorKeys: longest first; none for randomized or multicast', () => {
    expect(vendorKeys('00:1b:c5:00:1a:bc')).toEqual(['001BC5001', '001BC50', '001BC5']);
    expect(vendorKeys('02:00:00:00:00:01')).toBeUndefined();
    expect(vendorKeys('ff:ff:ff:ff:ff:ff')).toBeUndefined();
  });
});
