// devices, sessions, alerts: read the store, print a table or the JSON of the contract.
import type { Command } from 'commander';
import { isoUtc } from '../../core/time.js';
import type { IngestDeps } from '../../ingest/deps.js';
import { alertsJson, macOf, querySessions, sessionsJson } from '../../ingest/views.js';
import { resolveDevices } from '../device-arg.js';
import type { DeviceRow } from '../../store/devices.js';
import { parseTimeArg, UsageError } from '../args.js';
import { severityColour } from '../colour.js';
import { endCell, formatBytes, formatDuration, localTime, printJson, table } from '../output.js';
import { configFor, READ_ONLY, withApp } from './common.js';

const iso = (ts: number | null): string | null => (ts === null ? null : isoUtc(ts));

export function registerQueries(program: Command): void {
  program
    .command('devices')
    .description('devices seen on the network, with identity and trust')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      await withApp(cmd, (app) => printDevices(app, opts.json === true), READ_ONLY);
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
      if (since !== undefined && until !== undefined && until < since) throw new UsageError(`--until ${opts.until} is before --since ${opts.since}`);
      await withApp(
        cmd,
        (app) => printSessions(app, { since, until, device: opts.device, service: checkService(app, opts.service), json: opts.json === true }, now),
        { ...READ_ONLY, config },
      );
    });

  program
    .command('alerts')
    .description('alerts raised (default: all)')
    .option('--since <time>', 'all, today, a duration back from now (90m, 24h, 7d) or an ISO time', 'all')
    .option('--json', 'print JSON')
    .action(async (opts: { since: string; json?: boolean }, cmd: Command) => {
      const config = configFor(cmd);
      const since = parseTimeArg('--since', opts.since, Date.now(), config.timezone);
      await withApp(cmd, (app) => printAlerts(app, since, opts.json === true), { ...READ_ONLY, config });
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

function printDevices(app: IngestDeps, json: boolean): void {
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

/** Devices named in an error: enough to spot a typo, never a screenful. */
/** --service must name a service of the catalog (netflix, or one added under services). */
export function checkService(app: IngestDeps, service: string | undefined): string | undefined {
  if (service === undefined) return undefined;
  const names = app.catalog.services.map((s) => s.name);
  const name = service.trim().toLowerCase();
  if (names.includes(name)) return name;
  throw new UsageError(`--service: unknown service "${service}" (monitored: ${names.join(', ')}; more can be added under services in the config)`);
}

function printSessions(
  app: IngestDeps,
  q: { since: number | undefined; until: number | undefined; device?: string | undefined; service?: string | undefined; json: boolean },
  now: number,
): void {
  const devices = q.device !== undefined ? resolveDevices(app, q.device) : undefined;
  const rows = querySessions(app, { since: q.since, until: q.until, devices, service: q.service });
  const out = sessionsJson(app, rows, now);
  if (q.json) return printJson(out);
  if (out.length === 0) return void process.stdout.write(noSessionsText(q.since, q.until));
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

/** What to say when nothing matched: suggest a wider range only when there is one. */
export function noSessionsText(since: number | undefined, until: number | undefined): string {
  if (since !== undefined) return 'No viewing sessions in that range (try --since all).\n';
  return until === undefined ? 'No viewing sessions yet.\n' : 'No viewing sessions in that range.\n';
}

function printAlerts(app: IngestDeps, since: number | undefined, json: boolean): void {
  const rows = app.store.alerts.list(since);
  const out = alertsJson(app, rows);
  if (json) return printJson(out);
  if (out.length === 0) return void process.stdout.write('No alerts.\n');
  process.stdout.write(
    table(
      ['ID', 'AT', 'RULE', 'DEVICE', 'SENT', 'MESSAGE'],
      out.map((a, i) => [String(a.id), localTime(rows[i]?.at, app.timeZone), a.rule, a.device?.name ?? '-', a.delivery === 'sent' ? 'yes' : a.delivery === 'history' ? 'history' : 'no', a.message]),
      { rowColours: out.map((a) => severityColour(a.severity)) },
    ),
  );
}
