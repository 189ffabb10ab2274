// Pi-hole's own database (/etc/pihole/pihole-FTL.db) as a source: query history and device
// identity. The only module outside sources/pihole/ that needs to know is this entry point;
// FTL's SQLite schema stays inside this folder.
export { FtlDatabase, FtlDbError, openFtlDatabase, type FtlDbProblem, type FtlLayout, type OpenFtlOptions } from './ftl-open.js';
export { catalogFilter, ftlTimestampMs, queryLag, readQueries, resumePointAt, type QueryBatch, type QueryCounts, type QueryLag, type ReadQueriesOptions } from './ftl-queries.js';
export { readNetwork, type NetworkCounts, type NetworkIdentity, type NetworkRead } from './ftl-network.js';
export { queryTypeName, statusName, statusOutcome, type QueryOutcome } from './ftl-codes.js';
export { DEFAULT_FTL_DATABASE, ftlDatabaseSetting, ftlProblemFix, type FtlDatabaseSetting } from './ftl-setting.js';
