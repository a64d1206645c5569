-- 0001: apps and keys, user snapshots, the activity log and the work queue.
-- Applied inside one transaction by SqliteStore.MigrateAsync; do not add BEGIN/COMMIT here.

CREATE TABLE apps (
    app_id       TEXT    NOT NULL PRIMARY KEY,
    name         TEXT    NOT NULL,
    created_ms   INTEGER NOT NULL,
    token_secret TEXT    NOT NULL
) STRICT;

CREATE TABLE app_keys (
    key       TEXT NOT NULL PRIMARY KEY,
    app_id    TEXT NOT NULL REFERENCES apps (app_id) ON DELETE CASCADE,
    key_class TEXT NOT NULL,
    UNIQUE (app_id, key_class)
) STRICT;

-- Every user of every app gets a small integer key once; the log and snapshots refer to it.
CREATE TABLE users (
    user_key INTEGER NOT NULL PRIMARY KEY,
    app_id   TEXT    NOT NULL,
    user_id  TEXT    NOT NULL,
    UNIQUE (app_id, user_id)
) STRICT;

CREATE TABLE user_snapshots (
    user_key   INTEGER NOT NULL PRIMARY KEY,
    version    INTEGER NOT NULL,
    seq        INTEGER NOT NULL,
    state      BLOB    NOT NULL,
    updated_ms INTEGER NOT NULL
) STRICT;

-- One row per commit of one user's records (LogPacking: seq, kind, time and body of each, in sequence order).
-- A batch of 20 actions costs one row and one index entry, not twenty. The logical ingest sequence of a record is
-- (ingest << 16) | its position in the row; ingest grows in commit order (one writer, AUTOINCREMENT). The fence:
-- a commit whose first sequence number is not above the user's last committed one (a stale activation, a
-- duplicate) is refused whole; the (user_key, last_seq) index answers that with one seek.
-- Full erasure (UserWriteSet.EraseThroughSeq) deletes the user's rows with last_seq <= the erasure point, rewrites a
-- row straddling it to keep only the records above (first_pos then counts the records cut off, so the kept ones keep
-- their ingest sequence), and leaves a tombstone: a row with no records (records = x'') and last_seq = the erasure
-- point. The tombstone keeps the fence above the erased sequence numbers, and a snapshot whose seq is below a
-- tombstone is refused. No other row has empty records.
CREATE TABLE activity_log (
    ingest    INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    user_key  INTEGER NOT NULL,
    last_seq  INTEGER NOT NULL,
    records   BLOB    NOT NULL,
    first_pos INTEGER NOT NULL DEFAULT 0,
    UNIQUE (user_key, last_seq)
) STRICT;

-- When each user's open session times out, for the idle-session sweep (absent: no open session).
CREATE TABLE session_deadlines (
    user_key    INTEGER NOT NULL PRIMARY KEY,
    deadline_ms INTEGER NOT NULL
) STRICT;

CREATE INDEX session_deadlines_due ON session_deadlines (deadline_ms);

-- Which user each device belongs to: the last user whose commit used it (spec 6.1: device-only requests).
CREATE TABLE device_users (
    app_id    TEXT NOT NULL,
    device_id TEXT NOT NULL,
    user_key  INTEGER NOT NULL,
    PRIMARY KEY (app_id, device_id)
) WITHOUT ROWID, STRICT;

CREATE TABLE work_items (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    queue          TEXT    NOT NULL,
    payload        TEXT    NOT NULL,
    not_before_ms  INTEGER NOT NULL,
    attempts       INTEGER NOT NULL DEFAULT 0,
    owner          TEXT    NULL,
    lease_until_ms INTEGER NULL,
    created_ms     INTEGER NOT NULL
) STRICT;

CREATE INDEX work_items_due ON work_items (queue, not_before_ms);
