-- 0005: the outbox (ARCHITECTURE decision 7). Work items carry a key (for deliveries: the app id) so that what
-- finally failed can be listed per app; an item that will not be tried again moves to work_failures with its reason.
ALTER TABLE work_items ADD COLUMN key TEXT NULL;

CREATE TABLE work_failures (
    id        INTEGER PRIMARY KEY,
    queue     TEXT    NOT NULL,
    key       TEXT    NULL,
    payload   TEXT    NOT NULL,
    attempts  INTEGER NOT NULL,
    reason    TEXT    NOT NULL,
    failed_ms INTEGER NOT NULL
) STRICT;

CREATE INDEX work_failures_by_key ON work_failures (queue, key, failed_ms);
