// Kea memfile lease CSV (kea-leases4.csv / kea-leases6.csv). Append-only until Kea's lease file
// cleanup rewrites it: the last row for an address is its current state, a row with
// valid_lifetime 0 deletes the lease. Kea never quotes; it escapes a comma inside a field as
// `&#x2c`, so splitting on commas and then unescaping is exact (a CSV parser would trip over the
// double quotes inside user_context).
import { SourceError } from '../errors.js';
import { foldLeaseJournal, type JournalEntry } from '../../core/leases.js';
import {
  LeaseResultBuilder,
  canonicalIp,
  hwIdentity,
  parseUint,
  type LeaseParseOptions,
  type LeaseParseResult,
} from './common.js';

/** Kea's lease states (src/lib/dhcpsrv/lease.h). */
const STATES = ['default', 'declined', 'expired-reclaimed', 'released', 'registered'] as const;
const INFINITE_LIFETIME = 0xffff_ffff;
const REQUIRED = ['address', 'hwaddr', 'valid_lifetime', 'expire'] as const;
/** Columns read of a line: Kea writes about a dozen; a line of millions of commas must not become millions of strings. */
const MAX_COLUMNS = 64;

function unescape(field: string): string {
  return field.replace(/&#x([0-9a-fA-F]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

type Columns = ReadonlyMap<string, number>;

function columnsOf(header: string, file: string): Columns {
  const cols = new Map(header.split(',', MAX_COLUMNS).map((name, i) => [name.trim(), i] as const));
  const missing = REQUIRED.filter((c) => !cols.has(c));
  if (missing.length > 0) {
    throw new SourceError(`${file}:1: not a Kea lease file: header lacks ${missing.join(', ')}`, { file, line: 1, offset: 0 });
  }
  return cols;
}

/** One CSV row as a journal entry, or a reason it maps nothing. */
function rowEntry(fields: readonly string[], cols: Columns, lineNo: number, out: LeaseResultBuilder): JournalEntry | undefined {
  const get = (name: string): string | undefined => {
    const i = cols.get(name);
    return i === undefined ? undefined : fields[i];
  };
  const raw = fields.join(',');
  const addr = canonicalIp(get('address') ?? '');
  if (!addr) return void out.bad(lineNo, 'bad_ip', raw);
  const lifetime = parseUint(get('valid_lifetime'));
  const expire = parseUint(get('expire'));
  const stateNo = get('state') ? parseUint(get('state')) : 0;
  if (lifetime === undefined || expire === undefined) return void out.bad(lineNo, 'bad_time', raw);
  if (stateNo === undefined) return void out.bad(lineNo, 'bad_state', raw);
  // expire = cltt + valid_lifetime, so the difference is the client's last transaction time.
  const start = (expire - lifetime) * 1000;
  if (lifetime === 0) return release(out, 'deleted', addr.ip, start);
  if (stateNo === 1) return release(out, 'declined', addr.ip, start);
  const hwaddr = get('hwaddr') ?? '';
  if (hwaddr === '') return release(out, addr.family === 6 ? 'ipv6_no_mac' : 'no_mac', addr.ip, start);
  const hw = hwIdentity(hwaddr);
  if (!hw) return void out.bad(lineNo, 'bad_mac', raw);
  // v6 rows name the hardware type; 1 is Ethernet.
  const hwtype = get('hwtype');
  const nonEthernet = hw.nonEthernet || (hwtype !== undefined && hwtype !== '' && hwtype !== '1');
  const hostname = get('hostname');
  const clientId = get(addr.family === 6 ? 'duid' : 'client_id');
  const lease = {
    ip: addr.ip,
    mac: hw.mac,
    ...(hostname ? { hostname } : {}),
    ...(clientId ? { clientId } : {}),
    start,
    end: lifetime === INFINITE_LIFETIME ? Infinity : expire * 1000,
    state: STATES[stateNo] ?? `state-${stateNo}`,
    family: addr.family,
    ...(nonEthernet ? { nonEthernet: true as const } : {}),
  };
  return { kind: 'binding', lease };
}

function release(out: LeaseResultBuilder, reason: string, ip: string, at: number): JournalEntry {
  out.skip(reason);
  return { kind: 'release', ip, at };
}

/**
 * Rows in state 0 (default), 2 (expired-reclaimed: Kea keeps the last client's address), 3
 * (released) and 4 (registered) record a binding; deleted and declined rows and rows without a
 * hardware address end whatever binding came before (see foldLeaseJournal).
 */
export function parseKeaLeases(text: string, opts: LeaseParseOptions): LeaseParseResult {
  const out = new LeaseResultBuilder();
  const lines = text.split('\n');
  const headerAt = lines.findIndex((l) => l.trim() !== '');
  if (headerAt < 0) return out.result();
  const header = lines[headerAt]!.trim();
  const cols = columnsOf(header, opts.file);
  const entries: JournalEntry[] = [];
  for (let i = headerAt + 1; i < lines.length; i++) {
    const line = lines[i]!.replace(/\r$/, '');
    if (line.trim() === '') continue;
    if (line.trim() === header) {
      out.skip('header');
      continue;
    }
    const fields = line.split(',', MAX_COLUMNS);
    // Kea writes every column; older files simply have fewer of them, named by their own header.
    if (fields.length !== cols.size) {
      out.bad(i + 1, 'field_count', line);
      continue;
    }
    const e = rowEntry(fields.map(unescape), cols, i + 1, out);
    if (e) entries.push(e);
  }
  return out.result(foldLeaseJournal(entries));
}
