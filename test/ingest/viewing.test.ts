// Importing an export: plays staged and merged (store/play-import.ts), and outside_home alerts
// judged on the plays the home could have seen only. The alerts must be those a judgement of
// every play gives, whatever the export holds outside the monitored time.
import { copyFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { outsideHomeAlerts } from '../../src/core/reconcile/report.js';
import { openIngestDeps, type IngestDeps } from '../../src/ingest/deps.js';
import { ingestAll } from '../../src/ingest/ingest.js';
import { reconcileNow } from '../../src/ingest/viewing.js';
import { HOUSEHOLD, HOUSEHOLD_CONFIG, HOUSEHOLD_WRITTEN, ROOT } from '../helpers/cli.js';
import { tempDir, type TempDir } from '../helpers/daemon-harness.js';

let t: TempDir | undefined;
let app: IngestDeps | undefined;
afterEach(() => {
  app?.close();
  t?.remove();
  app = t = undefined;
});

/** Plays years before the household's log, in countries and on devices never seen. */
function oldPlays(n: number): string {
  const p2 = (x: number): string => String(x).padStart(2, '0');
  const rows: string[] = [];
  for (let i = 0; i < n; i++) {
    const d = new Date(Date.UTC(2019, 0, 1) + i * 3_600_000);
    const stamp = `${d.getUTCFullYear()}-${p2(d.getUTCMonth() + 1)}-${p2(d.getUTCDate())} ${p2(d.getUTCHours())}:00:00`;
    rows.push(`Guest ${i % 7},${stamp},00:30:00,,Old Show ${i},,Device ${i % 13},00:30:00,00:30:00,${['BR (Brazil)', 'JP (Japan)', 'US (United States)'][i % 3]}`);
  }
  return rows.join('\n');
}

describe('outside_home alerts after an import', () => {
  it('are those a judgement of every play gives, with thousands of plays outside coverage', async () => {
    t = tempDir();
    const { config } = loadConfig(HOUSEHOLD_CONFIG);
    app = openIngestDeps(config, t.path('nfmon.db'));
    const copy = (from: string, name: string): string => {
      const to = t!.path(name);
      copyFileSync(from, to);
      utimesSync(to, HOUSEHOLD_WRITTEN, HOUSEHOLD_WRITTEN);
      return to;
    };
    const viewing = copy(join(ROOT, 'fixtures', 'viewing', 'ViewingActivity.csv'), 'ViewingActivity.csv');
    const old = t.path('Old.csv');
    writeFileSync(old, `Profile Name,Start Time,Duration,Attributes,Title,Supplemental Video Type,Device Type,Bookmark,Latest Bookmark,Country\n${oldPlays(5000)}\n`);
    const report = await ingestAll(
      app,
      { leases: [copy(join(HOUSEHOLD, 'dhcp.leases'), 'dhcp.leases')], logs: [copy(join(HOUSEHOLD, 'pihole.log'), 'pihole.log')], pcaps: [], viewingActivity: [viewing, old] },
      { now: Date.parse('2026-11-22T12:00:00Z') },
    );
    expect(report.errors).toEqual([]);
    expect(report.viewingActivity.map((v) => [v.plays, v.added])).toEqual([[14, 14], [5000, 5000]]);
    const stored = app.store.alerts.list(undefined).filter((a) => a.rule === 'outside_home');
    const everyPlay = outsideHomeAlerts(reconcileNow(app), { deviceTypes: new Set(), countries: new Set() });
    expect(stored.length).toBeGreaterThan(0);
    expect(stored.map((a) => [a.at, a.severity, a.message])).toEqual(everyPlay.map((a) => [a.at, a.severity, a.message]));
  });

  it('a second import of the same export adds nothing and keeps the longest duration', async () => {
    t = tempDir();
    const { config } = loadConfig(HOUSEHOLD_CONFIG);
    app = openIngestDeps(config, t.path('nfmon.db'));
    const header = 'Profile Name,Start Time,Duration,Attributes,Title,Supplemental Video Type,Device Type,Bookmark,Latest Bookmark,Country';
    const first = t.path('a.csv');
    const second = t.path('b.csv');
    writeFileSync(first, `${header}\nKids,2024-03-02 01:47:10,00:10:00,,Show,,TV,00:10:00,00:10:00,NL (Netherlands)\n`);
    writeFileSync(second, `${header}\nKids,2024-03-02 01:47:10,00:42:05,,Show,,TV,00:42:05,00:42:05,NL (Netherlands)\nKids,2024-03-03 01:00:00,00:05:00,,Next,,TV,00:05:00,00:05:00,NL (Netherlands)\n`);
    const now = Date.parse('2026-11-22T12:00:00Z');
    const a = await ingestAll(app, { leases: [], logs: [], pcaps: [], viewingActivity: [first] }, { now });
    const b = await ingestAll(app, { leases: [], logs: [], pcaps: [], viewingActivity: [second] }, { now });
    expect([a.viewingActivity[0]?.added, b.viewingActivity[0]?.added]).toEqual([1, 1]);
    expect(app.store.plays.all().map((p) => [p.title, p.durationS])).toEqual([['Next', 300], ['Show', 2525]]);
  });
});
