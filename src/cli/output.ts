// Printing: --json as one document on stdout, else aligned tables with local times.
import { toWall } from '../core/time.js';
import { colourWanted, paint, type Colour } from './colour.js';

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function localTime(ts: number | null | undefined, zone: string): string {
  if (ts === null || ts === undefined) return '-';
  const w = toWall(ts, zone);
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${w.year}-${p(w.month)}-${p(w.day)} ${p(w.hour)}:${p(w.minute)}`;
}

export function formatDuration(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m` : `${m}m`;
}

export function formatBytes(bytes: number | null): string {
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

export interface TableOptions {
  /** A colour per row (undefined: plain), used only when stdout is a terminal without NO_COLOR. */
  readonly rowColours?: readonly (Colour | undefined)[];
  /** Colour or not; default: decided from stdout and NO_COLOR. */
  readonly colour?: boolean;
}

/** An aligned table; the last column is not padded. Rows are coloured after padding. */
export function table(headers: readonly string[], rows: readonly (readonly string[])[], opts: TableOptions = {}): string {
  if (rows.length === 0) return '';
  const on = opts.colour ?? colourWanted(process.stdout);
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ').trimEnd();
  return [line(headers), ...rows.map((r, i) => paint(line(r), opts.rowColours?.[i], on))].join('\n') + '\n';
}
