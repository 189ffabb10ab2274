// Who may write: one `nfmon run` or `nfmon ingest` at a time (see store/writer-lock.ts). A second
// ingest waits for the first, saying so; an ingest while the daemon runs hands its files to the
// daemon (ingest/inbox.ts); a second daemon is refused.
import { lastHolder, recordHolder, WriterLock, type LockHolder } from '../store/writer-lock.js';
import type { Store } from '../store/index.js';

export type WriterRole = 'run' | 'ingest';

export class WriterBusyError extends Error {
  override readonly name = 'WriterBusyError';
  constructor(
    message: string,
    readonly holder: LockHolder | undefined,
  ) {
    super(message);
  }
}

export type Acquired = { readonly lock: WriterLock } | { readonly daemon: LockHolder };

export interface AcquireOptions {
  /** Told once when the lock is busy and this writer waits for it. */
  readonly onWait?: (holder: LockHolder | undefined) => void;
  readonly pollMs?: number;
  /** The caller's clock (cli/ or daemon/): the pipeline reads none. */
  readonly now: () => number;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export const describeHolder = (h: LockHolder | undefined): string => (h ? `nfmon ${h.command} (pid ${h.pid})` : 'another nfmon');

/** Take the writer lock, wait for it, or (an ingest beside a running daemon) name the daemon to hand over to. */
export async function acquireWriter(store: Store, role: WriterRole, opts: AcquireOptions): Promise<Acquired> {
  let told = false;
  for (;;) {
    const lock = WriterLock.tryAcquire(store.file);
    if (lock) {
      recordHolder(store.db, { pid: process.pid, command: role, since: opts.now() });
      return { lock };
    }
    const holder = lastHolder(store.db);
    const daemon = holder?.command === 'run' && isAlive(holder.pid) ? holder : undefined;
    if (daemon && role === 'ingest') return { daemon };
    if (daemon && role === 'run') {
      throw new WriterBusyError(`${describeHolder(daemon)} already runs on ${store.file}; stop it first (systemctl stop nfmon)`, daemon);
    }
    if (!told) opts.onWait?.(holder);
    told = true;
    await new Promise((r) => setTimeout(r, opts.pollMs ?? 200));
  }
}
