// Writes the household's lookups as Pi-hole FTL v6 stores them in /etc/pihole/pihole-FTL.db: the
// same queries the log shows, in query_storage with its domain_by_id / client_by_id /
// forward_by_id link rows, and the network table FTL fills from the ARP/NDP cache. The pihole-FTL
// binary is not in Debian, so the schema is the CREATE statements FTL's own test suite asserts
// (fixtures/pihole-ftl/schema-v21.sql, sources cited there) and rows go in as FTL inserts them
// (pi-hole/FTL v6.4.1 8d1add8d src/database/query-table.c: link rows with INSERT OR IGNORE, the
// query row pointing at them; src/database/network-table.c: one network row per hwaddr, one
// network_addresses row per address, "ip-<address>" for a client whose MAC FTL never saw).
//
// Timestamps: dnsmasq stamps the log line with time() (whole seconds) and FTL then takes
// double_time() (src/dnsmasq_interface.c _FTL_new_query()). glibc's time() lags the real clock by
// up to a scheduler tick, so FTL's timestamp is modelled as the log's instant plus 0.1-15 ms:
// about 0.75% of queries then fall in the next second (0.73% was measured with glibc for issue 12).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeRng, SECOND } from './time.mjs';

const require = createRequire(import.meta.url);
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** FTL's enum query_type (src/enums.h); other RR types are stored as type + 100. */
const TYPES = { A: 1, AAAA: 2, ANY: 3, SRV: 4, SOA: 5, PTR: 6, TXT: 7, NAPTR: 8, MX: 9, DS: 10, RRSIG: 11, DNSKEY: 12, NS: 13, SVCB: 15, HTTPS: 16 };
/** enum query_status: GRAVITY 1, FORWARDED 2, CACHE 3. */
const STATUS = { blocked: 1, forwarded: 2, cached: 3 };
/** enum reply_type: NODATA 1 (the household's HTTPS lookups), IP 4 (everything else here, blocked ones too: 0.0.0.0). */
const replyType = (qtype) => (qtype === 'HTTPS' ? 1 : 4);

/** The IEEE organisation of a MAC's OUI, as FTL's macvendor.db names it ('' for private addresses). */
function vendorOf(mac, oui) {
  return (oui[mac.replaceAll(':', '').slice(0, 6).toUpperCase()] ?? '').split('\n')[0];
}

/**
 * queries: [{ts (ms, the log's instant), ip, name, qtype, status: blocked|forwarded|cached}]
 * devices: [{key?, mac, ip, hostname}]; mock: keys of devices FTL knows only by address.
 */
export function writeFtlDatabase(file, { queries, devices, mock = [], from, to, seed }) {
  const Database = require('better-sqlite3');
  const oui = require('oui-data');
  const rng = makeRng(seed * 7919 + 17);
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.exec(readFileSync(join(ROOT, 'fixtures', 'pihole-ftl', 'schema-v21.sql'), 'utf8'));
  const rows = queries.map((q) => ({ ...q, ftlTs: (q.ts + rng.between(0.1, 15)) / SECOND })).sort((a, b) => a.ftlTs - b.ftlTs);
  const addDomain = db.prepare('INSERT OR IGNORE INTO domain_by_id (domain) VALUES (?)');
  const addClient = db.prepare("INSERT OR IGNORE INTO client_by_id (ip, name) VALUES (?, '')");
  const addForward = db.prepare("INSERT OR IGNORE INTO forward_by_id (forward) VALUES ('1.1.1.1#53')");
  const addQuery = db.prepare(
    `INSERT INTO query_storage VALUES (NULL, @ts, @type, @status, (SELECT id FROM domain_by_id WHERE domain = @name),
       (SELECT id FROM client_by_id WHERE ip = @ip AND name = ''),
       CASE WHEN @status = 2 THEN (SELECT id FROM forward_by_id WHERE forward = '1.1.1.1#53') END, NULL, @reply, 0.004, 0, NULL, NULL)`,
  );
  const firstQuery = new Map();
  const lastQuery = new Map();
  db.transaction(() => {
    addForward.run();
    for (const q of rows) {
      addDomain.run(q.name);
      addClient.run(q.ip);
      const type = TYPES[q.qtype] ?? 100;
      addQuery.run({ ts: q.ftlTs, type, status: STATUS[q.status], name: q.name, ip: q.ip, reply: replyType(q.qtype) });
      if (!firstQuery.has(q.ip)) firstQuery.set(q.ip, Math.floor(q.ftlTs));
      lastQuery.set(q.ip, Math.floor(q.ftlTs));
    }
    const addDevice = db.prepare('INSERT INTO network (hwaddr, interface, firstSeen, lastQuery, numQueries, macVendor) VALUES (?, ?, ?, ?, ?, ?)');
    const addAddress = db.prepare('INSERT INTO network_addresses (network_id, ip, lastSeen, name, nameUpdated) VALUES (?, ?, ?, ?, ?)');
    // Devices there from the start were on the network for a month before; a visitor from its
    // first query. The ARP scan sees a device until about 10 minutes after its last query.
    const start = Math.floor(from / SECOND);
    const end = Math.floor(to / SECOND) - 30;
    const all = [...devices, { key: 'pi', mac: undefined, ip: '127.0.0.1', hostname: 'localhost' }];
    for (const d of all) {
      const mocked = d.mac === undefined || mock.includes(d.key);
      const hwaddr = mocked ? `ip-${d.ip}` : d.mac;
      const count = queries.filter((q) => q.ip === d.ip).length;
      const first = firstQuery.get(d.ip) ?? start;
      const firstSeen = first < start + 3600 ? start - 30 * 86_400 : first;
      const lastSeen = Math.min(end, (lastQuery.get(d.ip) ?? end) + 600);
      const id = addDevice.run(hwaddr, mocked ? 'N/A' : 'eth0', firstSeen, lastQuery.get(d.ip) ?? 0, count, mocked ? '' : vendorOf(d.mac, oui)).lastInsertRowid;
      addAddress.run(id, d.ip, lastSeen, d.hostname, lastSeen);
    }
  })();
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  return { rows: rows.length, secondShifted: rows.filter((q) => Math.floor(q.ftlTs) !== Math.floor(q.ts / SECOND)).length };
}
