// Errors of CLI commands that exit.ts must recognise without loading the commands themselves.
export class ReportWriteError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ReportWriteError';
  }
}
