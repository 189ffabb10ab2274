// devices, sessions, alerts: read the store, print a table or the JSON of the contract.
import type { Command } from 'commander';
import { isoUtc } from '../../core/time.js';
import type { App } from '../../daemon/app.js';
import { deviceFacts } from '../../daemon/rebuild.js';
import type { DeviceRow } from '../../store/devices.js';
import { parseTimeArg, UsageError } from '../args.js';
import { formatBytes, formatDuration, localTime, printJson, table } from '../output.js';
import { withApp } from './common.js';

export const macOf = (device: string): string | null => (device.startsWith('ip:') ? null : device);
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
    .option('--since <time>', 'all, a duration back from now (90m, 24h, 7d) or an ISO time', '24h')
    .option('--until <time>', 'end of the range (a duration back from now or an ISO time)')
    .option('--device <mac|name>', 'only this device (MAC, name, hostname or IP)')
    .option('--service <name>', 'only this service (e.g. netflix)')
    .option('--json', 'print JSON')
    .action(async (opts: SessionOpts, cmd: Command) => {
      const now = Date.now();
      const since = parseTimeArg('--since', opts.since, now);
      const until = opts.until !== undefined ? parseTimeArg('--until', opts.until, now) : undefined;
      await withApp(cmd, (app) => printSessions(app, { since, until, device: opts.device, service: opts.service, json: opts.json === true }, now));
    });

  program
    .command('alerts')
    .description('alerts raised (default: all)')
    .option('--since <time>', 'all, a duration back from now (90m, 24h, 7d) or an ISO time', 'all')
    .option('--json', 'print JSON')
    .action(async (opts: { since: string; json?: boolean }, cmd: Command) => {
      const since = parseTimeArg('--since', opts.since, Date.now());
      await withApp(cmd, (app) => printAlerts(app, since, opts.json === true));
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

export function resolveDevices(app: App, query: string): string[] {
  const fromConfig = app.configuredDevices.filter((c) => c.name?.toLowerCase() === query.trim().toLowerCase()).map((c) => c.mac);
  const found = [...new Set([...fromConfig, ...app.store.devices.find(query).map((d) => d.device)])];
  if (found.length === 0) throw new UsageError(`--device: no device matches "${query}" (try nfmon devices)`);
  return found;
}

function printSessions(
  app: App,
  q: { since: number | undefined; until: number | undefined; device?: string | undefined; service?: string | undefined; json: boolean },
  now: number,
): void {
  const devices = q.device !== undefined ? resolveDevices(app, q.device) : undefined;
  const rows = app.store.sessions.query({
    ...(q.since !== undefined ? { since: q.since } : {}),
    ...(q.until !== undefined ? { until: q.until } : {}),
    ...(devices ? { devices } : {}),
    ...(q.service ? { service: q.service } : {}),
  });
  const facts = deviceFacts(app);
  const hostnames = new Map(app.store.devices.list().map((d) => [d.device, d.hostname]));
  const gap = app.sessionOptions.gapMs;
  const out = rows.map((s) => ({
    id: s.id,
    device: { mac: macOf(s.device), name: facts.get(s.device)?.label ?? s.device, hostname: hostnames.get(s.device) ?? null, ip: s.ip },
    service: s.service,
    start: isoUtc(s.start),
    end: isoUtc(s.end),
    duration_s: Math.round((s.end - s.start) / 1000),
    bytes_down: s.bytesDown,
    bytes_up: s.bytesUp,
    avg_mbps: s.avgMbps,
    peak_mbps: s.peakMbps,
    quality: s.quality,
    evidence: s.evidence,
    open: s.end >= now - gap,
  }));
  if (q.json) return printJson(out);
  if (out.length === 0) return void process.stdout.write('No viewing sessions in that range (try --since all).\n');
  process.stdout.write(
    table(
      ['ID', 'DEVICE', 'SERVICE', 'START', 'DURATION', 'DOWN', 'AVG', 'QUALITY', 'EVIDENCE'],
      rows.map((s, i) => [
        String(s.id), out[i]?.device.name ?? s.device, s.service, localTime(s.start, app.timeZone) + (out[i]?.open ? ' (open)' : ''),
        formatDuration((s.end - s.start) / 1000), formatBytes(s.bytesDown), s.avgMbps === null ? '-' : `${s.avgMbps} Mbit/s`,
        s.quality ?? '-', s.evidence.join('+'),
      ]),
    ),
  );
}

function printAlerts(app: App, since: number | undefined, json: boolean): void {
  const facts = deviceFacts(app);
  const rows = app.store.alerts.list(since);
  const out = rows.map((a) => ({
    id: a.id,
    at: isoUtc(a.at),
    rule: a.rule,
    severity: a.severity,
    device: a.device === null ? null : { mac: macOf(a.device), name: facts.get(a.device)?.label ?? a.device },
    session_id: a.sessionId,
    message: a.message,
    delivered: a.deliveredAt !== null,
  }));
  if (json) return printJson(out);
  if (out.length === 0) return void process.stdout.write('No alerts.\n');
  process.stdout.write(
    table(
      ['ID', 'AT', 'RULE', 'DEVICE', 'SENT', 'MESSAGE'],
      out.map((a, i) => [String(a.id), localTime(rows[i]?.at, app.timeZone), a.rule, a.device?.name ?? '-', a.delivered ? 'yes' : rows[i]?.held === 'history' ? 'no (history)' : 'no', a.message]),
    ),
  );
}
