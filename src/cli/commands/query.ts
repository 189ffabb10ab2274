// devices, sessions, alerts: read the store, print a table or the JSON of the contract.
import type { Command } from 'commander';
import { isoUtc } from '../../core/time.js';
import type { App } from '../../daemon/app.js';
import { deviceFacts } from '../../daemon/rebuild.js';
import type { DeviceRow } from '../../store/devices.js';
import { safeField } from '../../core/text.js';
import { parseTimeArg, UsageError } from '../args.js';
import { formatBytes, formatDuration, localTime, printJson, table } from '../output.js';
import { READ_ONLY, withApp } from './common.js';

export const macOf = (device: string): string | null => (device.startsWith('ip:') ? null : device);
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
    .option('--since <time>', 'all, a duration back from now (90m, 24h, 7d) or an ISO time', '24h')
    .option('--until <time>', 'end of the range (a duration back from now or an ISO time)')
    .option('--device <mac|name>', 'only this device (MAC, name, hostname or IP)')
    .option('--service <name>', 'only this service (e.g. netflix)')
    .option('--json', 'print JSON')
    .action(async (opts: SessionOpts, cmd: Command) => {
      const now = Date.now();
      const since = parseTimeArg('--since', opts.since, now);
      const until = opts.until !== undefined ? parseTimeArg('--until', opts.until, now) : undefined;
      if (since !== undefined && until !== undefined && until < since) throw new UsageError(`--until ${opts.until} is before --since ${opts.since}`);
      await withApp(
        cmd,
        (app) => printSessions(app, { since, until, device: opts.device, service: checkService(app, opts.service), json: opts.json === true }, now),
        READ_ONLY,
      );
    });

  program
    .command('alerts')
    .description('alerts raised (default: all)')
    .option('--since <time>', 'all, a duration back from now (90m, 24h, 7d) or an ISO time', 'all')
    .option('--json', 'print JSON')
    .action(async (opts: { since: string; json?: boolean }, cmd: Command) => {
      const since = parseTimeArg('--since', opts.since, Date.now());
      await withApp(cmd, (app) => printAlerts(app, since, opts.json === true), READ_ONLY);
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

/** Devices named in an error: enough to spot a typo, never a screenful. */
const MAX_CHOICES = 8;

/**
 * The devices `query` names (MAC, name, hostname or IP). `what` is how the user gave it
 * (`--device`, `forget`): the refusal names that and lists some devices there are.
 */
export function resolveDevices(app: App, query: string, what = '--device'): string[] {
  const fromConfig = app.configuredDevices.filter((c) => c.name?.toLowerCase() === query.trim().toLowerCase()).map((c) => c.mac);
  const found = [...new Set([...fromConfig, ...app.store.devices.find(query).map((d) => d.device)])];
  if (found.length > 0) return found;
  const labels = [...new Set([...deviceFacts(app).values()].map((f) => f.label))].sort();
  const shown = labels.slice(0, MAX_CHOICES).map((l) => safeField(l, 40)).join(', ');
  const more = labels.length > MAX_CHOICES ? `, and ${labels.length - MAX_CHOICES} more` : '';
  const choices = labels.length === 0 ? 'no devices are known yet' : `known devices: ${shown}${more}; nfmon devices lists them all`;
  throw new UsageError(`${what}: no device matches "${query}" (${choices})`);
}

/** --service must name a service of the catalog (netflix, or one added under services). */
export function checkService(app: App, service: string | undefined): string | undefined {
  if (service === undefined) return undefined;
  const names = app.catalog.services.map((s) => s.name);
  const name = service.trim().toLowerCase();
  if (names.includes(name)) return name;
  throw new UsageError(`--service: unknown service "${service}" (monitored: ${names.join(', ')}; more can be added under services in the config)`);
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
  if (out.length === 0) return void process.stdout.write(noSessionsText(q.since, q.until));
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

/** What to say when nothing matched: suggest a wider range only when there is one. */
export function noSessionsText(since: number | undefined, until: number | undefined): string {
  if (since !== undefined) return 'No viewing sessions in that range (try --since all).\n';
  return until === undefined ? 'No viewing sessions yet.\n' : 'No viewing sessions in that range.\n';
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
      out.map((a, i) => [String(a.id), localTime(rows[i]?.at, app.timeZone), a.rule, a.device?.name ?? '-', a.delivered ? 'yes' : 'no', a.message]),
    ),
  );
}
