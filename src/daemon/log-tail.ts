// Following the Pi-hole log. chokidar tells us something changed; what changed is worked out from
// the file itself: every pass re-reads from the offset stored for the content's fingerprint, so
// appends, rename rotation (logrotate), copytruncate, truncation and delete-and-recreate all
// come down to "read what has not been read yet". A slow poll backs chokidar up.
import { readdirSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import chokidar, { type FSWatcher } from 'chokidar';
import type { Logger } from '../core/log.js';
import type { IngestDeps } from '../ingest/deps.js';
import { matches, readHead } from '../sources/fingerprint.js';
import { ingestPiholeLog } from '../ingest/pihole-log.js';
import { SerialRunner, TrailingKick, watching } from './serial.js';
import { checkPath, piholeLogAdvice, type SourceState } from '../ingest/source-check.js';

export interface LogTailOptions {
  readonly path: string;
  readonly now: () => number;
  /** Called after each pass that stored events. */
  readonly onEvents: () => void;
  readonly logger: Logger;
  readonly pollMs?: number;
}

/** Rotated siblings of a log, oldest first: pihole.log.3.gz, pihole.log.2.gz, pihole.log.1. */
export function rotatedSiblings(path: string): string[] {
  const dir = dirname(path);
  const base = basename(path);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const rank = (n: string): number => Number(/^\.(\d+)/.exec(n.slice(base.length))?.[1] ?? 0);
  return names
    .filter((n) => n.startsWith(`${base}.`) && /^\.\d+(\.gz)?$/.test(n.slice(base.length)))
    .sort((a, b) => rank(b) - rank(a))
    .map((n) => join(dir, n));
}

export class LogTail {
  private watcher: FSWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly runner: SerialRunner;
  private readonly onWatch = new TrailingKick(() => this.kick());
  private lastInode: number | undefined;
  private lastSize = 0;
  /** A rotated file may still be written to: keep looking at the siblings on every pass. */
  private rotatedOpen = false;
  /** The first bytes of the file at the path when last looked at. */
  private lastHead: Buffer | undefined;
  /** What checkPath said last time (undefined before the first pass). */
  private lastState: SourceState | undefined;

  constructor(
    private readonly app: IngestDeps,
    private readonly opts: LogTailOptions,
  ) {
    this.runner = new SerialRunner(opts.logger, 'log tail');
  }

  async start(): Promise<void> {
    await this.catchUpRotated();
    this.watcher = chokidar.watch(this.opts.path, { persistent: true, ignoreInitial: true, awaitWriteFinish: false });
    this.watcher.on('all', () => this.onWatch.kick());
    this.watcher.on('error', (err) => this.opts.logger.warn('watcher error', { error: err }));
    await watching(this.watcher, this.opts.logger, 'log tail');
    // inotify can miss a rename-and-recreate; a cheap stat every few seconds catches it.
    this.timer = setInterval(() => this.kick(), this.opts.pollMs ?? 5000);
    this.timer.unref();
    this.kick();
    await this.runner.idle();
  }

  /** Schedule a pass; passes never overlap and bursts of events coalesce into one. */
  kick(): void {
    this.runner.request(() => this.pass());
  }

  idle(): Promise<void> {
    return this.runner.idle();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.onWatch.cancel();
    await this.watcher?.close();
    await this.runner.stop();
  }

  private async pass(): Promise<void> {
    let inode: number | undefined;
    let size = 0;
    try {
      ({ ino: inode, size } = statSync(this.opts.path));
    } catch {
      inode = undefined; // not there (yet, or between rotation and re-creation): wait for it
    }
    // Gone again since the stat: the ingest below says so; here it only means nothing to compare.
    const head = inode === undefined ? undefined : (await readHead(this.opts.path).catch(() => undefined))?.bytes;
    // Emptied and written again past its old size before this pass (copytruncate, then a burst):
    // same inode, no shrink seen, but the content is not the one read before.
    const replaced = head !== undefined && this.lastHead !== undefined && !samePrefix(head, this.lastHead);
    if (inode !== this.lastInode || size < this.lastSize || replaced || this.rotatedOpen) {
      // A new file at the path (rename rotation) or the same one emptied (copytruncate): the
      // old content's end may now live only in pihole.log.1.
      await this.catchUpRotated();
    }
    this.lastInode = inode;
    this.lastSize = size;
    this.lastHead = head;
    if (!this.readable()) return;
    const r = await ingestPiholeLog(this.app, this.opts.path, { final: false, now: this.opts.now() });
    if (r.firstEventTs !== undefined) this.opts.onEvents();
  }

  /** Is the log there and readable? A change of that is logged once, with what to do. */
  private readable(): boolean {
    const state = checkPath(this.opts.path);
    if (state !== this.lastState) {
      const advice = piholeLogAdvice(this.opts.path, state);
      if (advice) this.opts.logger.warn(advice, { file: this.opts.path, state });
      else if (this.lastState !== undefined) this.opts.logger.info('Pi-hole log readable', { file: this.opts.path });
      this.lastState = state;
    }
    return state === 'ok';
  }

  /** Finish every rotated file whose content was read only in part (or, after downtime, not at all). */
  private async catchUpRotated(): Promise<void> {
    const sources = this.app.store.sources.byKind('pihole');
    this.rotatedOpen = false;
    for (const file of rotatedSiblings(this.opts.path)) {
      const head = await readHead(file).catch(() => undefined);
      if (!head || head.bytes.length === 0) continue;
      const known = sources.find((s) => matches(head.bytes, s));
      if (known?.complete) continue;
      // Unknown rotated files are read only if they are newer than the first time we ran:
      // a fresh install must not import weeks of history it was not asked for.
      if (!known && !this.isNewerThanFirstRun(file)) continue;
      // Renamed but still written (the writer has not reopened its log yet): read what is there
      // and look again on later passes, until it has been quiet for a while.
      const stillWritten = this.opts.now() - mtimeOf(file) < ROTATED_QUIET_MS;
      if (stillWritten) this.rotatedOpen = true;
      const r = await ingestPiholeLog(this.app, file, { final: !stillWritten, now: this.opts.now() });
      this.opts.logger.info('caught up rotated log', { file, lines: r.linesRead, events: r.dnsEvents });
      if (r.firstEventTs !== undefined) this.opts.onEvents();
    }
  }

  private isNewerThanFirstRun(file: string): boolean {
    const first = Number(this.app.store.meta.get('first_run') ?? 0);
    try {
      return first > 0 && statSync(file).mtimeMs >= first;
    } catch {
      return false;
    }
  }
}

/** A rotated file written to more recently than this may still get lines. */
const ROTATED_QUIET_MS = 60_000;

function mtimeOf(file: string): number {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return 0;
  }
}

/** Do a and b agree on the bytes both have? */
function samePrefix(a: Buffer, b: Buffer): boolean {
  const n = Math.min(a.length, b.length);
  return a.subarray(0, n).equals(b.subarray(0, n));
}
