// Runs one task at a time; requests made while a task runs coalesce into a single re-run.
// Errors are logged, never thrown into the event loop. Plus the timing helpers the watchers share.
import type { FSWatcher } from 'chokidar';
import { logFailure, type Logger } from '../core/log.js';

export class SerialRunner {
  private running: Promise<void> | undefined;
  private again: (() => Promise<void>) | undefined;
  private stopped = false;

  constructor(
    private readonly logger: Logger,
    private readonly what: string,
  ) {}

  request(task: () => Promise<void>): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = task;
      return;
    }
    this.running = this.loop(task);
  }

  private async loop(first: () => Promise<void>): Promise<void> {
    let task: (() => Promise<void>) | undefined = first;
    while (task && !this.stopped) {
      this.again = undefined;
      try {
        await task();
      } catch (err) {
        logFailure(this.logger, this.what, err);
      }
      task = this.again;
    }
    this.running = undefined;
  }

  /** Resolves when no task is running or queued. */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.again = undefined;
    await this.idle();
  }
}

/**
 * chokidar drops a 'change' that follows another on the same path within 50 ms (a leading-edge
 * throttle with no trailing event), and fs.watch events within 5 ms of each other: a write right
 * after another would go unnoticed until the next poll. So each watcher event runs `fn` at once
 * and once more (`trailing` true) `delayMs` after the last event, when the throttle has passed.
 */
export class TrailingKick {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly fn: (trailing: boolean) => void,
    private readonly delayMs = 100,
  ) {}

  kick(): void {
    this.fn(false);
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.fn(true);
    }, this.delayMs);
    this.timer.unref();
  }

  cancel(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}

/**
 * Resolves when chokidar has set up its watches: a change made before that is not reported, so
 * start-up waits for it. Bounded, because a source must not hold the daemon's start forever;
 * the sources' polls cover what a late watcher misses.
 */
export function watching(watcher: FSWatcher, logger: Logger, what: string, timeoutMs = 10_000): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(() => {
      logger.warn(`${what}: watcher not ready after ${timeoutMs} ms; changes may be noticed late`);
      resolve();
    }, timeoutMs);
    timer.unref();
    watcher.once('ready', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
