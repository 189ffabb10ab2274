// nfmon status: each source's progress and lag, the outbox, the database, the daemon's heartbeat.
import type { Command } from 'commander';
import type { IngestDeps } from '../../ingest/deps.js';
import type { FtlSourceFields } from '../../ingest/ftl-status.js';
import { collectStatus, type StatusJson } from '../../ingest/status.js';
import { formatBytes, localTime, printJson, table, writeLine } from '../output.js';
import { READ_ONLY, withApp } from './common.js';

export function registerStatus(program: Command): void {
  program
    .command('status')
    .description('sources, lag, counters, outbox and daemon state')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      await withApp(cmd, (app) => {
        const s = collectStatus(app, Date.now());
        if (opts.json) printJson(s);
        else printStatus(app, s);
      }, READ_ONLY);
    });
}

function printStatus(app: IngestDeps, s: StatusJson): void {
  const { daemon: d, outbox: o, database: db } = s;
  const w = writeLine;
  w(`daemon:   ${d.running ? `running, up ${Math.round((d.uptime_s ?? 0) / 60)} min` : `not running${d.heartbeat_at ? ` (last heartbeat ${d.heartbeat_at})` : ''}`}`);
  w(`database: ${db.path} (${formatBytes(db.bytes)})`);
  w(`outbox:   ${o.pending} alerts waiting${o.last_error ? `; last error: ${o.last_error}` : ''}`);
  for (const c of s.configured) w(`${c.kind.padEnd(9)} ${c.path}: ${c.state}${c.advice ? ` (${c.advice})` : ''}`);
  if (s.sources.length === 0) return void w('sources:  none read yet');
  w('');
  process.stdout.write(
    table(
      ['KIND', 'PATH', 'READ', 'LAG', 'LINES', 'LAST EVENT', 'ERROR'],
      s.sources.map((x) => [
        x.kind, x.path, 'lag_rows' in x ? `row ${x.last_row}` : formatBytes(x.offset), 'lag_rows' in x ? rowLag(x) : formatBytes(x.lag_bytes), String(x.lines),
        x.last_event ? localTime(Date.parse(x.last_event), app.timeZone) : '-', x.last_error ?? '-',
      ]),
    ),
  );
  for (const x of s.sources) {
    if (!('lag_rows' in x)) continue;
    if (x.hidden_rows > 0) w(`${x.path}: ${x.hidden_rows} rows hidden by Pi-hole's privacy level (not attributed)`);
    if (x.fix) w(`${x.path}: ${x.problem ?? 'not read'}\n  fix: ${x.fix}`);
  }
}

/** Pi-hole's database is behind by rows (and the seconds between them), not bytes. */
function rowLag(x: FtlSourceFields): string {
  if (x.lag_rows === null) return '-';
  return `${x.lag_rows} rows${x.lag_s === null ? '' : `, ${x.lag_s} s`}`;
}
