// Where Pi-hole's database is and what to do when it cannot be read: the `pihole.database`
// setting resolved against the file system, and the advice the log and `nfmon status` give.
import { accessSync, constants } from 'node:fs';
import type { FtlDbProblem } from './ftl-open.js';

/** Where Pi-hole keeps its database (v5 and v6). */
export const DEFAULT_FTL_DATABASE = '/etc/pihole/pihole-FTL.db';

export interface FtlDatabaseSetting {
  readonly path: string;
  /** Not configured: the default path, because it exists. */
  readonly auto: boolean;
}

function readable(path: string): boolean {
  try {
    accessSync(path, constants.R_OK);
    return true;
  } catch {
    return false;
  }
}

function exists(path: string): boolean {
  try {
    accessSync(path, constants.F_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * `pihole.database`: a path is that file, false is off, unset is the default path when it exists
 * (`requireReadable`: and this process can read it, which is when the daemon reads it).
 */
export function ftlDatabaseSetting(setting: string | false | undefined, requireReadable: boolean, defaultPath = DEFAULT_FTL_DATABASE): FtlDatabaseSetting | undefined {
  if (setting === false) return undefined;
  if (setting !== undefined) return { path: setting, auto: false };
  if (!exists(defaultPath) || (requireReadable && !readable(defaultPath))) return undefined;
  return { path: defaultPath, auto: true };
}

/** What to do about a database that cannot be read, for the log and `nfmon status`. */
export function ftlProblemFix(problem: FtlDbProblem): string {
  switch (problem) {
    case 'missing':
      return 'set pihole.database to the path of pihole-FTL.db, or to false to stop reading it';
    case 'unreadable':
      return 'nfmon reads it through the pihole group: sudo usermod -aG pihole nfmon, then sudo systemctl restart nfmon (systemd/install.sh does this when Pi-hole is installed first)';
    case 'not_ready':
      return 'pihole-FTL is not running or has not opened its database yet; read again once it has';
    case 'busy':
      return 'another process holds a lock on it; read again on the next poll';
    case 'not_sqlite':
    case 'not_pihole':
      return "pihole.database must name Pi-hole's pihole-FTL.db";
    case 'corrupt':
    case 'io':
      return "check the file with sqlite3 (PRAGMA integrity_check); nfmon only reads it";
  }
}
