-- Background work run by one node at a time (store.Leases), and blobs freed
-- while other nodes may still read them (store.FreedBlobs): the sqlstore
-- schema level SchemaCluster, as SQLite's migration 0013.
CREATE TABLE leases (
    name   TEXT COLLATE "C" PRIMARY KEY,
    holder TEXT COLLATE "C" NOT NULL,
    until  BIGINT NOT NULL
);

CREATE TABLE freed_blobs (
    key      TEXT COLLATE "C" PRIMARY KEY,
    freed_at BIGINT NOT NULL
);
CREATE INDEX freed_blobs_due ON freed_blobs (freed_at, key);
