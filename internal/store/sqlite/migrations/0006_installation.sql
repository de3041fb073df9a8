-- The installation record (one row: the master key's check value and the
-- default account), and the blob holds of backups in progress: while a hold
-- has not lapsed, BlobReferenced answers true for every blob, so no blob a
-- backup's snapshot references is deleted before the backup copies it.
CREATE TABLE installation (
    id               INTEGER PRIMARY KEY CHECK (id = 1),
    master_key_check BLOB,
    default_account  TEXT NOT NULL DEFAULT '',
    updated_at       INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE blob_holds (
    id    TEXT PRIMARY KEY,
    until INTEGER NOT NULL -- Unix nanoseconds: the hold lapses then
);
