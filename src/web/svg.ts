// The pictures, as inline SVG: an hour-of-week heatmap per device, a timeline of the last days,
// and a small 7-day bar chart. No xmlns is needed inside HTML, no script, no external file.
import type { HourOfWeek, TimelineDay } from '../core/patterns.js';
import { html, localClock, localDateTime, minutesText, weekdayName, type Html } from './html.js';

const n = (v: number): string => (Math.round(v * 10) / 10).toString();

/**
 * Minutes per local weekday and hour. A cell's shade is its share of `busiest`, the fullest cell
 * of all the devices' heatmaps, so two heatmaps compare directly.
 */
export function heatmapSvg(grid: HourOfWeek, busiest: number, label: string, colour: string): Html {
  const cell = 14;
  const left = 34;
  const top = 16;
  const width = left + 24 * cell + 2;
  const height = top + 7 * cell + 2;
  const cells = grid.flatMap((row, d) =>
    row.map((minutes, h) => {
      const share = Math.min(1, minutes / Math.max(1, busiest));
      const opacity = minutes > 0 ? 0.15 + 0.85 * share : 0;
      const title = `${weekdayName(d)} ${String(h).padStart(2, '0')}:00-${String(h + 1).padStart(2, '0')}:00: ${minutesText(minutes)}`;
      return html`<rect class="cell" x="${left + h * cell}" y="${top + d * cell}" width="${cell - 2}" height="${cell - 2}" fill="${colour}" fill-opacity="${n(opacity)}"><title>${title}</title></rect>`;
    }),
  );
  const days = Array.from({ length: 7 }, (_, d) => html`<text x="0" y="${top + d * cell + 10}">${weekdayName(d)}</text>`);
  const hours = [0, 6, 12, 18].map((h) => html`<text x="${left + h * cell}" y="11">${String(h).padStart(2, '0')}</text>`);
  return html`<svg class="heatmap" role="img" aria-label="${`Viewing by hour of the week: ${label}`}" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">${hours}${days}${cells}</svg>`;
}

export interface TimelineDevice {
  readonly device: string;
  readonly name: string;
  readonly colour: string;
}

/** One band per local day (newest first), a lane per device inside it, x = time of day. */
export function timelineSvg(days: readonly TimelineDay[], devices: readonly TimelineDevice[], zone: string): Html {
  const left = 78;
  const plot = 720;
  const lane = 9;
  const band = Math.max(1, devices.length) * lane + 8;
  const top = 16;
  const width = left + plot + 12;
  const height = top + days.length * band + 2;
  const laneOf = new Map(devices.map((d, i) => [d.device, i]));
  const grid = [0, 3, 6, 9, 12, 15, 18, 21, 24].map((h) => {
    const x = left + (plot * h) / 24;
    return html`<line class="grid" x1="${n(x)}" y1="${top}" x2="${n(x)}" y2="${height}"/><text x="${n(x - 6)}" y="11">${String(h).padStart(2, '0')}</text>`;
  });
  const bands = [...days].reverse().map((day, row) => {
    const y0 = top + row * band;
    const scale = plot / (day.end - day.start);
    const label = `${weekdayName(day.weekday)} ${day.date.slice(5)}`;
    const bars = day.segments.map((s) => {
      const i = laneOf.get(s.device) ?? 0;
      const d = devices[i];
      const x = left + (s.start - day.start) * scale;
      const w = Math.max(2, (s.end - s.start) * scale);
      const title = `${d?.name ?? s.device}: ${localClock(s.start, zone)}-${localClock(s.end, zone)}${s.open ? ' (playing)' : ''}`;
      return html`<rect class="${s.open ? 'bar open' : 'bar'}" x="${n(x)}" y="${y0 + 4 + i * lane}" width="${n(w)}" height="${lane - 2}" fill="${d?.colour ?? '#000'}"><title>${title}</title></rect>`;
    });
    return html`<g class="day"><rect class="band${row % 2 ? ' odd' : ''}" x="${left}" y="${y0}" width="${plot}" height="${band}"/><text x="0" y="${y0 + band / 2 + 4}">${label}</text>${bars}</g>`;
  });
  return html`<svg class="timeline" role="img" aria-label="Viewing sessions per day" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">${bands}${grid}</svg>`;
}

/** Seven bars, oldest day first, scaled to `max` minutes. */
export function dailyBarsSvg(minutes: readonly number[], max: number, days: readonly number[], zone: string, colour: string): Html {
  const bar = 10;
  const h = 28;
  const width = minutes.length * (bar + 3);
  const bars = minutes.map((m, i) => {
    const bh = m > 0 ? Math.max(2, (h * m) / Math.max(1, max)) : 0;
    const day = days[i];
    const title = `${day !== undefined ? localDateTime(day, zone).slice(0, 10) : ''}: ${minutesText(m)}`;
    return html`<rect x="${i * (bar + 3)}" y="${n(h - bh)}" width="${bar}" height="${n(bh)}" fill="${colour}"><title>${title}</title></rect><rect class="base" x="${i * (bar + 3)}" y="${h}" width="${bar}" height="1"/>`;
  });
  return html`<svg class="bars" role="img" aria-label="Minutes per day, last 7 days" width="${width}" height="${h + 1}" viewBox="0 0 ${width} ${h + 1}">${bars}</svg>`;
}

/** A small square in a device's colour, for legends. */
export function swatch(colour: string): Html {
  return html`<svg class="swatch" width="10" height="10" viewBox="0 0 10 10" aria-hidden="true"><rect width="10" height="10" fill="${colour}"/></svg>`;
}
