-- 0003: test devices (registerDevice): devices a dashboard account registered for development, per app.
-- Applied inside one transaction by SqliteStore.MigrateAsync; do not add BEGIN/COMMIT here. It depends on 0001 only
-- (0002 is another change's number; migrations are applied by their own version, so the order they land in is free).

CREATE TABLE test_devices (
    app_id        TEXT    NOT NULL REFERENCES apps (app_id) ON DELETE CASCADE,
    device_id     TEXT    NOT NULL,
    email         TEXT    NOT NULL,
    registered_ms INTEGER NOT NULL,
    PRIMARY KEY (app_id, device_id)
) WITHOUT ROWID, STRICT;
