// Netflix account exports: ViewingActivity.csv ("Download your personal information") and the
// per-profile NetflixViewingHistory.csv ("Download all"). Formats: ../shared/corpus/netflix-export.
// The row logic is pure (ViewingRows); parseViewingCsv and readViewingFile feed it records.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { parse, type CsvError, type Options } from 'csv-parse';
import { parse as parseSync } from 'csv-parse/sync';
import type { Play } from '../core/reconcile-types.js';
import { countSkip, type SkipCounts } from '../core/types.js';
import { SourceError } from './errors.js';
import { parseCountry, parseDuration, parseHistoryDates, parseStartTime, type HistoryRow } from './viewing-fields.js';

export { parseCountry, parseDuration, parseStartTime } from './viewing-fields.js';

export type ViewingFormat = 'viewing_activity' | 'viewing_history';

export interface ViewingCounts {
  /** Data rows read (header excluded), including skipped ones. */
  rows: number;
  plays: number;
  previews: number;
  skipped: SkipCounts;
  /** Line numbers of the first skipped rows, for the error report. */
  skippedLines: { line: number; reason: string }[];
  format: ViewingFormat;
}

export interface ViewingOptions {
  /** Name used in errors. */
  readonly file?: string;
  /** NetflixViewingHistory.csv has no profile column: whose history it is. */
  readonly profile?: string;
}

export const VIEWING_ACTIVITY_HEADER = [
  'Profile Name', 'Start Time', 'Duration', 'Attributes', 'Title',
  'Supplemental Video Type', 'Device Type', 'Bookmark', 'Latest Bookmark', 'Country',
] as const;
const HISTORY_HEADER = ['Title', 'Date'] as const;
/** Exports are a few MB; anything this large is not one. */
export const MAX_FILE_BYTES = 200 * 1024 * 1024;
const MAX_SKIPPED_LINES = 20;
const BATCH = 1000;
export const DEFAULT_HISTORY_PROFILE = 'unknown';

// relax_quotes: a stray quote inside a field must cost one row, not desync the rest of the file.
const CSV_OPTIONS: Options = {
  bom: true,
  relax_column_count: true,
  relax_quotes: true,
  skip_empty_lines: true,
  skip_records_with_error: true,
  info: true,
};

/** Hex SHA-256 of a title, for `store_titles: false`. */
export function titleHash(title: string): string {
  return createHash('sha256').update(title, 'utf8').digest('hex');
}

/** Key of a play: the same play in any export (even with an updated duration) gets the same key. */
export function playKey(profile: string, start: number, title: string, deviceType: string): string {
  return createHash('sha256').update(`${profile}\u0000${start}\u0000${title}\u0000${deviceType}`, 'utf8').digest('hex').slice(0, 32);
}

function sameHeader(record: readonly string[], header: readonly string[]): boolean {
  return record.length === header.length && header.every((h, i) => record[i]?.trim() === h);
}

/** Row-by-row state of one file: header detection, de-duplication, counts. */
export class ViewingRows {
  private format: ViewingFormat | undefined;
  private readonly keys = new Set<string>();
  private readonly history: HistoryRow[] = [];
  readonly counts: ViewingCounts = { rows: 0, plays: 0, previews: 0, skipped: {}, skippedLines: [], format: 'viewing_activity' };

  constructor(private readonly opts: ViewingOptions = {}) {}

  private get file(): string {
    return this.opts.file ?? '<input>';
  }

  /** One CSV record; `line` is the file line it starts on. Returns the play, if the row gave one. */
  push(record: readonly string[], line: number): Play | undefined {
    if (this.format === undefined) {
      this.format = this.detect(record, line);
      this.counts.format = this.format;
      return undefined;
    }
    this.counts.rows++;
    if (this.format === 'viewing_history') {
      if (record.length !== 2) return this.skip('wrong_column_count', line);
      this.history.push({ title: record[0] ?? '', date: (record[1] ?? '').trim(), line });
      return undefined;
    }
    return this.activityRow(record, line);
  }

  /** A record csv-parse could not read at all (e.g. an unclosed quote). */
  unreadable(line: number): void {
    this.counts.rows++;
    this.skip('unreadable_csv', line);
  }

  /** Call after the last record: day-level files are decided (date order) only now. */
  finish(): Play[] {
    if (this.format === undefined) throw new SourceError('empty file: no header', { file: this.file, line: 1 });
    if (this.format !== 'viewing_history') return [];
    const plays: Play[] = [];
    for (const d of parseHistoryDates(this.history)) {
      if (d.day === undefined) {
        this.skip('bad_date', d.row.line);
        continue;
      }
      const play = this.keep(this.historyPlay(d.row.title, d.day), d.row.line);
      if (play) plays.push(play);
    }
    return plays;
  }

  private detect(record: readonly string[], line: number): ViewingFormat {
    if (sameHeader(record, VIEWING_ACTIVITY_HEADER)) return 'viewing_activity';
    if (sameHeader(record, HISTORY_HEADER)) return 'viewing_history';
    const shown = record.join(',').slice(0, 120);
    throw new SourceError(`not a Netflix ViewingActivity.csv or NetflixViewingHistory.csv: header "${shown}"`, {
      file: this.file,
      line,
    });
  }

  private activityRow(r: readonly string[], line: number): Play | undefined {
    if (r.length !== VIEWING_ACTIVITY_HEADER.length) return this.skip('wrong_column_count', line);
    const [profile = '', startText = '', durationText = '', attributes = '', title = '', supplemental = '', deviceType = '', , , countryText = ''] = r;
    if (profile.trim() === '') return this.skip('missing_profile', line);
    const start = parseStartTime(startText);
    if (start === undefined) return this.skip('bad_start_time', line);
    const durationS = parseDuration(durationText);
    if (durationS === undefined) return this.skip('bad_duration', line);
    const country = parseCountry(countryText);
    const previewType = supplemental.trim();
    const play: Play = {
      profile: profile.trim(),
      start,
      durationS,
      title,
      ...(previewType ? { previewType } : {}),
      preview: previewType !== '',
      deviceType: deviceType.trim(),
      country: country.code,
      ...(country.name ? { countryName: country.name } : {}),
      attributes: attributes.trim(),
      dayOnly: false,
      key: playKey(profile.trim(), start, title, deviceType.trim()),
    };
    return this.keep(play, line);
  }

  private historyPlay(title: string, day: number): Play {
    const profile = this.opts.profile ?? DEFAULT_HISTORY_PROFILE;
    return { profile, start: day, durationS: 0, title, preview: false, deviceType: '', country: '', attributes: '', dayOnly: true, key: playKey(profile, day, title, '') };
  }

  private keep(play: Play, line: number): Play | undefined {
    if (this.keys.has(play.key)) return this.skip('duplicate_row', line);
    this.keys.add(play.key);
    this.counts.plays++;
    if (play.preview) this.counts.previews++;
    return play;
  }

  private skip(reason: string, line: number): undefined {
    countSkip(this.counts.skipped, reason);
    if (this.counts.skippedLines.length < MAX_SKIPPED_LINES) this.counts.skippedLines.push({ line, reason });
    return undefined;
  }
}

interface InfoRecord {
  record: string[];
  info: { lines: number };
}

/**
 * The line each record starts on. csv-parse reports the line a record ends on, and counts a CRLF
 * inside a quoted field as two lines (csv-parse 6.2), which would shift every later line number.
 */
class LineMapper {
  private overcount = 0;

  startLine(r: InfoRecord): number {
    let newlines = 0;
    for (const field of r.record) {
      if (!field.includes('\n')) continue;
      newlines += field.split('\n').length - 1;
      this.overcount += field.split('\r\n').length - 1;
    }
    return r.info.lines - this.overcount - newlines;
  }
}

/** Line ends inside a field follow the file's convention; a play's title (and key) must not. */
function normalizeFields(record: readonly string[]): string[] {
  return record.map((f) => (f.includes('\r') ? f.replace(/\r\n?/g, '\n') : f));
}

/** csv-parse gave up on a record; its line is where it gave up (an unclosed quote: the end). */
function skipHandler(rows: ViewingRows): (err: CsvError | undefined) => undefined {
  return (err) => {
    rows.unreadable(typeof err?.lines === 'number' ? err.lines : 0);
    return undefined;
  };
}

/** Parse a whole export held in memory (tests, small files). */
export function parseViewingCsv(input: string | Buffer, opts: ViewingOptions = {}): { plays: Play[]; counts: ViewingCounts } {
  const rows = new ViewingRows(opts);
  const records = parseSync(input, {
    ...CSV_OPTIONS,
    on_skip: skipHandler(rows),
  }) as unknown as InfoRecord[];
  const plays: Play[] = [];
  const lines = new LineMapper();
  for (const r of records) {
    const play = rows.push(normalizeFields(r.record), lines.startLine(r));
    if (play) plays.push(play);
  }
  plays.push(...rows.finish());
  return { plays, counts: rows.counts };
}

/**
 * Stream an export from disk, handing plays over in batches (bounded memory for the plays; the
 * de-duplication keys stay in memory, 32 bytes a play). Refuses files over MAX_FILE_BYTES.
 */
export async function readViewingFile(
  path: string,
  onBatch: (plays: Play[]) => void | Promise<void>,
  opts: Omit<ViewingOptions, 'file'> = {},
): Promise<ViewingCounts> {
  const size = await stat(path).then(
    (s) => s.size,
    (cause: unknown) => Promise.reject(new SourceError(`cannot read ${path}`, { file: path, cause })),
  );
  if (size > MAX_FILE_BYTES) {
    throw new SourceError(`${size} bytes is too large for a Netflix export (limit ${MAX_FILE_BYTES})`, { file: path, offset: 0 });
  }
  const rows = new ViewingRows({ ...opts, file: path });
  const parser = createReadStream(path).pipe(
    parse({ ...CSV_OPTIONS, on_skip: skipHandler(rows) }),
  );
  let batch: Play[] = [];
  const lines = new LineMapper();
  // The consumer's own failures (a full disk) pass through unchanged; only reading is a SourceError.
  let consumerFailed = false;
  const deliver = async (plays: Play[]): Promise<void> => {
    try {
      await onBatch(plays);
    } catch (err) {
      consumerFailed = true;
      throw err;
    }
  };
  try {
    for await (const r of parser as AsyncIterable<InfoRecord>) {
      const play = rows.push(normalizeFields(r.record), lines.startLine(r));
      if (play) batch.push(play);
      if (batch.length >= BATCH) {
        await deliver(batch);
        batch = [];
      }
    }
  } catch (cause) {
    if (consumerFailed || cause instanceof SourceError) throw cause;
    throw new SourceError(`cannot read ${path}: ${(cause as Error).message}`, { file: path, cause });
  }
  batch.push(...rows.finish());
  if (batch.length > 0) await onBatch(batch);
  return rows.counts;
}
