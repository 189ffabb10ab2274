// Importing an export's plays in bulk. The plays table is keyed by a hash, so plays arrive in
// random key order, and inserting them in batches of a thousand rewrote pages all over the
// table at every commit (300,000 plays: 25 s of a 35 s import). They are staged instead in a
// temporary table (appended; spilled to a temp file past its small cache, never held in RAM),
// sorted once by key, and merged a key range per transaction: each range touches its pages once,
// and the main database is locked only for one short merge at a time, so the daemon keeps writing.
import type { Play } from '../core/reconcile/types.js';
import type { Db } from './db.js';

/** Rows per merge transaction: each pass also rewrites the start index, so not too few; well under the daemon's 5 s busy timeout. */
const MERGE_ROWS = 50_000;
/** Plays per INSERT statement while staging (13 parameters each, under SQLite's 32,766). */
const ROWS_PER_INSERT = 64;
const COLUMNS = 13;

export type TitleOf = (p: Play) => { title: string; hashed: boolean };

export class PlayImport {
  private readonly one;
  private readonly many;
  private staged = 0;

  constructor(
    private readonly db: Db,
    private readonly titleOf: TitleOf,
    private readonly now: number,
  ) {
    db.pragma('temp.cache_size = -4000');
    db.exec(`DROP TABLE IF EXISTS temp.staged_plays;
      CREATE TEMP TABLE staged_plays (key TEXT NOT NULL, profile TEXT, start INTEGER, duration_s INTEGER, title TEXT,
        title_hashed INTEGER, preview_type TEXT, device_type TEXT, country TEXT, country_name TEXT, attributes TEXT,
        day_only INTEGER, imported_at INTEGER)`);
    const row = `(${new Array<string>(COLUMNS).fill('?').join(', ')})`;
    this.one = db.prepare(`INSERT INTO temp.staged_plays VALUES ${row}`);
    this.many = db.prepare(`INSERT INTO temp.staged_plays VALUES ${new Array<string>(ROWS_PER_INSERT).fill(row).join(', ')}`);
  }

  /** Stage plays (one transaction on the temp table only: the main database is not locked). */
  stage(plays: readonly Play[]): void {
    this.db.transaction(() => {
      const args: unknown[] = [];
      for (const p of plays) {
        const t = this.titleOf(p);
        args.push(p.key, p.profile, p.start, p.durationS, t.title, t.hashed ? 1 : 0, p.previewType ?? null, p.deviceType,
          p.country, p.countryName ?? null, p.attributes, p.dayOnly ? 1 : 0, this.now);
        if (args.length === COLUMNS * ROWS_PER_INSERT) {
          this.many.run(args);
          args.length = 0;
        }
      }
      for (let i = 0; i < args.length; i += COLUMNS) this.one.run(args.slice(i, i + COLUMNS));
    })();
    this.staged += plays.length;
  }

  /**
   * Merge what was staged into plays, key range by key range; a play already there keeps the
   * longest duration seen. Returns how many plays were new. Drops the staging table.
   */
  merge(): number {
    try {
      if (this.staged === 0) return 0;
      // One external sort (SQLite spills it to temp files), then key ranges read in rowid order:
      // reading the staged rows through an index on key instead jumps all over the temp file.
      // The sorter takes as much memory as the page cache allows: a small one keeps it in bounds.
      const cache = this.db.pragma('cache_size', { simple: true }) as number;
      this.db.pragma('cache_size = -2000');
      try {
        this.db.exec(`DROP TABLE IF EXISTS temp.sorted_plays;
          CREATE TEMP TABLE sorted_plays AS SELECT * FROM temp.staged_plays ORDER BY key;
          DROP TABLE temp.staged_plays`);
      } finally {
        this.db.pragma(`cache_size = ${cache}`);
      }
      const rows = (this.db.prepare('SELECT max(rowid) AS n FROM temp.sorted_plays').get() as { n: number | null }).n ?? 0;
      const insert = this.db.prepare(
        `INSERT INTO plays (key, profile, start, duration_s, title, title_hashed, preview_type, device_type, country, country_name,
           attributes, day_only, imported_at)
         SELECT key, profile, start, duration_s, title, title_hashed, preview_type, device_type, country, country_name,
           attributes, day_only, imported_at FROM temp.sorted_plays WHERE rowid > ? AND rowid <= ?
         ON CONFLICT (key) DO UPDATE SET duration_s = excluded.duration_s WHERE excluded.duration_s > duration_s`,
      );
      // New plays: the table's growth (one writer at a time: nothing else adds plays meanwhile).
      const count = (): number => (this.db.prepare('SELECT count(*) AS n FROM plays').get() as { n: number }).n;
      const before = count();
      for (let lo = 0; lo < rows; lo += MERGE_ROWS) this.db.transaction(() => insert.run(lo, lo + MERGE_ROWS))();
      return count() - before;
    } finally {
      this.db.exec('DROP TABLE IF EXISTS temp.staged_plays; DROP TABLE IF EXISTS temp.sorted_plays');
      this.staged = 0;
    }
  }
}
