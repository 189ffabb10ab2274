// test/helpers/ftl-writer.mjs run as another process (pihole-FTL writing its database), with its
// stdout read line by line: `next()` resolves with the next line it prints.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { ROOT } from './cli.js';

export const WRITER = join(ROOT, 'test', 'helpers', 'ftl-writer.mjs');

export interface Writer {
  readonly child: ChildProcessWithoutNullStreams;
  next(): Promise<string>;
  exit: Promise<number | null>;
}

export function startWriter(file: string, mode: 'hold' | 'stream' | 'lock', n: number): Writer {
  const child = spawn(process.execPath, [WRITER, file, mode, String(n)]);
  const lines: string[] = [];
  const waiting: ((l: string) => void)[] = [];
  createInterface({ input: child.stdout }).on('line', (l) => {
    const w = waiting.shift();
    if (w) w(l);
    else lines.push(l);
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const next = () =>
    lines.length > 0
      ? Promise.resolve(lines.shift()!)
      : Promise.race([
          new Promise<string>((resolve) => waiting.push(resolve)),
          exit.then((code) => Promise.reject(new Error(`writer exited ${code}: ${stderr}`))),
        ]);
  return { child, next, exit };
}
