-- Object versioning. objects keeps the current version of each key that has
-- one (so ListObjects reads only current versions, as before); the new
-- object_versions keeps every other version: noncurrent versions and delete
-- markers, including a delete marker that is its key's latest version. seq
-- orders the versions of one key (larger is newer) and a version keeps its
-- seq for life, whichever table holds it. Objects written before versioning
-- are their keys' null versions, with seq 0.
ALTER TABLE objects ADD COLUMN version_id TEXT NOT NULL DEFAULT 'null';
ALTER TABLE objects ADD COLUMN seq INTEGER NOT NULL DEFAULT 0;

CREATE TABLE object_versions (
    bucket             TEXT NOT NULL,
    key                TEXT NOT NULL,
    seq                INTEGER NOT NULL,
    version_id         TEXT NOT NULL,
    delete_marker      INTEGER NOT NULL DEFAULT 0,
    size               INTEGER NOT NULL DEFAULT 0,
    etag               TEXT NOT NULL DEFAULT '',
    modified           INTEGER NOT NULL DEFAULT 0, -- Unix nanoseconds
    owner              TEXT NOT NULL DEFAULT '',
    checksum_algorithm TEXT NOT NULL DEFAULT '',
    checksum_type      TEXT NOT NULL DEFAULT '',
    storage_class      TEXT NOT NULL DEFAULT '',
    -- When the version stopped being its key's latest (Unix nanoseconds),
    -- what lifecycle's noncurrent-days rules count from; 0 while it is the
    -- latest (a delete marker).
    noncurrent_since   INTEGER NOT NULL DEFAULT 0,
    data               TEXT NOT NULL,
    PRIMARY KEY (bucket, key, seq DESC)
) WITHOUT ROWID;
CREATE UNIQUE INDEX object_versions_id ON object_versions (bucket, key, version_id);

-- blob_refs keeps its shape: an object version's references are the rows
-- (blob_key, bucket, key, upload '', part = the version's seq), so moving a
-- version between objects and object_versions leaves them alone. Rows
-- written before this migration have part 0, the seq of the objects they
-- belong to.
