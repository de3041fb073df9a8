-- Storage class as a listing column ('' is STANDARD, so existing objects
-- need no backfill); the object's JSON record carries it too.
ALTER TABLE objects ADD COLUMN storage_class TEXT NOT NULL DEFAULT '';
