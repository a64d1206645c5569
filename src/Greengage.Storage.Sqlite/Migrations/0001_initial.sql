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

CREATE TABLE user_snapshots (
    app_id     TEXT    NOT NULL,
    user_id    TEXT    NOT NULL,
    version    INTEGER NOT NULL,
    seq        INTEGER NOT NULL,
    state      BLOB    NOT NULL,
    updated_ms INTEGER NOT NULL,
    PRIMARY KEY (app_id, user_id)
) WITHOUT ROWID, STRICT;

-- ingest_seq: AUTOINCREMENT never reuses a value, and with a single writer connection values grow in commit order.
CREATE TABLE activity_log (
    ingest_seq INTEGER PRIMARY KEY AUTOINCREMENT,
    app_id     TEXT    NOT NULL,
    user_id    TEXT    NOT NULL,
    seq        INTEGER NOT NULL,
    kind       TEXT    NOT NULL,
    time_ms    INTEGER NOT NULL,
    body       BLOB    NOT NULL,
    UNIQUE (app_id, user_id, seq)
) STRICT;

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
