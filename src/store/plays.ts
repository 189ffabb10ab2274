// plays: the account's plays from Netflix's export. A newer export repeats older plays: each is
// kept once, by its key, with the longest duration seen (a play still running at export time grows).
import type { Play } from '../core/reconcile/types.js';
import type { Db } from './db.js';

interface Row {
  key: string;
  profile: string;
  start: number;
  duration_s: number;
  title: string;
  preview_type: string | null;
  device_type: string;
  country: string;
  country_name: string | null;
  attributes: string;
  day_only: number;
}

export class PlayRepo {
  private readonly upsert;

  constructor(private readonly db: Db) {
    this.upsert = db.prepare(
      `INSERT INTO plays (key, profile, start, duration_s, title, title_hashed, preview_type, device_type, country, country_name,
         attributes, day_only, imported_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (key) DO UPDATE SET duration_s = max(duration_s, excluded.duration_s)`,
    );
  }

  /** Returns how many plays were new. Call inside a transaction. */
  add(plays: readonly Play[], titleOf: (p: Play) => { title: string; hashed: boolean }, now: number): number {
    let added = 0;
    for (const p of plays) {
      const t = titleOf(p);
      const before = this.db.prepare('SELECT 1 FROM plays WHERE key = ?').get(p.key);
      this.upsert.run(p.key, p.profile, p.start, p.durationS, t.title, t.hashed ? 1 : 0, p.previewType ?? null, p.deviceType,
        p.country, p.countryName ?? null, p.attributes, p.dayOnly ? 1 : 0, now);
      if (!before) added++;
    }
    return added;
  }

  all(since?: number): Play[] {
    const rows = this.db
      .prepare(`SELECT * FROM plays ${since !== undefined ? 'WHERE start >= ?' : ''} ORDER BY start DESC`)
      .all(...(since !== undefined ? [since] : [])) as Row[];
    return rows.map((r) => ({
      key: r.key,
      profile: r.profile,
      start: r.start,
      durationS: r.duration_s,
      title: r.title,
      ...(r.preview_type ? { previewType: r.preview_type } : {}),
      preview: r.preview_type !== null,
      deviceType: r.device_type,
      country: r.country,
      ...(r.country_name ? { countryName: r.country_name } : {}),
      attributes: r.attributes,
      dayOnly: r.day_only === 1,
    }));
  }

  /** The most common country of the plays that are not previews ('' if none), as homeCountryOf counts. */
  mostCommonCountry(): string {
    const row = this.db
      .prepare(`SELECT country FROM plays WHERE preview_type IS NULL AND country <> '' GROUP BY country ORDER BY count(*) DESC, country LIMIT 1`)
      .get() as { country: string } | undefined;
    return row?.country ?? '';
  }

  count(): number {
    return (this.db.prepare('SELECT count(*) AS n FROM plays').get() as { n: number }).n;
  }

  deleteAll(): number {
    return this.db.prepare('DELETE FROM plays').run().changes;
  }
}
