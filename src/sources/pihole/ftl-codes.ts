// The numbers pihole-FTL writes into its query database, and what they mean. Pure tables.
//
// Sources (read 2025-12 at pi-hole/FTL 8d1add8d99d8a36ccc6fb97628a33a219cf8abbd = v6.4.1, and
// pi-hole/docs 7c96feb53ee00dabb703d3b8da20b4b7d96cad5b):
// - docs/database/query-database.md, "Supported status types", "Supported query types"
//   (https://docs.pi-hole.net/database/query-database/)
// - src/enums.h `enum query_status`, `enum query_type` (the stored integers)
// - src/datastructure.c get_query_status_str() (the names the API and this module use)
// - src/database/query-table.c queries_to_database(): `type` is the enum above, or the DNS
//   RR type + 100 for any type FTL has no enum for (TYPE_OTHER; pi-hole/FTL#1013)
// - src/dnsmasq/cache.c `typestr[]` + querystr(): how the same query's type reads in pihole.log

/** What happened to a query, as Pi-hole's documentation groups the status codes. */
export type QueryOutcome = 'forwarded' | 'cached' | 'blocked' | 'unknown';

interface StatusDef {
  readonly name: string;
  readonly outcome: QueryOutcome;
}

/**
 * Index = status code. The docs table marks 1, 4-11, 15, 16, 18 "Blocked"; 2, 3, 12, 13, 14, 17
 * "Allowed". Of the allowed ones, 3 (cache) and 17 (stale cache) were answered locally; 2 was
 * forwarded, 12/13 are retries of a forwarded query and 14 is "already forwarded, not forwarding
 * again": all three went upstream, so they count as forwarded. 0 is "unknown (not yet known)".
 */
const STATUSES: readonly StatusDef[] = [
  { name: 'UNKNOWN', outcome: 'unknown' },
  { name: 'GRAVITY', outcome: 'blocked' },
  { name: 'FORWARDED', outcome: 'forwarded' },
  { name: 'CACHE', outcome: 'cached' },
  { name: 'REGEX', outcome: 'blocked' },
  { name: 'DENYLIST', outcome: 'blocked' },
  { name: 'EXTERNAL_BLOCKED_IP', outcome: 'blocked' },
  { name: 'EXTERNAL_BLOCKED_NULL', outcome: 'blocked' },
  { name: 'EXTERNAL_BLOCKED_NXRA', outcome: 'blocked' },
  { name: 'GRAVITY_CNAME', outcome: 'blocked' },
  { name: 'REGEX_CNAME', outcome: 'blocked' },
  { name: 'DENYLIST_CNAME', outcome: 'blocked' },
  { name: 'RETRIED', outcome: 'forwarded' },
  { name: 'RETRIED_DNSSEC', outcome: 'forwarded' },
  { name: 'IN_PROGRESS', outcome: 'forwarded' },
  { name: 'DBBUSY', outcome: 'blocked' },
  { name: 'SPECIAL_DOMAIN', outcome: 'blocked' },
  { name: 'CACHE_STALE', outcome: 'cached' },
  { name: 'EXTERNAL_BLOCKED_EDE15', outcome: 'blocked' },
];

/** Pi-hole's name for a status code (`STATUS_<n>` for a code newer than this table). */
export function statusName(code: number): string {
  return STATUSES[code]?.name ?? `STATUS_${code}`;
}

/** A code newer than this table is `unknown`, never guessed to be blocked or allowed. */
export function statusOutcome(code: number): QueryOutcome {
  return STATUSES[code]?.outcome ?? 'unknown';
}

/** FTL's own type enum, index = stored code (1..16). 14 `OTHER` was used before FTL v5.4. */
const FTL_TYPES = ['', 'A', 'AAAA', 'ANY', 'SRV', 'SOA', 'PTR', 'TXT', 'NAPTR', 'MX', 'DS', 'RRSIG', 'DNSKEY', 'NS', 'OTHER', 'SVCB', 'HTTPS'];

/**
 * dnsmasq's whole name table, for the RR types FTL stores as type + 100 (in practice those its
 * enum lacks), so the
 * text matches the `query[...]` of the same query in pihole.log; dnsmasq prints `type=N` for a
 * number it has no name for, and so does this function.
 */
const DNSMASQ_TYPES: Readonly<Record<number, string>> = {
  1: 'A', 2: 'NS', 3: 'MD', 4: 'MF', 5: 'CNAME', 6: 'SOA', 7: 'MB', 8: 'MG', 9: 'MR', 10: 'NULL', 11: 'WKS', 12: 'PTR', 13: 'HINFO',
  14: 'MINFO', 15: 'MX', 16: 'TXT', 17: 'RP', 18: 'AFSDB', 19: 'X25', 20: 'ISDN', 21: 'RT', 22: 'NSAP', 23: 'NSAP_PTR',
  24: 'SIG', 25: 'KEY', 26: 'PX', 27: 'GPOS', 28: 'AAAA', 29: 'LOC', 30: 'NXT', 31: 'EID', 32: 'NIMLOC', 33: 'SRV', 34: 'ATMA', 35: 'NAPTR',
  36: 'KX', 37: 'CERT', 38: 'A6', 39: 'DNAME', 40: 'SINK', 41: 'OPT', 42: 'APL', 43: 'DS', 44: 'SSHFP',
  45: 'IPSECKEY', 46: 'RRSIG', 47: 'NSEC', 48: 'DNSKEY', 49: 'DHCID', 50: 'NSEC3', 51: 'NSEC3PARAM', 52: 'TLSA', 53: 'SMIMEA',
  55: 'HIP', 56: 'NINFO', 57: 'RKEY', 58: 'TALINK', 59: 'CDS', 60: 'CDNSKEY', 61: 'OPENPGPKEY',
  62: 'CSYNC', 63: 'ZONEMD', 64: 'SVCB', 65: 'HTTPS', 66: 'DSYNC', 67: 'HHIT', 68: 'BRID', 99: 'SPF',
  100: 'UINFO', 101: 'UID', 102: 'GID', 103: 'UNSPEC', 104: 'NID', 105: 'L32', 106: 'L64', 107: 'LP',
  108: 'EUI48', 109: 'EUI64', 128: 'NXNAME', 249: 'TKEY', 250: 'TSIG', 251: 'IXFR', 252: 'AXFR',
  253: 'MAILB', 254: 'MAILA', 255: 'ANY', 256: 'URI', 257: 'CAA', 258: 'AVC', 259: 'DOA',
  260: 'AMTRELAY', 261: 'RESINFO', 262: 'WALLET', 263: 'CLA', 264: 'IPN', 32768: 'TA', 32769: 'DLV',
};

/** The stored `type` as pihole.log would print it (`A`, `HTTPS`, `CNAME`, `type=666`). */
export function queryTypeName(code: number): string {
  if (code >= 100) {
    const rr = code - 100;
    return DNSMASQ_TYPES[rr] ?? `type=${rr}`;
  }
  return FTL_TYPES[code] || `FTL_TYPE_${code}`;
}

/** What FTL writes instead of a domain or client its privacy level hides (src/FTL.h). */
export const HIDDEN_DOMAIN = 'hidden';
export const HIDDEN_CLIENT = '0.0.0.0';
