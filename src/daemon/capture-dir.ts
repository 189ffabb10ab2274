// The capture directory that nfmon-capture.service (tcpdump -G) writes rotated files into. A file
// is complete when tcpdump has moved on to a newer one: it is ingested, then deleted unless
// captures.keep. The newest file is also read once nobody has written it for captures.idle (a
// quiet night: tcpdump rotates only when a packet comes), but never deleted, because tcpdump may
// still write to it (buffered, so its mtime says little): when it grows it is read again, and
// what it gave is replaced, not added to (ingest/capture.ts).
import { readdirSync, statSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import chokidar, { type FSWatcher } from 'chokidar';
import type { Logger } from '../core/log.js';
import type { IngestDeps } from '../ingest/deps.js';
import { ingestCapture } from '../ingest/capture.js';
import { SerialRunner, watching } from './serial.js';

export interface CaptureDirOptions {
  readonly dir: string;
  readonly now: () => number;
  readonly onChanged: () => void;
  readonly logger: Logger;
  readonly pollMs?: number;
}

interface Entry {
  readonly path: string;
  readonly mtimeMs: number;
  readonly size: number;
}

/** Files of the directory to read now: all but the newest (done), and the newest if idle (maybe not done). */
export function completeCaptures(entries: readonly Entry[], now: number, idleMs: number): (Entry & { readonly done: boolean })[] {
  const sorted = [...entries].sort((a, b) => a.mtimeMs - b.mtimeMs || a.path.localeCompare(b.path));
  const newest = sorted[sorted.length - 1];
  return sorted.filter((e) => e !== newest || now - e.mtimeMs >= idleMs).map((e) => ({ ...e, done: e !== newest }));
}

const CAPTURE_NAME = /\.(pcap|pcapng|cap)(\d*)$|\.pcap\d+$/i;

export class CaptureDir {
  private watcher: FSWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly runner: SerialRunner;
  private readonly failed = new Set<string>();

  constructor(
    private readonly app: IngestDeps,
    private readonly opts: CaptureDirOptions,
  ) {
    this.runner = new SerialRunner(opts.logger, 'capture ingest');
  }

  async start(): Promise<void> {
    this.watcher = chokidar.watch(this.opts.dir, { ignoreInitial: true, depth: 0 });
    this.watcher.on('add', () => this.kick());
    this.watcher.on('error', (err) => this.opts.logger.warn('watcher error', { error: err }));
    await watching(this.watcher, this.opts.logger, 'capture directory');
    // The idle rule needs a clock, not an event: look again periodically.
    this.timer = setInterval(() => this.kick(), this.opts.pollMs ?? 30_000);
    this.timer.unref();
    this.kick();
    await this.runner.idle();
  }

  kick(): void {
    this.runner.request(() => this.pass());
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.watcher?.close();
    await this.runner.stop();
  }

  private list(): Entry[] {
    let names: string[];
    try {
      names = readdirSync(this.opts.dir);
    } catch (err) {
      this.opts.logger.warn('capture directory not readable', { dir: this.opts.dir, error: err });
      return [];
    }
    return names
      .filter((n) => CAPTURE_NAME.test(n))
      .flatMap((n) => {
        try {
          const s = statSync(join(this.opts.dir, n));
          return s.isFile() ? [{ path: join(this.opts.dir, n), mtimeMs: s.mtimeMs, size: s.size }] : [];
        } catch {
          return []; // deleted between listing and stat
        }
      });
  }

  private async pass(): Promise<void> {
    const idle = this.app.config.captures.idle;
    for (const e of completeCaptures(this.list(), this.opts.now(), idle)) {
      if (this.failed.has(`${e.path}:${e.size}`)) continue;
      try {
        const r = await ingestCapture(this.app, e.path, { now: this.opts.now() });
        if (r.error) this.opts.logger.warn(`capture damaged, kept what was read: ${r.error}`, { file: e.path });
        if (r.alreadyIngested) this.opts.logger.debug('capture already read', { file: e.path });
        else this.opts.logger.info('capture ingested', { file: e.path, packets: r.packets, complete: e.done });
        this.opts.onChanged();
        if (e.done && !this.app.config.captures.keep) unlinkSync(e.path);
      } catch (err) {
        // Not retried until the file changes: a bad file must not be re-read every pass.
        this.failed.add(`${e.path}:${e.size}`);
        this.opts.logger.error(`capture ingest failed: ${(err as Error).message}`, { file: e.path });
      }
    }
  }
}
