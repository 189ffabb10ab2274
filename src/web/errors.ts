// The web server's errors, apart from the server: the CLI's exit codes know them without loading it.
export class WebServerError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'WebServerError';
  }
}
