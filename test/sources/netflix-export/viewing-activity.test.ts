import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Play } from '../../../src/core/reconcile/types.js';
import { SourceError } from '../../../src/sources/errors.js';
import {
  parseCountry,
  parseDuration,
  parseStartTime,
  parseViewingCsv,
  readViewingFile,
  titleHash,
} from '../../../src/sources/netflix-export/viewing-activity.js';
import { assertBuilt, ROOT } from '../../helpers/cli.js';

const fixture = (name: string): string => join(import.meta.dirname, '../../../fixtures/viewing', name);
const text = (name: string): string => readFileSync(fixture(name), 'utf8');
const iso = (ts: number): string => new Date(ts).toISOString();

describe('ViewingActivity.csv edge cases', () => {
  const lf = text('edge-cases.csv');
  const variants: [string, string][] = [
    ['LF', lf],
    ['BOM + CRLF', `\uFEFF${lf.replace(/\n/g, '\r\n')}`],
  ];

  it.each(variants)('%s: counts, skips with line numbers', (_name, input) => {
    const { counts } = parseViewingCsv(input);
    expect(counts).toMatchObject({ format: 'viewing_activity', rows: 13, plays: 8, previews: 3 });
    expect(counts.skipped).toEqual({ bad_start_time: 2, wrong_column_count: 1, bad_duration: 1, duplicate_row: 1 });
    expect(counts.skippedLines).toEqual([
      { line: 8, reason: 'bad_start_time' },
      { line: 9, reason: 'wrong_column_count' },
      { line: 10, reason: 'bad_duration' },
      { line: 13, reason: 'duplicate_row' },
      { line: 14, reason: 'bad_start_time' },
    ]);
  });

  it.each(variants)('%s: fields', (_name, input) => {
    const { plays } = parseViewingCsv(input);
    const byTitle = new Map(plays.map((p) => [p.title, p]));
    expect(byTitle.get('Example Show: Season 1: Episode 3')).toMatchObject({
      profile: 'Kids',
      durationS: 42 * 60 + 5,
      deviceType: 'FireTV 4K Stick 2018',
      country: 'NL',
      countryName: 'Netherlands',
      preview: false,
      dayOnly: false,
    });
    expect(iso(byTitle.get('Example Show: Season 1: Episode 3')?.start ?? 0)).toBe('2024-03-02T01:47:10.000Z');
    expect(byTitle.get('Example Show (Trailer)')).toMatchObject({ preview: true, previewType: 'TRAILER', attributes: 'Autoplayed: user action: None;' });
    expect(byTitle.get('Made Up Film, The')).toMatchObject({ profile: 'Alex', country: 'ES', deviceType: 'Apple iPad Pro 12.9 in 5th Gen (Wi-Fi/Cell) iPad' });
    expect(byTitle.get('Ünïcödé – Série: Épisode 1')).toMatchObject({ preview: true, previewType: 'HOOK' });
    expect(byTitle.get('Teaser Thing')).toMatchObject({ preview: true, previewType: 'TEASER_TRAILER' });
    expect(byTitle.get('Quote "Inside" Title')).toMatchObject({ durationS: 0, deviceType: '', country: '', attributes: '' });
    expect(byTitle.get('Quote "Inside" Title')?.countryName).toBeUndefined();
    expect(byTitle.get('Multi\nline title')?.deviceType).toBe('iPhone 12');
    expect(byTitle.get('Stray "quote" in a title')).toMatchObject({ country: '', countryName: 'United States' });
    expect(byTitle.get('Example Show: Season 1: Episode 3')?.previewType).toBeUndefined();
  });

  it('gives the same keys for LF and BOM + CRLF, and on every re-parse', () => {
    const keys = (input: string): string[] => parseViewingCsv(input).plays.map((p) => p.key);
    const first = keys(lf);
    expect(new Set(first).size).toBe(first.length);
    expect(keys(lf)).toEqual(first);
    expect(keys(`\uFEFF${lf.replace(/\n/g, '\r\n')}`)).toEqual(first);
  });

  it('keys ignore duration and bookmarks, so a newer export overlaps an older one', () => {
    const header = lf.split('\n')[0];
    const older = `${header}\nKids,2024-03-02 01:47:10,00:10:00,,Show,,FireTV 4K Stick 2018,00:10:00,00:10:00,NL (Netherlands)\n`;
    const newer = `${header}\nKids,2024-03-02 02:30:00,00:05:00,,Next,,FireTV 4K Stick 2018,00:05:00,00:05:00,NL (Netherlands)\nKids,2024-03-02 01:47:10,00:42:05,,Show,,FireTV 4K Stick 2018,00:42:05,Not latest view,NL (Netherlands)\n`;
    const oldKeys = parseViewingCsv(older).plays.map((p) => p.key);
    const newKeys = parseViewingCsv(newer).plays.map((p) => p.key);
    expect(newKeys).toContain(oldKeys[0]);
    expect(new Set([...oldKeys, ...newKeys]).size).toBe(2);
  });

  it('counts an unclosed quote as one unreadable row instead of failing the file', () => {
    const header = lf.split('\n')[0];
    const input = `${header}\nKids,2024-03-02 01:47:10,00:10:00,,Show,,FireTV 4K Stick 2018,00:10:00,00:10:00,NL (Netherlands)\nKids,2024-03-02 02:00:00,00:10:00,,"Unclosed,,x,,,\n`;
    const { plays, counts } = parseViewingCsv(input);
    expect(plays).toHaveLength(1);
    expect(counts.skipped).toEqual({ unreadable_csv: 1 });
    expect(counts.skippedLines[0]?.line).toBeGreaterThanOrEqual(3);
  });

  it.each([
    ['', 'empty file: no header'],
    ['Profile,Start\nx,y\n', 'not a Netflix ViewingActivity.csv'],
  ])('refuses a file that is not an export: %j', (input, message) => {
    expect(() => parseViewingCsv(input, { file: 'x.csv' })).toThrow(SourceError);
    expect(() => parseViewingCsv(input, { file: 'x.csv' })).toThrow(message);
  });
});

describe('field parsers', () => {
  it.each([
    ['2024-03-02 01:47:10', '2024-03-02T01:47:10.000Z'],
    [' 2026-11-20 23:59:59 ', '2026-11-20T23:59:59.000Z'],
    ['2024-02-29 00:00:00', '2024-02-29T00:00:00.000Z'],
    ['2023-02-29 00:00:00', undefined],
    ['2024-13-01 00:00:00', undefined],
    ['2024-01-01 24:00:00', undefined],
    ['2024-01-01T00:00:00', undefined],
    ['', undefined],
  ])('start %j', (input, expected) => {
    const ts = parseStartTime(input);
    expect(ts === undefined ? undefined : iso(ts)).toBe(expected);
  });

  it.each([
    ['00:42:05', 2525],
    ['1:00:00', 3600],
    ['', 0],
    ['00:60:00', undefined],
    ['42:05', undefined],
  ])('duration %j', (input, expected) => expect(parseDuration(input)).toBe(expected));

  it.each([
    ['DE (Germany)', { code: 'DE', name: 'Germany' }],
    ['US (United States)', { code: 'US', name: 'United States' }],
    ['nl', { code: 'NL' }],
    ['', { code: '' }],
    ['Narnia', { code: '', name: 'Narnia' }],
  ])('country %j', (input, expected) => expect(parseCountry(input)).toEqual(expected));

  it('hashes titles stably', () => {
    expect(titleHash('Café Müller, Revisited')).toMatch(/^[0-9a-f]{64}$/);
    expect(titleHash('a')).toBe(titleHash('a'));
    expect(titleHash('a')).not.toBe(titleHash('b'));
  });
});

describe('NetflixViewingHistory.csv', () => {
  const days = (plays: readonly Play[]): [string, string][] => plays.map((p) => [p.title, iso(p.start).slice(0, 10)]);

  it('reads en-US M/D/YY and skips impossible dates', () => {
    const { plays, counts } = parseViewingCsv(text('NetflixViewingHistory-en-US.csv'), { profile: 'Alex' });
    expect(counts).toMatchObject({ format: 'viewing_history', rows: 5, plays: 3, skipped: { bad_date: 2 } });
    expect(counts.skippedLines).toEqual([
      { line: 5, reason: 'bad_date' },
      { line: 6, reason: 'bad_date' },
    ]);
    expect(days(plays)).toEqual([
      ['Example Show: Season 1: Episode 3', '2024-03-02'],
      ['Made Up Film, The', '2022-10-19'],
      [' ', '2023-01-05'],
    ]);
    expect(plays.every((p) => p.dayOnly && p.profile === 'Alex' && p.durationS === 0 && p.deviceType === '')).toBe(true);
  });

  it('reads nl DD-MM-YY', () => {
    const { plays } = parseViewingCsv(text('NetflixViewingHistory-nl.csv'));
    expect(days(plays)).toEqual([
      ['Voorbeeldserie: Seizoen 3: Aflevering 2', '2024-03-02'],
      ['Verzonnen Film', '2023-06-28'],
      ['Café Müller, Revisited', '2026-10-25'],
    ]);
    expect(plays[0]?.profile).toBe('unknown');
  });

  it('switches a slash file to D/M/YY when a date proves it (en-GB)', () => {
    const { plays } = parseViewingCsv(text('NetflixViewingHistory-en-GB.csv'));
    expect(days(plays)).toEqual([
      ['Example Show: Series 1: Episode 3', '2024-02-03'],
      ['Made Up Film, The', '2022-10-20'],
    ]);
  });

  it('gives the same keys on re-parse', () => {
    const a = parseViewingCsv(text('NetflixViewingHistory-nl.csv'), { profile: 'Kids' }).plays.map((p) => p.key);
    const b = parseViewingCsv(text('NetflixViewingHistory-nl.csv'), { profile: 'Kids' }).plays.map((p) => p.key);
    expect(b).toEqual(a);
  });
});

describe('readViewingFile', () => {
  it('streams the demo export in batches with the same plays as the in-memory parser', async () => {
    const batches: Play[][] = [];
    const counts = await readViewingFile(fixture('ViewingActivity.csv'), (b) => {
      batches.push(b);
    });
    expect(counts).toMatchObject({ format: 'viewing_activity', rows: 14, plays: 14, previews: 2, skipped: {} });
    const streamed = batches.flat();
    expect(streamed).toEqual(parseViewingCsv(text('ViewingActivity.csv')).plays);
    expect(new Set(streamed.map((p) => p.profile))).toEqual(new Set(['Dad', 'Mum', 'Kids']));
  });

  it('reads a CRLF file with a BOM from disk', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nfmon-va-'));
    const path = join(dir, 'ViewingActivity.csv');
    writeFileSync(path, `\uFEFF${text('edge-cases.csv').replace(/\n/g, '\r\n')}`);
    const plays: Play[] = [];
    const counts = await readViewingFile(path, (b) => {
      plays.push(...b);
    });
    expect(counts.plays).toBe(8);
    expect(plays.map((p) => p.key)).toEqual(parseViewingCsv(text('edge-cases.csv')).plays.map((p) => p.key));
  });

  it('names the file when it cannot be read, and lets consumer errors through unchanged', async () => {
    await expect(readViewingFile('/nonexistent/ViewingActivity.csv', () => undefined)).rejects.toMatchObject({
      name: 'SourceError',
      file: '/nonexistent/ViewingActivity.csv',
    });
    const boom = new Error('disk full');
    await expect(
      readViewingFile(fixture('ViewingActivity.csv'), () => {
        throw boom;
      }),
    ).rejects.toBe(boom);
  });
});

describe('bounded memory', () => {
  it('a 64 MB field costs its row, not the memory to hold it (old space capped at 48 MB)', () => {
    assertBuilt();
    const dir = mkdtempSync(join(tmpdir(), 'nfmon-va-'));
    try {
      const path = join(dir, 'ViewingActivity.csv');
      const lines = text('ViewingActivity.csv').split('\n');
      const huge = `Dad,2026-11-21 20:15:00,01:05:00,,"${'x'.repeat(64 * 1024 * 1024)}",,TV,01:05:00,01:05:00,NL (Netherlands)`;
      writeFileSync(path, [lines[0], huge, ...lines.slice(1)].join('\n'));
      const script = `import { readViewingFile } from ${JSON.stringify(join(ROOT, 'dist', 'sources', 'netflix-export', 'viewing-activity.js'))};
        const c = await readViewingFile(${JSON.stringify(path)}, () => undefined);
        console.log(JSON.stringify({ plays: c.plays, skipped: c.skipped, rss: process.memoryUsage().rss }));`;
      const r = spawnSync(process.execPath, ['--max-old-space-size=48', '--input-type=module', '-e', script], { encoding: 'utf8' });
      expect(r.stderr).toBe('');
      const out = JSON.parse(r.stdout) as { plays: number; skipped: Record<string, number>; rss: number };
      expect(out).toMatchObject({ plays: 14, skipped: { field_too_long: 1 } });
      expect(out.rss).toBeLessThan(150 * 1024 * 1024);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
