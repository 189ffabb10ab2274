// nfmon ingest: one-off import of files, then sessions and rules brought up to date.
import { accessSync, constants, statSync } from 'node:fs';
import type { Command } from 'commander';
import type { SkipCounts } from '../../core/types.js';
import type { App } from '../../daemon/app.js';
import { ingestAll, type IngestRequest, type IngestReport } from '../../daemon/ingest.js';
import { UsageError } from '../args.js';
import { formatBytes, printJson } from '../output.js';
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
        if (opts.json) printJson(report);
        else printReport(app, report);
        if (report.errors.length > 0) {
          for (const e of report.errors) process.stderr.write(`nfmon: ${e}\n`);
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
  process.stderr.write(`\r\u001b[K${text}${done ? '\n' : ''}`);
}

const skips = (s: SkipCounts): string =>
  Object.entries(s)
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${k} ${v}`)
    .join(', ') || 'none';

function printReport(app: App, r: IngestReport): void {
  const w = (s: string): boolean => process.stdout.write(`${s}\n`);
  for (const l of r.logs) {
    const resumed = l.resumedFrom > 0 ? ` (resumed at byte ${l.resumedFrom})` : '';
    w(`${l.path}: ${l.linesRead} lines${resumed}, ${l.dnsEvents} monitored lookups, ${l.servedEvents} served addresses; skipped: ${skips(l.skipped)}`);
  }
  for (const l of r.leases) w(`${l.path}: ${l.format ?? 'unknown format'}, ${l.leases} leases; skipped: ${skips(l.skipped)}`);
  for (const p of r.pcaps) {
    w(`${p.path}: ${p.packets} packets, ${formatBytes(p.bytes)}${p.alreadyIngested ? ' (already ingested)' : ''}; skipped: ${skips(p.skipped)}`);
    for (const [device, bytes] of Object.entries(p.serviceBytesByDevice)) w(`  ${device}: ${formatBytes(bytes)} from monitored services`);
  }
  for (const v of r.viewingActivity) w(`${v.path}: ${v.format}, ${v.plays} plays (${v.added} new), ${v.previews} previews; skipped: ${skips(v.skipped)}`);
  w(`sessions rebuilt: ${r.sessions}; new alerts: ${r.newAlerts}`);
  void app;
}
