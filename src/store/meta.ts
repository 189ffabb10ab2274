// meta: small named values (daemon heartbeat, start time, last delivery error).
import type { Db } from './db.js';

export class MetaRepo {
  constructor(private readonly db: Db) {}

  get(key: string): string | undefined {
    const row = this.db.prepare('SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined;
    return row?.value;
  }

  set(key: string, value: string): void {
    this.db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(key, value);
  }

  delete(key: string): void {
    this.db.prepare('DELETE FROM meta WHERE key = ?').run(key);
  }
}

/**
 * The rebuild mark: the earliest time whose input (events, flows, leases) changed since sessions
 * and alerts were last derived. Written in the transaction that stores the input, cleared in the
 * transaction of the rebuild that derives from it, so no crash can leave input underived.
 */
export class RebuildMark {
  private readonly setStmt;
  private readonly getStmt;

  constructor(private readonly db: Db) {
    this.setStmt = db.prepare(
      `INSERT INTO meta (key, value) VALUES ('rebuild_from', ?)
       ON CONFLICT (key) DO UPDATE SET value = CAST(min(CAST(value AS INTEGER), CAST(excluded.value AS INTEGER)) AS TEXT)`,
    );
    this.getStmt = db.prepare("SELECT value FROM meta WHERE key = 'rebuild_from'");
  }

  /** Input from `ts` on changed. Call in the transaction that stored it. */
  changed(ts: number): void {
    this.setStmt.run(String(Math.floor(ts)));
  }

  /** The earliest changed time not derived yet. */
  pending(): number | undefined {
    const row = this.getStmt.get() as { value: string } | undefined;
    return row === undefined ? undefined : Number(row.value);
  }

  clear(): void {
    this.db.prepare("DELETE FROM meta WHERE key = 'rebuild_from'").run();
  }
}
