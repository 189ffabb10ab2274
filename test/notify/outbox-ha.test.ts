// The outbox sender with the real Home Assistant adapter against a server that speaks the real
// protocol: alerts arrive once each, in order, after every kind of outage. Where an answer is
// lost after Home Assistant acted, delivery is at-least-once and the repeat carries the same tag.
import { afterEach, describe, expect, it } from 'vitest';
import { HomeAssistantNotifier } from '../../src/notify/homeassistant.js';
import { OutboxSender } from '../../src/notify/outbox-sender.js';
import { FakeHaServer, type RecordedCall } from '../helpers/fake-ha-server.js';
import { makeAlert, MemoryOutbox, realClock, recordingLogger } from './support.js';

const TOKEN = 'llat-good';
const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const alertId = (c: RecordedCall): number => (c.service_data.data as { alert_id: number }).alert_id;

interface Harness {
  readonly ha: FakeHaServer;
  readonly repo: MemoryOutbox;
  readonly logger: ReturnType<typeof recordingLogger>;
  sender: OutboxSender;
  adapter(token?: string): HomeAssistantNotifier;
  /** Stores alerts from..to and kicks, as the daemon does after a write. */
  add(from: number, to?: number): void;
  allDelivered(what?: string): Promise<void>;
  callIds(): number[];
  eventIds(): number[];
}

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** callTimeoutMs short only where a test is about timeouts: a loaded CI box is slow too. */
async function harness(callTimeoutMs = 1_000): Promise<Harness> {
  const ha = await FakeHaServer.start({ token: TOKEN, services: ['notify.mobile_app_pixel'] });
  cleanups.push(() => ha.stop());
  const repo = new MemoryOutbox();
  const logger = recordingLogger();
  const adapter = (token = TOKEN): HomeAssistantNotifier => {
    const n = new HomeAssistantNotifier({ url: ha.url, token, notifyService: 'notify.mobile_app_pixel', connectTimeoutMs: 1_000, callTimeoutMs, logger });
    cleanups.push(() => n.close());
    return n;
  };
  const newSender = (): OutboxSender => {
    const s = new OutboxSender({ repo, notifier: adapter(), clock: realClock, logger, minBackoffMs: 5, maxBackoffMs: 40 });
    cleanups.push(() => s.drain(1_000));
    return s;
  };
  const h: Harness = {
    ha,
    repo,
    logger,
    sender: newSender(),
    adapter,
    add(from, to = from) {
      repo.add(...range(from, to).map((id) => makeAlert(id)));
      h.sender.kick();
    },
    allDelivered: (what = 'all alerts delivered') => ha.until(() => repo.undelivered().length === 0, what, 10_000),
    callIds: () => ha.knownCalls().map(alertId),
    eventIds: () => ha.events.filter((e) => e.accepted).map((e) => e.event_data.id as number),
  };
  return h;
}

function expectMarkedOnce(repo: MemoryOutbox): void {
  expect([...repo.rows.values()].every((r) => r.timesMarkedDelivered === 1)).toBe(true);
}

/** Every alert at least once, never an older one after a newer one, repeats with the same tag. */
function expectOrderedAtLeastOnce(calls: RecordedCall[], expected: number[]): void {
  const ids = calls.map(alertId);
  expect([...new Set(ids)]).toEqual(expected);
  expect(ids).toEqual([...ids].sort((a, b) => a - b));
  for (const c of calls) expect((c.service_data.data as { tag: string }).tag).toBe(makeAlert(alertId(c)).key);
}

describe('OutboxSender + HomeAssistantNotifier + a Home Assistant that misbehaves', () => {
  it('Home Assistant down at start, up later: everything once, in order; one line down, one line back', async () => {
    const h = await harness();
    await h.ha.stop();
    h.add(1, 5);
    await h.ha.until(() => h.repo.failures.length >= 3, 'a few failed attempts');
    h.add(6, 8);
    await sleep(50);
    await h.ha.start();
    await h.allDelivered();
    expect(h.callIds()).toEqual(range(1, 8));
    expect(h.eventIds()).toEqual(range(1, 8));
    expectMarkedOnce(h.repo);
    expect(h.logger.at('warn').filter((l) => l.startsWith('Home Assistant unreachable'))).toHaveLength(1);
    expect(h.logger.at('warn')[0]).toMatch(/connect ECONNREFUSED 127\.0\.0\.1:\d+; 5 alerts queued, retrying with backoff up to 40 ms$/);
    expect(h.logger.at('info').filter((l) => l.includes('delivery recovered'))).toHaveLength(1);
  });

  it('Home Assistant restarting and down for a while between alerts: once each, in order', async () => {
    const h = await harness();
    h.add(1, 3);
    await h.allDelivered('first batch');
    h.ha.closeAllConnections();
    await h.ha.stop();
    h.add(4, 6);
    await sleep(100);
    h.ha.refuse(502); // the reverse proxy answers before HA does
    await h.ha.start();
    await sleep(50);
    h.ha.refuse(false);
    await h.allDelivered();
    expect(h.callIds()).toEqual(range(1, 6));
    expect(h.eventIds()).toEqual(range(1, 6));
    expectMarkedOnce(h.repo);
  });

  it('Home Assistant going down in the middle of a burst: in order, at least once, repeats carry the tag', async () => {
    const h = await harness();
    h.add(1, 40);
    await h.ha.until(() => h.ha.knownCalls().length >= 10, 'ten calls');
    await h.ha.stop();
    await sleep(80);
    await h.ha.start();
    await h.allDelivered();
    expectOrderedAtLeastOnce(h.ha.knownCalls(), range(1, 40));
    // One outage can cost at most the alert that was in flight.
    expect(h.ha.knownCalls().length).toBeLessThanOrEqual(41);
    expectMarkedOnce(h.repo);
  });

  it('connections dropped on open, several in a row: once each, in order', async () => {
    const h = await harness();
    h.add(1, 2);
    await h.allDelivered('first batch');
    h.ha.dropNextConnections(3, { when: 'open' });
    h.ha.closeAllConnections();
    await h.ha.until(() => h.ha.openConnections() === 0, 'closed');
    h.add(3, 6);
    await h.allDelivered();
    expect(h.ha.connections).toBe(5);
    expect(h.callIds()).toEqual(range(1, 6));
    expect(h.eventIds()).toEqual(range(1, 6));
  });

  it('connection cut as a call arrives, before Home Assistant acts: once each', async () => {
    const h = await harness();
    h.ha.dropNextConnections(1, { when: 'command', command: 'execute_script' });
    h.add(1, 4);
    await h.allDelivered();
    expect(h.callIds()).toEqual(range(1, 4));
    expect(h.eventIds()).toEqual(range(1, 4));
  });

  it('connection cut after Home Assistant acted but before it answered: that alert repeats whole (notification and event), with its tag', async () => {
    const h = await harness();
    h.add(1, 2);
    await h.allDelivered('first batch');
    h.ha.closeAllConnections();
    await h.ha.until(() => h.ha.openConnections() === 0, 'closed');
    h.ha.dropNextConnections(1, { when: 'after_command', command: 'execute_script' });
    h.add(3, 4);
    await h.allDelivered();
    // At-least-once: nfmon cannot know the lost script ran. The phone replaces the notification
    // (same tag); automations de-duplicate on the event's key. Both parts repeat together.
    expect(h.callIds()).toEqual([1, 2, 3, 3, 4]);
    expectOrderedAtLeastOnce(h.ha.knownCalls(), range(1, 4));
    expect(h.eventIds()).toEqual([1, 2, 3, 3, 4]);
    expectMarkedOnce(h.repo);
  });

  it('rejected token: one clear line, alerts stay queued, no login storm; a new adapter with the fixed token sends them', async () => {
    const h = await harness();
    h.ha.setToken('rotated-token');
    h.add(1, 3);
    await h.ha.until(() => h.sender.status().state === 'paused', 'paused');
    h.add(4);
    await sleep(100);
    expect(h.ha.auths).toEqual([{ conn: 1, ok: false }]);
    expect(h.repo.undelivered()).toEqual(range(1, 4));
    expect(h.logger.at('error')).toEqual([
      'Home Assistant rejected the token (homeassistant.token / token_file / NFMON_HA_TOKEN): Invalid access token or password; 3 alerts queued, delivery paused until the token is fixed',
    ]);
    h.sender.setNotifier(h.adapter('rotated-token'));
    await h.allDelivered();
    expect(h.callIds()).toEqual(range(1, 4));
    expect(h.eventIds()).toEqual(range(1, 4));
    expect(JSON.stringify(h.logger.lines)).not.toContain('rotated-token');
  });

  it('unknown notify service: one line naming the setting; delivered once the service exists', async () => {
    const h = await harness();
    h.ha.setServices([]);
    h.add(1, 2);
    await h.ha.until(() => h.repo.failures.length >= 3, 'failed attempts');
    expect(h.logger.at('error')).toEqual([
      'Home Assistant has no service notify.mobile_app_pixel (homeassistant.notify); 2 alerts queued, retrying with backoff up to 40 ms',
    ]);
    h.ha.setServices(['notify.mobile_app_pixel']); // the companion app registered again
    await h.allDelivered();
    expect(h.callIds()).toEqual([1, 2]);
    expect(h.eventIds()).toEqual([1, 2]);
  });

  it('answers slower than the timeout, then normal: once each, because retries wait for the late answer', async () => {
    const h = await harness(100);
    h.ha.delayResults(250);
    h.add(1, 2);
    await h.ha.until(() => h.repo.undelivered().length === 1, 'first delivered', 10_000);
    h.ha.delayResults(0);
    h.add(3, 4);
    await h.allDelivered();
    expect(h.ha.calls.map(alertId)).toEqual(range(1, 4));
    expect(h.ha.events.map((e) => e.event_data.id)).toEqual(range(1, 4));
    expect(h.ha.connections).toBe(1);
    // At most one line per slow episode (alert 1, and alert 2 if still slow), not one per retry.
    const slow = h.logger.at('warn').filter((l) => l.startsWith('Home Assistant did not answer in time'));
    expect(slow.length).toBeGreaterThanOrEqual(1);
    expect(slow.length).toBeLessThanOrEqual(2);
    expect(h.repo.failures.length).toBeGreaterThan(slow.length);
  });

  it('a link gone silent (no answers, not even pong): dropped, reconnected, once each', async () => {
    const h = await harness(100);
    h.add(1, 2);
    await h.allDelivered('first batch');
    h.ha.goSilent(true);
    h.add(3, 4);
    await h.ha.until(() => h.repo.failures.length >= 2, 'failed attempts');
    h.ha.goSilent(false);
    await h.allDelivered();
    expect(h.callIds()).toEqual(range(1, 4));
    expect(h.eventIds()).toEqual(range(1, 4));
  });

  it('shutdown drains the send in flight; the next start sends the rest, once each', async () => {
    const h = await harness();
    h.ha.delayResults(60); // long enough to drain mid-send, well within the call timeout
    h.add(1, 3);
    await h.ha.until(() => h.ha.calls.length === 1, 'first call');
    expect(await h.sender.drain(2_000)).toBe(true);
    expect(h.repo.undelivered()).toEqual([2, 3]);
    await sleep(150);
    expect(h.ha.calls).toHaveLength(1);
    h.ha.delayResults(0);
    h.sender = new OutboxSender({ repo: h.repo, notifier: h.adapter(), clock: realClock, logger: h.logger, minBackoffMs: 5, maxBackoffMs: 40 });
    h.sender.kick();
    await h.allDelivered();
    expect(h.callIds()).toEqual(range(1, 3));
    expect(h.eventIds()).toEqual(range(1, 3));
  });

  it('shutdown that cannot wait for a slow answer: the alert stays queued and is re-sent (same tag) at the next start', async () => {
    const h = await harness();
    h.ha.delayResults(300);
    h.add(1, 2);
    await h.ha.until(() => h.ha.calls.length === 1, 'first call');
    expect(await h.sender.drain(20)).toBe(false);
    h.ha.delayResults(0);
    h.sender = new OutboxSender({ repo: h.repo, notifier: h.adapter(), clock: realClock, logger: h.logger, minBackoffMs: 5, maxBackoffMs: 40 });
    h.sender.kick();
    await h.allDelivered();
    expect(h.callIds()).toEqual([1, 1, 2]);
    expectOrderedAtLeastOnce(h.ha.knownCalls(), [1, 2]);
  });

  it('a token that may not fire events still delivers notifications, with one warning', async () => {
    const h = await harness();
    h.ha.setAdmin(false);
    h.add(1, 3);
    await h.allDelivered();
    expect(h.callIds()).toEqual(range(1, 3));
    expect(h.logger.at('warn').filter((l) => l.includes('nfmon_alert event'))).toHaveLength(1);
    expectMarkedOnce(h.repo);
  });
});
