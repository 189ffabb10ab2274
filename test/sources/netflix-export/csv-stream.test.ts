// csv-stream.ts: records and their start lines, the same whatever the chunking, bounded fields.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { CsvReader, type CsvLimits } from '../../../src/sources/netflix-export/csv-stream.js';
import { KeySet } from '../../../src/sources/netflix-export/key-set.js';

interface Out {
  records: [number, string[]][];
  bad: [number, string][];
}

function read(text: string, chunk = text.length || 1, limits?: CsvLimits): Out {
  const out: Out = { records: [], bad: [] };
  const r = new CsvReader({ record: (f, line) => out.records.push([line, f]), bad: (line, reason) => out.bad.push([line, reason]) }, limits);
  for (let i = 0; i < text.length; i += chunk) r.push(text.slice(i, i + chunk));
  r.end();
  return out;
}

describe('CsvReader', () => {
  it.each([
    ['plain', 'a,b\nc,d\n', [[1, ['a', 'b']], [2, ['c', 'd']]]],
    ['no final newline', 'a,b\nc,d', [[1, ['a', 'b']], [2, ['c', 'd']]]],
    ['CRLF', 'a,b\r\nc,d\r\n', [[1, ['a', 'b']], [2, ['c', 'd']]]],
    ['BOM', '\ufeffa,b\n', [[1, ['a', 'b']]]],
    ['empty fields', ',,\n', [[1, ['', '', '']]]],
    ['empty lines skipped, counted', 'a\n\n\r\nb\n', [[1, ['a']], [4, ['b']]]],
    ['quoted comma', '"x, y",z\n', [[1, ['x, y', 'z']]]],
    ['doubled quote', '"say ""hi""",z\n', [[1, ['say "hi"', 'z']]]],
    ['stray quote in an unquoted field', 'Stray "quote" here,z\n', [[1, ['Stray "quote" here', 'z']]]],
    ['line break in a quoted field', '"two\nlines",z\nnext,1\n', [[1, ['two\nlines', 'z']], [3, ['next', '1']]]],
    ['CRLF in a quoted field counts one line', '"two\r\nlines",z\r\nnext,1\r\n', [[1, ['two\r\nlines', 'z']], [3, ['next', '1']]]],
    ['quoted empty', '"",x\n', [[1, ['', 'x']]]],
  ])('%s', (_name, text, records) => {
    for (const chunk of [text.length || 1, 1, 2, 3, 5]) expect(read(text, chunk).records, `chunks of ${chunk}`).toEqual(records);
  });

  it('counts broken records with their start line and reads on', () => {
    expect(read('ok,1\n"abc"def,2\nok,3\n')).toEqual({ records: [[1, ['ok', '1']], [3, ['ok', '3']]], bad: [[2, 'unreadable_csv']] });
    expect(read('ok,1\n"never closed,2\nok,3\n')).toEqual({ records: [[1, ['ok', '1']]], bad: [[2, 'unreadable_csv']] });
  });

  it('caps fields and fields per record; a huge field costs its record only', () => {
    const limits = { maxField: 10, maxFields: 3 };
    const text = `a,b\n${'x'.repeat(50)},y\n"${'q,\n'.repeat(20)}",z\na,b,c,d\nok,1\n`;
    for (const chunk of [text.length, 7, 1]) {
      expect(read(text, chunk, limits), `chunks of ${chunk}`).toEqual({
        records: [[1, ['a', 'b']], [25, ['ok', '1']]],
        bad: [[2, 'field_too_long'], [3, 'field_too_long'], [24, 'too_many_fields']],
      });
    }
  });

  it('agrees with csv-parse on the export fixtures, whatever the chunk size', () => {
    for (const name of ['ViewingActivity.csv', 'edge-cases.csv', 'NetflixViewingHistory-en-US.csv']) {
      const text = readFileSync(fileURLToPath(new URL(`../../../fixtures/viewing/${name}`, import.meta.url)), 'utf8');
      const records: string[][] = parse(text, { relax_column_count: true, relax_quotes: true, skip_empty_lines: true });
      const theirs = records.map((r) =>
        r.map((f) => f.replace(/\r\n?/g, '\n')),
      );
      for (const chunk of [text.length, 64, 13, 1]) {
        expect(read(text, chunk).records.map(([, f]) => f), `${name} in chunks of ${chunk}`).toEqual(theirs);
      }
    }
  });
});

describe('KeySet', () => {
  it('is a set of play keys, through growth, with odd keys kept exactly', () => {
    const keys = new KeySet();
    const hex = (i: number): string => createHash('sha256').update(String(i)).digest('hex').slice(0, 32);
    for (let i = 1; i <= 20_000; i++) expect(keys.add(hex(i))).toBe(true);
    for (let i = 1; i <= 20_000; i++) expect(keys.add(hex(i))).toBe(false);
    expect(keys.has(hex(20_001))).toBe(false);
    expect(keys.add('0'.repeat(32))).toBe(true);
    expect(keys.add('0'.repeat(32))).toBe(false);
    expect(keys.add('NOT-HEX')).toBe(true);
    expect(keys.has('NOT-HEX')).toBe(true);
    expect(keys.size).toBe(20_002);
  });
});
