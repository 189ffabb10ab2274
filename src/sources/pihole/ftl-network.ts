// Device identity from FTL's network table: which MAC held which address, with vendor and name.
//
// How FTL fills it (pi-hole/FTL v6.4.1 8d1add8d99d8a36ccc6fb97628a33a219cf8abbd,
// src/database/network-table.c):
// - parse_neighbor_cache() runs after every query export (database.DBinterval, 60 s): each ARP/NDP
//   neighbour and each client that queried becomes a `network` row keyed by hwaddr, with
//   firstSeen (first sighting), lastQuery (its last query, 0 if none) and macVendor.
// - add_netDB_network_address(): `INSERT OR REPLACE INTO network_addresses ... lastSeen =
//   strftime('%s','now')` with `ip TEXT UNIQUE`: an address belongs to one device at a time, the
//   previous holder's row is replaced, and lastSeen is the last scan that saw the pair (seconds).
// - A client with no MAC known (not on the local link, no EDNS(0) MAC option) is stored under a
//   mock hwaddr "ip-<address>" (e.g. "ip-127.0.0.1"). That is not a MAC and yields no identity.
// - MACs from ARP are printed lower-case; those from EDNS(0) upper-case ("%02X:..."): normalised.
// - network_addresses.name came in database version 8 (older rows: no host name).
import { isMulticast, normalizeMac } from '../../core/mac.js';
import type { LeaseInterval } from '../../core/types.js';
import type { FtlDatabase } from './ftl-open.js';

/** An address held by a MAC over [start, end), usable wherever a lease interval is. */
export interface NetworkIdentity extends LeaseInterval {
  readonly vendor?: string;
  readonly source: 'pihole-db';
}

export interface NetworkCounts {
  /** network rows. */
  devices: number;
  /** network_addresses rows joined to a device. */
  addresses: number;
  identities: number;
  /** Addresses of "ip-<address>" devices: FTL never saw their MAC. */
  mockHwaddr: number;
  /** Addresses of devices whose hwaddr is not an Ethernet unicast MAC (all zero, multicast, other). */
  notMac: number;
  /** Addresses without an ip text or with non-numeric firstSeen/lastSeen. */
  malformed: number;
  /** Devices without any address row. */
  withoutAddress: number;
}

export interface NetworkRead {
  readonly identities: NetworkIdentity[];
  readonly counts: NetworkCounts;
}

interface Row {
  hwaddr: unknown;
  firstSeen: unknown;
  vendor: unknown;
  ip: unknown;
  lastSeen: unknown;
  name: unknown;
}

const ZERO_MAC = '00:00:00:00:00:00';

function text(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
}

/**
 * Every (address, MAC) pair of the network table as an identity interval: from the device's
 * firstSeen (the earliest the pair can have held; FTL keeps no per-address start) to the end of
 * the second of the address's lastSeen (FTL stores whole seconds, so the pair was still seen
 * within it). A database without network tables (FTL < v5.0 schema) reads as empty.
 */
export function readNetwork(db: FtlDatabase): NetworkRead {
  const counts: NetworkCounts = { devices: 0, addresses: 0, identities: 0, mockHwaddr: 0, notMac: 0, malformed: 0, withoutAddress: 0 };
  const identities: NetworkIdentity[] = [];
  if (!db.hasNetwork) return { identities, counts };
  return db.read(() => {
    const hasName = db.sql.prepare<[], { n: number }>("SELECT count(*) AS n FROM pragma_table_info('network_addresses') WHERE name = 'name'").get()?.n === 1;
    counts.devices = db.sql.prepare<[], { n: number }>('SELECT count(*) AS n FROM network').get()?.n ?? 0;
    counts.withoutAddress =
      db.sql.prepare<[], { n: number }>('SELECT count(*) AS n FROM network n WHERE NOT EXISTS (SELECT 1 FROM network_addresses a WHERE a.network_id = n.id)').get()?.n ?? 0;
    const rows = db.sql.prepare<[], Row>(
      `SELECT n.hwaddr AS hwaddr, n.firstSeen AS firstSeen, n.macVendor AS vendor,
              a.ip AS ip, a.lastSeen AS lastSeen, ${hasName ? 'a.name' : 'NULL'} AS name
       FROM network n JOIN network_addresses a ON a.network_id = n.id
       ORDER BY a.ip`,
    );
    for (const row of rows.iterate()) {
      counts.addresses++;
      const id = toIdentity(row, counts);
      if (id) identities.push(id);
    }
    counts.identities = identities.length;
    return { identities, counts };
  });
}

function toIdentity(row: Row, counts: NetworkCounts): NetworkIdentity | undefined {
  const hwaddr = text(row.hwaddr) ?? '';
  if (hwaddr.startsWith('ip-')) {
    counts.mockHwaddr++;
    return undefined;
  }
  const mac = normalizeMac(hwaddr);
  if (!mac || mac === ZERO_MAC || isMulticast(mac)) {
    counts.notMac++;
    return undefined;
  }
  const ip = text(row.ip);
  if (!ip || typeof row.firstSeen !== 'number' || typeof row.lastSeen !== 'number') {
    counts.malformed++;
    return undefined;
  }
  const end = (Math.floor(row.lastSeen) + 1) * 1000;
  const start = Math.min(Math.floor(row.firstSeen) * 1000, end - 1000);
  const hostname = text(row.name);
  const vendor = text(row.vendor);
  return { ip: ip.toLowerCase(), mac, start, end, ...(hostname ? { hostname } : {}), ...(vendor ? { vendor } : {}), source: 'pihole-db' };
}
