// The dashboard's config section. Off unless http.listen is set. A listen address other than
// loopback serves the household's viewing history to the network, so it needs a password file.
import { z } from 'zod';

export interface ListenAddress {
  /** '' for every address. */
  readonly host: string;
  readonly port: number;
}

/** `127.0.0.1:8080`, `[::1]:8080`, `localhost:8080`, `0.0.0.0:8080`, `:8080` (every address). */
export function parseListen(text: string): ListenAddress | undefined {
  const m = /^(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9.-]*)):(\d{1,5})$/.exec(text.trim());
  if (!m) return undefined;
  const port = Number(m[3]);
  // Port 0 takes any free port (tests; the log line names the one taken).
  if (port > 65535) return undefined;
  return { host: m[1] ?? m[2] ?? '', port };
}

/** 127.0.0.0/8, ::1 and localhost reach only this machine. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

export const httpSchema = z
  .strictObject({
    listen: z
      .string()
      .refine((s) => parseListen(s) !== undefined, { message: 'expected host:port, e.g. "127.0.0.1:8080", "[::1]:8080" or "0.0.0.0:8080"' })
      .optional()
      .describe('Address of the read-only dashboard: host:port, [::1]:8080, 0.0.0.0:8080 (every address); unset: no dashboard')
      .meta({ examples: ['127.0.0.1:8080'] }),
    password_file: z
      .string()
      .min(1)
      .optional()
      .describe('File with the dashboard password hash (nfmon passwd FILE); required unless listen is loopback')
      .meta({ examples: ['/etc/nfmon/http-password'] }),
  })
  .superRefine((http, ctx) => {
    const listen = http.listen === undefined ? undefined : parseListen(http.listen);
    if (listen && !isLoopback(listen.host) && !http.password_file) {
      ctx.addIssue({
        code: 'custom',
        path: ['password_file'],
        message: `required when http.listen (${http.listen}) is not a loopback address: make one with nfmon passwd /etc/nfmon/http-password`,
      });
    }
  })
  .prefault({})
  .describe('The read-only dashboard')
  .meta({
    details: 'A loopback address needs no password; any other address (the LAN, 0.0.0.0) is refused at start ' +
      'without a password file. Make one with: sudo -u nfmon nfmon passwd /etc/nfmon/http-password',
  });
