// Pi-hole's database as `nfmon status` and the dashboard show it: how far it was read (row id),
// how far behind that is now (rows and seconds, read live from the database like the log's lag
// from its size), rows Pi-hole's privacy level hid, and what stops it being read, with the fix.
import { FtlDbError, openFtlDatabase, queryLag } from '../sources/pihole/ftl-db.js';
import type { SourceRow } from '../store/sources.js';
import { ftlProblemFix } from '../sources/pihole/ftl-db.js';

export interface FtlSourceFields {
  /** Last row id read. */
  last_row: number;
  /** Highest row id in the database now (null: it cannot be opened). */
  max_row: number | null;
  lag_rows: number | null;
  /** Time between the last row read and the newest row. */
  lag_s: number | null;
  hidden_rows: number;
  /** What prevents reading it now, or the last read's error. */
  problem: string | null;
  fix: string | null;
}

/** The live state of the database at `path`, read through a short read-only transaction. */
export function ftlSourceFields(path: string, row: SourceRow | undefined): FtlSourceFields {
  const lastRow = row?.offset ?? 0;
  const base: FtlSourceFields = {
    last_row: lastRow, max_row: null, lag_rows: null, lag_s: null, hidden_rows: row?.skipped.hidden ?? 0, problem: row?.lastError ?? null, fix: null,
  };
  let db;
  try {
    db = openFtlDatabase(path);
    const lag = queryLag(db, lastRow);
    const lastTs = row && row.fingerprint !== '' ? Number(row.fingerprint) : lag.afterTs;
    const lagRows = Math.max(0, lag.maxId - lastRow);
    const lagS = lagRows === 0 ? 0 : lag.maxTs !== undefined && lastTs !== undefined ? Math.max(0, Math.round((lag.maxTs - lastTs) / 1000)) : null;
    return { ...base, max_row: lag.maxId, lag_rows: lagRows, lag_s: lagS };
  } catch (err) {
    if (!(err instanceof FtlDbError)) throw err;
    return { ...base, problem: err.message, fix: ftlProblemFix(err.problem) };
  } finally {
    db?.close();
  }
}
