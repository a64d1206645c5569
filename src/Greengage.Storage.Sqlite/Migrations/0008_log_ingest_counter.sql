-- The log's ingest numbers come from the writer (CommitCommands keeps the counter) instead of AUTOINCREMENT, whose
-- sqlite_sequence row was one more page written to the WAL by every commit (about one in ten of a commit's pages).
-- No number is handed out twice: the counter starts above both the largest ingest in the log and ingest_floor (the
-- AUTOINCREMENT counter carried over here), and a row is deleted only by an erasure, in the transaction that also
-- inserts a higher one (the tombstone), so the largest ingest in the log never goes down. The log is rebuilt (SQLite
-- cannot drop AUTOINCREMENT from a table), which copies every row once.
CREATE TABLE activity_log_rebuilt (
    ingest    INTEGER NOT NULL PRIMARY KEY,
    user_key  INTEGER NOT NULL,
    last_seq  INTEGER NOT NULL,
    records   BLOB    NOT NULL,
    first_pos INTEGER NOT NULL DEFAULT 0
) STRICT;

INSERT INTO activity_log_rebuilt (ingest, user_key, last_seq, records, first_pos)
SELECT ingest, user_key, last_seq, records, first_pos FROM activity_log ORDER BY ingest;

ALTER TABLE log_index_state ADD COLUMN ingest_floor INTEGER NOT NULL DEFAULT 0;
UPDATE log_index_state
SET ingest_floor = COALESCE((SELECT MAX(seq) FROM sqlite_sequence WHERE name = 'activity_log'), 0)
WHERE id = 1;

DROP TABLE activity_log;
DELETE FROM sqlite_sequence WHERE name = 'activity_log';
ALTER TABLE activity_log_rebuilt RENAME TO activity_log;
