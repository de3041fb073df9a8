-- Lifecycle: the worker's progress through a bucket, one row per bucket
-- whose pass is under way (see store.LifecycleCursor). The row is written
-- in the transaction that applies a batch's actions, so a crash resumes
-- after the last committed batch.
CREATE TABLE IF NOT EXISTS lifecycle_cursors (
    bucket            TEXT PRIMARY KEY,
    phase             TEXT NOT NULL,
    key_marker        TEXT NOT NULL DEFAULT '',
    version_id_marker TEXT NOT NULL DEFAULT '',
    started           INTEGER NOT NULL -- Unix nanoseconds
) WITHOUT ROWID;
