import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cachedConfig, cacheDir, rememberConfig } from '../../src/config/cache.js';
import { parseConfigText } from '../../src/config/load.js';

const dirs: string[] = [];
function env(): NodeJS.ProcessEnv {
  const d = mkdtempSync(join(tmpdir(), 'nfmon-cache-'));
  dirs.push(d);
  return { XDG_CACHE_HOME: d };
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const TEXT = 'timezone: Europe/Amsterdam\ndevices:\n  - mac: "aa:bb:cc:dd:ee:01"\n    name: TV\n';

describe('config cache', () => {
  it('answers with what was validated from the same text of the same file', () => {
    const e = env();
    const config = parseConfigText(TEXT, 'a.yaml');
    expect(cachedConfig('a.yaml', TEXT, e)).toBeUndefined();
    rememberConfig('a.yaml', TEXT, config, e);
    expect(cachedConfig('a.yaml', TEXT, e)).toEqual(config);
  });

  it('does not answer for another text or another file', () => {
    const e = env();
    rememberConfig('a.yaml', TEXT, parseConfigText(TEXT, 'a.yaml'), e);
    expect(cachedConfig('a.yaml', `${TEXT}# edited\n`, e)).toBeUndefined();
    expect(cachedConfig('b.yaml', TEXT, e)).toBeUndefined();
  });

  it('never copies an inline token out of the config', () => {
    const e = env();
    const text = `${TEXT}homeassistant:\n  url: http://ha.local:8123\n  token: secret-token\n`;
    rememberConfig('a.yaml', text, parseConfigText(text, 'a.yaml'), e);
    expect(cachedConfig('a.yaml', text, e)).toBeUndefined();
    const dir = cacheDir(e)!;
    const files = (() => {
      try {
        return readdirSync(dir);
      } catch {
        return [];
      }
    })();
    for (const f of files) expect(readFileSync(join(dir, f), 'utf8')).not.toContain('secret-token');
  });

  it('is off with NFMON_NO_CACHE=1 and without a home', () => {
    expect(cacheDir({ NFMON_NO_CACHE: '1', HOME: '/root' })).toBeUndefined();
    expect(cacheDir({})).toBeUndefined();
    expect(cacheDir({ HOME: '/home/x' })).toBe('/home/x/.cache/nfmon');
  });

  it('an entry that is not JSON is a miss, not an error', () => {
    const e = env();
    rememberConfig('a.yaml', TEXT, parseConfigText(TEXT, 'a.yaml'), e);
    const dir = cacheDir(e)!;
    for (const f of readdirSync(dir)) rmSync(join(dir, f));
    expect(cachedConfig('a.yaml', TEXT, e)).toBeUndefined();
  });
});
