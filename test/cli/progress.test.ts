// The progress meter with a hand-driven clock: quiet for short reads, throttled, rates counted from
// the first report, an ETA only when the size is known, and the line wiped at the end.
import { describe, expect, it } from 'vitest';
import { ProgressMeter, progressText } from '../../src/cli/progress.js';
import type { IngestProgress } from '../../src/ingest/progress.js';

const step = (bytes: number, items: number, done = false, totalBytes: number | undefined = 100e6): IngestProgress => ({
  path: 'pihole.log', unit: 'lines', bytes, totalBytes, items, done,
});

function meter(): { out: string[]; at: (ms: number) => void; m: ProgressMeter } {
  const out: string[] = [];
  let now = 0;
  const m = new ProgressMeter({ write: (t) => out.push(t), clock: () => now, quietMs: 500, redrawMs: 200 });
  return { out, at: (ms) => void (now = ms), m };
}

describe('ProgressMeter', () => {
  it('shows nothing for a read that ends within the quiet time', () => {
    const { out, at, m } = meter();
    m.update(step(1e6, 10_000));
    at(400);
    m.update(step(50e6, 500_000));
    m.update(step(100e6, 1_000_000, true));
    expect(out).toEqual([]);
  });

  it('redraws at most every 200 ms with rates since the first report, then clears', () => {
    const { out, at, m } = meter();
    m.update(step(10e6, 100_000));
    at(1000);
    m.update(step(30e6, 300_000)); // 20 MB and 200k lines in 1 s
    at(1100);
    m.update(step(35e6, 350_000)); // too soon: not drawn
    at(2000);
    m.update(step(50e6, 500_000));
    m.update(step(100e6, 1_000_000, true));
    expect(out).toEqual([
      '\r\u001b[Kpihole.log: 30 MB of 100 MB (30%), 20 MB/s, 200k lines/s, ETA 4s',
      '\r\u001b[Kpihole.log: 50 MB of 100 MB (50%), 20 MB/s, 200k lines/s, ETA 3s',
      '\r\u001b[K',
    ]);
  });

  it('starts over for the next file', () => {
    const { out, at, m } = meter();
    m.update(step(0, 0));
    at(600);
    m.update({ ...step(5e6, 1000), path: 'b.log' }); // a new file: its quiet time starts now
    expect(out).toEqual([]);
  });
});

describe('progressText', () => {
  it('gives no percentage or ETA when the size is unknown (gzip)', () => {
    expect(progressText({ ...step(5_500_000, 70_000), totalBytes: undefined }, 2_750_000, 35_000)).toBe('pihole.log: 5.5 MB, 2.8 MB/s, 35k lines/s');
  });

  it('writes minutes for a long ETA and millions for fast counts', () => {
    expect(progressText(step(100e6, 1e6, false, 1000e6), 5e6, 2.2e6)).toBe(
      'pihole.log: 100 MB of 1000 MB (10%), 5.0 MB/s, 2.2M lines/s, ETA 3m00s',
    );
  });
});
