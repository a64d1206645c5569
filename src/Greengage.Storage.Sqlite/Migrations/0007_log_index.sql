-- The per-user index of the activity log moves out of the log table into activity_index, which is written behind
-- the log: a commit appends its rows to activity_log only, the store keeps the rows not yet indexed in memory
-- (LogTail) and merges them into activity_index in key order, a range of users at a time, so that each index page
-- is written once for many rows instead of once per commit. After a restart the rows above
-- log_index_state.merged_through that activity_index lacks are read back into memory.
-- SQLite cannot drop the UNIQUE constraint that made the old index, so the log is rebuilt; its AUTOINCREMENT
-- counter is carried over so that no ingest number is ever handed out twice.
CREATE TABLE activity_log_rebuilt (
    ingest    INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    user_key  INTEGER NOT NULL,
    last_seq  INTEGER NOT NULL,
    records   BLOB    NOT NULL,
    first_pos INTEGER NOT NULL DEFAULT 0
) STRICT;

INSERT INTO activity_log_rebuilt (ingest, user_key, last_seq, records, first_pos)
SELECT ingest, user_key, last_seq, records, first_pos FROM activity_log ORDER BY ingest;

CREATE TABLE activity_index (
    user_key INTEGER NOT NULL,
    last_seq INTEGER NOT NULL,
    ingest   INTEGER NOT NULL,
    PRIMARY KEY (user_key, last_seq)
) WITHOUT ROWID, STRICT;

INSERT INTO activity_index (user_key, last_seq, ingest)
SELECT user_key, last_seq, ingest FROM activity_log ORDER BY user_key, last_seq;

CREATE TABLE log_index_state (
    id             INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
    merged_through INTEGER NOT NULL
) STRICT;

INSERT INTO log_index_state (id, merged_through)
VALUES (1, COALESCE((SELECT MAX(seq) FROM sqlite_sequence WHERE name = 'activity_log'), 0));

DELETE FROM sqlite_sequence WHERE name = 'activity_log_rebuilt';
INSERT INTO sqlite_sequence (name, seq)
SELECT 'activity_log_rebuilt', MAX(seq) FROM sqlite_sequence WHERE name = 'activity_log' HAVING COUNT(*) > 0;

DROP TABLE activity_log;
ALTER TABLE activity_log_rebuilt RENAME TO activity_log;
