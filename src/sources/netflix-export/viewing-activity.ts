// Netflix account exports: ViewingActivity.csv ("Download your personal information") and the
// per-profile NetflixViewingHistory.csv ("Download all"). Formats: ../shared/corpus/netflix-export.
// The row logic is pure (ViewingRows); parseViewingCsv and readViewingFile feed it records from
// the streaming CSV reader (csv-stream.ts). Memory stays bounded whatever the file: fields are
// capped, plays go out in batches, the de-duplication keys take 16 bytes a play (key-set.ts),
// and a NetflixViewingHistory.csv is read twice (the dates' day/month order first) instead of
// being held.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import type { Play } from '../../core/reconcile/types.js';
import { safeField } from '../../core/text.js';
import { countSkip, type SkipCounts } from '../../core/types.js';
import { CsvReader, type CsvProblem } from './csv-stream.js';
import { SourceError } from '../errors.js';
import { KeySet } from './key-set.js';
import { refusal, SNIFF_BYTES } from '../sniff.js';
import { HistoryDateOrder, parseCountry, parseDuration, parseStartTime } from './fields.js';

export { parseCountry, parseDuration, parseStartTime } from './fields.js';

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

interface RowOptions extends ViewingOptions {
  /** Second pass over a NetflixViewingHistory.csv: the order its dates were found to have. */
  readonly historyOrder?: HistoryDateOrder;
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
/** Bytes read at a time. */
const CHUNK = 64 * 1024;
export const DEFAULT_HISTORY_PROFILE = 'unknown';

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
  private readonly keys = new KeySet();
  /** First pass over a history file: its dates are only observed, for their order. */
  readonly order: HistoryDateOrder;
  readonly counts: ViewingCounts = { rows: 0, plays: 0, previews: 0, skipped: {}, skippedLines: [], format: 'viewing_activity' };

  constructor(private readonly opts: RowOptions = {}) {
    this.order = opts.historyOrder ?? new HistoryDateOrder();
  }

  private get file(): string {
    return this.opts.file ?? '<input>';
  }

  /** A history file whose dates were only observed: read it again with `order`. */
  get needsSecondPass(): boolean {
    return this.format === 'viewing_history' && this.opts.historyOrder === undefined;
  }

  /** One CSV record; `line` is the file line it starts on. Returns the play, if the row gave one. */
  push(record: readonly string[], line: number): Play | undefined {
    if (this.format === undefined) {
      this.format = this.detect(record, line);
      this.counts.format = this.format;
      return undefined;
    }
    this.counts.rows++;
    if (this.format === 'viewing_history') return this.historyRow(record, line);
    return this.activityRow(record, line);
  }

  /** A record the CSV reader could not read (an unclosed quote, a field over the cap). */
  unreadable(line: number, reason: CsvProblem = 'unreadable_csv'): void {
    if (this.format === undefined) {
      throw new SourceError(`${this.file}: not a Netflix ViewingActivity.csv or NetflixViewingHistory.csv: its first line cannot be read as CSV (${reason})`, {
        file: this.file,
        line,
      });
    }
    this.counts.rows++;
    this.skip(reason, line);
  }

  /** Call after the last record. */
  finish(): void {
    if (this.format === undefined) throw new SourceError('empty file: no header', { file: this.file, line: 1 });
  }

  private historyRow(record: readonly string[], line: number): Play | undefined {
    const date = (record[1] ?? '').trim();
    if (this.opts.historyOrder === undefined) {
      this.order.observe(date);
      return undefined;
    }
    if (record.length !== 2) return this.skip('wrong_column_count', line);
    const day = this.order.dayOf(date);
    if (day === undefined) return this.skip('bad_date', line);
    return this.keep(this.historyPlay(record[0] ?? '', day), line);
  }

  private detect(record: readonly string[], line: number): ViewingFormat {
    if (sameHeader(record, VIEWING_ACTIVITY_HEADER)) return 'viewing_activity';
    if (sameHeader(record, HISTORY_HEADER)) return 'viewing_history';
    const text = record.join(',');
    // Never echo binary: a first line with replacement or control characters is not shown.
    const shown = isText(text) ? `header "${safeField(text, 120)}"` : 'a first line that is not text';
    throw new SourceError(
      `not a Netflix ViewingActivity.csv or NetflixViewingHistory.csv: ${shown} (expected "${VIEWING_ACTIVITY_HEADER.slice(0, 3).join(',')},..." or "Title,Date")`,
      { file: this.file, line },
    );
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
    if (!this.keys.add(play.key)) return this.skip('duplicate_row', line);
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

/** No replacement character (bad UTF-8) and no control character but tab and line ends. */
function isText(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0xfffd || (c < 0x20 && c !== 9 && c !== 10 && c !== 13) || (c >= 0x7f && c <= 0x9f)) return false;
  }
  return true;
}

/** Line ends inside a field follow the file's convention; a play's title (and key) must not. */
function normalizeFields(record: readonly string[]): string[] {
  return record.map((f) => (f.includes('\r') ? f.replace(/\r\n?/g, '\n') : f));
}

/** A CSV reader feeding `rows`, collecting the plays it gives into `out`. */
function readerFor(rows: ViewingRows, out: Play[]): CsvReader {
  return new CsvReader({
    record: (fields, line) => {
      const play = rows.push(normalizeFields(fields), line);
      if (play) out.push(play);
    },
    bad: (line, reason) => rows.unreadable(line, reason),
  });
}

/** Parse a whole export held in memory (tests, small files). */
export function parseViewingCsv(input: string | Buffer, opts: ViewingOptions = {}): { plays: Play[]; counts: ViewingCounts } {
  const text = typeof input === 'string' ? input : new TextDecoder('utf-8').decode(input);
  const once = (rows: ViewingRows): Play[] => {
    const plays: Play[] = [];
    const reader = readerFor(rows, plays);
    reader.push(text);
    reader.end();
    rows.finish();
    return plays;
  };
  let rows = new ViewingRows(opts);
  let plays = once(rows);
  if (rows.needsSecondPass) {
    rows = new ViewingRows({ ...opts, historyOrder: rows.order });
    plays = once(rows);
  }
  return { plays, counts: rows.counts };
}

/**
 * Stream an export from disk, handing plays over in batches. Refuses files over MAX_FILE_BYTES
 * and files that clearly are something else (a log, a capture, binary data).
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
  const why = refusal(path, await readHead(path), ['viewing-activity', 'viewing-history'], 'a Netflix export (ViewingActivity.csv)');
  if (why !== undefined) throw new SourceError(why, { file: path, offset: 0 });
  const first = new ViewingRows({ ...opts, file: path });
  await readPass(path, first, onBatch);
  if (!first.needsSecondPass) return first.counts;
  const second = new ViewingRows({ ...opts, file: path, historyOrder: first.order });
  await readPass(path, second, onBatch);
  return second.counts;
}

async function readHead(path: string): Promise<Buffer> {
  const fh = await open(path, 'r').catch((cause: unknown) => Promise.reject(new SourceError(`cannot read ${path}`, { file: path, cause })));
  try {
    const buf = Buffer.alloc(SNIFF_BYTES);
    const { bytesRead } = await fh.read(buf, 0, SNIFF_BYTES, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

/** One pass over the file; bad UTF-8 becomes U+FFFD and costs at most its row's fields. */
async function readPass(path: string, rows: ViewingRows, onBatch: (plays: Play[]) => void | Promise<void>): Promise<void> {
  const plays: Play[] = [];
  const reader = readerFor(rows, plays);
  const decoder = new TextDecoder('utf-8');
  // The consumer's own failures (a full disk) pass through unchanged; only reading is a SourceError.
  let consumerFailed = false;
  const deliver = async (): Promise<void> => {
    try {
      await onBatch(plays.splice(0));
    } catch (err) {
      consumerFailed = true;
      throw err;
    }
  };
  try {
    for await (const chunk of createReadStream(path, { highWaterMark: CHUNK }) as AsyncIterable<Buffer>) {
      reader.push(decoder.decode(chunk, { stream: true }));
      if (plays.length >= BATCH) await deliver();
    }
    reader.push(decoder.decode());
    reader.end();
  } catch (cause) {
    if (consumerFailed || cause instanceof SourceError) throw cause;
    throw new SourceError(`cannot read ${path}: ${(cause as Error).message}`, { file: path, cause });
  }
  rows.finish();
  if (plays.length > 0) await deliver();
}
