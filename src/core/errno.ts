// A file system error in words for a one-line message naming the file: the few errno codes people
// meet (missing, not allowed, a directory) get words, anything else keeps the system's message.
// Pure: it reads only the error object. Callers whose messages have their own words pass them.

const WORDS: Readonly<Record<string, string>> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EISDIR: 'is a directory',
};

/** The errno code of a system error (ENOENT, EACCES, ...), if it has one. */
export function errnoOf(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** `no such file`, `permission denied`, `is a directory`, else the error's own message. */
export function describeFsError(err: unknown, words: Readonly<Record<string, string>> = WORDS): string {
  const code = errnoOf(err);
  return (code !== undefined ? words[code] : undefined) ?? (err as Error).message;
}
