// nfmon ingest: one-off import of files, then sessions and rules brought up to date.
import { accessSync, constants, statSync } from 'node:fs';
import type { Command } from 'commander';
import type { SkipCounts } from '../../core/types.js';
import { ingestAll, type IngestRequest, type IngestReport } from '../../daemon/ingest.js';
import { UsageError } from '../args.js';
import { isoUtc } from '../../core/time.js';
import { safeText } from '../../core/text.js';
import { formatBytes, printJson, writeLine } from '../output.js';
import { collect, withApp } from './common.js';

interface IngestOpts {
  piholeLog?: string[];
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
    .option('--leases <file>', 'a DHCP lease file: dnsmasq, ISC, Kea CSV or Pi-hole API JSON (repeatable)', collect)
    .option('--pcap <file>', 'a pcap or pcapng capture (repeatable)', collect)
    .option('--viewing-activity <file>', "Netflix's ViewingActivity.csv or NetflixViewingHistory.csv (repeatable)", collect)
    .option('--json', 'print the summary as JSON')
    .action(async (opts: IngestOpts, cmd: Command) => {
      const request: IngestRequest = {
        logs: opts.piholeLog ?? [],
        leases: opts.leases ?? [],
        pcaps: opts.pcap ?? [],
        viewingActivity: opts.viewingActivity ?? [],
      };
      const all = [...request.logs, ...request.leases, ...request.pcaps, ...request.viewingActivity];
      if (all.length === 0) throw new UsageError('ingest: give at least one of --pihole-log, --leases, --pcap, --viewing-activity');
      for (const f of all) checkReadable(f);
      await withApp(cmd, async (app) => {
        const report = await ingestAll(app, request, { now: Date.now(), progress: process.stderr.isTTY ? progressLine : undefined });
        if (opts.json) printJson(ingestJson(report));
        else printReport(report);
        if (report.errors.length > 0) {
          for (const e of report.errors) process.stderr.write(`nfmon: ${safeText(e)}\n`);
          process.exitCode = 1;
        }
      });
    });
}

function checkReadable(file: string): void {
  let isFile = false;
  try {
    isFile = statSync(file).isFile();
    accessSync(file, constants.R_OK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UsageError(`${file}: ${code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (err as Error).message}`);
  }
  if (!isFile) throw new UsageError(`${file}: not a regular file`);
}

let lastProgress = 0;
function progressLine(text: string, done: boolean): void {
  const now = Date.now();
  if (!done && now - lastProgress < 200) return;
  lastProgress = now;
  process.stderr.write(`\r\u001b[K${safeText(text)}${done ? '\n' : ''}`);
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
  w(`sessions rebuilt: ${r.sessions}; new alerts: ${r.newAlerts}`);
}

const iso = (ts: number | undefined): string | null => (ts === undefined ? null : isoUtc(ts));

/** The summary as JSON: snake_case keys and ISO times, like every other --json output. */
export function ingestJson(r: IngestReport): Record<string, unknown> {
  return {
    logs: r.logs.map((l) => ({
      path: l.path, lines_read: l.linesRead, parsed: l.parsed, skipped: l.skipped, dns_events: l.dnsEvents,
      served_events: l.servedEvents, first_event: iso(l.firstEventTs), resumed_from: l.resumedFrom, end_offset: l.endOffset,
    })),
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
    errors: r.errors,
  };
}
