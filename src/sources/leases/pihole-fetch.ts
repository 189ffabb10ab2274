// Pi-hole v6 serves its DHCP leases over HTTP, for a Pi-hole on another host than nfmon:
// GET /api/dhcp/leases, with a session id from POST /api/auth {"password": ...} when the API has a
// password (an app password works too); the id goes in the `sid` header. Source: pi-hole/FTL
// src/api/docs/content/specs/auth.yaml and dhcp.yaml (v6). A thin reader: one request (two with a
// password) and the pure parser of ./pihole-api.ts; turning leases into intervals and storing
// them is the caller's.
import { SourceError } from '../errors.js';
import type { LeaseParseResult } from './common.js';
import { parsePiholeApiLeases } from './pihole-api.js';

export interface FetchLeasesOptions {
  /** The app password (leases.password_file); without it the request goes unauthenticated. */
  readonly password?: string;
  /** Lease expiries are absolute; this is the time they are judged against. */
  readonly referenceTs: number;
  /** Per request; a Pi-hole that hangs must not hold up the poll. */
  readonly timeoutMs?: number;
}

const TIMEOUT_MS = 10_000;

/** The body of GET `url`: the JSON of /api/dhcp/leases. Network and HTTP failures are SourceErrors naming the URL. */
export async function fetchPiholeLeaseText(url: string, opts: Omit<FetchLeasesOptions, 'referenceTs'> = {}): Promise<string> {
  const signal = (): AbortSignal => AbortSignal.timeout(opts.timeoutMs ?? TIMEOUT_MS);
  const headers: Record<string, string> = { accept: 'application/json' };
  if (opts.password) {
    const auth = await request(url, new URL('/api/auth', url), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ password: opts.password }),
      signal: signal(),
    });
    if (!auth.ok) throw new SourceError(`Pi-hole refused the password (leases.password_file): HTTP ${auth.status}`, { file: url });
    const body = (await auth.json()) as { session?: { sid?: string } };
    if (body.session?.sid) headers.sid = body.session.sid;
  }
  const res = await request(url, url, { headers, signal: signal() });
  if (res.status === 401) throw new SourceError('Pi-hole wants a password (set leases.password_file)', { file: url });
  if (!res.ok) throw new SourceError(`HTTP ${res.status}`, { file: url });
  return res.text();
}

/** GET `url` and parse its leases; bad entries are counted in the result, as for a file. */
export async function fetchPiholeLeases(url: string, opts: FetchLeasesOptions): Promise<LeaseParseResult> {
  const text = await fetchPiholeLeaseText(url, opts);
  return parsePiholeApiLeases(text, { referenceTs: opts.referenceTs, file: url });
}

async function request(source: string, target: string | URL, init: RequestInit): Promise<Response> {
  try {
    return await fetch(target, init);
  } catch (err) {
    // undici says only "fetch failed"; the reason (refused, timed out, no such host) is its cause.
    // (An AggregateError of several addresses has an empty message: then the outer one is said.)
    const cause = err instanceof Error ? err.cause : undefined;
    const why = (cause instanceof Error && cause.message) || (err instanceof Error ? err.message : String(err));
    throw new SourceError(why, { file: source, cause: err });
  }
}
