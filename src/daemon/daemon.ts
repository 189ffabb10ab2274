// The running daemon, composed: builds every adapter from the config (compose), schedules the
// jobs, watches the inbox and beats the heartbeat, starts the sources (startSources), and takes
// them down again in order (shutdown). run.ts calls it with the writer lock held and stops it on
// SIGTERM/SIGINT; tests call it directly.
import { readFileSync } from 'node:fs';
import cron, { type ScheduledTask } from 'node-cron';
import { ConsoleNotifier } from '../notify/console.js';
import { HomeAssistantNotifier } from '../notify/homeassistant.js';
import type { Notifier } from '../notify/notifier.js';
import { OutboxSender } from '../notify/outbox-sender.js';
import { ConfigError } from '../config/file.js';
import type { Config } from '../config/schema.js';
import type { IngestDeps } from '../ingest/deps.js';
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
  readonly app: IngestDeps;
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

/** What the composition root built; the watchers, the jobs and the shutdown share it. */
interface Parts {
  readonly app: IngestDeps;
  readonly logger: ModuleLogger;
  readonly env: NodeJS.ProcessEnv;
  readonly now: () => number;
  readonly notifier: Notifier;
  readonly sender: OutboxSender;
  /** The one serial rebuild; `changed` asks it to derive from what the sources stored. */
  readonly rebuilds: SerialRunner;
  readonly changed: () => void;
  readonly tail: LogTail;
  readonly leases: LeaseWatch;
  readonly ftlDb: ReturnType<typeof ftlWatchFor>;
  /** Started once the daemon is up, and only when configured (their modules load lazily). */
  readonly late: { web?: { close(): Promise<void> }; mqtt?: MqttHandle; captures?: { start(): Promise<void>; stop(): Promise<void> } };
}

/** What runs on timers until stop(). */
interface Running {
  readonly jobs: readonly ScheduledTask[];
  readonly timers: readonly NodeJS.Timeout[];
  readonly inbox: SerialRunner;
  readonly ready: Promise<void>;
}

export function startDaemon(deps: DaemonDeps): Daemon {
  const now = deps.now ?? Date.now;
  const notifier = deps.notifier ?? buildNotifier(deps.app.config, deps.env, deps.logger);
  // MQTT.js is loaded only when mqtt.url is set; the credentials are checked before anything starts.
  if (deps.app.config.mqtt.url) mqttCredentials(deps.app.config, deps.env);
  const heartbeat = recordStart(deps.app, now);
  const parts = compose(deps, now, notifier);
  const jobs = scheduleJobs(parts);
  const inbox = new SerialRunner(deps.logger.child('inbox'), 'ingest hand-off');
  const timers = [watchInbox(parts, inbox, deps.inboxPollMs ?? 1000), beat(parts, heartbeat, deps.heartbeatMs ?? 30_000)];
  const running: Running = { jobs, timers, inbox, ready: startSources(parts) };
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => (stopping ??= shutdown(parts, running, deps.onStopped));
  return { ready: running.ready, stop };
}

/** Marks the database as served by this process; returns the heartbeat that `nfmon status` reads. */
function recordStart(app: IngestDeps, now: () => number): () => void {
  const { meta } = app.store;
  if (!meta.get('first_run')) meta.set('first_run', String(now()));
  meta.set('daemon_started', String(now()));
  meta.set('daemon_pid', String(process.pid));
  const heartbeat = (): void => meta.set('daemon_heartbeat', String(now()));
  heartbeat();
  return heartbeat;
}

/** Builds the sender, the serial rebuild and the watchers of every source. */
function compose(deps: DaemonDeps, now: () => number, notifier: Notifier): Parts {
  const { app, logger } = deps;
  const sender = new OutboxSender({
    repo: outboxRepo(app),
    notifier,
    clock: { now },
    logger: logger.child('outbox'),
    ...(deps.senderBackoff ? { minBackoffMs: deps.senderBackoff.minMs, maxBackoffMs: deps.senderBackoff.maxMs } : {}),
  });
  const late: Parts['late'] = {};
  // Sources store their input with the rebuild mark; one serial rebuild derives from it.
  const rebuilds = new SerialRunner(logger.child('rebuild'), 'rebuild');
  const changed = (): void => rebuilds.request(() => rebuildAndTell(app, now, logger, sender, late));
  const watcher = { now, onChanged: changed };
  return {
    app,
    logger,
    env: deps.env,
    now,
    notifier,
    sender,
    rebuilds,
    changed,
    late,
    tail: new LogTail(app, { path: app.config.pihole.log, now, onEvents: changed, logger: logger.child('pihole') }),
    leases: new LeaseWatch(app, { ...watcher, logger: logger.child('leases') }),
    ftlDb: ftlWatchFor(app, { ...watcher, logger: logger.child('pihole-db') }),
  };
}

/** One rebuild from the mark; new alerts go to the sender, and the entities follow every change. */
async function rebuildAndTell(app: IngestDeps, now: () => number, logger: ModuleLogger, sender: OutboxSender, late: Parts['late']): Promise<void> {
  const r = rebuildPending(app.rebuildContext(), now());
  if (r && r.historyAlertIds.length > 0) {
    logger.info('alerts about older events recorded as history, not sent', { count: r.historyAlertIds.length, max_age_ms: app.config.rules.notify_max_age });
  }
  if (r && r.newAlertIds.length > 0) {
    logger.info('new alerts', { count: r.newAlertIds.length });
    sender.kick();
  }
  // Entities follow every change (a session opened or grew, a lease renamed a device).
  late.mqtt?.refresh();
  await Promise.resolve();
}

/** The cron jobs: retention every night, lease URL polling, the daily summary. */
function scheduleJobs({ app, logger, now, leases, sender }: Parts): ScheduledTask[] {
  const { config } = app;
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
  return jobs;
}

/** Files handed over by `nfmon ingest` while this daemon is the one writer, looked for every `pollMs`. */
function watchInbox(parts: Parts, inbox: SerialRunner, pollMs: number): NodeJS.Timeout {
  reopenAbandoned(parts.app.store, parts.now());
  const timer = setInterval(() => inbox.request(() => ingestHandedOver(parts)), pollMs);
  timer.unref();
  return timer;
}

async function ingestHandedOver({ app, logger, now, sender, late }: Parts): Promise<void> {
  for (const item of takeRequests(app.store, now())) {
    logger.info('ingesting files handed over by nfmon ingest', { request: item.id });
    let report: IngestReport;
    try {
      report = await ingestAll(app, item.request, { now: now() });
    } catch (err) {
      report = { logs: [], piholeDbs: [], leases: [], pcaps: [], viewingActivity: [], sessions: 0, newAlerts: 0, newAlertIds: [], historyAlerts: 0, resumedRebuild: false, errors: [(err as Error).message] };
    }
    finishRequest(app.store, item.id, report, now());
    if (report.newAlertIds.length > 0) sender.kick();
    late.mqtt?.refresh();
  }
}

function beat({ app, logger, changed }: Parts, heartbeat: () => void, everyMs: number): NodeJS.Timeout {
  const beatOnce = guarded(logger, 'heartbeat', () => {
    heartbeat();
    // A rebuild that failed (disk full, I/O error) left its mark: try again without waiting for new input.
    if (app.store.mark.pending() !== undefined) changed();
  });
  const timer = setInterval(() => void beatOnce(), everyMs);
  timer.unref();
  return timer;
}

/** Dashboard, MQTT, then what a killed writer left, then every source's first pass. */
async function startSources(parts: Parts): Promise<void> {
  const { app, logger, now, late, changed, rebuilds } = parts;
  const { config } = app;
  // The dashboard first, so that it shows the catch-up; loaded only when configured.
  if (config.http.listen) late.web = await (await import('../web/server.js')).startWebServer({ app, logger: logger.child('web'), now });
  if (config.mqtt.url) {
    const { startMqtt } = await import('../notify/mqtt/start.js');
    late.mqtt = startMqtt({ config, env: parts.env, provider: () => entitySnapshot(app, now()), logger: logger.child('mqtt') });
  }
  // What a killed writer stored but did not derive comes first.
  changed();
  await rebuilds.idle();
  await parts.leases.start();
  await parts.tail.start();
  await parts.ftlDb?.start();
  if (config.captures.dir) {
    // The capture decoder is loaded only when a capture directory is configured.
    const { CaptureDir } = await import('./capture-dir.js');
    late.captures = new CaptureDir(app, { dir: config.captures.dir, now, onChanged: changed, logger: logger.child('captures') });
    await late.captures.start();
  }
  await rebuilds.idle();
  parts.sender.kick();
  logger.info('nfmon running', { log: config.pihole.log, pihole_db: parts.ftlDb?.path ?? 'off', leases: config.leases.files.length, captures: config.captures.dir ?? 'off' });
}

/** Timers and jobs first, then the sources, the rebuild, the senders and the database, in that order. */
async function shutdown(parts: Parts, running: Running, onStopped: (() => void) | undefined): Promise<void> {
  const { logger, late } = parts;
  logger.info('stopping');
  for (const t of running.timers) clearInterval(t);
  await running.inbox.stop();
  for (const j of running.jobs) await j.stop();
  try {
    await running.ready;
  } catch (err) {
    logger.debug('start-up had failed before stop', { error: err });
  }
  await parts.tail.stop();
  await parts.ftlDb?.stop();
  await parts.leases.stop();
  await late.captures?.stop();
  await parts.rebuilds.stop();
  await late.mqtt?.stop();
  const drained = await parts.sender.drain(3000);
  if (!drained) logger.warn('stopped with an alert send in flight; it stays queued and is sent again at the next start');
  await parts.notifier.close();
  await late.web?.close();
  parts.app.store.meta.delete('daemon_heartbeat');
  parts.app.close();
  onStopped?.();
  logger.info('stopped');
}
