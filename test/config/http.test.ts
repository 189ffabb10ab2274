// The dashboard's config: listen addresses, and a non-loopback one refused without a password file.
import { describe, expect, it } from 'vitest';
import { isLoopback, parseListen } from '../../src/config/http.js';
import { ConfigError, parseConfigText } from '../../src/config/load.js';

function problems(yaml: string): readonly string[] {
  try {
    parseConfigText(yaml, 'c.yaml');
    return [];
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
}

describe('http.listen', () => {
  it.each([
    ['127.0.0.1:8080', { host: '127.0.0.1', port: 8080 }, true],
    ['localhost:80', { host: 'localhost', port: 80 }, true],
    ['[::1]:8080', { host: '::1', port: 8080 }, true],
    ['127.9.9.9:1', { host: '127.9.9.9', port: 1 }, true],
    ['0.0.0.0:8080', { host: '0.0.0.0', port: 8080 }, false],
    [':8080', { host: '', port: 8080 }, false],
    ['[::]:8080', { host: '::', port: 8080 }, false],
    ['192.168.1.5:8080', { host: '192.168.1.5', port: 8080 }, false],
  ])('%s', (text, parsed, loopback) => {
    expect(parseListen(text)).toEqual(parsed);
    expect(isLoopback(parsed.host)).toBe(loopback);
  });

  it.each(['8080', '127.0.0.1', '127.0.0.1:99999', 'http://127.0.0.1:8080', '::1:8080'])('rejects %s', (text) => {
    expect(parseListen(text)).toBeUndefined();
  });
});

describe('http config validation', () => {
  it('is off by default', () => {
    expect(parseConfigText('{}', 'c.yaml').http).toEqual({});
  });

  it('accepts loopback without a password file, and any address with one', () => {
    expect(problems('http:\n  listen: 127.0.0.1:8080\n')).toEqual([]);
    expect(problems('http:\n  listen: 0.0.0.0:8080\n  password_file: /etc/nfmon/http-password\n')).toEqual([]);
  });

  it('refuses a LAN address without a password file, naming http.password_file', () => {
    expect(problems('http:\n  listen: 0.0.0.0:8080\n')).toEqual([
      'http.password_file: required when http.listen (0.0.0.0:8080) is not a loopback address: make one with nfmon passwd /etc/nfmon/http-password',
    ]);
    expect(problems('http:\n  listen: ":8080"\n')[0]).toMatch(/^http\.password_file: required/);
  });

  it('names a bad listen value and suggests a misspelt key', () => {
    expect(problems('http:\n  listen: 8080\n')).toEqual(['http.listen: expected text; got the number 8080 (put it in quotes)']);
    expect(problems('http:\n  listen: localhost\n')).toEqual(['http.listen: expected host:port, e.g. "127.0.0.1:8080", "[::1]:8080" or "0.0.0.0:8080"']);
    expect(problems('http:\n  lisen: 127.0.0.1:8080\n')).toEqual(['http.lisen: unknown key (did you mean "listen"?)']);
  });
});
