#!/usr/bin/env node
// Times readPiholeLog alone (no SQLite) on a log, next to `grep -c netflix` on the same file:
//   npm run build && node bench/read-pihole-log.mjs FILE [DIST_DIR]
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const [file, distArg] = process.argv.slice(2);
if (!file) {
  console.error('usage: node bench/read-pihole-log.mjs FILE [DIST_DIR]');
  process.exit(2);
}
const dist = resolve(distArg ?? new URL('../dist', import.meta.url).pathname);
const { readPiholeLog } = await import(pathToFileURL(`${dist}/sources/pihole/reader.js`).href);
const { buildCatalog, NETFLIX } = await import(pathToFileURL(`${dist}/core/catalog.js`).href);

// Wall and CPU seconds (user + sys): the machine may be shared, CPU time is the steadier figure.
const grep = spawnSync('/usr/bin/time', ['-f', '%e %U %S', 'grep', '-c', 'netflix', file], { encoding: 'utf8' });
const [grepS, gu, gs] = grep.stderr.trim().split('\n').at(-1).split(' ').map(Number);
const grepCpu = gu + gs;
const catalog = buildCatalog([NETFLIX]);
let batches = 0;
const t0 = process.hrtime.bigint();
const c0 = process.cpuUsage();
const stats = await readPiholeLog(file, { catalog, timeZone: 'Europe/Amsterdam', final: true }, () => batches++);
const readS = Number(process.hrtime.bigint() - t0) / 1e9;
const c1 = process.cpuUsage(c0);
const readCpu = (c1.user + c1.system) / 1e6;
const mls = (s) => (stats.linesRead / s / 1e6).toFixed(2);
console.log(`grep -c netflix: ${grep.stdout.trim()} lines; wall ${grepS.toFixed(2)} s, cpu ${grepCpu.toFixed(2)} s`);
console.log(
  `readPiholeLog:   ${stats.linesRead} lines; wall ${readS.toFixed(2)} s (${mls(readS)} M lines/s, ${(readS / grepS).toFixed(1)}x grep), ` +
    `cpu ${readCpu.toFixed(2)} s (${mls(readCpu)} M lines/s, ${(readCpu / grepCpu).toFixed(1)}x grep); ` +
    `${stats.dnsEvents} dns, ${stats.servedEvents} served, ${batches} batches`,
);
console.log('skipped:', JSON.stringify(stats.skipped), 'parsed:', stats.parsed);
