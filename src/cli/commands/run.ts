// nfmon run (the daemon) and nfmon notify-test.
import type { Command } from 'commander';
import { isoUtc } from '../../core/time.js';
import { UsageError } from '../args.js';
import { printJson } from '../output.js';
import { loadedConfigFor } from './common.js';
import { secretWarnings } from '../../config/secrets.js';
import { safeText } from '../../core/text.js';

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

/** nfmon run: the config from the command line, then daemon/ does the rest. */
async function runDaemon(cmd: Command): Promise<void> {
  // Loaded here, not at the top: the other commands need neither the daemon nor the websocket.
  const daemon = await import('../../daemon/run.js');
  const { config, source } = loadedConfigFor(cmd);
  await daemon.runDaemon({ config, source, env: process.env });
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
