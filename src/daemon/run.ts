// nfmon run from a loaded config to a stopped daemon: the logger, the notifier (checked before
// anything starts), the pipeline's dependencies, the one writer lock, startDaemon, and a clean
// stop on SIGTERM/SIGINT. The CLI parses its options and calls runDaemon; nothing else composes.
import { secretWarnings } from '../config/secrets.js';
import type { Config } from '../config/schema.js';
import type { ModuleLogger } from '../core/log.js';
import { openIngestDeps, type IngestDeps } from '../ingest/deps.js';
import { acquireWriter, describeHolder } from '../ingest/writer.js';
import type { WriterLock } from '../store/writer-lock.js';
import { buildNotifier, startDaemon, type Daemon } from './daemon.js';
import { createLogger } from './logger.js';

export interface RunInput {
  readonly config: Config;
  /** The config file's name, for the warnings about secrets it holds readable by others. */
  readonly source: string;
  readonly env: NodeJS.ProcessEnv;
}

/** Runs the daemon until a signal stops it; rejects when it cannot start. */
export async function runDaemon({ config, source, env }: RunInput): Promise<void> {
  const logger = createLogger(config.log_level);
  for (const warning of secretWarnings(config, source)) logger.warn(warning);
  // Checked before anything starts: a bad Home Assistant section refuses to start.
  const notifier = buildNotifier(config, env, logger);
  const deps = openIngestDeps(config, config.database);
  const lock = await takeWriterLock(deps, logger);
  const daemon = startDaemon({ app: deps, logger, env, notifier, onStopped: () => lock.release() });
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

/** One writer: wait for an ingest to finish; a second daemon is refused (exit 1). */
async function takeWriterLock(deps: IngestDeps, logger: ModuleLogger): Promise<WriterLock> {
  let writer;
  try {
    writer = await acquireWriter(deps.store, 'run', {
      now: Date.now,
      onWait: (holder) => logger.info(`waiting for ${describeHolder(holder)} to finish writing ${deps.store.file}`),
    });
  } catch (err) {
    deps.close();
    throw err;
  }
  if (!('lock' in writer)) throw new Error('the writer lock went to an ingest hand-off; this cannot happen for nfmon run');
  return writer.lock;
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
