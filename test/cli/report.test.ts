// nfmon report --html: one self-contained file (inline CSS and SVG, nothing to fetch), host names
// escaped, and what chromium renders from it when opened as a local file.
import { readFileSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserSkipReason, launchChromium, pngSize } from '../helpers/browser.js';
import { CliSandbox, copyHousehold, HOUSEHOLD_CONFIG, ingestHousehold } from '../helpers/cli.js';

const HOSTILE = '<script>alert(1)</script><link rel=stylesheet href=https://evil.example/x.css>';
const GUEST = '18:59:36:bb:77:06';

let sb: CliSandbox;
let file: string;
let html: string;

beforeAll(() => {
  sb = new CliSandbox(HOUSEHOLD_CONFIG);
  ingestHousehold(sb, copyHousehold(sb));
  expect(sb.run(['device', 'set', GUEST, '--name', HOSTILE]).code).toBe(0);
  file = sb.path('report.html');
  const r = sb.run(['report', '--html', file, '--since', 'all']);
  expect(r.code, r.stderr).toBe(0);
  expect(r.stdout).toBe('');
  expect(r.stderr).toMatch(/^nfmon: report written to .*report\.html \(\d+ bytes\)\n$/);
  html = readFileSync(file, 'utf8');
});
afterAll(() => sb.dispose());

describe('the report file', () => {
  it('loads nothing: no http(s) URL anywhere, no script, no external style or image', () => {
    // The hostile name carries a URL, escaped into text: it is the only place "https://" may appear.
    const withoutName = html.split('&lt;link rel=stylesheet href=https://evil.example/x.css&gt;').join('');
    expect(withoutName).not.toMatch(/https?:\/\//i);
    expect(html).not.toMatch(/<script|<link|<img|<iframe|\bsrc=|url\(|@import/i);
    expect(html).toMatch(/<meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;; style-src &#39;sha256-/);
  });

  it('holds the pictures: 5 heatmaps, the timeline from the first session to today, 7-day bars', () => {
    expect(html.match(/<svg class="heatmap"/g)).toHaveLength(5);
    expect(html.match(/<svg class="timeline"/g)).toHaveLength(1);
    expect(html.match(/<svg class="bars"/g)).toHaveLength(5);
    expect(html).toContain('<title>Kids iPad: 02:13-02:50</title>');
    for (const name of ['Living room TV', 'Kids iPad', 'Bedroom Fire TV', "Sam&#39;s Pixel"]) expect(html).toContain(name);
  });

  it('escapes the hostile name everywhere it appears', () => {
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html.split('&lt;script&gt;alert(1)').length - 1).toBeGreaterThanOrEqual(4); // table, heatmap, legend, alerts
  });

  it('goes to stdout with --html -', () => {
    const r = sb.run(['report', '--html', '-', '--since', '7d']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^<!doctype html>/);
    expect(r.stderr).toBe('');
  });

  it('exits 2 on a bad --since, 1 when the file cannot be written', () => {
    expect(sb.run(['report', '--html', file, '--since', 'soon']).code).toBe(2);
    expect(sb.run(['report']).code).toBe(2);
    const r = sb.run(['report', '--html', sb.path('no/such/dir/report.html')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^nfmon: .*no\/such\/dir\/report\.html: cannot write the report: ENOENT\n$/);
  });
});

describe('the report in chromium', () => {
  const skip = browserSkipReason();
  let browser: Browser;
  beforeAll(async () => {
    if (!skip) browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it.skipIf(skip)('renders from file:// without a single other request, and screenshots', async () => {
    const page = await browser.newPage({ viewport: { width: 1100, height: 800 } });
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    let dialogs = 0;
    page.on('dialog', (d) => {
      dialogs++;
      void d.dismiss();
    });
    await page.goto(`file://${file}`, { waitUntil: 'load' });
    expect(requests).toEqual([`file://${file}`]);
    expect(dialogs).toBe(0);
    expect(await page.locator('svg.heatmap').count()).toBe(5);
    expect(await page.locator('svg.timeline rect.bar').count()).toBe(9);
    expect(await page.locator('script').count()).toBe(0);
    expect(await page.locator('#devices').innerText()).toContain(HOSTILE);
    const png = await page.screenshot({ fullPage: true });
    expect(pngSize(png).width).toBe(1100);
    expect(png.length).toBeGreaterThan(30_000);
    await page.close();
  });
});
