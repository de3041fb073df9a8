-- Background work run by one node at a time (store.Leases), and blobs freed
-- while other nodes may still read them (store.FreedBlobs).
CREATE TABLE IF NOT EXISTS leases (
    name   TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    until  INTEGER NOT NULL -- Unix nanoseconds
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS freed_blobs (
    key      TEXT PRIMARY KEY,
    freed_at INTEGER NOT NULL -- Unix nanoseconds
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS freed_blobs_due ON freed_blobs (freed_at, key);
