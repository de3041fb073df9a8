-- Listing columns. Objects: the storage class ('' is STANDARD, so existing
-- objects need no backfill); the object's JSON record carries it too.
-- Buckets: the region ('' is us-east-1), so that ListBuckets filtered by
-- region reads an index range instead of every bucket's record.
ALTER TABLE objects ADD COLUMN storage_class TEXT NOT NULL DEFAULT '';
ALTER TABLE buckets ADD COLUMN region TEXT NOT NULL DEFAULT '';
UPDATE buckets SET region = coalesce(json_extract(data, '$.Region'), '');
CREATE INDEX buckets_region ON buckets (account, region, name);
