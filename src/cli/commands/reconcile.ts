// nfmon reconcile: Netflix's own list of plays against what the home network saw.
import type { Command } from 'commander';
import { renderReconcileReport } from '../../core/reconcile/report.js';
import { safeLines } from '../../core/text.js';
import { reconcileNow } from '../../ingest/viewing.js';
import { parseTimeArg } from '../args.js';
import { printJson } from '../output.js';
import { READ_ONLY, withApp } from './common.js';

export function registerReconcile(program: Command): void {
  program
    .command('reconcile')
    .description("which plays of the account's export did not come from this home (import it first with ingest --viewing-activity)")
    .option('--since <time>', 'all, a duration back from now (90m, 24h, 7d) or an ISO time', 'all')
    .option('--profile <name>', 'only this Netflix profile')
    .option('--json', 'print JSON')
    .action(async (opts: { since: string; profile?: string; json?: boolean }, cmd: Command) => {
      const since = parseTimeArg('--since', opts.since, Date.now());
      await withApp(cmd, (app) => {
        if (app.store.plays.count() === 0 && !opts.json) {
          process.stdout.write('No plays imported yet: nfmon ingest --viewing-activity ViewingActivity.csv\n');
          return;
        }
        const result = reconcileNow(app, { since, profile: opts.profile });
        if (opts.json) printJson(result);
        else process.stdout.write(safeLines(renderReconcileReport(result, { timeZone: app.timeZone })));
      }, READ_ONLY);
    });
}
