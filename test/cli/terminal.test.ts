// What a person at a terminal sees: colour in tables and a progress line for a long ingest, both
// only on a TTY (util-linux `script` gives the CLI a real pseudo-terminal) and colour never with
// NO_COLOR (https://no-color.org: set and not empty).
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, CliSandbox, copyHousehold, HOUSEHOLD_CONFIG, ingestHousehold, ROOT } from '../helpers/cli.js';

const ESC = '\u001b[';
const GREEN = `${ESC}32m`;
const YELLOW = `${ESC}33m`;
const RED = `${ESC}31m`;

const quote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/** Run the CLI on a pseudo-terminal; stdout and stderr arrive merged, as on a screen. */
function onTty(sb: CliSandbox, args: readonly string[], env: Record<string, string> = {}): string {
  const cmd = [process.execPath, BIN, '--config', HOUSEHOLD_CONFIG, '--db', sb.db, ...args].map(quote).join(' ');
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'NO_COLOR' && !k.startsWith('NFMON_')));
  const r = spawnSync('script', ['-qec', cmd, '/dev/null'], { env: { ...clean, TZ: 'UTC', ...env }, encoding: 'utf8', timeout: 120_000 });
  if (r.error) throw r.error;
  expect(r.status, r.stdout).toBe(0);
  return r.stdout;
}

let sb: CliSandbox;
beforeAll(() => {
  sb = new CliSandbox(HOUSEHOLD_CONFIG);
  ingestHousehold(sb, copyHousehold(sb));
});
afterAll(() => sb.dispose());

describe('colour in tables', () => {
  it('alerts by severity on a TTY: warnings yellow, critical red', () => {
    const out = onTty(sb, ['alerts']);
    expect(out).toMatch(new RegExp(`${RED.replace('[', '\\[')}\\d+ +2026-11-21 00:00 +outside_home`));
    expect(out).toMatch(new RegExp(`${YELLOW.replace('[', '\\[')}\\d+ +2026-11-21 02:14 +quiet_hours +Kids iPad`));
  });

  it('the playing device green in activity on a TTY, and the other rows plain', () => {
    const out = onTty(sb, ['activity', '--at', '2026-11-21T21:00:00Z']);
    expect(out).toContain(`${GREEN}Living room TV`);
    expect(out).toMatch(/\r\nKids iPad +- +37m/);
  });

  it('none with NO_COLOR set, but an empty NO_COLOR is as good as unset', () => {
    expect(onTty(sb, ['alerts'], { NO_COLOR: '1' })).not.toContain(ESC);
    expect(onTty(sb, ['activity', '--at', '2026-11-21T21:00:00Z'], { NO_COLOR: '1' })).not.toContain(ESC);
    expect(onTty(sb, ['alerts'], { NO_COLOR: '' })).toContain(YELLOW);
  });

  it('none when piped', () => {
    const r = sb.run(['alerts']);
    expect(r.stdout).toContain('quiet_hours');
    expect(r.stdout).not.toContain(ESC);
  });

  it('the sessions table has an END column, with the date only when the session ends on another day', () => {
    const lines = sb.run(['sessions', '--since', 'all']).stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ID\s+DEVICE\s+SERVICE\s+START\s+END\s+DURATION\s+DOWN\s+AVG\s+QUALITY\s+EVIDENCE$/);
    expect(lines[1]).toMatch(/^\d+\s+Sam's Pixel\s+netflix\s+2026-11-20 07:28\s+07:50\s+22m\s/);
    expect(lines[5]).toMatch(/^\d+\s+Bedroom Fire TV\s+netflix\s+2026-11-20 23:39\s+2026-11-21 00:35\s+55m\s/);
  });
});

describe('progress of a long ingest', () => {
  let log: string;
  beforeAll(() => {
    // Long enough (about 190 MB) to take more than the half second after which the line appears,
    // even on a fast machine (2.2M lines/s in README's benchmark).
    log = sb.path('big.log');
    const gen = spawnSync(process.execPath, [`${ROOT}/bench/gen-pihole-log.mjs`, log, '2500000'], { encoding: 'utf8' });
    expect(gen.status, gen.stderr).toBe(0);
  }, 120_000);

  it('draws bytes and lines per second and the time left on a TTY, then clears the line', () => {
    const out = onTty(sb, ['ingest', '--pihole-log', log]);
    const frames = out.split('\r\u001b[K').filter(Boolean);
    const progress = frames.filter((f) => f.includes('lines/s'));
    expect(progress.length).toBeGreaterThan(0);
    expect(progress[0]).toMatch(/big\.log: \d+(\.\d)? MB of 1\d\d MB \(\d+%\), \d+(\.\d)? MB\/s, \d+(\.\d)?[kM]? lines\/s, ETA \d+s/);
    // The summary starts on a clean line after the progress is wiped.
    expect(frames.at(-1)).toMatch(/big\.log: 2500\d{3} lines/);
  }, 120_000);

  it('is silent when stderr is not a terminal', () => {
    const fresh = new CliSandbox(HOUSEHOLD_CONFIG); // a new database: the whole file is read again
    try {
      const r = fresh.run(['ingest', '--pihole-log', log]);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/big\.log: 2500\d{3} lines/);
      expect(r.stderr).toBe('');
    } finally {
      fresh.dispose();
    }
  }, 120_000);
});
