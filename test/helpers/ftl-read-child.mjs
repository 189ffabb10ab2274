// Reads a pihole-FTL.db with the built reader (dist/) in a process of its own, so a test running
// as root can read as an unprivileged user the way the nfmon daemon does. Prints one JSON line.
//   node ftl-read-child.mjs DIST_DIR FILE
import { pathToFileURL } from 'node:url';

const [dist, file] = process.argv.slice(2);
const { openFtlDatabase, readQueries, readNetwork, catalogFilter } = await import(pathToFileURL(`${dist}/sources/pihole/ftl-db.js`).href);
const { buildCatalog, NETFLIX } = await import(pathToFileURL(`${dist}/core/catalog.js`).href);
try {
  const db = openFtlDatabase(file);
  const batch = readQueries(db, { ...catalogFilter(buildCatalog([NETFLIX])), afterId: 0, limit: 100_000 });
  const net = readNetwork(db);
  db.close();
  console.log(JSON.stringify({ ok: true, journal: db.journal, events: batch.events.length, lastId: batch.lastId, identities: net.identities.length }));
} catch (err) {
  console.log(JSON.stringify({ ok: false, name: err.name, problem: err.problem, file: err.file, message: err.message }));
}
