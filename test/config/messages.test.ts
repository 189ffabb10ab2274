// Issue 16, messages: every kind of config problem in the user's words, naming the key, the form
// expected with an example and what was given; never zod's wording, never a secret's value.
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, parseConfigText, validateConfig } from '../../src/config/load.js';
import { secretWarnings } from '../../src/config/secrets.js';

function problemsOf(yaml: string): readonly string[] {
  try {
    parseConfigText(yaml, 'test.yaml');
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

/** Phrases of zod's own messages ("Invalid input: expected number, received string"). */
const ZOD_WORDING = /Invalid input|Invalid option|Invalid URL|Invalid string|Too small|Too big|received|expected \w+ to (be|have)|>=|<=/;

describe('one line per zod issue kind', () => {
  it.each([
    // invalid_type
    ['rules:\n  max_concurrent_streams: two', 'rules.max_concurrent_streams: expected a number, such as 2; got text ("two") (write it without quotes)'],
    ['rules:\n  max_concurrent_streams: 2.5', 'rules.max_concurrent_streams: expected a whole number, such as 2; got the number 2.5'],
    ['captures:\n  keep: yes', 'captures.keep: expected true or false, such as false; got text ("yes")'],
    ['leases:\n  files: /etc/pihole/dhcp.leases', 'leases.files: expected a list ([a, b], or one "- item" per line), such as [/etc/pihole/dhcp.leases]; got text ("/etc/pihole/dhcp.leases")'],
    ['pihole: /var/log/pihole.log', 'pihole: expected a mapping of keys (one "key: value" per line, indented); got text ("/var/log/pihole.log")'],
    ['rules:\n  quiet_hours: 5', 'rules.quiet_hours: expected text, such as "00:00-06:00"; got the number 5 (put it in quotes)'],
    ['rules:', 'rules: is empty: give its keys, or remove the line'],
    ['services:\n  - domains: [disneyplus.com]', 'services.0.name: missing: give text, such as disney_plus'],
    // too_small / too_big
    ['rules:\n  max_concurrent_streams: 0', 'rules.max_concurrent_streams: must be at least 1, such as 2; got the number 0'],
    ['sessions:\n  hd_mbps: 0', 'sessions.hd_mbps: must be more than 0, such as 3; got the number 0'],
    ['rules:\n  max_concurrent_streams: 1e300', 'rules.max_concurrent_streams: must be at most 9007199254740991, such as 2; got the number 1e+300'],
    ['database: ""', 'database: must not be empty, such as /var/lib/nfmon/nfmon.db'],
    ['services:\n  - name: disney_plus\n    domains: []', 'services.0.domains: needs at least one entry, such as [disneyplus.com, bamgrid.com]'],
    // invalid_value (enum), with a suggestion when it is a typo
    ['log_level: verbose', 'log_level: expected one of debug, info, warn, error; got text ("verbose")'],
    ['log_level: wran', 'log_level: expected one of debug, info, warn, error; got text ("wran") (did you mean "warn"?)'],
    ['devices:\n  - mac: aa:bb:cc:dd:ee:ff\n    trust: friend', 'devices.0.trust: expected one of unknown, known, trusted; got text ("friend")'],
    // invalid_format
    ['leases:\n  urls: [pi.hole]', 'leases.urls.0: expected a URL, such as http://pi.hole/api/dhcp/leases'],
    ['devices:\n  - mac: nonsense', 'devices.0.mac: expected a MAC address like aa:bb:cc:dd:ee:ff'],
    // custom (our refinements)
    ['homeassistant:\n  url: "http://[::1"', 'homeassistant.url: expected the base URL as in the browser, http(s)://host:8123'],
    ['sessions:\n  gap: soon', 'sessions.gap: expected a duration such as 90s, 10m, 24h or 7d'],
    // unrecognized_keys
    ['rules:\n  quiet_hour: "00:00-06:00"', 'rules.quiet_hour: unknown key (did you mean "quiet_hours"?)'],
  ])('%j', (yaml, problem) => {
    const problems = problemsOf(yaml);
    expect(problems).toContain(problem);
    for (const p of problems) expect(p).not.toMatch(ZOD_WORDING);
  });

  it('a config with every mistake at once: no line in zod words, each names its key', () => {
    const problems = problemsOf(
      [
        'timezone: 5', 'database: ""', 'log_level: loud', 'pihole: [x]', 'leases: {files: x, urls: [1], lease_time: soon, poll: 5}',
        'captures: {keep: 1, idle: x}', 'sessions: {gap: x, hd_mbps: "3", uhd_mbps: -1, min_video_bytes: 0.5}',
        'rules: {quiet_hours: x, max_concurrent_streams: "", unknown_device: no, daily_summary: 8}',
        'devices: [{mac: 1, name: "", trust: 3, quiet_hours: x, ip: 5, color: red}]',
        'services: [{name: "Disney+", domains: x}]', 'retention: {events: -1}',
        'homeassistant: {url: x, token: 5, token_file: [], notify: y, event: maybe}',
        'viewing_activity: {store_titles: 0, tolerance: x, home_country: nl}', 'extra: 1',
      ].join('\n'),
    );
    expect(problems.length).toBeGreaterThan(25);
    for (const p of problems) {
      expect(p).not.toMatch(ZOD_WORDING);
      expect(p).toMatch(/^[a-z_]+(\.[a-z_0-9]+)*: /);
    }
  });
});

describe('secrets stay out of messages', () => {
  it('a token starting with * (a YAML alias) is named by key and line, never printed', () => {
    const problems = problemsOf('homeassistant:\n  url: http://ha:8123\n  token: *eyJhbGciOiJIUzI1NiJ9.c2VjcmV0\n');
    expect(problems).toEqual(['homeassistant.token: line 3: a value starting with "*" is read as a YAML alias (a reference to an &anchor); put the value in quotes']);
    expect(problems.join('')).not.toContain('eyJhbGci');
  });

  it('a token of the wrong type is described, not shown', () => {
    const problems = problemsOf('homeassistant:\n  token: 123456789\n');
    expect(problems).toEqual(['homeassistant.token: expected text; got a number (put it in quotes)']);
  });

  it('an alias bomb is refused without expanding it', () => {
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x]', ...'bcdefghij'.split('').map((c, i) => `${c}: &${c} [${Array(9).fill(`*${'abcdefghij'[i]}`).join(', ')}]`)].join('\n');
    expect(problemsOf(bomb)).toEqual(['cannot be read as YAML (too many or unresolved aliases)']);
  });
});

describe('config files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nfmon-config-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('a directory given as the config says so', () => {
    expect(() => loadConfig(dir)).toThrow(ConfigError);
    try {
      loadConfig(dir);
    } catch (err) {
      expect((err as ConfigError).problems).toEqual(['is a directory, not a config file (give the YAML file itself, e.g. /etc/nfmon/config.yaml)']);
    }
  });

  it('warns about each secret readable by every user, naming the file and the fix', () => {
    const token = join(dir, 'ha-token');
    const password = join(dir, 'pihole-password');
    const config = join(dir, 'config.yaml');
    writeFileSync(token, 'secret\n');
    writeFileSync(password, 'secret\n');
    writeFileSync(config, 'homeassistant:\n  token: inline-secret\n');
    chmodSync(token, 0o644);
    chmodSync(password, 0o640);
    chmodSync(config, 0o644);
    const c = validateConfig({ homeassistant: { token_file: token, token: 'x' }, leases: { password_file: password } }, config);
    expect(secretWarnings(c, config)).toEqual([
      `${token} (homeassistant.token_file) is readable by every user of this machine: chmod 640 ${token}`,
      `${config} holds homeassistant.token and is readable by every user of this machine: chmod 640 ${config} (or move the secret to a file: homeassistant.token_file)`,
    ]);
    chmodSync(token, 0o640);
    chmodSync(config, 0o600);
    expect(secretWarnings(c, config)).toEqual([]);
    // Keys of later features are checked as soon as a config has them.
    const later = { ...c, mqtt: { password_file: token } } as unknown as typeof c;
    expect(secretWarnings(later, config, () => 0o100644)).toContain(`${token} (mqtt.password_file) is readable by every user of this machine: chmod 640 ${token}`);
  });
});

describe('time bounds (found by npm run fuzz)', () => {
  it('a config over 64 kB is refused unread', () => {
    expect(problemsOf('#'.repeat(70_000))).toEqual(['is 70000 characters, too large for a config file (limit 65536)']);
  });

  it('a long line of YAML errors is reported in a moment, the first five of them', () => {
    const started = performance.now();
    const problems = problemsOf(`rules:\n  quiet_hours: ${'"'.repeat(60_000)}\n`);
    expect(performance.now() - started).toBeLessThan(5000);
    expect(problems).toHaveLength(6);
    expect(problems[5]).toMatch(/^\.\.\. and \d+ more YAML errors$/);
  });
});
