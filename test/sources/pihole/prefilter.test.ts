// The reader's prefilter (sources/pihole/prefilter.ts, feeder.ts) passes over the lines that name no
// monitored service. It must change nothing but the skip reasons: the same events with the same
// times, the same batches (lines, offsets, stamps) and the same `parsed`, on every input. Here the
// reader with it is compared with the reader without it (every line read, as before issue 17) on
// the fixtures, the corpus samples, generated logs and inputs made to break it, cut into chunks of
// many sizes, and on mutants of those.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { buildCatalog, NETFLIX } from '../../../src/core/catalog.js';
import type { ServiceDef } from '../../../src/core/types.js';
import { PiholeAssembler, type PiholeAssemblerOptions } from '../../../src/sources/pihole/assembler.js';
import { LineFeeder } from '../../../src/sources/pihole/feeder.js';
import { HitFinder, planSearches } from '../../../src/sources/pihole/prefilter.js';
import { readPiholeLog, type PiholeBatch, type PiholeReadOptions } from '../../../src/sources/pihole/reader.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const corpusSamples = join(root, '..', 'shared', 'corpus', 'pihole', 'pihole-log-samples.txt');
const dir = mkdtempSync(join(tmpdir(), 'nfmon-prefilter-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const TUBE: ServiceDef = { name: 'tube', domains: ['Example.ORG', 'lan'], videoDomains: ['v.example.org'], videoPrefixes: [] };
const AMS = 'Europe/Amsterdam';
const base: PiholeAssemblerOptions = { catalog: buildCatalog([NETFLIX]), timeZone: AMS, referenceTs: Date.parse('2025-11-22T21:00:00Z') };

describe('planSearches', () => {
  it.each([
    // The rare `x` covers every Netflix name but fast.com, which is searched from its rarest character.
    [['netflix.com', 'nflxvideo.net', 'fast.com'], ['x', 'fast.c']],
    [['netflix.com', 'nflxso.net'], ['x']],
    [['example.org'], ['x']],
    [['lan'], ['lan']],
    // Common characters only (`y` is in dnsmasq's `reply`, `query`): searched as strings.
    [['disneyplus.com', 'bamgrid.com', 'dssott.com'], ['b', 'yplus.', 'tt.com']],
  ])('%j -> %j', (needles, patterns) => {
    expect(planSearches(needles).map((s) => s.pattern)).toEqual(patterns);
  });
});

describe('HitFinder', () => {
  const text = [
    'a www.example.com b', // 0
    'a WWW.NETFLIX.COM b', // 1
    'a breakfast.com b', // 2 (holds fast.com: the assembler decides)
    'x x x', // 3
    'a x.nflxVIDEO.net b', // 4
    'a fAsT.CoM', // 5
    '', // 6
    'netflix.co m', // 7
    'ÀNETFLIX.COM', // 8
  ].join('\n') + '\n';
  const b = Buffer.from(text, 'latin1');
  const starts = text.split('\n').slice(0, -1).map((_, i, all) => all.slice(0, i).reduce((n, l) => n + l.length + 1, 0));
  /** The lines lineWithHit stops at, from the start. */
  function hits(needles: string[]): number[] {
    const f = new HitFinder(needles);
    f.reset(b, 0, b.length);
    const out: number[] = [];
    for (let p = f.lineWithHit(0); p < b.length; p = f.lineWithHit(b.indexOf(10, p) + 1)) out.push(starts.indexOf(p));
    return out;
  }
  it.each([
    [['netflix.com', 'nflxvideo.net', 'fast.com'], [1, 2, 4, 5, 8]],
    [['netflix.com'], [1, 8]],
    [['example.com'], [0]],
    [['x'], [0, 1, 3, 4, 7, 8]],
    [['co m'], [7]],
    [['ünknown', 'a\nb'], []],
    [['', 'netflix.com'], [0, 1, 2, 3, 4, 5, 6, 7, 8]],
  ])('%j finds lines %j', (needles, lines) => {
    expect(hits(needles)).toEqual(lines);
  });

  it('finds hits in every window of a long input', () => {
    const filler = 'Nov 22 20:15:01 dnsmasq[812]: query[A] www.example.com from 192.168.1.10\n'.repeat(3000);
    const big = Buffer.from(`${filler}q NetFlix.com\n${filler}${filler}q fast.com\n${filler}`, 'latin1');
    const f = new HitFinder(['netflix.com', 'fast.com']);
    f.reset(big, 0, big.length);
    const first = f.lineWithHit(0);
    expect(first).toBe(filler.length);
    expect(f.lineWithHit(first + 14)).toBe(3 * filler.length + 14);
    expect(f.lineWithHit(3 * filler.length + 14 + 11)).toBe(big.length);
  });
});

// ---------------------------------------------------------------------------------------------
// Inputs

const H = (stamp: string, pid = 812): string => `${stamp} dnsmasq[${pid}]: `;

/** A Netflix lookup with a CNAME chain through names of no service, as dnsmasq logs it. */
function lookup(stamp: string, name = 'www.netflix.com', client = '192.168.1.42'): string[] {
  const h = H(stamp);
  return [
    `${h}query[A] ${name} from ${client}`,
    `${h}forwarded ${name} to 1.1.1.1`,
    `${h}reply ${name} is <CNAME>`,
    `${h}reply e1.akamaiedge.net is <CNAME>`,
    `${h}reply e2.akamaiedge.net is 23.44.5.198`,
    `${h}reply e2.akamaiedge.net is 23.44.5.199`,
  ];
}

function noise(stamp: string, n: number, seed = 1): string[] {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const h = H(stamp);
    const name = `host${(i * 7 + seed) % 50}.example${i % 3}.com`;
    out.push([`${h}query[A] ${name} from 192.168.1.${i % 9}`, `${h}forwarded ${name} to 1.1.1.1`, `${h}reply ${name} is 1.2.3.${i % 200}`, `${h}cached 10.1.168.192.in-addr.arpa is laptop`][i % 4]!);
  }
  return out;
}

/** Inputs made to catch a prefilter that changes something. */
function adversarial(): [string, string, Partial<PiholeAssemblerOptions>][] {
  const cases: [string, string, Partial<PiholeAssemblerOptions>][] = [];
  const add = (name: string, lines: string[], opts: Partial<PiholeAssemblerOptions> = {}): void => {
    cases.push([name, lines.join('\n') + '\n', opts]);
  };
  add('upper and mixed case names', [
    ...noise('Nov 22 20:15:01', 5), ...lookup('Nov 22 20:15:02', 'WWW.NETFLIX.COM'), ...noise('Nov 22 20:15:03', 5),
    ...lookup('Nov 22 20:15:04', 'wWw.NeTfLiX.cOm'), ...lookup('Nov 22 20:15:05', 'X.NFLXVIDEO.NET'), ...lookup('Nov 22 20:15:06', 'FAST.COM'),
    ...lookup('Nov 22 20:15:07', 'ÀNETFLIX.COM'), ...lookup('Nov 22 20:15:08', 'netflix.com.'), ...noise('Nov 22 20:15:09', 5),
  ]);
  // A chain continued by names of no service after a stretch without hits, and one left open at the end.
  add('chains across stretches', [...noise('Nov 22 20:15:01', 30), ...lookup('Nov 22 20:15:02'), ...noise('Nov 22 20:15:03', 30), ...lookup('Nov 22 20:15:04').slice(0, 4)]);
  // A pending query that expires in a stretch without hits (5 s of log time), and one answered late.
  add('pending expiry', [
    `${H('Nov 22 20:15:01')}query[A] www.netflix.com from 192.168.1.42`, ...noise('Nov 22 20:15:03', 20), ...noise('Nov 22 20:15:09', 20),
    `${H('Nov 22 20:15:10')}query[AAAA] api-global.netflix.com from 192.168.1.43`, ...noise('Nov 22 20:15:11', 20),
    `${H('Nov 22 20:15:12')}reply api-global.netflix.com is 2a05::1`, ...noise('Nov 22 20:15:12', 10),
  ]);
  // Dec -> Jan with no hits in between, read in January.
  add('year rollover in a stretch', [...lookup('Dec 31 23:59:58'), ...noise('Dec 31 23:59:59', 40), ...noise('Jan  1 00:00:00', 40), ...lookup('Jan  1 00:00:01')], {
    referenceTs: Date.parse('2026-01-01T00:05:00Z'),
  });
  // The clocks go back at 03:00 CEST on 26 Oct 2025: 02:xx happens twice. Hits before, in both
  // passes and after, and stretches without hits through the repeated hour.
  const fold = [
    ...lookup('Oct 26 01:59:58'), ...noise('Oct 26 02:10:00', 30), ...noise('Oct 26 02:59:59', 30), ...lookup('Oct 26 02:20:00'),
    ...noise('Oct 26 02:00:00', 30), ...noise('Oct 26 02:30:00', 30), ...lookup('Oct 26 02:40:00'), ...noise('Oct 26 02:50:00', 30),
    ...noise('Oct 26 03:00:00', 10), ...lookup('Oct 26 03:00:01'), ...noise('Oct 26 02:05:00', 30), ...lookup('Oct 26 02:06:00'),
  ];
  add('DST fold', fold, { referenceTs: Date.parse('2025-10-27T00:00:00Z') });
  add('DST fold, hits only in the first pass', [...noise('Oct 26 01:50:00', 30), ...lookup('Oct 26 02:10:00'), ...noise('Oct 26 02:50:00', 30), ...noise('Oct 26 02:10:00', 30), ...lookup('Oct 26 02:15:00')], {
    referenceTs: Date.parse('2025-10-27T00:00:00Z'),
  });
  add('ISO stamps in the fold', [
    '2025-10-26 02:50:00.123 query[A] a.example.com from 192.168.1.9', '2025-10-26 02:10:00.000 query[A] b.example.com from 192.168.1.9',
    '2025-10-26 02:10:01.000 query[A] www.netflix.com from 192.168.1.9', '2025-10-26 02:10:01.500 reply www.netflix.com is 1.2.3.4',
  ], { referenceTs: Date.parse('2025-10-27T00:00:00Z') });
  add('CR line ends, blank and broken lines', [
    ...noise('Nov 22 20:15:01', 3).map((l) => `${l}\r`), '', '\r', ...lookup('Nov 22 20:15:02').map((l) => `${l}\r`), 'garbage', '',
    'Nov 22 20:15:03 dnsmasq[812]:', ...noise('Nov 22 20:15:04', 3), 'Nov 22', '', ...lookup('Nov 22 20:15:05'), '\u0000\u0000\u0001\u00ff',
  ]);
  add('binary garbage', [...noise('Nov 22 20:15:01', 3), '\u0000'.repeat(300), ...lookup('Nov 22 20:15:02'), 'netflix.com\u0000\u0007', ...noise('Nov 22 20:15:03', 3)]);
  // The tag's length changes (dnsmasq restarted) in a stretch without hits; a `]: ` inside a tag.
  add('tags that change', [
    ...noise('Nov 22 20:15:01', 5), 'Nov 22 20:15:02 dnsmasq[123456]: query[A] a.example.com from 1.2.3.4',
    'Nov 22 20:15:02 dnsmasq[1]: abc]: query[A] www.netflix.com from 1.2.3.4', 'Nov 22 20:15:02 dnsmasq[12]: query[A] www.netflix.com from 1.2.3.4',
    'Nov 22 20:15:03 dnsmXsq[12]: query[A] www.netflix.com from 1.2.3.4', 'Nov 22 20:15:03 dnsmasq[7]]: query[A] www.netflix.com from 1.2.3.4',
    'Nov 22 20:15:03 pi dnsmasq[12]: query[A] www.netflix.com from 1.2.3.4', ...noise('Nov 22 20:15:04', 5),
  ]);
  add('serials (log-queries=extra)', [
    ...noise('Nov 22 20:15:01', 5), `${H('Nov 22 20:15:02')}7 192.168.1.9/5353 query[A] www.netflix.com from 192.168.1.9`,
    ...noise('Nov 22 20:15:02', 5), `${H('Nov 22 20:15:02')}7 192.168.1.9/5353 reply www.netflix.com is <CNAME>`,
    `${H('Nov 22 20:15:02')}8 192.168.1.9/5353 reply other.example.com is 1.1.1.1`, `${H('Nov 22 20:15:02')}7 192.168.1.9/5353 reply e.akamai.net is 1.2.3.4`,
    ...noise('Nov 22 20:15:05', 5),
  ]);
  add('only noise', noise('Nov 22 20:15:01', 200));
  add('no stamps at first', ['garbage', '', 'dnsmasq[1]: query[A] www.netflix.com from 1.2.3.4', ...noise('Nov 22 20:15:01', 10), ...lookup('Nov 22 20:15:02')]);
  return cases;
}

function generated(args: string[]): string {
  const out = join(dir, `gen-${args.join('-')}.log`);
  const r = spawnSync(process.execPath, [join(root, 'bench', 'gen-pihole-log.mjs'), out, ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return readFileSync(out, 'latin1');
}

function inputs(): [string, string, Partial<PiholeAssemblerOptions>][] {
  const fx = (p: string): string => readFileSync(join(root, 'fixtures', p), 'latin1');
  const list: [string, string, Partial<PiholeAssemblerOptions>][] = [
    ['plain fixture', fx('pihole/netflix-plain.log'), {}],
    ['extra fixture', fx('pihole/netflix-extra.log'), {}],
    ['household fixture', fx('household/pihole.log'), {}],
    ['truncated fixture', fx('bad/truncated.log'), {}],
    ['binary fixture', fx('bad/binary.log'), {}],
    ['generated log', generated(['20000', '3']), { referenceTs: Date.parse('2026-11-22T00:00:00Z') }],
    ['generated busy log', generated(['20000', '5', '--clients', '31', '--days', '2']), { referenceTs: Date.parse('2026-11-22T00:00:00Z') }],
    ...adversarial(),
  ];
  if (existsSync(corpusSamples)) list.push(['corpus samples', readFileSync(corpusSamples, 'latin1'), {}]);
  return list;
}

// ---------------------------------------------------------------------------------------------
// The comparison

interface Outcome {
  readonly batches: Omit<PiholeBatch, 'skipped'>[];
  readonly skipped: Record<string, number>;
}

function feed(bytes: Buffer, opts: PiholeAssemblerOptions, size: number, batchLines: number, prefilter: boolean): Outcome {
  const batches: PiholeBatch[] = [];
  const feeder = new LineFeeder(new PiholeAssembler(opts), 0, batchLines, (b) => batches.push(b), prefilter);
  const chunk = Buffer.alloc(size);
  for (let at = 0; at < bytes.length; at += size) {
    const n = bytes.copy(chunk, 0, at, at + size);
    feeder.push(chunk.subarray(0, n));
    chunk.fill(0x20);
  }
  feeder.end(true);
  return split(batches);
}

function split(batches: readonly PiholeBatch[]): Outcome {
  const skipped: Record<string, number> = {};
  for (const b of batches) for (const [k, v] of Object.entries(b.skipped)) skipped[k] = (skipped[k] ?? 0) + v;
  return { batches: batches.map(({ skipped: _, ...rest }) => rest), skipped };
}

/** Same batches; the lines passed over are `unrelated` and were of some other reason before. */
function expectSame(got: Outcome, want: Outcome, what: string): void {
  expect(got.batches, what).toEqual(want.batches);
  const total = (s: Record<string, number>): number => Object.values(s).reduce((a, b) => a + b, 0);
  expect(total(got.skipped), what).toBe(total(want.skipped));
  expect(want.skipped.unrelated, what).toBeUndefined();
  for (const [k, v] of Object.entries(got.skipped)) if (k !== 'unrelated') expect(v, `${what}: ${k}`).toBeLessThanOrEqual(want.skipped[k] ?? 0);
}

describe('the prefilter changes nothing but the skip reasons', () => {
  const all = inputs();
  it.each(all)('%s', (_, text, extra) => {
    const bytes = Buffer.from(text, 'latin1');
    for (const catalog of [base.catalog, buildCatalog([NETFLIX, TUBE])]) {
      const opts = { ...base, ...extra, catalog };
      for (const [size, batchLines] of [[1 << 20, 5000], [4096, 7], [97, 1], [13, 3]] as const) {
        expectSame(feed(bytes, opts, size, batchLines, true), feed(bytes, opts, size, batchLines, false), `chunks of ${size}, batches of ${batchLines}`);
      }
    }
  });

  it('passes over most lines of a log with few hits', () => {
    const got = feed(Buffer.from(generated(['20000', '3']), 'latin1'), base, 1 << 20, 5000, true);
    expect(got.skipped.unrelated).toBeGreaterThan(15000);
  });

  it('on mutants of the inputs (bytes flipped, lines cut, case changed)', () => {
    let seed = 17;
    const rand = (n: number): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed % n;
    };
    const seeds = adversarial();
    for (let i = 0; i < 300; i++) {
      const [name, text, extra] = seeds[i % seeds.length]!;
      const b = Buffer.from(text, 'latin1');
      for (let k = rand(6); k >= 0; k--) {
        const at = rand(b.length);
        const op = rand(4);
        if (op === 0) b[at] = rand(256);
        else if (op === 1) b[at] = 10;
        else if (op === 2) b[at] = b[at]! ^ 0x20;
        else b[at] = '0123456789:[] '.charCodeAt(rand(15));
      }
      const opts = { ...base, ...extra };
      const size = [1 << 20, 64, 7][i % 3]!;
      expectSame(feed(b, opts, size, 1 + (i % 5), true), feed(b, opts, size, 1 + (i % 5), false), `mutant ${i} of ${name}`);
    }
  });
});

describe('readPiholeLog with and without the prefilter', () => {
  const text = generated(['20000', '9']);
  const bytes = Buffer.from(text, 'latin1');
  const opts: PiholeReadOptions = { catalog: base.catalog, timeZone: AMS, referenceTs: Date.parse('2026-11-22T00:00:00Z') };
  async function both(path: string, extra: Partial<PiholeReadOptions>): Promise<void> {
    const runs = await Promise.all(
      [true, false].map(async (prefilter) => {
        const batches: PiholeBatch[] = [];
        const stats = await readPiholeLog(path, { ...opts, ...extra, prefilter }, (b) => batches.push(b));
        return { out: split(batches), stats };
      }),
    );
    const [got, want] = runs as [(typeof runs)[0], (typeof runs)[0]];
    expectSame(got.out, want.out, path);
    expect({ ...got.stats, skipped: undefined }).toEqual({ ...want.stats, skipped: undefined });
  }

  it('plain, gzip, resumed in the middle, a live file to its end with settle', async () => {
    const plain = join(dir, 'r.log');
    writeFileSync(plain, bytes);
    const gz = join(dir, 'r.log.gz');
    writeFileSync(gz, gzipSync(bytes));
    const middle = bytes.indexOf(10, bytes.length >> 1) + 1;
    await both(plain, { final: true });
    await both(gz, { final: true });
    await both(plain, { startOffset: middle, batchLines: 100 });
    await both(gz, { startOffset: middle });
    // A live file cut inside a line (and inside a chain), read to its end.
    const live = join(dir, 'live.log');
    writeFileSync(live, bytes.subarray(0, bytes.indexOf('reply', 300_000) + 9));
    await both(live, { settle: true });
    await both(live, {});
  });
});
