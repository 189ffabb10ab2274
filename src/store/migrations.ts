// Schema migrations, applied in order by PRAGMA user_version, each in its own transaction.
// Times are epoch milliseconds (INTEGER). Only monitored-service data is ever stored.

export const MIGRATIONS: readonly string[] = [
  // 1: the spine.
  `
  CREATE TABLE devices (
    device      TEXT PRIMARY KEY,          -- MAC (aa:bb:..) or 'ip:<address>' when no lease names it
    name        TEXT,
    hostname    TEXT,
    vendor      TEXT,
    trust       TEXT NOT NULL DEFAULT 'unknown' CHECK (trust IN ('unknown','known','trusted')),
    randomized  INTEGER NOT NULL DEFAULT 0,
    first_seen  INTEGER,
    last_seen   INTEGER
  );
  CREATE TABLE device_ips (
    device      TEXT NOT NULL,
    ip          TEXT NOT NULL,
    first_seen  INTEGER NOT NULL,
    last_seen   INTEGER NOT NULL,
    PRIMARY KEY (device, ip)
  ) WITHOUT ROWID;

  CREATE TABLE leases (
    ip          TEXT NOT NULL,
    mac         TEXT NOT NULL,
    start       INTEGER NOT NULL,
    end         INTEGER,                   -- NULL: infinite
    hostname    TEXT,
    source      TEXT NOT NULL,
    PRIMARY KEY (ip, mac, source, start)
  ) WITHOUT ROWID;

  CREATE TABLE dns_events (
    id          INTEGER PRIMARY KEY,
    ts          INTEGER NOT NULL,
    client_ip   TEXT NOT NULL,
    device      TEXT,                      -- resolved when sessions are rebuilt
    name        TEXT NOT NULL,
    qtype       TEXT NOT NULL,
    service     TEXT NOT NULL,
    role        TEXT NOT NULL,
    blocked     INTEGER NOT NULL DEFAULT 0,
    source_id   INTEGER
  );
  CREATE INDEX dns_events_ts ON dns_events (ts);
  CREATE INDEX dns_events_device ON dns_events (device, ts);

  CREATE TABLE served_addresses (
    ip          TEXT NOT NULL,
    service     TEXT NOT NULL,
    role        TEXT NOT NULL,
    name        TEXT NOT NULL,
    first_seen  INTEGER NOT NULL,
    last_seen   INTEGER NOT NULL,
    PRIMARY KEY (ip, service)
  ) WITHOUT ROWID;

  CREATE TABLE flows (
    minute      INTEGER NOT NULL,
    local_ip    TEXT NOT NULL,
    remote_ip   TEXT NOT NULL,
    service     TEXT NOT NULL,
    role        TEXT NOT NULL,
    device      TEXT,
    bytes_down  INTEGER NOT NULL,
    bytes_up    INTEGER NOT NULL,
    packets_down INTEGER NOT NULL,
    packets_up  INTEGER NOT NULL,
    PRIMARY KEY (minute, local_ip, remote_ip, service)
  ) WITHOUT ROWID;
  CREATE INDEX flows_device ON flows (device, minute);

  CREATE TABLE sessions (
    id          INTEGER PRIMARY KEY,
    device      TEXT NOT NULL,
    service     TEXT NOT NULL,
    ip          TEXT NOT NULL,
    start       INTEGER NOT NULL,
    end         INTEGER NOT NULL,
    first_video INTEGER NOT NULL,
    bytes_down  INTEGER,
    bytes_up    INTEGER,
    avg_mbps    REAL,
    peak_mbps   REAL,
    quality     TEXT,
    evidence    TEXT NOT NULL,
    UNIQUE (device, service, start)
  );
  CREATE INDEX sessions_end ON sessions (end);

  CREATE TABLE alerts (
    id          INTEGER PRIMARY KEY,
    key         TEXT NOT NULL UNIQUE,
    at          INTEGER NOT NULL,
    rule        TEXT NOT NULL,
    severity    TEXT NOT NULL,
    device      TEXT,
    session_id  INTEGER,
    service     TEXT,
    message     TEXT NOT NULL,
    created_at  INTEGER NOT NULL
  );
  CREATE INDEX alerts_at ON alerts (at);

  CREATE TABLE outbox (
    alert_id    INTEGER PRIMARY KEY REFERENCES alerts (id) ON DELETE CASCADE,
    attempts    INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL DEFAULT 0,
    delivered_at INTEGER,
    last_error  TEXT
  );
  CREATE INDEX outbox_pending ON outbox (delivered_at, alert_id);

  -- Every file read: identity by content fingerprint (so a renamed or compressed rotation of a
  -- log already read is recognised), and how far it was read. Written in the same transaction
  -- as the events it produced.
  CREATE TABLE sources (
    id          INTEGER PRIMARY KEY,
    kind        TEXT NOT NULL,             -- pihole | capture | leases | viewing_activity
    path        TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    fp_len      INTEGER NOT NULL,
    inode       INTEGER,
    offset      INTEGER NOT NULL DEFAULT 0,
    size        INTEGER NOT NULL DEFAULT 0,
    complete    INTEGER NOT NULL DEFAULT 0,
    lines       INTEGER NOT NULL DEFAULT 0,
    parsed      INTEGER NOT NULL DEFAULT 0,
    skipped     TEXT NOT NULL DEFAULT '{}',
    first_event INTEGER,
    last_event  INTEGER,
    last_error  TEXT,
    updated_at  INTEGER NOT NULL
  );
  CREATE INDEX sources_kind ON sources (kind, fingerprint);

  CREATE TABLE meta (
    key         TEXT PRIMARY KEY,
    value       TEXT NOT NULL
  ) WITHOUT ROWID;
  `,
  // 2: plays imported from Netflix's account export (ViewingActivity.csv / NetflixViewingHistory.csv).
  `
  CREATE TABLE plays (
    key          TEXT PRIMARY KEY,           -- stable across exports: profile, start, title, device type
    profile      TEXT NOT NULL,
    start        INTEGER NOT NULL,
    duration_s   INTEGER NOT NULL,
    title        TEXT NOT NULL,              -- the title, or its SHA-256 when store_titles is false
    title_hashed INTEGER NOT NULL DEFAULT 0,
    preview_type TEXT,
    device_type  TEXT NOT NULL,
    country      TEXT NOT NULL,
    country_name TEXT,
    attributes   TEXT NOT NULL,
    day_only     INTEGER NOT NULL DEFAULT 0,
    imported_at  INTEGER NOT NULL
  ) WITHOUT ROWID;
  CREATE INDEX plays_start ON plays (start);
  `,
  // 3: derived state that always agrees with the stored input (issue 10).
  // - A lookup is stored once whatever reads it twice (two writers, a resumed import, the same
  //   query in the log and in Pi-hole's database): unique on its content.
  // - Flows belong to the capture file that counted them, so a file read again (it grew after a
  //   read of its cut-off copy) replaces its own minutes instead of adding to them.
  // - Device facts that follow from activity (first and last seen, addresses, host name) are
  //   computed from events, flows and leases when asked for, never accumulated.
  // - The outbox can hold an alert back for good (`held = 'history'`: too old to push).
  // - The rebuild mark (meta 'rebuild_from') is set so that the next writer rebuilds everything
  //   with the session model of this version.
  `
  DELETE FROM dns_events WHERE id NOT IN (SELECT min(id) FROM dns_events GROUP BY ts, client_ip, name, qtype);
  DROP INDEX dns_events_ts;
  DROP INDEX dns_events_device;
  CREATE UNIQUE INDEX dns_events_content ON dns_events (ts, client_ip, name, qtype);
  CREATE INDEX dns_events_client ON dns_events (client_ip, ts);
  CREATE INDEX dns_events_device ON dns_events (device, client_ip, ts);

  CREATE TABLE flows_by_source (
    source_id   INTEGER NOT NULL DEFAULT 0,
    minute      INTEGER NOT NULL,
    local_ip    TEXT NOT NULL,
    remote_ip   TEXT NOT NULL,
    service     TEXT NOT NULL,
    role        TEXT NOT NULL,
    device      TEXT,
    bytes_down  INTEGER NOT NULL,
    bytes_up    INTEGER NOT NULL,
    packets_down INTEGER NOT NULL,
    packets_up  INTEGER NOT NULL,
    PRIMARY KEY (minute, local_ip, remote_ip, service, source_id)
  ) WITHOUT ROWID;
  INSERT INTO flows_by_source (source_id, minute, local_ip, remote_ip, service, role, device, bytes_down, bytes_up, packets_down, packets_up)
    SELECT 0, minute, local_ip, remote_ip, service, role, device, bytes_down, bytes_up, packets_down, packets_up FROM flows;
  DROP TABLE flows;
  ALTER TABLE flows_by_source RENAME TO flows;
  CREATE INDEX flows_device ON flows (device, local_ip, minute);
  CREATE INDEX flows_local ON flows (local_ip, minute);
  CREATE INDEX flows_source ON flows (source_id);

  CREATE INDEX leases_mac ON leases (mac);
  -- A capture is known by the hash of its first 64 KiB; its size is the row's size.
  UPDATE sources SET fingerprint = substr(fingerprint, instr(fingerprint, ':') + 1) WHERE kind = 'capture';

  DROP TABLE device_ips;
  ALTER TABLE devices DROP COLUMN hostname;
  ALTER TABLE devices DROP COLUMN first_seen;
  ALTER TABLE devices DROP COLUMN last_seen;

  ALTER TABLE outbox ADD COLUMN held TEXT;
  DROP INDEX outbox_pending;
  CREATE INDEX outbox_pending ON outbox (delivered_at, held, alert_id);

  -- Files handed by nfmon ingest to the running daemon, and the daemon's report on each.
  CREATE TABLE ingest_requests (
    id           INTEGER PRIMARY KEY,
    request      TEXT NOT NULL,
    requested_at INTEGER NOT NULL,
    requested_by INTEGER NOT NULL,
    started_at   INTEGER,
    finished_at  INTEGER,
    report       TEXT
  );

  INSERT INTO meta (key, value)
    SELECT 'rebuild_from', '0' WHERE EXISTS (SELECT 1 FROM dns_events) OR EXISTS (SELECT 1 FROM flows)
    ON CONFLICT (key) DO UPDATE SET value = '0';
  `,
  // 4: served addresses are appended as a log read goes (in the transaction that moves its offset)
  // and folded into served_addresses once at the end (store/events.ts mergeServed). Upserting
  // each group's addresses at random keys rewrote most of the table's pages at every commit.
  `
  CREATE TABLE served_log (
    source_id   INTEGER NOT NULL,          -- the file whose read appended it (sources.id)
    ip          TEXT NOT NULL,
    service     TEXT NOT NULL,
    role        TEXT NOT NULL,
    name        TEXT NOT NULL,
    first_seen  INTEGER NOT NULL,
    last_seen   INTEGER NOT NULL
  );
  `,
];
