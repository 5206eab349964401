namespace IoTPlatform.DeviceGateway.Storage;

/// <summary>
/// Schema migrations of <c>state.db</c>, applied in order; <c>PRAGMA user_version</c> counts those applied.
/// Append only: a released step is never edited.
/// </summary>
internal static class StateSchema
{
    public static IReadOnlyList<string> Migrations { get; } =
    [
        """
        CREATE TABLE devices (
            id                  TEXT PRIMARY KEY NOT NULL,
            kind                TEXT NOT NULL,
            slots               INTEGER NOT NULL DEFAULT 0,
            secret_hash         BLOB NOT NULL,
            created_at          INTEGER NOT NULL,
            secret_rotated_at   INTEGER,
            decommissioned_at   INTEGER
        ) WITHOUT ROWID;
        CREATE INDEX devices_kind ON devices (kind, id);
        """,
        """
        CREATE TABLE presence (
            device_id   TEXT NOT NULL,
            at          INTEGER NOT NULL,
            online      INTEGER NOT NULL,
            reason      TEXT NOT NULL,
            endpoint    TEXT
        );
        CREATE INDEX presence_device_at ON presence (device_id, at);
        CREATE TABLE device_state (
            device_id   TEXT PRIMARY KEY NOT NULL,
            online      INTEGER NOT NULL DEFAULT 0,
            last_seen   INTEGER,
            status_json TEXT,
            status_at   INTEGER
        ) WITHOUT ROWID;
        """,
        """
        CREATE TABLE device_latest (
            device_id           TEXT PRIMARY KEY NOT NULL,
            reading_json        TEXT,
            reading_seq         INTEGER,
            reading_ts          INTEGER,
            position_rejected   TEXT,
            received_at         INTEGER,
            lock                TEXT,
            lock_ts             INTEGER,
            lock_seq            INTEGER,
            battery             INTEGER,
            battery_ts          INTEGER,
            battery_seq         INTEGER,
            lat                 REAL,
            lon                 REAL,
            position_ts         INTEGER,
            position_seq        INTEGER
        ) WITHOUT ROWID;
        CREATE INDEX device_latest_lat ON device_latest (lat);
        CREATE TABLE device_slots (
            device_id   TEXT NOT NULL,
            n           INTEGER NOT NULL,
            state       TEXT NOT NULL,
            item        TEXT,
            charge      INTEGER,
            ts          INTEGER NOT NULL,
            seq         INTEGER NOT NULL,
            PRIMARY KEY (device_id, n)
        ) WITHOUT ROWID;
        CREATE TABLE ingest_watermark (
            id          INTEGER PRIMARY KEY CHECK (id = 1),
            commit_id   INTEGER NOT NULL
        );
        INSERT INTO ingest_watermark (id, commit_id) VALUES (1, 0);
        """,
        """
        CREATE TABLE commands (
            id                  TEXT PRIMARY KEY NOT NULL,
            device_id           TEXT NOT NULL,
            idempotency_key     TEXT NOT NULL,
            request             TEXT NOT NULL,
            action              TEXT NOT NULL,
            slot                INTEGER,
            state               TEXT NOT NULL,
            reason              TEXT,
            late                INTEGER NOT NULL DEFAULT 0,
            requested_by        TEXT NOT NULL,
            queue_if_offline    INTEGER NOT NULL,
            created_at          INTEGER NOT NULL,
            expires_at          INTEGER NOT NULL,
            delivered_at        INTEGER,
            attempts            INTEGER NOT NULL DEFAULT 0,
            kid                 TEXT NOT NULL,
            sig                 TEXT NOT NULL
        ) WITHOUT ROWID;
        CREATE UNIQUE INDEX commands_idempotency ON commands (device_id, idempotency_key);
        CREATE INDEX commands_device_created ON commands (device_id, created_at);
        CREATE INDEX commands_open ON commands (state) WHERE state IN ('QUEUED', 'SENT', 'DELIVERED');
        CREATE TABLE command_history (
            command_id  TEXT NOT NULL,
            at          INTEGER NOT NULL,
            state       TEXT NOT NULL,
            reason      TEXT
        );
        CREATE INDEX command_history_command ON command_history (command_id, at);
        """,
    ];
}
