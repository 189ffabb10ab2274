#!/usr/bin/env node
// Remakes docs/dashboard.png, the README's picture of the dashboard: the demo household ingested
// into a temporary database, the dashboard started on loopback as of Saturday 22:00 (the living
// room TV playing), and Debian's chromium (headless, via playwright-core) taking the screenshot.
//   npm run build && node scripts/dashboard-screenshot.mjs [out.png]
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = process.argv[2] ?? join(root, 'docs', 'dashboard.png');
const fixtures = join(root, 'fixtures', 'household');
const config = join(fixtures, 'config.yaml');
const dir = mkdtempSync(join(tmpdir(), 'nfmon-shot-'));
const db = join(dir, 'nfmon.db');
const written = new Date('2026-11-21T23:00:00Z');

try {
  const files = ['pihole.log', 'dhcp.leases'].map((name) => {
    const file = join(dir, name);
    copyFileSync(join(fixtures, name), file);
    utimesSync(file, written, written);
    return file;
  });
  const ingest = spawnSync(process.execPath, [join(root, 'dist', 'cli', 'main.js'), '--config', config, '--db', db, 'ingest', '--leases', files[1], '--pihole-log', files[0]]);
  if (ingest.status !== 0) throw new Error(`ingest exited ${ingest.status}: ${ingest.stderr}`);

  const { loadConfig } = await import('../dist/config/load.js');
  const { openIngestDeps } = await import('../dist/ingest/deps.js');
  const { createLogger } = await import('../dist/daemon/logger.js');
  const { startWebServer } = await import('../dist/web/server.js');
  const app = openIngestDeps({ ...loadConfig(config, {}).config, http: { listen: '127.0.0.1:0' } }, db);
  const server = await startWebServer({ app, logger: createLogger('warn'), now: () => Date.parse('2026-11-21T21:00:00Z') });
  const browser = await chromium.launch({
    executablePath: process.env.NFMON_CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1000, height: 800 } });
    await page.goto(server.url);
    // The top of the page: now playing, the devices, the heatmaps and the timeline.
    const timeline = await page.locator('#timeline').boundingBox();
    const png = await page.screenshot({ fullPage: true, clip: { x: 0, y: 0, width: 1000, height: Math.ceil((timeline?.y ?? 0) + (timeline?.height ?? 800) + 12) } });
    writeFileSync(out, png);
  } finally {
    await browser.close();
    await server.close();
    app.close();
  }
  process.stdout.write(`${out}: ${statSync(out).size} bytes\n`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
