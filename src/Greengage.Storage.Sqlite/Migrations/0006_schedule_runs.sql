-- 0006: runs of scheduled sends (issue 6). One row per (app, message, occurrence): claimed with a lease like a work
-- item, with the cursor (the last user id done) so that a run cut short resumes where it stopped, and its progress.
CREATE TABLE schedule_runs (
    app_id         TEXT    NOT NULL,
    message_id     INTEGER NOT NULL,
    occurrence     INTEGER NOT NULL,
    state          TEXT    NOT NULL,
    cursor         TEXT    NULL,
    scanned        INTEGER NOT NULL,
    matched        INTEGER NOT NULL,
    deferred       INTEGER NOT NULL,
    owner          TEXT    NULL,
    lease_until_ms INTEGER NULL,
    started_ms     INTEGER NOT NULL,
    finished_ms    INTEGER NULL,
    PRIMARY KEY (app_id, message_id, occurrence)
) STRICT, WITHOUT ROWID;
