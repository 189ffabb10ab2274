// Can a configured source be read, and if not, what to do about it. The daemon says it once per
// change of state (a Pi-hole log that is missing or unreadable used to be silent, even at debug);
// `nfmon status` shows the same state for every configured source.
import { accessSync, constants, statSync } from 'node:fs';
import { errnoOf } from '../core/errno.js';

export type SourceState = 'ok' | 'missing' | 'permission denied' | 'not a file' | 'lagging';

/** The state of a path from the file system alone (lagging is decided with the stored offset). */
export function checkPath(path: string, want: 'file' | 'dir' = 'file'): SourceState {
  try {
    const info = statSync(path);
    if (want === 'file' ? !info.isFile() : !info.isDirectory()) return 'not a file';
    accessSync(path, want === 'dir' ? constants.R_OK | constants.X_OK : constants.R_OK);
    return 'ok';
  } catch (err) {
    const code = errnoOf(err);
    return code === 'EACCES' || code === 'EPERM' ? 'permission denied' : 'missing';
  }
}

/** What to do about a Pi-hole log in `state`; undefined when nothing is wrong. */
export function piholeLogAdvice(path: string, state: SourceState): string | undefined {
  switch (state) {
    case 'missing':
      return `Pi-hole log ${path} does not exist: check pihole.log in the config (Pi-hole v6 writes /var/log/pihole/pihole.log, v5 /var/log/pihole.log) and that Pi-hole's query logging is on; nfmon reads it as soon as it appears`;
    case 'permission denied':
      return `cannot read the Pi-hole log ${path}: permission denied; add nfmon's user to the pihole group (sudo usermod -aG pihole nfmon) and restart nfmon`;
    case 'not a file':
      return `Pi-hole log ${path} is not a regular file: point pihole.log at the log file itself`;
    default:
      return undefined;
  }
}
