-- S3 metadata: buckets, objects (a list of blob references each), multipart
-- uploads and their parts. Keys are compared in binary (UTF-8 byte) order.
CREATE TABLE buckets (
    name       TEXT PRIMARY KEY,
    account    TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    data       TEXT NOT NULL
);
CREATE INDEX buckets_account ON buckets (account, name);

CREATE TABLE objects (
    bucket TEXT NOT NULL,
    key    TEXT NOT NULL,
    data   TEXT NOT NULL,
    PRIMARY KEY (bucket, key)
) WITHOUT ROWID;

-- Every blob referenced by an object or a part, for the orphan sweeper.
CREATE TABLE blob_refs (
    blob_key TEXT NOT NULL,
    bucket   TEXT NOT NULL,
    key      TEXT NOT NULL,   -- object key, or '' for a part
    upload   TEXT NOT NULL,   -- upload id for a part, '' for an object
    part     INTEGER NOT NULL,
    PRIMARY KEY (blob_key, bucket, key, upload, part)
) WITHOUT ROWID;
CREATE INDEX blob_refs_owner ON blob_refs (bucket, key, upload, part);

CREATE TABLE uploads (
    id         TEXT PRIMARY KEY,
    bucket     TEXT NOT NULL,
    key        TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    data       TEXT NOT NULL
);
CREATE INDEX uploads_listing ON uploads (bucket, key, created_at, id);

CREATE TABLE parts (
    upload_id TEXT NOT NULL,
    number    INTEGER NOT NULL,
    data      TEXT NOT NULL,
    PRIMARY KEY (upload_id, number)
) WITHOUT ROWID;
