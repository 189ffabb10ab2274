// Text that came from outside (host names in leases and logs, titles and headers of a CSV, file
// names) on its way to a terminal, a log line or a phone. Such text must not drive the terminal
// (ESC sequences set the title or clear the screen), forge rows (CR, LF), reorder what is shown
// (bidi overrides, "Trojan Source", CVE-2021-42574) or hide characters (zero-width marks). Each
// of those is written as a visible escape instead, and an over-long field is cut, so that one
// hostile host name can neither rewrite the screen nor widen every row of a table. JSON output
// never goes through here: JSON.stringify already escapes, and --json must stay exact.
// Pure: no node:* imports.

/**
 * Characters shown as escapes: C0 controls (tab and newlines included: a cell is one line), DEL,
 * C1 controls (0x9b is a one-byte CSI on some terminals), the Arabic letter mark, zero-width and
 * directional marks (U+200B-200F), line and paragraph separators, bidi embeddings and overrides
 * (U+202A-202E), invisible operators and isolates (U+2060-2069), the BOM used mid-text as a
 * zero-width no-break space, interlinear annotations, and lone surrogates (not text at all).
 */
const UNSAFE =
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff\ufff9-\ufffb]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
const HAS_UNSAFE = new RegExp(UNSAFE.source);

const NAMED: Record<string, string> = { '\t': '\\t', '\n': '\\n', '\r': '\\r' };

function escapeChar(c: string): string {
  const named = NAMED[c];
  if (named) return named;
  const code = c.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** `text` with every control, bidi and invisible character written as a visible escape (`\x1b`, `\u202e`). */
export function safeText(text: string): string {
  return HAS_UNSAFE.test(text) ? text.replace(UNSAFE, escapeChar) : text;
}

export const ELLIPSIS = '…';

/**
 * At most `max` characters (code points), the last one an ellipsis when something was cut. A
 * surrogate pair is never split.
 */
export function cutText(text: string, max: number): string {
  if (text.length <= max) return text;
  const points = Array.from(text.slice(0, max * 2 + 2));
  if (points.length <= max && text.length <= max * 2 + 2) return text;
  return `${points.slice(0, Math.max(0, max - 1)).join('')}${ELLIPSIS}`;
}

/** safeText, then cut to `max` characters: for one table cell or one field of a message. */
export function safeField(text: string, max: number): string {
  return cutText(safeText(text), max);
}

/** Does `text` hold anything safeText would escape? */
export function hasUnsafe(text: string): boolean {
  return HAS_UNSAFE.test(text);
}

/** safeText for a block of our own lines: its newlines stay, everything else is escaped. */
export function safeLines(text: string): string {
  return text.split('\n').map(safeText).join('\n');
}
