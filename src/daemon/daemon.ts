// nfmon run: the one composition root. Builds every adapter from the config, starts the sources,
// the jobs and the sender, and takes them down again in order on SIGTERM/SIGINT.
import { readFileSync } from 'node:fs';
import cron, { type ScheduledTask } from 'node-cron';
import { ConsoleNotifier } from '../notify/console.js';
import { HomeAssistantNotifier } from '../notify/homeassistant.js';
import type { Notifier } from '../notify/notifier.js';
import { OutboxSender } from '../notify/outbox-sender.js';
import { ConfigError } from '../config/load.js';
import type { Config } from '../config/schema.js';
import type { App } from '../ingest/deps.js';
import { ftlWatchFor } from './ftl-watch.js';
import { LeaseWatch } from './lease-watch.js';
import { LogTail } from './log-tail.js';
import { guarded, type ModuleLogger } from '../core/log.js';
import { outboxRepo } from './outbox.js';
import { finishRequest, reopenAbandoned, takeRequests } from '../ingest/inbox.js';
import { ingestAll, type IngestReport } from '../ingest/ingest.js';
import { rebuildPending } from '../ingest/rebuild.js';
import { SerialRunner } from './serial.js';
import { entitySnapshot } from './entities.js';
import { mqttCredentials } from '../notify/mqtt/credentials.js';
import type { MqttHandle } from '../notify/mqtt/start.js';
import { dailySummaryAlert, runRetention } from './jobs.js';

export interface DaemonDeps {
  readonly app: App;
  readonly logger: ModuleLogger;
  readonly env: NodeJS.ProcessEnv;
  readonly now?: () => number;
  /** Replace the notifier (tests). */
  readonly notifier?: Notifier;
  readonly heartbeatMs?: number;
  readonly senderBackoff?: { minMs: number; maxMs: number };
  /** Called last in stop(), after the database is closed (the composition root releases the writer lock). */
  readonly onStopped?: () => void;
  readonly inboxPollMs?: number;
}

export interface Daemon {
  /** Resolves after every source has had its first pass. */
  readonly ready: Promise<void>;
  stop(): Promise<void>;
}

/** The HA token from config, token_file or $NFMON_HA_TOKEN; never logged. */
export function haToken(config: Config, env: NodeJS.ProcessEnv): string | undefined {
  const ha = config.homeassistant;
  if (ha?.token) return ha.token;
  if (ha?.token_file) {
    try {
      return readFileSync(ha.token_file, 'utf8').trim() || undefined;
    } catch (err) {
      throw new ConfigError('config', [`homeassistant.token_file: cannot read ${ha.token_file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`]);
    }
  }
  return env.NFMON_HA_TOKEN?.trim() || undefined;
}

export function buildNotifier(config: Config, env: NodeJS.ProcessEnv, logger: ModuleLogger): Notifier {
  const ha = config.homeassistant;
  if (!ha?.url) return new ConsoleNotifier((line) => logger.info(line));
  const token = haToken(config, env);
  const problems: string[] = [];
  if (!token) problems.push('homeassistant.token: no token (set homeassistant.token, homeassistant.token_file or NFMON_HA_TOKEN)');
  if (!ha.notify && !ha.event) problems.push('homeassistant.notify: set a notify service or leave homeassistant.event on');
  if (problems.length > 0 || !token) throw new ConfigError('config', problems);
  return new HomeAssistantNotifier({
    url: ha.url,
    token,
    ...(ha.notify ? { notifyService: ha.notify } : {}),
    fireEvent: ha.event,
    logger: logger.child('homeassistant'),
  });
}

export function startDaemon(deps: DaemonDeps): Daemon {
  const { app, logger } = deps;
  const now = deps.now ?? Date.now;
  const { store, config } = app;
  const notifier = deps.notifier ?? buildNotifier(config, deps.env, logger);
  if (!store.meta.get('first_run')) store.meta.set('first_run', String(now()));
  store.meta.set('daemon_started', String(now()));
  store.meta.set('daemon_pid', String(process.pid));
  const heartbeat = (): void => store.meta.set('daemon_heartbeat', String(now()));
  heartbeat();

  const sender = new OutboxSender({
    repo: outboxRepo(app),
    notifier,
    clock: { now },
    logger: logger.child('outbox'),
    ...(deps.senderBackoff ? { minBackoffMs: deps.senderBackoff.minMs, maxBackoffMs: deps.senderBackoff.maxMs } : {}),
  });

  // Sources store their input with the rebuild mark; one serial rebuild derives from it.
  const rebuilds = new SerialRunner(logger.child('rebuild'), 'rebuild');
  const changed = (): void => {
    rebuilds.request(async () => {
      const r = rebuildPending(app.rebuildContext(), now());
      if (r && r.historyAlertIds.length > 0) {
        logger.info('alerts about older events recorded as history, not sent', { count: r.historyAlertIds.length, max_age_ms: config.rules.notify_max_age });
      }
      if (r && r.newAlertIds.length > 0) {
        logger.info('new alerts', { count: r.newAlertIds.length });
        sender.kick();
      }
      // Entities follow every change (a session opened or grew, a lease renamed a device).
      mqtt?.refresh();
      await Promise.resolve();
    });
  };

  const tail = new LogTail(app, { path: config.pihole.log, now, onEvents: changed, logger: logger.child('pihole') });
  const leases = new LeaseWatch(app, { now, onChanged: changed, logger: logger.child('leases') });
  const ftlDb = ftlWatchFor(app, { now, onChanged: changed, logger: logger.child('pihole-db') });
  let captures: { start(): Promise<void>; stop(): Promise<void> } | undefined;

  const jobs: ScheduledTask[] = [];
  const jobLog = logger.child('jobs');
  const schedule = (expr: string, what: string, fn: () => Promise<void> | void): void => {
    jobs.push(cron.schedule(expr, guarded(jobLog, what, fn), { timezone: config.timezone, noOverlap: true, name: what }));
  };
  schedule('17 3 * * *', 'retention', () => void runRetention(app, now(), config.retention.events, jobLog));
  if (config.leases.urls.length > 0) schedule(config.leases.poll, 'lease polling', () => leases.pollUrls());
  if (config.rules.daily_summary) {
    schedule(config.rules.daily_summary, 'daily summary', () => {
      if (dailySummaryAlert(app, now())) sender.kick();
    });
  }
  // Files handed over by `nfmon ingest` while this daemon is the one writer.
  reopenAbandoned(store, now());
  const inbox = new SerialRunner(logger.child('inbox'), 'ingest hand-off');
  const readInbox = async (): Promise<void> => {
    for (const item of takeRequests(store, now())) {
      logger.info('ingesting files handed over by nfmon ingest', { request: item.id });
      let report: IngestReport;
      try {
        report = await ingestAll(app, item.request, { now: now() });
      } catch (err) {
        report = { logs: [], piholeDbs: [], leases: [], pcaps: [], viewingActivity: [], sessions: 0, newAlerts: 0, newAlertIds: [], historyAlerts: 0, resumedRebuild: false, errors: [(err as Error).message] };
      }
      finishRequest(store, item.id, report, now());
      if (report.newAlertIds.length > 0) sender.kick();
      mqtt?.refresh();
    }
  };
  const inboxTimer = setInterval(() => inbox.request(readInbox), deps.inboxPollMs ?? 1000);
  inboxTimer.unref();

  const beatOnce = guarded(logger, 'heartbeat', () => {
    heartbeat();
    // A rebuild that failed (disk full, I/O error) left its mark: try again without waiting for new input.
    if (store.mark.pending() !== undefined) changed();
  });
  const beat = setInterval(() => void beatOnce(), deps.heartbeatMs ?? 30_000);
  beat.unref();

  let web: { close(): Promise<void> } | undefined;
  // MQTT.js is loaded only when mqtt.url is set; the credentials are checked before anything starts.
  if (config.mqtt.url) mqttCredentials(config, deps.env);
  let mqtt: MqttHandle | undefined;
  const ready = (async () => {
    // The dashboard first, so that it shows the catch-up; loaded only when configured.
    if (config.http.listen) web = await (await import('../web/server.js')).startWebServer({ app, logger: logger.child('web'), now });
    if (config.mqtt.url) {
      const { startMqtt } = await import('../notify/mqtt/start.js');
      mqtt = startMqtt({ config, env: deps.env, provider: () => entitySnapshot(app, now()), logger: logger.child('mqtt') });
    }
    // What a killed writer stored but did not derive comes first.
    changed();
    await rebuilds.idle();
    await leases.start();
    await tail.start();
    await ftlDb?.start();
    if (config.captures.dir) {
      // The capture decoder is loaded only when a capture directory is configured.
      const { CaptureDir } = await import('./capture-dir.js');
      captures = new CaptureDir(app, { dir: config.captures.dir, now, onChanged: changed, logger: logger.child('captures') });
      await captures.start();
    }
    await rebuilds.idle();
    sender.kick();
    logger.info('nfmon running', { log: config.pihole.log, pihole_db: ftlDb?.path ?? 'off', leases: config.leases.files.length, captures: config.captures.dir ?? 'off' });
  })();

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      logger.info('stopping');
      clearInterval(beat);
      clearInterval(inboxTimer);
      await inbox.stop();
      for (const j of jobs) await j.stop();
      try {
        await ready;
      } catch (err) {
        logger.debug('start-up had failed before stop', { error: err });
      }
      await tail.stop();
      await ftlDb?.stop();
      await leases.stop();
      await captures?.stop();
      await rebuilds.stop();
      await mqtt?.stop();
      const drained = await sender.drain(3000);
      if (!drained) logger.warn('stopped with an alert send in flight; it stays queued and is sent again at the next start');
      await notifier.close();
      await web?.close();
      store.meta.delete('daemon_heartbeat');
      app.close();
      deps.onStopped?.();
      logger.info('stopped');
    })());
  return { ready, stop };
}
