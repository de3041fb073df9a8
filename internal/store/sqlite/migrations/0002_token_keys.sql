-- The session-token keyring.
CREATE TABLE token_keys (
    id         INTEGER PRIMARY KEY,
    sealed     BLOB NOT NULL,
    state      TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    retired_at INTEGER NOT NULL DEFAULT 0
);
