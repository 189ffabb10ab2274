// nfmon report --html FILE: the dashboard's pictures in one self-contained file to keep or mail.
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { collectDashboard } from '../../web/data.js';
import { renderPage } from '../../web/page.js';
import { parseTimeArg } from '../args.js';
import { ReportWriteError } from '../errors.js';
import { configFor, READ_ONLY, withApp } from './common.js';

export function registerReport(program: Command): void {
  program
    .command('report')
    .description('write the dashboard (activity, heatmaps, timeline, alerts, sources) as one self-contained HTML file')
    .requiredOption('--html <file>', 'the HTML file to write ("-" for stdout)')
    .option('--since <time>', 'period of the pictures: all, today, a duration (7d, 30d) or an ISO time', '28d')
    .action(async (opts: { html: string; since: string }, cmd: Command) => {
      const config = configFor(cmd);
      const now = Date.now();
      const since = parseTimeArg('--since', opts.since, now, config.timezone);
      await withApp(
        cmd,
        (app) => {
          const page = renderPage(collectDashboard(app, now, since === undefined ? { all: true } : { since }), { kind: 'report' });
          if (opts.html === '-') return void process.stdout.write(page);
          writeAtomically(opts.html, page);
          process.stderr.write(`nfmon: report written to ${opts.html} (${Buffer.byteLength(page)} bytes)\n`);
        },
        { ...READ_ONLY, config },
      );
    });
}

// In its own module, so that the CLI's exit codes know it without loading the report's code.
export { ReportWriteError } from '../errors.js';

/** A half-written report never replaces a good one: write beside it, then rename. */
function writeAtomically(file: string, text: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, text, { mode: 0o640 });
    renameSync(tmp, file);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw new ReportWriteError(`${file}: cannot write the report: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, { cause: err });
  }
}
