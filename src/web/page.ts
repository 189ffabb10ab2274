// The dashboard page and the HTML report: one server-rendered document, inline CSS and SVG, no
// script, nothing loaded from anywhere (the Pi's LAN may have no internet, and a report is mailed).
import { createHash } from 'node:crypto';
import { bytesText, html, Html, localClock, localDateTime, minutesText } from './html.js';
import { timelineDevices, type DashboardData, type DeviceView } from './data.js';
import { dailyBarsSvg, heatmapSvg, swatch, timelineSvg } from './svg.js';

const CSS = `
:root{color-scheme:light;font:14px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1b1f24;background:#f6f7f9}
body{margin:0 auto;max-width:1100px;padding:16px}
h1{font-size:22px;margin:0}h2{font-size:16px;margin:0 0 8px}
header{display:flex;gap:16px;align-items:baseline;flex-wrap:wrap;margin-bottom:12px}
.meta,.note,.sub{color:#57606a}.sub{display:block;font-size:12px;margin-left:14px}
section{background:#fff;border:1px solid #d8dee4;border-radius:6px;padding:12px 14px;margin:0 0 12px;overflow-x:auto}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:4px 6px;border-bottom:1px solid #eaeef2;vertical-align:middle;white-space:nowrap}
td.msg{white-space:normal;min-width:240px}td.wrap{white-space:normal;min-width:120px;max-width:260px;overflow-wrap:anywhere}td.dev{min-width:190px}th{font-weight:600;color:#57606a;font-size:12px;text-transform:uppercase}
tr.playing td{background:#e6f6ea}.num{text-align:right;font-variant-numeric:tabular-nums}
.yes{color:#1a7f37}.no{color:#9a6700}.sev-critical{color:#cf222e;font-weight:600}.sev-warning{color:#9a6700}.sev-info{color:#0969da}
ul.playing{list-style:none;margin:0;padding:0}ul.playing li{padding:2px 0;font-size:15px}
.heatmaps{display:flex;flex-wrap:wrap;gap:12px 24px}figure{margin:0}figcaption{font-weight:600;margin-bottom:2px}
svg text{font:10px system-ui,sans-serif;fill:#57606a}svg .grid{stroke:#d0d7de;stroke-width:1}svg .band{fill:#f6f8fa}svg .band.odd{fill:#fff}
svg .bar.open{stroke:#1a7f37;stroke-width:1.5}svg .base{fill:#d0d7de}svg .cell{stroke:#eaeef2;stroke-width:.5}
.legend{display:flex;flex-wrap:wrap;gap:4px 14px;margin:4px 0 8px}.swatch{vertical-align:-1px;margin-right:4px}
.err{color:#cf222e}footer{color:#57606a;font-size:12px}
`.trim();

/** The CSS is a literal of this file, inserted as is (escaping would break its quotes). */
const STYLE = new Html(CSS);

/** The CSP hash of the one inline style block: the page may load nothing and run nothing. */
export const STYLE_HASH = `sha256-${createHash('sha256').update(CSS).digest('base64')}`;
export const CONTENT_SECURITY_POLICY = `default-src 'none'; style-src '${STYLE_HASH}'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`;

export interface PageOptions {
  readonly kind: 'dashboard' | 'report';
  /** Seconds between reloads of the dashboard (none in a report). */
  readonly refreshSeconds?: number;
}

export function renderPage(data: DashboardData, opts: PageOptions): string {
  const zone = data.timeZone;
  const title = opts.kind === 'report' ? `nfmon report, ${localDateTime(data.now, zone)}` : 'nfmon';
  const doc = html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${CONTENT_SECURITY_POLICY}">
${opts.refreshSeconds ? html`<meta http-equiv="refresh" content="${opts.refreshSeconds}">` : ''}
<title>${title}</title><style>${STYLE}</style></head>
<body>
<header><h1>${opts.kind === 'report' ? 'nfmon report' : 'nfmon'}</h1><span class="meta">as of ${localDateTime(data.now, zone)} (${zone})${
    opts.kind === 'dashboard' ? html` · daemon ${data.status.daemon.running ? 'running' : 'not running'}` : ''
  }</span></header>
${nowPlaying(data)}
${deviceTable(data)}
${heatmaps(data)}
${timeline(data)}
${alerts(data)}
${sources(data)}
${opts.kind === 'dashboard' ? html`<footer>JSON: <a href="api/activity">activity</a> · <a href="api/sessions">sessions</a> · <a href="api/alerts">alerts</a> · <a href="api/status">status</a></footer>` : ''}
</body></html>
`;
  return doc.text;
}

const viewOf = (data: DashboardData, device: string): DeviceView | undefined => data.devices.find((d) => d.device === device);

function nowPlaying(data: DashboardData): Html {
  const playing = data.activity.filter((a) => a.streamingNow);
  const items = playing.map((a) => {
    const v = viewOf(data, a.device);
    const since = a.streamingSince ?? data.now;
    return html`<li>${swatch(v?.colour ?? '#000')}<strong>${v?.ref.name ?? a.device}</strong> since ${localClock(since, data.timeZone)} (${minutesText((data.now - since) / 60_000)})</li>`;
  });
  return html`<section id="now"><h2>Now playing</h2>${playing.length > 0 ? html`<ul class="playing">${items}</ul>` : html`<p class="note">Nothing is playing.</p>`}</section>`;
}

function deviceTable(data: DashboardData): Html {
  if (data.activity.length === 0) return html`<section id="devices"><h2>Devices</h2><p class="note">No device has streamed yet.</p></section>`;
  const max = Math.max(1, ...data.activity.flatMap((a) => a.dailyMinutes));
  const rows = data.activity.map((a) => {
    const v = viewOf(data, a.device);
    const last = a.lastSession;
    const where = [v?.ref.hostname, v?.ref.ip].filter((x) => x).join(' · ');
    return html`<tr class="${a.streamingNow ? 'playing' : ''}"><td class="wrap dev">${swatch(v?.colour ?? '#000')}<span class="name">${v?.ref.name ?? a.device}</span><span class="sub">${where}</span></td>
<td>${a.streamingNow ? `since ${localClock(a.streamingSince ?? data.now, data.timeZone)}` : '-'}</td>
<td class="num">${minutesText(a.todayMinutes)}</td><td class="num">${minutesText(a.last7dMinutes)}</td><td>${dailyBarsSvg(a.dailyMinutes, max, data.activityDays, data.timeZone, v?.colour ?? '#000')}</td>
<td class="num">${a.sessionsToday}</td><td>${last ? `${localDateTime(last.start, data.timeZone).slice(5)}-${localClock(last.end, data.timeZone)}` : '-'}</td><td class="num">${bytesText(a.bytesToday)}</td></tr>`;
  });
  return html`<section id="devices"><h2>Devices: today and the last 7 days</h2><table>
<thead><tr><th>Device</th><th>Playing</th><th class="num">Today</th><th class="num">7 days</th><th>Per day</th><th class="num">Sessions</th><th>Last session</th><th class="num">Bytes today</th></tr></thead>
<tbody>${rows}</tbody></table></section>`;
}

function heatmaps(data: DashboardData): Html {
  const w = data.heatmapWindow;
  const busiest = Math.max(1, ...data.heatmaps.flatMap((h) => h.grid.flat()));
  const figures = data.heatmaps.map((h) => {
    const v = viewOf(data, h.device);
    const name = v?.ref.name ?? h.device;
    return html`<figure><figcaption>${swatch(v?.colour ?? '#000')}${name} <span class="note">${minutesText(h.minutes)}</span></figcaption>${heatmapSvg(h.grid, busiest, name, v?.colour ?? '#000')}</figure>`;
  });
  return html`<section id="heatmaps"><h2>When each device watches</h2>
<p class="note">Minutes per hour of the week (local time), ${localDateTime(w.start, data.timeZone)} to ${localDateTime(w.end, data.timeZone)}. The darkest cell is the busiest hour of any device.</p>
${figures.length > 0 ? html`<div class="heatmaps">${figures}</div>` : html`<p class="note">No viewing in this period.</p>`}</section>`;
}

function timeline(data: DashboardData): Html {
  const devices = timelineDevices(data);
  const legend = devices.map((d) => html`<span>${swatch(d.colour)}${d.name}</span>`);
  return html`<section id="timeline"><h2>Sessions, last ${data.timeline.length} days</h2>
<div class="legend">${legend}</div>${timelineSvg(data.timeline, devices, data.timeZone)}</section>`;
}

function alerts(data: DashboardData): Html {
  if (data.alerts.length === 0) return html`<section id="alerts"><h2>Recent alerts</h2><p class="note">No alerts.</p></section>`;
  const rows = data.alerts.map(
    (a) => html`<tr><td>${localDateTime(a.atMs, data.timeZone)}</td><td>${a.rule}</td><td class="${`sev-${a.severity}`}">${a.severity}</td>
<td class="wrap">${a.device?.name ?? '-'}</td><td class="msg">${a.message}</td><td class="${a.delivered ? 'yes' : 'no'}">${a.delivery === 'sent' ? 'delivered' : a.delivery === 'history' ? 'history (not sent)' : 'queued'}</td></tr>`,
  );
  return html`<section id="alerts"><h2>Recent alerts</h2><table><thead><tr><th>At</th><th>Rule</th><th>Severity</th><th>Device</th><th>Message</th><th>Home Assistant</th></tr></thead>
<tbody>${rows}</tbody></table></section>`;
}

function sources(data: DashboardData): Html {
  const s = data.status;
  const rows = s.sources.map(
    (x) => html`<tr><td>${x.kind}</td><td>${x.path}</td><td class="num">${'lag_rows' in x ? `row ${x.last_row}` : bytesText(x.offset)}</td><td class="num">${'lag_rows' in x ? `${x.lag_rows ?? '-'} rows` : bytesText(x.lag_bytes)}</td>
<td class="num">${x.lines}</td><td>${x.last_event ? localDateTime(Date.parse(x.last_event), data.timeZone) : '-'}</td><td class="${x.last_error ? 'err' : ''}">${x.last_error ?? '-'}</td></tr>`,
  );
  return html`<section id="sources"><h2>Sources</h2>
<p>Daemon: ${s.daemon.running ? `running, up ${Math.round((s.daemon.uptime_s ?? 0) / 60)} min` : 'not running'} · outbox: ${s.outbox.pending} waiting${
    s.outbox.last_error ? html` · <span class="err">last error: ${s.outbox.last_error}</span>` : ''
  } · database ${bytesText(s.database.bytes)}</p>
${rows.length > 0 ? html`<table><thead><tr><th>Kind</th><th>Path</th><th class="num">Read</th><th class="num">Lag</th><th class="num">Lines</th><th>Last event</th><th>Error</th></tr></thead><tbody>${rows}</tbody></table>` : html`<p class="note">No source read yet.</p>`}</section>`;
}
