// A file-level failure of a source: names the file and, where known, where in it things went wrong,
// so the daemon can log one clear line and keep running.
export class SourceError extends Error {
  readonly file: string;
  readonly offset?: number;
  readonly line?: number;

  constructor(message: string, opts: { file: string; offset?: number; line?: number; cause?: unknown }) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'SourceError';
    this.file = opts.file;
    if (opts.offset !== undefined) this.offset = opts.offset;
    if (opts.line !== undefined) this.line = opts.line;
  }
}
