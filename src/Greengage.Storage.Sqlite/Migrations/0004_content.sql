-- An app's content as documents (ARCHITECTURE decision 6: compiled into an immutable snapshot per app on every
-- change): the code defaults of each app version (setVars), live variable values, and later audiences, A/B tests
-- and messages. The body is the document's JSON.
CREATE TABLE app_content (
    app_id     TEXT    NOT NULL,
    kind       TEXT    NOT NULL,
    key        TEXT    NOT NULL,
    body       BLOB    NOT NULL,
    updated_ms INTEGER NOT NULL,
    PRIMARY KEY (app_id, kind, key)
) WITHOUT ROWID, STRICT;
