// The repositories on a real SQLite file: what rebuilds, alert delivery and resumed reads rely on.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Alert, FlowMinute, Session } from '../../src/core/types.js';
import { Store } from '../../src/store/index.js';
import { sessionKey } from '../../src/store/sessions.js';

const TV = 'aa:bb:cc:dd:ee:01';
const IPAD = 'aa:bb:cc:dd:ee:02';
/** Minutes after 2026-11-20T18:00:00Z, in epoch ms. */
const T0 = Date.UTC(2026, 10, 20, 18, 0, 0);
const min = (m: number): number => T0 + m * 60_000;

function session(device: string, startMin: number, endMin: number, extra: Partial<Session> = {}): Session {
  return {
    device, ip: '192.168.1.20', service: 'netflix', start: min(startMin), end: min(endMin), firstVideo: min(startMin),
    bytesDown: null, bytesUp: null, avgMbps: null, peakMbps: null, quality: null, evidence: ['dns'], playTimes: [min(startMin)],
    ...extra,
  };
}

function alert(key: string, atMin: number, device: string | null = TV): Alert {
  return { key, at: min(atMin), rule: 'quiet_hours', severity: 'warning', device, sessionStart: null, service: 'netflix', message: `alert ${key}` };
}

let dir: string;
let store: Store;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'nfmon-store-'));
  store = Store.open(join(dir, 'nfmon.db'));
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

const sessionIdOfAlert = (key: string): number | null =>
  (store.db.prepare('SELECT session_id AS id FROM alerts WHERE key = ?').get(key) as { id: number | null }).id;
const replace = (from: number, next: Session[]): Map<string, number> => store.tx(() => store.sessions.replaceFrom(from, next));
const idOf = (ids: Map<string, number>, s: Session): number => {
  const id = ids.get(sessionKey(s));
  if (id === undefined) throw new Error(`no id for ${s.device} at ${s.start}`);
  return id;
};

describe('SessionRepo.replaceFrom', () => {
  it('stores new sessions and returns their ids by sessionKey', () => {
    const a = session(TV, 0, 60);
    const b = session(IPAD, 10, 40, { bytesDown: 5_000_000, avgMbps: 4.2, quality: 'HD', evidence: ['dns', 'flows'] });
    const ids = replace(0, [a, b]);
    expect(ids.size).toBe(2);
    expect(store.sessions.query({})).toEqual([
      expect.objectContaining({ id: idOf(ids, a), device: TV, start: min(0), end: min(60), bytesDown: null, evidence: ['dns'] }),
      expect.objectContaining({ id: idOf(ids, b), device: IPAD, bytesDown: 5_000_000, avgMbps: 4.2, quality: 'HD', evidence: ['dns', 'flows'] }),
    ]);
  });

  it('keeps the id of a session that grew (same start) or moved (overlapping), so alerts keep pointing at it', () => {
    const a = session(TV, 0, 30);
    const b = session(IPAD, 100, 130);
    const first = replace(0, [a, b]);
    store.alerts.addNew([{ alert: alert('qa', 5), sessionId: idOf(first, a) }, { alert: alert('qb', 105, IPAD), sessionId: idOf(first, b) }], min(200));

    const a2 = session(TV, 0, 50); // more events after its end
    const b2 = session(IPAD, 90, 130); // UI lead-in found earlier: the start moved back
    const second = replace(0, [a2, b2]);
    expect(idOf(second, a2)).toBe(idOf(first, a));
    expect(idOf(second, b2)).toBe(idOf(first, b));
    expect(store.sessions.query({}).map((s) => [s.id, s.device, s.start, s.end])).toEqual([
      [idOf(first, a), TV, min(0), min(50)],
      [idOf(first, b), IPAD, min(90), min(130)],
    ]);
    expect(sessionIdOfAlert('qa')).toBe(idOf(first, a));
    expect(sessionIdOfAlert('qb')).toBe(idOf(first, b));
  });

  it('re-points the alerts of a session merged into another to the survivor', () => {
    const a = session(TV, 0, 30);
    const b = session(TV, 45, 70); // same device, 15 min later: two sessions
    const first = replace(0, [a, b]);
    store.alerts.addNew([{ alert: alert('on-b', 50), sessionId: idOf(first, b) }], min(100));

    // Events in the gap join them: one session from 0 to 70, which keeps a's id (same start).
    const merged = session(TV, 0, 70);
    const second = replace(0, [merged]);
    expect(idOf(second, merged)).toBe(idOf(first, a));
    expect(store.sessions.query({}).map((s) => s.id)).toEqual([idOf(first, a)]);
    expect(sessionIdOfAlert('on-b')).toBe(idOf(first, a));
  });

  it('deletes a session that no longer exists and nulls the session_id of its alerts', () => {
    const a = session(TV, 0, 30);
    const b = session(IPAD, 0, 30);
    const first = replace(0, [a, b]);
    store.alerts.addNew([{ alert: alert('on-b', 10, IPAD), sessionId: idOf(first, b) }], min(100));

    replace(0, [a]); // the iPad's events were forgotten or re-attributed
    expect(store.sessions.query({}).map((s) => s.device)).toEqual([TV]);
    expect(sessionIdOfAlert('on-b')).toBeNull();
    expect(store.alerts.list(undefined).map((x) => x.key)).toEqual(['on-b']);
  });

  it('leaves sessions that ended before `from` alone', () => {
    const early = session(TV, 0, 30);
    const late = session(TV, 100, 130);
    const first = replace(0, [early, late]);
    const late2 = session(TV, 100, 160);
    const second = replace(min(90), [late2]);
    expect(idOf(second, late2)).toBe(idOf(first, late));
    expect(store.sessions.query({}).map((s) => [s.id, s.start, s.end])).toEqual([
      [idOf(first, early), min(0), min(30)],
      [idOf(first, late), min(100), min(160)],
    ]);
  });

  it('query filters by the range, device and service', () => {
    replace(0, [session(TV, 0, 30), session(IPAD, 20, 50), session(TV, 100, 130, { service: 'disney_plus' })]);
    const starts = (q: Parameters<typeof store.sessions.query>[0]): number[] => store.sessions.query(q).map((s) => s.start);
    expect(starts({ since: min(40) })).toEqual([min(20), min(100)]);
    expect(starts({ until: min(10) })).toEqual([min(0)]);
    expect(starts({ devices: [IPAD] })).toEqual([min(20)]);
    expect(starts({ devices: [] })).toEqual([]);
    expect(starts({ service: 'netflix' })).toEqual([min(0), min(20)]);
  });
});

describe('AlertRepo.reconcile: one play, one alert, whatever the order of evidence', () => {
  const quiet = (key: string, atMin: number, span: [number, number], device = TV): Alert => ({
    ...alert(key, atMin, device), sameWithin: { from: min(span[0]), to: min(span[1]) },
  });
  const rec = (alerts: Alert[], fromMin: number, nowMin: number, maxAgeMin = 60) =>
    store.tx(() => store.alerts.reconcile(alerts.map((a) => ({ alert: a, sessionId: null })), min(fromMin), min(nowMin), maxAgeMin * 60_000));

  it('a session refined by a capture (start a minute earlier): the same alert, updated, not raised again', () => {
    const first = rec([quiet('quiet_hours:tv:netflix:dns', 30, [30, 40])], 0, 31);
    expect(first.queued).toHaveLength(1);
    const again = rec([{ ...quiet('quiet_hours:tv:netflix:flows', 29, [29, 45]), message: 'refined' }], 0, 35);
    expect(again).toEqual({ queued: [], history: [], retracted: 0 });
    expect(store.alerts.list(undefined).map((a) => [a.id, a.key, a.at, a.message])).toEqual([[first.queued[0], 'quiet_hours:tv:netflix:dns', min(29), 'refined']]);
  });

  it('another session of the same device, outside the first one\'s span: a second alert', () => {
    rec([quiet('a', 30, [30, 40])], 0, 31);
    expect(rec([quiet('a', 30, [30, 40]), quiet('b', 70, [70, 80])], 0, 71).queued).toHaveLength(1);
    expect(store.alerts.list(undefined)).toHaveLength(2);
  });

  it('an undelivered alert the input no longer supports is retracted; a delivered one stays on record', () => {
    const a = rec([quiet('a', 30, [30, 40]), quiet('b', 50, [50, 55])], 0, 51).queued;
    store.alerts.markDelivered(a[0]!, min(52));
    expect(rec([], 0, 60).retracted).toBe(1);
    expect(store.alerts.list(undefined).map((r) => r.key)).toEqual(['a']);
  });

  it('only alerts from the rebuild\'s start are reconciled; older ones are left as they are', () => {
    rec([quiet('old', 10, [10, 12]), quiet('new', 50, [50, 52])], 0, 51);
    rec([], 40, 60);
    expect(store.alerts.list(undefined).map((r) => r.key)).toEqual(['old']);
  });

  it('an alert first derived about an event older than notify_max_age is history: stored, listed, never pending', () => {
    const r = rec([quiet('old', 10, [10, 12]), quiet('fresh', 100, [100, 101])], 0, 120, 60);
    expect(r.history).toHaveLength(1);
    expect(r.queued).toHaveLength(1);
    expect(store.alerts.pending(10).map((a) => a.key)).toEqual(['fresh']);
    expect(store.alerts.outboxDepth()).toBe(1);
    expect(store.alerts.list(undefined).map((a) => [a.key, a.held])).toEqual([['old', 'history'], ['fresh', null]]);
  });

  it('the concurrent-streams crossing is the same alert whichever screen turns out to be the last', () => {
    const cs = (device: string, atMin: number): Alert => ({
      ...alert(`concurrent_streams:netflix:${atMin}`, atMin, device), rule: 'concurrent_streams', sameWithin: { from: min(atMin), to: min(atMin + 30), anyDevice: true },
    });
    rec([cs(TV, 30)], 0, 31);
    expect(rec([cs(IPAD, 29)], 0, 32).queued).toEqual([]);
    expect(store.alerts.list(undefined).map((a) => [a.device, a.at])).toEqual([[IPAD, min(29)]]);
  });
});

describe('AlertRepo.addNew', () => {
  const outboxRows = (): { alert_id: number; attempts: number; delivered_at: number | null }[] =>
    store.db.prepare('SELECT alert_id, attempts, delivered_at FROM outbox ORDER BY alert_id').all() as never;

  it('stores each key once, queues each new alert once, and returns only the new ids', () => {
    const first = store.tx(() => store.alerts.addNew([{ alert: alert('k1', 1), sessionId: null }, { alert: alert('k2', 2), sessionId: null }], min(10)));
    expect(first).toHaveLength(2);
    const again = store.tx(() =>
      store.alerts.addNew(
        [
          { alert: { ...alert('k1', 1), message: 'changed' }, sessionId: null },
          { alert: alert('k2', 2), sessionId: null },
          { alert: alert('k3', 3), sessionId: null },
        ],
        min(20),
      ),
    );
    expect(again).toHaveLength(1);
    expect(store.alerts.list(undefined).map((a) => [a.key, a.message])).toEqual([['k1', 'alert k1'], ['k2', 'alert k2'], ['k3', 'alert k3']]);
    expect(outboxRows()).toEqual([...first, ...again].map((id) => ({ alert_id: id, attempts: 0, delivered_at: null })));
    expect(store.alerts.outboxDepth()).toBe(3);
  });

  it('the same key twice in one batch is stored and queued once', () => {
    const ids = store.alerts.addNew([{ alert: alert('dup', 1), sessionId: null }, { alert: alert('dup', 1), sessionId: null }], min(10));
    expect(ids).toHaveLength(1);
    expect(outboxRows()).toHaveLength(1);
  });

  it('a delivered alert is not queued again when its key comes back', () => {
    const [id] = store.alerts.addNew([{ alert: alert('k', 1), sessionId: null }], min(10));
    store.alerts.markDelivered(id ?? -1, min(11));
    expect(store.alerts.addNew([{ alert: alert('k', 1), sessionId: null }], min(12))).toEqual([]);
    expect(store.alerts.outboxDepth()).toBe(0);
    expect(store.alerts.pending(10)).toEqual([]);
    expect(store.alerts.byId(id ?? -1)).toMatchObject({ key: 'k', deliveredAt: min(11) });
  });

  it('pending lists undelivered alerts oldest first; failures are counted and reported', () => {
    const ids = store.alerts.addNew([1, 2, 3].map((n) => ({ alert: alert(`k${n}`, n), sessionId: null })), min(10));
    store.alerts.markDelivered(ids[0] ?? -1, min(11));
    store.alerts.markFailed(ids[1] ?? -1, 'Home Assistant unreachable', min(12));
    expect(store.alerts.pending(10).map((a) => [a.key, a.attempts, a.lastError])).toEqual([
      ['k2', 1, 'Home Assistant unreachable'],
      ['k3', 0, null],
    ]);
    expect(store.alerts.lastError()).toBe('Home Assistant unreachable');
    expect(store.alerts.list(min(2)).map((a) => a.key)).toEqual(['k2', 'k3']);
  });
});

describe('SourceRepo.progress', () => {
  const base = { path: '/var/log/pihole/pihole.log', inode: 42, size: 1000, complete: false, now: min(0) };

  it('adds lines, parsed and skipped counts per reason across reads; keeps the event range', () => {
    const id = store.sources.create('pihole', base.path, 'f'.repeat(40), 1024, 42, min(0));
    store.sources.progress(id, { ...base, offset: 400, addLines: 10, addParsed: 6, addSkipped: { malformed: 1, other_service: 3 }, firstEvent: min(5), lastEvent: min(9) });
    store.sources.progress(id, { ...base, offset: 700, addLines: 5, addParsed: 2, addSkipped: { other_service: 2, binary: 1 }, firstEvent: min(10), lastEvent: min(12) });
    store.sources.progress(id, { ...base, offset: 1000, complete: true, addLines: 0, addParsed: 0, addSkipped: {}, now: min(1) });
    expect(store.sources.get(id)).toMatchObject({
      offset: 1000, complete: true, lines: 15, parsed: 8,
      skipped: { malformed: 1, other_service: 5, binary: 1 },
      firstEvent: min(5), lastEvent: min(12), updatedAt: min(1),
    });
  });

  it('an earlier event moves first_event back; a successful read clears the last error', () => {
    const id = store.sources.create('pihole', base.path, 'f'.repeat(40), 1024, 42, min(0));
    store.sources.progress(id, { ...base, offset: 10, addLines: 1, addParsed: 1, addSkipped: {}, firstEvent: min(30), lastEvent: min(30) });
    store.sources.setError(id, 'boom', min(31));
    expect(store.sources.get(id)?.lastError).toBe('boom');
    store.sources.progress(id, { ...base, offset: 20, addLines: 1, addParsed: 1, addSkipped: {}, firstEvent: min(20), lastEvent: min(25) });
    expect(store.sources.get(id)).toMatchObject({ firstEvent: min(20), lastEvent: min(30), lastError: null });
  });
});

describe('FlowRepo.replaceSource', () => {
  const flow = (over: Partial<FlowMinute> = {}): FlowMinute => ({
    minute: min(1), localIp: '192.168.1.20', remoteIp: '45.57.90.1', service: 'netflix', role: 'ui',
    bytesDown: 1_000, bytesUp: 100, packetsDown: 2, packetsUp: 1, ...over,
  });
  const rows = (): unknown[] =>
    store.db
      .prepare('SELECT source_id, minute, remote_ip, role, bytes_down, bytes_up, packets_down, packets_up FROM flows ORDER BY minute, remote_ip, source_id')
      .all();

  it('keeps a minute that spans two capture files as one row per file', () => {
    store.flows.replaceSource(1, [flow()]);
    store.flows.replaceSource(2, [flow({ bytesDown: 5_000_000, bytesUp: 20_000, packetsDown: 3_500, packetsUp: 400, role: 'video' })]);
    expect(rows()).toEqual([
      { source_id: 1, minute: min(1), remote_ip: '45.57.90.1', role: 'ui', bytes_down: 1_000, bytes_up: 100, packets_down: 2, packets_up: 1 },
      { source_id: 2, minute: min(1), remote_ip: '45.57.90.1', role: 'video', bytes_down: 5_000_000, bytes_up: 20_000, packets_down: 3_500, packets_up: 400 },
    ]);
  });

  it('a file read again replaces its own minutes instead of adding to them', () => {
    store.flows.replaceSource(1, [flow(), flow({ minute: min(2) })]);
    store.flows.replaceSource(1, [flow({ bytesDown: 3_000 }), flow({ minute: min(2), bytesDown: 4_000 }), flow({ minute: min(3) })]);
    expect(store.flows.between(min(0), min(9)).map((f) => [f.minute, f.bytesDown])).toEqual([[min(1), 3_000], [min(2), 4_000], [min(3), 1_000]]);
  });

  it('keeps other minutes and other remote addresses apart', () => {
    store.flows.replaceSource(1, [flow(), flow({ minute: min(2) }), flow({ remoteIp: '45.57.90.2' })]);
    expect(rows()).toHaveLength(3);
    expect(store.flows.between(min(2), min(2)).map((f) => [f.minute, f.bytesDown])).toEqual([[min(2), 1_000]]);
  });
});
