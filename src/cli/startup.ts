// Start-up cost of the CLI: every nfmon call starts Node and loads the modules of one command.
import * as nodeModule from 'node:module';

/**
 * V8's compile cache for the modules loaded from here on (the command's own, loaded lazily by
 * main.ts), in Node's default directory or $NODE_COMPILE_CACHE. Node 22.1+ has it
 * (https://nodejs.org/api/module.html#moduleenablecompilecachecachedir); on Node 20 there is
 * nothing to enable and every call compiles anew. A cache that cannot be used (read-only
 * filesystem, no temp directory) is reported in the return value by Node, never thrown: it only
 * costs speed, so nfmon says nothing about it.
 */
export function enableCompileCache(): void {
  if (process.env.NFMON_NO_COMPILE_CACHE === '1') return;
  const enable = (nodeModule as { enableCompileCache?: () => unknown }).enableCompileCache;
  if (typeof enable === 'function') enable();
}
