// devices, sessions, alerts: read the store, print a table or the JSON of the contract.
import type { Command } from 'commander';
import { isoUtc } from '../../core/time.js';
import type { App } from '../../daemon/app.js';
import { alertsJson, macOf, querySessions, resolveDevices as matchDevices, sessionsJson } from '../../daemon/views.js';
import type { DeviceRow } from '../../store/devices.js';
import { parseTimeArg, UsageError } from '../args.js';
import { severityColour } from '../colour.js';
import { formatBytes, formatDuration, localTime, printJson, table } from '../output.js';
import { configFor, withApp } from './common.js';

const iso = (ts: number | null): string | null => (ts === null ? null : isoUtc(ts));

export function registerQueries(program: Command): void {
  program
    .command('devices')
    .description('devices seen on the network, with identity and trust')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      await withApp(cmd, (app) => printDevices(app, opts.json === true));
    });

  program
    .command('sessions')
    .description('viewing sessions (default: the last 24 hours)')
    .option('--since <time>', 'all, today, a duration back from now (90m, 24h, 7d) or an ISO time', '24h')
    .option('--until <time>', 'end of the range (a duration back from now or an ISO time)')
    .option('--device <mac|name>', 'only this device (MAC, name, hostname or IP)')
    .option('--service <name>', 'only this service (e.g. netflix)')
    .option('--json', 'print JSON')
    .action(async (opts: SessionOpts, cmd: Command) => {
      const now = Date.now();
      const config = configFor(cmd);
      const since = parseTimeArg('--since', opts.since, now, config.timezone);
      const until = opts.until !== undefined ? parseTimeArg('--until', opts.until, now, config.timezone) : undefined;
      await withApp(cmd, (app) => printSessions(app, { since, until, device: opts.device, service: opts.service, json: opts.json === true }, now), config);
    });

  program
    .command('alerts')
    .description('alerts raised (default: all)')
    .option('--since <time>', 'all, today, a duration back from now (90m, 24h, 7d) or an ISO time', 'all')
    .option('--json', 'print JSON')
    .action(async (opts: { since: string; json?: boolean }, cmd: Command) => {
      const config = configFor(cmd);
      const since = parseTimeArg('--since', opts.since, Date.now(), config.timezone);
      await withApp(cmd, (app) => printAlerts(app, since, opts.json === true), config);
    });
}

interface SessionOpts {
  since: string;
  until?: string;
  device?: string;
  service?: string;
  json?: boolean;
}

export function deviceJson(d: DeviceRow, label: string | undefined): Record<string, unknown> {
  return {
    mac: macOf(d.device),
    name: label ?? d.name,
    hostname: d.hostname,
    vendor: d.vendor || null,
    ips: d.ips,
    trust: d.trust,
    randomized: d.randomized,
    first_seen: iso(d.firstSeen),
    last_seen: iso(d.lastSeen),
  };
}

function printDevices(app: App, json: boolean): void {
  const configured = new Map(app.configuredDevices.map((c) => [c.mac, c]));
  const rows = app.store.devices.list().map((d) => {
    const c = configured.get(d.device);
    return c ? { ...d, name: c.name ?? d.name, trust: c.trust } : d;
  });
  if (json) return printJson(rows.map((d) => deviceJson(d, d.name ?? undefined)));
  if (rows.length === 0) return void process.stdout.write('No devices yet: run nfmon ingest or nfmon run.\n');
  process.stdout.write(
    table(
      ['DEVICE', 'NAME', 'HOSTNAME', 'VENDOR', 'IPS', 'TRUST', 'LAST SEEN'],
      rows.map((d) => [
        d.device + (d.randomized ? ' (random)' : ''), d.name ?? '-', d.hostname ?? '-', d.vendor || '-', d.ips.join(' ') || '-', d.trust,
        localTime(d.lastSeen, app.timeZone),
      ]),
    ),
  );
}

/** The devices a --device value names; a usage error when none matches. */
export function resolveDevices(app: App, query: string): string[] {
  const found = matchDevices(app, query);
  if (found.length === 0) throw new UsageError(`--device: no device matches "${query}" (try nfmon devices)`);
  return found;
}

function printSessions(
  app: App,
  q: { since: number | undefined; until: number | undefined; device?: string | undefined; service?: string | undefined; json: boolean },
  now: number,
): void {
  const devices = q.device !== undefined ? resolveDevices(app, q.device) : undefined;
  const rows = querySessions(app, { since: q.since, until: q.until, devices, service: q.service });
  const out = sessionsJson(app, rows, now);
  if (q.json) return printJson(out);
  if (out.length === 0) return void process.stdout.write('No viewing sessions in that range (try --since all).\n');
  process.stdout.write(
    table(
      ['ID', 'DEVICE', 'SERVICE', 'START', 'END', 'DURATION', 'DOWN', 'AVG', 'QUALITY', 'EVIDENCE'],
      rows.map((s, i) => [
        String(s.id), out[i]?.device.name ?? s.device, s.service, localTime(s.start, app.timeZone),
        endCell(s.start, s.end, app.timeZone) + (out[i]?.open ? ' (playing)' : ''),
        formatDuration((s.end - s.start) / 1000), formatBytes(s.bytesDown), s.avgMbps === null ? '-' : `${s.avgMbps} Mbit/s`,
        s.quality ?? '-', s.evidence.join('+'),
      ]),
      { rowColours: out.map((s) => (s.open ? 'green' : undefined)) },
    ),
  );
}

/** SENT: delivered, waiting, or held back for good (about an event older than rules.notify_max_age). */
function sentCell(delivered: boolean, held: string | null): string {
  if (delivered) return 'yes';
  return held === 'history' ? 'history' : 'no';
}

/** The end's local time; its date too when the session ends on another local day than it started. */
export function endCell(start: number, end: number, zone: string): string {
  const a = localTime(start, zone);
  const b = localTime(end, zone);
  return a.slice(0, 10) === b.slice(0, 10) ? b.slice(11) : b;
}

function printAlerts(app: App, since: number | undefined, json: boolean): void {
  const rows = app.store.alerts.list(since);
  const out = alertsJson(app, rows);
  if (json) return printJson(out);
  if (out.length === 0) return void process.stdout.write('No alerts.\n');
  process.stdout.write(
    table(
      ['ID', 'AT', 'RULE', 'DEVICE', 'SENT', 'MESSAGE'],
      out.map((a, i) => [String(a.id), localTime(rows[i]?.at, app.timeZone), a.rule, a.device?.name ?? '-', sentCell(a.delivered, rows[i]?.held ?? null), a.message]),
      { rowColours: out.map((a) => severityColour(a.severity)) },
    ),
  );
}
