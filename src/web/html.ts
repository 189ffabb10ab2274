// Building HTML and SVG as strings, safely: every value goes through `esc` (device names and host
// names come from DHCP clients, i.e. anyone on the LAN). Markup is only ever concatenated from
// literals in this folder and escaped values, never from input.
import { toWall } from '../core/time.js';

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text or attribute value made inert: the five characters that can end one are replaced. */
export function esc(value: string | number | null | undefined): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c);
}

/** Markup that is already safe (built here from literals and `esc`). */
export class Html {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

/** A template tag: interpolated strings and numbers are escaped, Html and arrays of Html are not. */
export function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  let out = strings[0] ?? '';
  values.forEach((v, i) => {
    out += render(v) + (strings[i + 1] ?? '');
  });
  return new Html(out);
}

function render(v: unknown): string {
  if (v instanceof Html) return v.text;
  if (Array.isArray(v)) return v.map(render).join('');
  if (v === null || v === undefined || v === false) return '';
  return esc(typeof v === 'number' || typeof v === 'string' ? v : JSON.stringify(v));
}

const pad = (n: number): string => String(n).padStart(2, '0');
const DAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
export const weekdayName = (weekday: number): string => DAYS[weekday] ?? '?';

/** `2026-11-21 22:30` in `zone`. */
export function localDateTime(ts: number | null | undefined, zone: string): string {
  if (ts === null || ts === undefined) return '-';
  const w = toWall(ts, zone);
  return `${w.year}-${pad(w.month)}-${pad(w.day)} ${pad(w.hour)}:${pad(w.minute)}`;
}

/** `22:30` in `zone`. */
export function localClock(ts: number, zone: string): string {
  const w = toWall(ts, zone);
  return `${pad(w.hour)}:${pad(w.minute)}`;
}

/** `1h35m`, `12m`. */
export function minutesText(minutes: number): string {
  const m = Math.round(minutes);
  const h = Math.floor(m / 60);
  return h > 0 ? `${h}h${pad(m % 60)}m` : `${m}m`;
}

export function bytesText(bytes: number | null): string {
  if (bytes === null) return '-';
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let v = bytes;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${v >= 100 || i === 0 ? Math.round(v) : v.toFixed(1)} ${units[i]}`;
}

/**
 * Colours for devices, from Okabe and Ito's palette, which stays distinguishable with the common
 * colour-vision deficiencies (https://jfly.uni-koeln.de/color/).
 */
const PALETTE = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#F0E442', '#000000'];
export const deviceColour = (index: number): string => PALETTE[index % PALETTE.length] ?? '#000000';
