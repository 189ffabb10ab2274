// The progress line of a long `ingest` at a terminal: bytes and lines (or packets) per second and
// the time left, redrawn in place on stderr. Silent for short reads and when stderr is not a TTY.
import { safeText } from '../core/text.js';
import type { IngestProgress } from '../ingest/progress.js';

export interface ProgressOptions {
  readonly write: (text: string) => void;
  readonly clock?: () => number;
  /** Reads that finish sooner show nothing. */
  readonly quietMs?: number;
  readonly redrawMs?: number;
}

export class ProgressMeter {
  private path: string | undefined;
  private started = 0;
  /** What the first report of this file had already read: rates count from there. */
  private base = { bytes: 0, items: 0 };
  private drawnAt = 0;
  private shown = false;

  constructor(private readonly opts: ProgressOptions) {}

  update(p: IngestProgress): void {
    const now = (this.opts.clock ?? Date.now)();
    if (p.path !== this.path) {
      this.path = p.path;
      this.started = now;
      this.base = { bytes: p.bytes, items: p.items };
      this.drawnAt = 0;
    }
    if (p.done) {
      if (this.shown) this.opts.write('\r\u001b[K');
      this.shown = false;
      return;
    }
    if (now - this.started < (this.opts.quietMs ?? 500) || now - this.drawnAt < (this.opts.redrawMs ?? 200)) return;
    this.drawnAt = now;
    this.shown = true;
    const secs = (now - this.started) / 1000;
    this.opts.write(`\r\u001b[K${progressText(p, (p.bytes - this.base.bytes) / secs, (p.items - this.base.items) / secs)}`);
  }
}

/** `pihole.log: 120 MB of 374 MB (32%), 45 MB/s, 2.2M lines/s, ETA 6s`. */
export function progressText(p: IngestProgress, bytesPerSecond: number, itemsPerSecond: number): string {
  const rate = Math.max(0, bytesPerSecond);
  const parts = [`${safeText(p.path)}: ${mb(p.bytes)}${p.totalBytes !== undefined ? ` of ${mb(p.totalBytes)} (${percent(p.bytes, p.totalBytes)})` : ''}`];
  parts.push(`${mb(rate)}/s`, `${count(Math.max(0, itemsPerSecond))} ${p.unit}/s`);
  if (p.totalBytes !== undefined && rate > 0) parts.push(`ETA ${duration(Math.max(0, p.totalBytes - p.bytes) / rate)}`);
  return parts.join(', ');
}

const mb = (bytes: number): string => `${(bytes / 1e6).toFixed(bytes < 10e6 ? 1 : 0)} MB`;
const percent = (a: number, b: number): string => `${b > 0 ? Math.min(100, Math.floor((100 * a) / b)) : 100}%`;

function count(perSecond: number): string {
  if (perSecond >= 1e6) return `${(perSecond / 1e6).toFixed(1)}M`;
  if (perSecond >= 1e3) return `${(perSecond / 1e3).toFixed(0)}k`;
  return String(Math.round(perSecond));
}

function duration(seconds: number): string {
  const s = Math.ceil(seconds);
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}
