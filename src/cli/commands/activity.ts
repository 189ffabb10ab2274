// nfmon activity: one row per device that ever streamed, with minutes today and over 7 days.
import type { Command } from 'commander';
import type { DeviceActivity } from '../../core/activity.js';
import type { IngestDeps } from '../../ingest/deps.js';
import { activityJson, loadActivity } from '../../ingest/views.js';
import { parseTimeArg, UsageError } from '../args.js';
import { formatBytes, formatDuration, localTime, printJson, table } from '../output.js';
import { configFor, READ_ONLY, withApp } from './common.js';
import { resolveDevices } from '../device-arg.js';
import { endCell } from '../output.js';

interface ActivityOpts {
  json?: boolean;
  device?: string;
  since: string;
  at?: string;
}

export function registerActivity(program: Command): void {
  program
    .command('activity')
    .description('per device: streaming now, minutes today (local day) and over the last 7 days, last session')
    .option('--device <mac|name>', 'only this device (MAC, name, hostname or IP)')
    .option('--since <time>', 'only devices that streamed since: all, today, a duration (24h, 7d) or an ISO time', 'all')
    .option('--at <time>', 'as of this moment instead of now (an ISO time or a duration back from now)')
    .option('--json', 'print JSON')
    .action(async (opts: ActivityOpts, cmd: Command) => {
      const config = configFor(cmd);
      const wall = Date.now();
      const now = opts.at !== undefined ? parseTimeArg('--at', opts.at, wall) : wall;
      if (now === undefined) throw new UsageError('--at: expected an ISO time or a duration back from now, got "all"');
      const since = parseTimeArg('--since', opts.since, now, config.timezone);
      await withApp(
        cmd,
        (app) => {
          const devices = opts.device !== undefined ? resolveDevices(app, opts.device) : undefined;
          const rows = loadActivity(app, now, { devices, since });
          if (opts.json) printJson(activityJson(app, rows));
          else printActivity(app, rows);
        },
        { ...READ_ONLY, config },
      );
    });
}

function printActivity(app: IngestDeps, rows: readonly DeviceActivity[]): void {
  if (rows.length === 0) return void process.stdout.write('No device has streamed (in that range).\n');
  const json = activityJson(app, rows);
  const zone = app.timeZone;
  const minutes = (m: number): string => (m === 0 ? '-' : formatDuration(m * 60));
  process.stdout.write(
    table(
      ['DEVICE', 'NOW', 'TODAY', '7 DAYS', 'SESSIONS TODAY', 'LAST SESSION', 'BYTES TODAY'],
      rows.map((r, i) => [
        json[i]?.device.name ?? r.device,
        r.streamingNow ? `playing since ${localTime(r.streamingSince, zone).slice(11)}` : '-',
        minutes(r.todayMinutes),
        minutes(r.last7dMinutes),
        String(r.sessionsToday),
        r.lastSession ? `${localTime(r.lastSession.start, zone)} - ${endCell(r.lastSession.start, r.lastSession.end, zone)}` : '-',
        formatBytes(r.bytesToday),
      ]),
      { rowColours: rows.map((r) => (r.streamingNow ? 'green' : undefined)) },
    ),
  );
}
