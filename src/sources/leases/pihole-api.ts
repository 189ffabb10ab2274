// Pi-hole v6 `GET /api/dhcp/leases`:
// {"leases":[{"expires":<s>,"hwaddr":"..","ip":"..","name":"..","clientid":".."}],"took":<s>}.
// FTL reads dhcp.leases itself, so each entry means what the same line of the file means.
import { SourceError } from '../errors.js';
import { leaseFromDnsmasqFields } from './dnsmasq.js';
import { LeaseResultBuilder, type LeaseParseOptions, type LeaseParseResult } from './common.js';

function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/** Parses the JSON; a truncated or invalid body is a file-level error naming where it broke. */
function parseJson(text: string, file: string): unknown {
  // A body saved from a terminal often carries the curl command line above it.
  const begin = text.indexOf('{');
  if (begin < 0) throw new SourceError(`${file}: no JSON object in Pi-hole API response`, { file, offset: 0, line: 1 });
  const body = text.slice(begin);
  try {
    return JSON.parse(body) as unknown;
  } catch (err) {
    const msg = (err instanceof Error ? err.message : String(err)).replace(/\s+/g, ' ');
    const pos = /position (\d+)/.exec(msg);
    const truncated = msg.includes('end of JSON input') || (pos !== null && Number(pos[1]) >= body.trimEnd().length);
    const offset = truncated ? begin + body.trimEnd().length : pos ? begin + Number(pos[1]) : undefined;
    const line = offset === undefined ? undefined : lineAt(text, offset);
    const where = line === undefined ? '' : `:${line}`;
    const what = truncated ? 'truncated JSON (the response ends mid-document)' : 'invalid JSON';
    throw new SourceError(`${file}${where}: ${what} in Pi-hole API response: ${msg}`, {
      file,
      ...(offset === undefined ? {} : { offset, line }),
      cause: err,
    });
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function leasesArray(body: unknown, file: string): unknown[] {
  if (isRecord(body) && isRecord(body.error)) {
    const key = typeof body.error.key === 'string' ? body.error.key : 'error';
    const message = typeof body.error.message === 'string' ? body.error.message : 'no message';
    throw new SourceError(`${file}: Pi-hole API returned an error: ${key} (${message})`, { file });
  }
  if (!isRecord(body) || !Array.isArray(body.leases)) {
    throw new SourceError(`${file}: Pi-hole API response has no "leases" array`, { file });
  }
  return body.leases;
}

export function parsePiholeApiLeases(text: string, opts: LeaseParseOptions): LeaseParseResult {
  const entries = leasesArray(parseJson(text, opts.file), opts.file);
  const out = new LeaseResultBuilder();
  entries.forEach((e, i) => {
    const { expires, hwaddr, ip, name, clientid } = isRecord(e) ? e : {};
    if (typeof expires !== 'number' || typeof hwaddr !== 'string' || typeof ip !== 'string') {
      out.bad(i + 1, 'bad_entry', JSON.stringify(e));
      return;
    }
    const r = leaseFromDnsmasqFields(
      {
        expiry: expires,
        hwaddr,
        ip,
        ...(typeof name === 'string' ? { hostname: name } : {}),
        ...(typeof clientid === 'string' ? { clientId: clientid } : {}),
      },
      opts.referenceTs,
    );
    if ('lease' in r) out.leases.push(r.lease);
    else if (r.broken) out.bad(i + 1, r.skip, `${ip} ${hwaddr}`);
    else out.skip(r.skip);
  });
  return out.result();
}
