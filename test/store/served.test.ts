// served_addresses on a real SQLite file: the SQL fold (upsert and the merge of a killed read's
// log) agrees with core/served.ts, and a read's log rows are never dropped before they are folded.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { foldServed, ServedFold } from '../../src/core/served.js';
import type { Role, ServedAddress } from '../../src/core/types.js';
import { Store } from '../../src/store/index.js';
import { random } from '../helpers/random.js';

const ROLES: Role[] = ['background', 'playback', 'ui', 'video'];
const NAMES = ['api.netflix.com', 'www.netflix.com', 'ipv4-c1.oca.nflxvideo.net', 'ichnaea.netflix.com'];

const next = random(11);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!;

/** Answers over few addresses and few seconds, so keys repeat and times tie. */
function answers(n: number): ServedAddress[] {
  return Array.from({ length: n }, () => ({
    ts: 1000 * Math.floor(next() * 6), ip: `10.0.0.${Math.floor(next() * 5)}`, name: pick(NAMES), role: pick(ROLES), service: 'netflix',
  }));
}

const stored = (store: Store): unknown[] =>
  store.db.prepare('SELECT ip, service, role, name, first_seen AS firstSeen, last_seen AS lastSeen FROM served_addresses ORDER BY ip, service').all();
const logRows = (store: Store): number => (store.db.prepare('SELECT count(*) AS n FROM served_log').get() as { n: number }).n;

let dir: string;
let store: Store;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'nfmon-served-'));
  store = Store.open(join(dir, 'nfmon.db'));
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('served addresses', () => {
  it('upserts in any grouping, and a killed read merged later, store what the fold of all answers gives', () => {
    for (let trial = 0; trial < 30; trial++) {
      store.db.exec('DELETE FROM served_addresses; DELETE FROM served_log');
      const all = answers(40);
      const want = foldServed(all).map((r) => ({ ...r }));
      const cuts = [0, Math.floor(next() * 40), Math.floor(next() * 40), 40].sort((x, y) => x - y);
      store.tx(() => {
        // Part by direct upsert (a capture), part left in the log by a read that died, part by a read that finished.
        store.events.addServed(all.slice(cuts[0], cuts[1]));
        store.events.appendServed(1, foldServed(all.slice(cuts[1], cuts[2])));
        store.events.settleServed(1, undefined);
        const rows = foldServed(all.slice(cuts[2], cuts[3]));
        store.events.appendServed(2, rows);
        store.events.settleServed(2, rows);
        store.events.mergeServed();
      });
      expect(stored(store)).toEqual(want);
      expect(logRows(store)).toBe(0);
    }
  });

  it('keeps the log rows of a read still running in this process when another merges', () => {
    const first = foldServed(answers(10));
    const second = foldServed(answers(10));
    store.tx(() => {
      store.events.appendServed(1, first);
      store.events.appendServed(2, second);
    });
    // Read 2 finishes while read 1 is still going: read 1's rows stay in the log.
    store.tx(() => store.events.mergeServed());
    store.tx(() => store.events.settleServed(2, second));
    expect(logRows(store)).toBe(first.length);
    // Read 1 then fails: the next merge folds its rows and empties the log.
    store.events.settleServed(1, undefined);
    store.tx(() => store.events.mergeServed());
    expect(logRows(store)).toBe(0);
    const want = new ServedFold().addRows(first).addRows(second).rows().map((r) => ({ ...r }));
    expect(stored(store)).toEqual(want);
  });
});
