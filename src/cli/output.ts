// Printing: --json as one document on stdout, else aligned tables with local times. Every cell of
// a table goes through safeField (core/text.ts): host names and titles come from the network.
import { safeField, safeText } from '../core/text.js';
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

/** Widest a padded column gets: a 5,000-character host name must not widen every row. */
export const MAX_CELL = 48;
/** The last column (a message) is not padded, but still cut. */
export const MAX_LAST_CELL = 200;

/**
 * An aligned table; the last column is not padded. Cells are escaped (control and bidi characters
 * shown as \x1b, \u202e) and cut with an ellipsis at MAX_CELL / MAX_LAST_CELL. Rows are coloured
 * after padding, so the colour codes are the only escapes in the output.
 */
export function table(headers: readonly string[], rows: readonly (readonly string[])[], opts: TableOptions = {}): string {
  if (rows.length === 0) return '';
  const on = opts.colour ?? colourWanted(process.stdout);
  const last = headers.length - 1;
  const clean = rows.map((r) => headers.map((_, i) => safeField(r[i] ?? '', i === last ? MAX_LAST_CELL : MAX_CELL)));
  const widths = headers.map((h, i) => Math.max(h.length, ...clean.map((r) => [...(r[i] ?? '')].length)));
  const line = (cells: readonly string[]): string =>
    cells.map((c, i) => (i === last ? c : c + ' '.repeat(Math.max(0, (widths[i] ?? 0) - [...c].length)))).join('  ').trimEnd();
  return [line(headers), ...clean.map((r, i) => paint(line(r), opts.rowColours?.[i], on))].join('\n') + '\n';
}

/** One line of human output on stdout: whatever it quotes from the input is escaped. */
export function writeLine(text: string): void {
  process.stdout.write(`${safeText(text)}\n`);
}

/** The end's local time; its date too when the session ends on another local day than it started. */
export function endCell(start: number, end: number, zone: string): string {
  const a = localTime(start, zone);
  const b = localTime(end, zone);
  return a.slice(0, 10) === b.slice(0, 10) ? b.slice(11) : b;
}
