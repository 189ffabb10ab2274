// nfmon passwd FILE: store the dashboard password as a scrypt hash line for http.password_file.
// The password is typed twice without echo at a terminal, or read from the first line of stdin
// (`printf '%s\n' "$PW" | nfmon passwd FILE`); it never appears in argv or the environment.
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { hashPassword } from '../../web/auth.js';
import { UsageError } from '../args.js';

const MIN_LENGTH = 8;

export function registerPasswd(program: Command): void {
  program
    .command('passwd [file]')
    .description('hash a dashboard password into FILE for http.password_file (stdout without FILE)')
    .action(async (file: string | undefined) => {
      const password = process.stdin.isTTY ? await promptTwice() : await firstLineOfStdin();
      if (password.length < MIN_LENGTH) throw new UsageError(`passwd: the password needs at least ${MIN_LENGTH} characters`);
      const line = `${await hashPassword(password)}\n`;
      if (file === undefined) return void process.stdout.write(line);
      try {
        // 0640: the daemon's group reads it (install.sh puts /etc/nfmon in group nfmon).
        writeFileSync(file, line, { mode: 0o640 });
      } catch (err) {
        throw new UsageError(`passwd: cannot write ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
      }
      process.stderr.write(`nfmon: password hash written to ${file}; set http.password_file: ${file}\n`);
    });
}

async function firstLineOfStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return (Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '');
}

async function promptTwice(): Promise<string> {
  const first = await readSecret('Dashboard password: ');
  const second = await readSecret('Again: ');
  if (first !== second) throw new UsageError('passwd: the two passwords differ');
  return first;
}

/** One line from the terminal in raw mode, so nothing typed is echoed. */
function readSecret(prompt: string): Promise<string> {
  process.stderr.write(prompt);
  const stdin = process.stdin;
  stdin.setRawMode(true);
  stdin.resume();
  return new Promise((resolve, reject) => {
    let text = '';
    const done = (err?: Error): void => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write('\n');
      if (err) reject(err);
      else resolve(text);
    };
    const onData = (data: Buffer): void => {
      for (const ch of data.toString('utf8')) {
        if (ch === '\r' || ch === '\n') return done();
        if (ch === '\u0003' || ch === '\u0004') return done(new UsageError('passwd: cancelled'));
        if (ch === '\u007f' || ch === '\b') text = text.slice(0, -1);
        else text += ch;
      }
    };
    stdin.on('data', onData);
  });
}
