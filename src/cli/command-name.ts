// Which command an nfmon call names, before commander parses it: main.ts loads only that command's module.

/** Global options that take a value: `--config x` is not the command `x`. */
const VALUE_OPTIONS = new Set(['--config', '--db']);

/** The command named in argv (after node, the script and the global options), if any. */
export function commandName(argv: readonly string[]): string | undefined {
  for (let i = 2; i < argv.length; i++) {
    const a = argv[i]!;
    if (VALUE_OPTIONS.has(a)) i++;
    else if (!a.startsWith('-')) return a;
    else if (a === '--') return argv[i + 1];
  }
  return undefined;
}
