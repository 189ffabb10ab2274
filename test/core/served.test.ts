// Folding served answers: the row is a function of the answers, whatever order and grouping.
import { describe, expect, it } from 'vitest';
import { foldServed, ServedFold, type ServedRow } from '../../src/core/served.js';
import type { Role, ServedAddress } from '../../src/core/types.js';
import { random } from '../helpers/random.js';

const a = (ts: number, ip: string, name: string, role: Role): ServedAddress => ({ ts, ip, name, role, service: 'netflix' });
const row = (rows: ServedRow[], ip: string): ServedRow | undefined => rows.find((r) => r.ip === ip);

describe('foldServed', () => {
  const cases: { what: string; answers: ServedAddress[]; want: Omit<ServedRow, 'ip' | 'service'> }[] = [
    { what: 'one answer', answers: [a(5, '1.1.1.1', 'www.netflix.com', 'ui')], want: { role: 'ui', name: 'www.netflix.com', firstSeen: 5, lastSeen: 5 } },
    {
      what: 'the latest answer names the row',
      answers: [a(9, '1.1.1.1', 'api.netflix.com', 'ui'), a(3, '1.1.1.1', 'ichnaea.netflix.com', 'playback')],
      want: { role: 'ui', name: 'api.netflix.com', firstSeen: 3, lastSeen: 9 },
    },
    {
      what: 'video once is video for good, the name still the latest',
      answers: [a(1, '1.1.1.1', 'ipv4-c1.oca.nflxvideo.net', 'video'), a(7, '1.1.1.1', 'www.netflix.com', 'ui')],
      want: { role: 'video', name: 'www.netflix.com', firstSeen: 1, lastSeen: 7 },
    },
    {
      what: 'a tie in time goes to the greater name, with its role',
      answers: [a(4, '1.1.1.1', 'b.netflix.com', 'playback'), a(4, '1.1.1.1', 'a.netflix.com', 'ui')],
      want: { role: 'playback', name: 'b.netflix.com', firstSeen: 4, lastSeen: 4 },
    },
  ];
  it('remembers the rows each step changed, once', () => {
    const f = new ServedFold().add([a(1, '1.1.1.1', 'www.netflix.com', 'ui'), a(2, '1.1.1.1', 'www.netflix.com', 'ui')]);
    expect(f.takeTouched().map((r) => r.ip)).toEqual(['1.1.1.1']);
    f.add([a(3, '2.2.2.2', 'www.netflix.com', 'ui'), a(4, '3.3.3.3', 'www.netflix.com', 'ui')]);
    expect(f.takeTouched().map((r) => r.ip)).toEqual(['2.2.2.2', '3.3.3.3']);
    expect(f.takeTouched()).toEqual([]);
  });

  it.each(cases)('$what', ({ answers, want }) => {
    expect(row(foldServed(answers), '1.1.1.1')).toEqual({ ip: '1.1.1.1', service: 'netflix', ...want });
  });

  it('gives the same rows for every order and grouping of the answers, and folding twice changes nothing', () => {
    // A tie in time where video stickiness must not decide the name (it did in a first draft).
    const answers = [
      a(5, '1.1.1.1', 'a.netflix.com', 'ui'),
      a(5, '1.1.1.1', 'b.netflix.com', 'ui'),
      a(1, '1.1.1.1', 'c.nflxvideo.net', 'video'),
      a(2, '2.2.2.2', 'api.netflix.com', 'ui'),
      a(2, '2.2.2.2', 'ichnaea.netflix.com', 'playback'),
      a(8, '2.2.2.2', 'api.netflix.com', 'ui'),
    ];
    const want = foldServed(answers);
    const next = random(7);
    for (let trial = 0; trial < 200; trial++) {
      const shuffled = [...answers].sort(() => next() - 0.5);
      const cut = Math.floor(next() * shuffled.length);
      const folded = new ServedFold().add(shuffled.slice(0, cut)).addRows(foldServed(shuffled.slice(cut)));
      expect(folded.rows()).toEqual(want);
      expect(folded.addRows(foldServed(shuffled)).rows()).toEqual(want);
      expect(folded.size).toBe(2);
    }
  });
});
