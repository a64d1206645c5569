-- The names an app uses (spec 6.2 "names per app"): event, state, user attribute and parameter names, each admitted
-- once by the app's name registry and counted against the app's limits.
CREATE TABLE app_names (
    app_id     TEXT    NOT NULL,
    kind       TEXT    NOT NULL,
    name       TEXT    NOT NULL,
    created_ms INTEGER NOT NULL,
    PRIMARY KEY (app_id, kind, name)
) WITHOUT ROWID, STRICT;
