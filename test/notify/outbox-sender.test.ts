// OutboxSender against fakes of its own interfaces: order, backoff, pausing, logging, drain.
import { afterEach, describe, expect, it } from 'vitest';
import { NotifyError, type Notifier, type OutgoingAlert } from '../../src/notify/notifier.js';
import { backoffDelay, OutboxSender, type OutboxSenderOptions } from '../../src/notify/outbox-sender.js';
import { makeAlert, MemoryOutbox, realClock, recordingLogger } from './support.js';

/** A notifier whose answer comes from `answer(alert, n)`, n counting all attempts from 1 (undefined = success). */
class ScriptedNotifier implements Notifier {
  readonly attempts: number[] = [];
  readonly delivered: number[] = [];
  inFlight = 0;
  maxInFlight = 0;
  delayMs = 0;
  answer: (alert: OutgoingAlert, attempt: number) => Error | undefined = () => undefined;

  async send(alert: OutgoingAlert): Promise<void> {
    this.attempts.push(alert.id);
    this.maxInFlight = Math.max(this.maxInFlight, ++this.inFlight);
    try {
      if (this.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
      const err = this.answer(alert, this.attempts.length);
      if (err !== undefined) throw err;
      this.delivered.push(alert.id);
    } finally {
      this.inFlight--;
    }
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

async function until(predicate: () => boolean, what: string, timeoutMs = 3_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const unreachable = () => new NotifyError('unreachable', 'cannot connect to Home Assistant at ws://ha:8123/api/websocket: connect ECONNREFUSED');

describe('backoffDelay', () => {
  it.each([
    [1, 1_000],
    [2, 2_000],
    [3, 4_000],
    [8, 128_000],
    [9, 256_000],
    [10, 300_000],
    [50, 300_000],
    [5_000, 300_000],
  ])('retry %i waits %i ms', (attempts, ms) => {
    expect(backoffDelay(attempts)).toBe(ms);
  });
});

describe('OutboxSender', () => {
  const senders: OutboxSender[] = [];
  afterEach(async () => {
    for (const s of senders.splice(0)) await s.drain(1_000);
  });

  function setup(options: Partial<OutboxSenderOptions> = {}) {
    const repo = new MemoryOutbox();
    const notifier = new ScriptedNotifier();
    const logger = recordingLogger();
    const sender = new OutboxSender({ repo, notifier, clock: realClock, logger, minBackoffMs: 1, maxBackoffMs: 16, ...options });
    senders.push(sender);
    return { repo, notifier, logger, sender };
  }

  it('delivers pending alerts in id order, one at a time, marking each delivered once', async () => {
    const { repo, notifier, sender } = setup({ batchSize: 2 });
    repo.add(makeAlert(3), makeAlert(1), makeAlert(2), makeAlert(5), makeAlert(4));
    sender.kick();
    await until(() => repo.undelivered().length === 0, 'all delivered');
    expect(notifier.attempts).toEqual([1, 2, 3, 4, 5]);
    expect(notifier.maxInFlight).toBe(1);
    expect([...repo.rows.values()].map((r) => r.timesMarkedDelivered)).toEqual([1, 1, 1, 1, 1]);
    expect(sender.status()).toMatchObject({ state: 'idle', delivered: 5, failure: null });
  });

  it('stops at the first failure so later alerts wait, and backs off 1, 2, 4 ... up to the cap', async () => {
    const { repo, notifier, sender, logger } = setup();
    repo.add(makeAlert(1), makeAlert(2), makeAlert(3));
    notifier.answer = (alert, attempt) => (alert.id === 2 && attempt <= 8 ? unreachable() : undefined);
    sender.kick();
    await until(() => repo.undelivered().length === 0, 'all delivered');
    expect(notifier.attempts).toEqual([1, 2, 2, 2, 2, 2, 2, 2, 2, 3]);
    expect(repo.failures.map((f) => f.nextAttemptAt - f.at)).toEqual([1, 2, 4, 8, 16, 16, 16]);
    expect(repo.failures.every((f) => f.id === 2 && f.error.startsWith('unreachable: cannot connect'))).toBe(true);
    // One line when it broke, one when it healed; the retries in between only at debug.
    expect(logger.at('warn')).toEqual([
      'Home Assistant unreachable: cannot connect to Home Assistant at ws://ha:8123/api/websocket: connect ECONNREFUSED; 2 alerts queued, retrying with backoff up to 16 ms',
    ]);
    expect(logger.at('info')).toHaveLength(1);
    expect(logger.at('info')[0]).toMatch(/^Home Assistant delivery recovered after 7 failed attempts since \d{4}-\d\d-\d\dT[\d:]+Z; sending queued alerts$/);
    expect(logger.at('debug').filter((l) => l.includes('failed (unreachable)'))).toHaveLength(6);
  });

  it('logs again when the kind of failure changes', async () => {
    const { repo, notifier, sender, logger } = setup();
    repo.add(makeAlert(1));
    notifier.answer = (_alert, attempt) =>
      attempt <= 2 ? unreachable() : attempt <= 4 ? new NotifyError('timeout', 'Home Assistant did not answer notify.x within 10000 ms') : undefined;
    sender.kick();
    await until(() => repo.undelivered().length === 0, 'delivered');
    expect(logger.at('warn')).toHaveLength(2);
    expect(logger.at('warn')[1]).toBe('Home Assistant did not answer in time: Home Assistant did not answer notify.x within 10000 ms; 1 alert queued, retrying with backoff up to 16 ms');
  });

  it('pauses on a rejected token, says so once with the queue depth, and resumes with a new notifier', async () => {
    const { repo, notifier, sender, logger } = setup();
    repo.add(makeAlert(1), makeAlert(2), makeAlert(3));
    notifier.answer = () => new NotifyError('auth_invalid', 'Home Assistant rejected the token: Invalid access token or password', { haMessage: 'Invalid access token or password' });
    sender.kick();
    await until(() => sender.status().state === 'paused', 'paused');
    repo.add(makeAlert(4));
    sender.kick();
    await sleep(50);
    expect(notifier.attempts).toEqual([1]);
    expect(logger.at('error')).toEqual([
      'Home Assistant rejected the token (homeassistant.token / token_file / NFMON_HA_TOKEN): Invalid access token or password; 3 alerts queued, delivery paused until the token is fixed',
    ]);
    const fixed = new ScriptedNotifier();
    sender.setNotifier(fixed);
    await until(() => repo.undelivered().length === 0, 'all delivered');
    expect(fixed.delivered).toEqual([1, 2, 3, 4]);
  });

  it('names the setting when the notify service does not exist, and keeps retrying', async () => {
    const { repo, notifier, sender, logger } = setup();
    repo.add(makeAlert(1), makeAlert(2));
    notifier.answer = (_a, attempt) =>
      attempt <= 3
        ? new NotifyError('not_found', 'Home Assistant answered notify.mobile_app_pixel with not_found: Service notify.mobile_app_pixel not found.', {
            target: 'notify.mobile_app_pixel',
          })
        : undefined;
    sender.kick();
    await until(() => repo.undelivered().length === 0, 'all delivered');
    expect(logger.at('error')).toEqual([
      'Home Assistant has no service notify.mobile_app_pixel (homeassistant.notify); 2 alerts queued, retrying with backoff up to 16 ms',
    ]);
  });

  it('kick() cuts a backoff wait short', async () => {
    const { repo, notifier, sender } = setup({ minBackoffMs: 60_000, maxBackoffMs: 60_000 });
    repo.add(makeAlert(1));
    notifier.answer = (_a, attempt) => (attempt === 1 ? unreachable() : undefined);
    sender.kick();
    await until(() => sender.status().state === 'waiting', 'waiting');
    repo.add(makeAlert(2));
    sender.kick();
    await until(() => repo.undelivered().length === 0, 'all delivered');
    expect(notifier.delivered).toEqual([1, 2]);
  });

  it('picks up alerts stored while it was sending', async () => {
    const { repo, notifier, sender } = setup();
    notifier.delayMs = 10;
    repo.add(makeAlert(1));
    sender.kick();
    repo.add(makeAlert(2));
    sender.kick();
    await sleep(5);
    repo.add(makeAlert(3));
    sender.kick();
    await until(() => repo.undelivered().length === 0, 'all delivered');
    expect(notifier.attempts).toEqual([1, 2, 3]);
  });

  it('survives a store failure: logs it, retries, loses and repeats nothing', async () => {
    const { repo, notifier, sender, logger } = setup();
    repo.add(makeAlert(1), makeAlert(2));
    repo.failNextCall = true;
    sender.kick();
    await until(() => repo.undelivered().length === 0, 'all delivered');
    expect(notifier.attempts).toEqual([1, 2]);
    expect(logger.at('error')).toEqual(['outbox: reading or updating the outbox failed: database is locked; retrying in 1 ms']);
  });

  it('treats an unexpected error from the notifier as a rejection and retries', async () => {
    const { repo, notifier, sender, logger } = setup();
    repo.add(makeAlert(1));
    notifier.answer = (_a, attempt) => (attempt === 1 ? new TypeError('boom') : undefined);
    sender.kick();
    await until(() => repo.undelivered().length === 0, 'delivered');
    expect(logger.at('error')[0]).toBe('Home Assistant refused the alert: TypeError: boom; 1 alert queued, retrying with backoff up to 16 ms');
  });

  it('drain() waits for the send in flight and sends nothing new', async () => {
    const { repo, notifier, sender } = setup();
    notifier.delayMs = 80;
    repo.add(makeAlert(1), makeAlert(2), makeAlert(3));
    sender.kick();
    await until(() => notifier.inFlight === 1, 'first send in flight');
    expect(await sender.drain(1_000)).toBe(true);
    expect(notifier.delivered).toEqual([1]);
    expect(repo.undelivered()).toEqual([2, 3]);
    sender.kick();
    await sleep(120);
    expect(notifier.attempts).toEqual([1]);
    expect(sender.status().state).toBe('stopped');
  });

  it('drain() gives up after its timeout and leaves the item queued for the next start', async () => {
    const { repo, notifier, sender, logger } = setup();
    notifier.delayMs = 200;
    repo.add(makeAlert(1));
    sender.kick();
    await until(() => notifier.inFlight === 1, 'send in flight');
    expect(await sender.drain(30)).toBe(false);
    await until(() => notifier.inFlight === 0, 'send finished');
    // Delivered by the notifier, but the store may be closed by now: not marked, sent again later.
    expect(repo.undelivered()).toEqual([1]);
    expect(logger.at('warn')).toEqual(['outbox: alert 1 still being sent after 30 ms at shutdown; it stays queued and is sent again at the next start']);
  });

  it('drain() stops a backoff wait', async () => {
    const { repo, notifier, sender } = setup({ minBackoffMs: 20, maxBackoffMs: 20 });
    repo.add(makeAlert(1));
    notifier.answer = unreachable;
    sender.kick();
    await until(() => sender.status().state === 'waiting', 'waiting');
    expect(await sender.drain(100)).toBe(true);
    await sleep(60);
    expect(notifier.attempts).toEqual([1]);
  });
});
