// nfmon ingest: one-off import of files, then sessions and rules brought up to date.
import { accessSync, constants, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { describeFsError } from '../../core/errno.js';
import type { SkipCounts } from '../../core/types.js';
import type { IngestDeps } from '../../ingest/deps.js';
import { postRequest, reportOf, withdraw } from '../../ingest/inbox.js';
import { ingestAll, type IngestRequest, type IngestReport } from '../../ingest/ingest.js';
import type { FtlIngestResult } from '../../ingest/pihole-db.js';
import { acquireWriter, describeHolder, isAlive } from '../../ingest/writer.js';
import { UsageError } from '../args.js';
import { isoUtc } from '../../core/time.js';
import { safeText } from '../../core/text.js';
import { formatBytes, printJson, writeLine } from '../output.js';
import { ProgressMeter } from '../progress.js';
import { collect, withApp } from './common.js';

interface IngestOpts {
  piholeLog?: string[];
  piholeDb?: string[];
  leases?: string[];
  pcap?: string[];
  viewingActivity?: string[];
  json?: boolean;
}

export function registerIngest(program: Command): void {
  program
    .command('ingest')
    .description('import files once (running it again on the same files adds nothing), then update sessions and alerts')
    .option('--pihole-log <file>', 'a Pi-hole/dnsmasq log, plain or .gz (repeatable)', collect)
    .option('--pihole-db <file>', "Pi-hole's query database, pihole-FTL.db (repeatable; read-only)", collect)
    .option('--leases <file>', 'a DHCP lease file: dnsmasq, ISC, Kea CSV or Pi-hole API JSON (repeatable)', collect)
    .option('--pcap <file>', 'a pcap or pcapng capture (repeatable)', collect)
    .option('--viewing-activity <file>', "Netflix's ViewingActivity.csv or NetflixViewingHistory.csv (repeatable)", collect)
    .option('--json', 'print the summary as JSON')
    .action(async (opts: IngestOpts, cmd: Command) => {
      const request: IngestRequest = {
        logs: opts.piholeLog ?? [],
        piholeDbs: opts.piholeDb ?? [],
        leases: opts.leases ?? [],
        pcaps: opts.pcap ?? [],
        viewingActivity: opts.viewingActivity ?? [],
      };
      const all = [...request.logs, ...(request.piholeDbs ?? []), ...request.leases, ...request.pcaps, ...request.viewingActivity];
      if (all.length === 0) throw new UsageError('ingest: give at least one of --pihole-log, --pihole-db, --leases, --pcap, --viewing-activity');
      for (const f of all) checkReadable(f);
      await withApp(cmd, async (app) => {
        const report = await ingestAsTheWriter(app, request, opts.json === true);
        if (opts.json) printJson(ingestJson(report));
        else printReport(report);
        if (report.errors.length > 0) {
          for (const e of report.errors) process.stderr.write(`nfmon: ${safeText(e)}\n`);
          process.exitCode = 1;
        }
      });
    });
}

/**
 * One writer at a time: wait for another ingest, or hand the files to the running daemon and
 * print its report. If the daemon stops before it is done, ingest here after all.
 */
async function ingestAsTheWriter(app: IngestDeps, request: IngestRequest, quiet: boolean): Promise<IngestReport> {
  const absolute: IngestRequest = {
    logs: request.logs.map((f) => resolve(f)),
    piholeDbs: (request.piholeDbs ?? []).map((f) => resolve(f)),
    leases: request.leases.map((f) => resolve(f)),
    pcaps: request.pcaps.map((f) => resolve(f)),
    viewingActivity: request.viewingActivity.map((f) => resolve(f)),
  };
  const say = (text: string): void => void (quiet || process.stderr.write(`nfmon: ${text}\n`));
  for (;;) {
    const got = await acquireWriter(app.store, 'ingest', {
      now: Date.now,
      onWait: (holder) => say(`waiting for ${describeHolder(holder)} to finish writing ${app.store.file}`),
    });
    if ('lock' in got) {
      try {
        // A progress line only for a person watching a terminal; logs and pipes get nothing.
        const meter = process.stderr.isTTY ? new ProgressMeter({ write: (t) => process.stderr.write(t) }) : undefined;
        return await ingestAll(app, absolute, { now: Date.now(), progress: meter ? (p) => meter.update(p) : undefined });
      } finally {
        got.lock.release();
      }
    }
    say(`handing the files to the running daemon (${describeHolder(got.daemon)})`);
    const id = postRequest(app.store, absolute, Date.now());
    for (;;) {
      await new Promise((r) => setTimeout(r, 200));
      const report = reportOf(app.store, id);
      if (report) return report;
      if (!isAlive(got.daemon.pid)) break;
    }
    withdraw(app.store, id);
    say('the daemon stopped before it was done; ingesting here');
  }
}

function checkReadable(file: string): void {
  let isFile = false;
  try {
    isFile = statSync(file).isFile();
    accessSync(file, constants.R_OK);
  } catch (err) {
    throw new UsageError(`${file}: ${describeFsError(err)}`);
  }
  if (!isFile) throw new UsageError(`${file}: not a regular file`);
}

const skips = (s: SkipCounts): string =>
  Object.entries(s)
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${k} ${v}`)
    .join(', ') || 'none';

function printReport(r: IngestReport): void {
  const w = writeLine;
  for (const l of r.logs) {
    const resumed = l.resumedFrom > 0 ? ` (resumed at byte ${l.resumedFrom})` : '';
    w(`${l.path}: ${l.linesRead} lines${resumed}, ${l.dnsEvents} monitored lookups, ${l.servedEvents} served addresses; skipped: ${skips(l.skipped)}`);
  }
  for (const d of r.piholeDbs ?? []) printFtl(w, d);
  for (const l of r.leases) {
    w(`${l.path}: ${l.format ?? 'unknown format'}, ${l.leases} leases; skipped: ${skips(l.skipped)}`);
    for (const e of l.errors) w(`  ${l.path}: line ${e.line}: ${e.reason}`);
  }
  for (const p of r.pcaps) {
    w(`${p.path}: ${p.packets} packets, ${formatBytes(p.bytes)}${p.alreadyIngested ? ' (already ingested)' : ''}; skipped: ${skips(p.skipped)}`);
    for (const [device, bytes] of Object.entries(p.serviceBytesByDevice)) w(`  ${device}: ${formatBytes(bytes)} from monitored services`);
  }
  for (const v of r.viewingActivity) {
    w(`${v.path}: ${v.format}, ${v.plays} plays (${v.added} new), ${v.previews} previews; skipped: ${skips(v.skipped)}`);
    for (const e of v.skippedLines.slice(0, 10)) w(`  ${v.path}: line ${e.line}: ${e.reason}`);
  }
  // An earlier writer stopped before deriving what it stored: said, since this run's own count may be 0.
  if (r.resumedRebuild) w('completed the sessions and alerts an interrupted earlier run left underived');
  // Alerts about events older than rules.notify_max_age are stored but never pushed: say so, or
  // a first import of old logs looks as if it raised nothing.
  const history = r.historyAlerts > 0 ? ` (and ${r.historyAlerts} about older events, kept as history, not sent)` : '';
  w(`sessions rebuilt: ${r.sessions}; new alerts: ${r.newAlerts}${history}`);
}

function printFtl(w: (s: string) => void, d: FtlIngestResult): void {
  const n = (x: number): string => x.toLocaleString('en');
  const resumed = d.restarted ? ' (another database than last time: read from the start)' : d.resumedFrom > 0 ? ` (resumed after row ${d.resumedFrom})` : '';
  const outcomes = Object.entries(d.byOutcome).filter(([, v]) => v > 0).map(([k, v]) => `${k} ${n(v)}`).join(', ') || 'none';
  w(`${d.path}: Pi-hole FTL database version ${d.version}, ${n(d.scanned)} rows scanned${resumed}, ${n(d.kept)} monitored (${outcomes}), ` +
    `${n(d.dnsEvents)} new lookups; ${n(d.hidden)} hidden by Pi-hole's privacy level`);
  const net = d.network;
  w(`  network table: ${net.devices} devices, ${net.addresses} addresses, ${net.identities} with a MAC; ` +
    `${net.mockHwaddr} without a MAC (ip-<address>), ${net.notMac} not a MAC, ${net.malformed} malformed`);
}

const ftlJson = (d: FtlIngestResult): Record<string, unknown> => ({
  path: d.path, version: d.version, layout: d.layout, rows_scanned: d.scanned, kept: d.kept, hidden: d.hidden,
  unmatched: d.unmatched, malformed: d.malformed, by_outcome: d.byOutcome, by_status: d.byStatus, dns_events: d.dnsEvents,
  first_event: iso(d.firstEventTs), resumed_from: d.resumedFrom, last_id: d.lastId, max_id: d.maxId, restarted: d.restarted,
  network: {
    devices: d.network.devices, addresses: d.network.addresses, identities: d.network.identities, mock_hwaddr: d.network.mockHwaddr,
    not_mac: d.network.notMac, malformed: d.network.malformed, without_address: d.network.withoutAddress,
  },
});

const iso = (ts: number | undefined): string | null => (ts === undefined ? null : isoUtc(ts));

/** The summary as JSON: snake_case keys and ISO times, like every other --json output. */
export function ingestJson(r: IngestReport): Record<string, unknown> {
  return {
    logs: r.logs.map((l) => ({
      path: l.path, lines_read: l.linesRead, parsed: l.parsed, skipped: l.skipped, dns_events: l.dnsEvents,
      served_events: l.servedEvents, first_event: iso(l.firstEventTs), resumed_from: l.resumedFrom, end_offset: l.endOffset,
    })),
    pihole_dbs: (r.piholeDbs ?? []).map(ftlJson),
    leases: r.leases.map((l) => ({ path: l.path, format: l.format ?? null, leases: l.leases, skipped: l.skipped, errors: l.errors })),
    pcaps: r.pcaps.map((p) => ({
      path: p.path, format: p.format ?? null, packets: p.packets, bytes: p.bytes, skipped: p.skipped, already_ingested: p.alreadyIngested,
      service_bytes_by_device: p.serviceBytesByDevice, first_packet: iso(p.firstTs), last_packet: iso(p.lastTs), error: p.error ?? null,
    })),
    viewing_activity: r.viewingActivity.map((v) => ({
      path: v.path, format: v.format, rows: v.rows, plays: v.plays, added: v.added, previews: v.previews, skipped: v.skipped,
      skipped_lines: v.skippedLines,
    })),
    sessions: r.sessions,
    new_alerts: r.newAlerts,
    new_alert_ids: r.newAlertIds,
    history_alerts: r.historyAlerts,
    errors: r.errors,
  };
}
