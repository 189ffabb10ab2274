// Lease sources for the daemon: files re-read whenever they change, Pi-hole v6 API URLs polled.
import { existsSync, readFileSync } from 'node:fs';
import chokidar, { type FSWatcher } from 'chokidar';
import { leasesToIntervals } from '../core/leases.js';
import type { Logger } from '../core/log.js';
import { fetchPiholeLeases } from '../sources/leases/pihole-fetch.js';
import type { IngestDeps } from '../ingest/deps.js';
import { storeLeases } from '../ingest/identity.js';
import { ingestLeaseFile } from '../ingest/ingest.js';
import { SerialRunner, TrailingKick, watching } from './serial.js';

export interface LeaseWatchOptions {
  readonly now: () => number;
  readonly onChanged: () => void;
  readonly logger: Logger;
}

export class LeaseWatch {
  private watcher: FSWatcher | undefined;
  private readonly runner: SerialRunner;
  private readonly missing = new Set<string>();
  /** Files to read in the next pass: the runner coalesces requests, so it must not carry the path. */
  private readonly dirty = new Set<string>();
  /** Files with watcher events since the last trailing read. */
  private readonly touched = new Set<string>();
  private readonly onWatch = new TrailingKick((trailing) => {
    for (const f of this.touched) this.dirty.add(f);
    if (trailing) this.touched.clear();
    this.runner.request(() => this.readDirty());
  });

  constructor(
    private readonly app: IngestDeps,
    private readonly opts: LeaseWatchOptions,
  ) {
    this.runner = new SerialRunner(opts.logger, 'lease reading');
  }

  async start(): Promise<void> {
    const files = this.app.config.leases.files;
    if (files.length > 0) {
      this.watcher = chokidar.watch(files, { ignoreInitial: true });
      this.watcher.on('all', (_event, path) => {
        this.touched.add(path);
        this.onWatch.kick();
      });
      this.watcher.on('error', (err) => this.opts.logger.warn('watcher error', { error: err }));
      await watching(this.watcher, this.opts.logger, 'lease files');
    }
    for (const f of files) this.dirty.add(f);
    this.runner.request(() => this.readDirty());
    await this.runner.idle();
    if (this.app.config.leases.urls.length > 0) await this.pollUrls();
  }

  async stop(): Promise<void> {
    this.onWatch.cancel();
    await this.watcher?.close();
    await this.runner.stop();
  }

  /** Reads every file marked dirty, including ones marked while this runs; one bad file does not hold up the rest. */
  private async readDirty(): Promise<void> {
    for (const path of this.dirty) {
      this.dirty.delete(path);
      try {
        await this.read(path);
      } catch (err) {
        this.opts.logger.error(`lease reading failed: ${(err as Error).message}`, { file: path });
      }
    }
  }

  private async read(path: string): Promise<void> {
    if (!existsSync(path)) {
      if (!this.missing.has(path)) this.opts.logger.warn('lease file not found; devices will be known by IP until it appears', { file: path });
      this.missing.add(path);
      return;
    }
    this.missing.delete(path);
    const r = await ingestLeaseFile(this.app, path, this.opts.now());
    this.opts.logger.debug('leases read', { file: path, leases: r.leases, format: r.format });
    this.opts.onChanged();
  }

  /** Pi-hole v6 lease URLs: fetched and parsed by the source, turned into intervals and stored here. */
  async pollUrls(): Promise<void> {
    const cfg = this.app.config.leases;
    const password = cfg.password_file ? readFileSync(cfg.password_file, 'utf8').trim() : undefined;
    for (const url of cfg.urls) {
      try {
        const now = this.opts.now();
        const parsed = await fetchPiholeLeases(url, { referenceTs: now, ...(password ? { password } : {}) });
        const intervals = leasesToIntervals([{ observedAt: now, leases: parsed.leases, source: url }], { leaseTimeMs: cfg.lease_time });
        storeLeases(this.app.store, intervals);
        this.opts.onChanged();
      } catch (err) {
        this.opts.logger.warn(`lease URL failed: ${(err as Error).message}`, { url });
      }
    }
  }
}
