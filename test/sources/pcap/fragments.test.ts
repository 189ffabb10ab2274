// IP fragment reassembly (sources/pcap/fragments.ts): whole datagrams from fragments in any
// order, and a clean drop, never an exception, for fragments that disagree. The disagreeing case
// was found by `npm run fuzz` (pcap, seed 11, case 105,943: a RangeError from Buffer.copy).
import { describe, expect, it } from 'vitest';
import { FragmentReassembler } from '../../../src/sources/pcap/fragments.js';

const bytes = (n: number, fill: number): Buffer => Buffer.alloc(n, fill);

type Frag = [off: number, more: boolean, data: Buffer];

function run(frags: readonly Frag[]): { out: (Buffer | undefined)[]; dropped: number; pending: number } {
  const r = new FragmentReassembler();
  const out = frags.map(([off, more, data]) => r.add('k', off, more, data, 0, data.length, 0));
  return { out, dropped: r.dropped, pending: r.pending };
}

describe('FragmentReassembler', () => {
  it.each<[string, Frag[], Buffer | undefined, number, number?]>([
    ['in order', [[0, true, bytes(8, 1)], [8, false, bytes(4, 2)]], Buffer.concat([bytes(8, 1), bytes(4, 2)]), 0],
    ['last first', [[8, false, bytes(4, 2)], [0, true, bytes(8, 1)]], Buffer.concat([bytes(8, 1), bytes(4, 2)]), 0],
    ['overlapping but consistent', [[0, true, bytes(8, 1)], [4, true, bytes(8, 1)], [12, false, bytes(2, 3)]], Buffer.concat([bytes(12, 1), bytes(2, 3)]), 0],
    ['a piece past the last fragment\'s end', [[16, true, bytes(8, 1)], [0, false, bytes(8, 2)]], undefined, 1],
    ['two last fragments that disagree', [[8, false, bytes(8, 2)], [8, false, bytes(2, 3)], [0, true, bytes(8, 1)]], undefined, 1, 1],
  ])('%s', (_, frags, whole, dropped, pending = 0) => {
    const r = run(frags);
    const done = r.out.filter((b): b is Buffer => b !== undefined);
    expect(done[0]).toEqual(whole);
    expect(r.dropped).toBe(dropped);
    expect(r.pending).toBe(pending);
  });

  it('waits for a hole to be filled', () => {
    const r = run([[0, true, bytes(8, 1)], [16, false, bytes(4, 2)]]);
    expect(r.out).toEqual([undefined, undefined]);
    expect(r.pending).toBe(1);
  });
});
