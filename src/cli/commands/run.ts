// nfmon run (the daemon) and nfmon notify-test.
import type { Command } from 'commander';
import { openApp } from '../../ingest/deps.js';
import { isoUtc } from '../../core/time.js';
import { UsageError } from '../args.js';
import { printJson } from '../output.js';
import { loadedConfigFor } from './common.js';
import { secretWarnings } from '../../config/secrets.js';
import { safeText } from '../../core/text.js';
import type { ModuleLogger } from '../../core/log.js';
import type { Daemon } from '../../daemon/daemon.js';

export function registerRun(program: Command): void {
  program
    .command('run')
    .description('the daemon: tail the Pi-hole log, watch leases and captures, alert Home Assistant')
    .action((_opts: unknown, cmd: Command) => runDaemon(cmd));

  program
    .command('notify-test')
    .description('send one test notification to Home Assistant and print what it answered')
    .option('--json', 'print the answer as JSON')
    .action((opts: { json?: boolean }, cmd: Command) => notifyTest(opts, cmd));
}

/** nfmon run: the writer lock, the daemon, and a clean stop on SIGTERM/SIGINT. */
async function runDaemon(cmd: Command): Promise<void> {
  // Loaded here, not at the top: the other commands need neither the daemon nor the websocket.
  const { buildNotifier, startDaemon } = await import('../../daemon/daemon.js');
  const { createLogger } = await import('../../daemon/logger.js');
  const { config, source } = loadedConfigFor(cmd);
  const logger = createLogger(config.log_level);
  for (const warning of secretWarnings(config, source)) logger.warn(warning);
  // Checked before anything starts: a bad Home Assistant section refuses to start.
  const notifier = buildNotifier(config, process.env, logger);
  const app = openApp(config, config.database);
  // One writer: wait for an ingest to finish; a second daemon is refused (exit 1).
  const { acquireWriter, describeHolder } = await import('../../ingest/writer.js');
  let writer;
  try {
    writer = await acquireWriter(app.store, 'run', {
      onWait: (holder) => logger.info(`waiting for ${describeHolder(holder)} to finish writing ${app.store.file}`),
    });
  } catch (err) {
    app.close();
    throw err;
  }
  if (!('lock' in writer)) throw new Error('the writer lock went to an ingest hand-off; this cannot happen for nfmon run');
  const lock = writer.lock;
  const daemon = startDaemon({ app, logger, env: process.env, notifier, onStopped: () => lock.release() });
  const stopped = stopOnSignal(daemon, logger);
  try {
    await daemon.ready;
  } catch (err) {
    logger.error(`start-up failed: ${(err as Error).message}`);
    await daemon.stop();
    throw err;
  }
  await stopped;
}

/**
 * Signals are handled from the first moment: a SIGTERM during a long catch-up at start still
 * drains and exits cleanly (progress is stored transactionally either way).
 */
function stopOnSignal(daemon: Daemon, logger: ModuleLogger): Promise<void> {
  return new Promise<void>((resolve) => {
    const onSignal = (signal: NodeJS.Signals): void => {
      logger.info('signal received', { signal });
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
      daemon.stop().then(resolve, (err: unknown) => {
        logger.error(`shutdown failed: ${(err as Error).message}`);
        resolve();
      });
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
}

async function notifyTest(opts: { json?: boolean }, cmd: Command): Promise<void> {
  const { buildNotifier } = await import('../../daemon/daemon.js');
  const { createLogger } = await import('../../daemon/logger.js');
  const { HomeAssistantNotifier } = await import('../../notify/homeassistant.js');
  const { config, source } = loadedConfigFor(cmd);
  for (const warning of secretWarnings(config, source)) process.stderr.write(`nfmon: warning: ${safeText(warning)}\n`);
  if (!config.homeassistant?.url) throw new UsageError('notify-test: homeassistant.url is not set in the config');
  const notifier = buildNotifier(config, process.env, createLogger('warn'));
  if (!(notifier instanceof HomeAssistantNotifier)) throw new UsageError('notify-test: Home Assistant is not configured');
  try {
    const answer = await notifier.testNotification(isoUtc(Date.now()));
    if (opts.json) printJson(answer);
    else if (answer.ok) process.stdout.write(`Home Assistant accepted the test notification: ${JSON.stringify(answer.result)}\n`);
    else process.stdout.write(`Home Assistant answered ${answer.code}: ${answer.message}\n`);
    if (!answer.ok) process.exitCode = 1;
  } finally {
    await notifier.close();
  }
}
